import AntrePosix
import Foundation
import Synchronization
import Testing

/// Signals the handler saw (the handler may only touch lock-free globals).
private let signalsSeen = Atomic<Int>(0)

@Suite(.serialized) struct RetryingInterruptsTests {
    @Test func retriesWhileTheCallFailsWithEINTRAndReturnsTheFirstOtherResult() {
        var calls = 0
        let result = retryingInterrupts { () -> Int in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 42
        }
        #expect(result == 42)
        #expect(calls == 3)
    }

    @Test func otherFailuresComeBackAtOnceWithTheirErrno() {
        var calls = 0
        let result = retryingInterrupts { () -> Int32 in
            calls += 1
            errno = EAGAIN
            return -1
        }
        #expect(result == -1)
        #expect(errno == EAGAIN)
        #expect(calls == 1)
    }

    /// A real signal interrupts a real poll() (poll is never restarted by the kernel): the
    /// wait goes on and sees the data that comes after, instead of failing.
    @Test func pollKeepsWaitingThroughASignal() throws {
        let previous = signal(SIGUSR2) { _ in signalsSeen.add(1, ordering: .relaxed) }
        defer { signal(SIGUSR2, previous) }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let readEnd = fds[0]
        let waiter = Mutex<(thread: pthread_t?, revents: Int16??)>((nil, nil))
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // The test runner's threads may block signals: this one must take SIGUSR2.
            var only = sigset_t()
            sigemptyset(&only)
            sigaddset(&only, SIGUSR2)
            pthread_sigmask(SIG_UNBLOCK, &only, nil)
            waiter.withLock { $0.thread = pthread_self() }
            let revents = pollOnce(readEnd, events: Int32(POLLIN), until: deadline(after: .seconds(5)))
            waiter.withLock { $0.revents = .some(revents) }
            done.signal()
        }
        var thread: pthread_t?
        while thread == nil { thread = waiter.withLock { $0.thread }; usleep(1000) }
        let before = signalsSeen.load(ordering: .relaxed)
        usleep(100_000)  // in poll() by now
        for _ in 0..<3 {
            #expect(pthread_kill(try #require(thread), SIGUSR2) == 0)
            usleep(20_000)
        }
        #expect(signalsSeen.load(ordering: .relaxed) >= before + 3)
        #expect(waiter.withLock { $0.revents } == nil, "the poll gave up on a signal")
        var byte: UInt8 = 7
        #expect(write(fds[1], &byte, 1) == 1)
        #expect(done.wait(timeout: .now() + 5) == .success)
        let revents = try #require(waiter.withLock { $0.revents } ?? nil)
        #expect(has(revents, Int32(POLLIN)))
    }
}
