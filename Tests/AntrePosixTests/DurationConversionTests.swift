import AntrePosix
import Testing

@Suite struct DurationConversionTests {
    @Test func pollMillisecondsRoundUpSoAWaitNeverEndsEarly() {
        #expect(Duration.nanoseconds(1).roundedUpMilliseconds == 1)
        #expect(Duration.microseconds(1500).roundedUpMilliseconds == 2)
        #expect(Duration.milliseconds(250).roundedUpMilliseconds == 250)
        #expect(Duration.zero.roundedUpMilliseconds == 0)
        #expect(Duration.milliseconds(-5).roundedUpMilliseconds == 0)
        #expect(Duration.seconds(Int64.max / 2).roundedUpMilliseconds == Int32.max)
    }

    @Test func deadlinesBecomePollTimeouts() {
        #expect(pollMilliseconds(until: nil) == -1)
        #expect(pollMilliseconds(until: ContinuousClock.now - .seconds(1)) == 0)
        let left = pollMilliseconds(until: deadline(after: .seconds(2)))
        #expect(left > 1900 && left <= 2000)
    }

    @Test func timespecAndTimevalRoundTrip() {
        let d = Duration.seconds(3) + .nanoseconds(250_000_123)
        let ts = d.timespecValue
        #expect(ts.tv_sec == 3 && ts.tv_nsec == 250_000_123)
        #expect(Duration(ts) == d)
        let tv = d.timevalValue
        #expect(tv.tv_sec == 3 && tv.tv_usec == 250_000)
        #expect(Duration.seconds(-1).timespecValue.tv_sec == 0)
    }

    @Test func microsecondsForSystemd() {
        #expect(Duration.seconds(90).wholeMicroseconds == 90_000_000)
        #expect(Duration.nanoseconds(1999).wholeMicroseconds == 1)
        #expect(Duration.seconds(-3).wholeMicroseconds == 0)
        #expect(monotonicClockReading() > .zero)
    }
}
