#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Duration <-> the units system calls take. Negative durations count as zero where a
// system call would reject them.

extension Duration {
    /// Whole milliseconds, rounded up (a wait never ends early), clamped to 0...Int32.max: poll()'s timeout.
    public var roundedUpMilliseconds: Int32 {
        if self <= .zero { return 0 }
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return Int32.max }
        return Int32(clamping: ms.partialValue + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Whole microseconds, rounded down; 0 for negative durations (sd_notify's `*_USEC` values).
    public var wholeMicroseconds: Int64 {
        if self <= .zero { return 0 }
        let (seconds, attoseconds) = components
        let us = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !us.overflow else { return Int64.max }
        return us.partialValue + attoseconds / 1_000_000_000_000
    }

    /// As a `timespec` (nanoseconds rounded down); zero for negative durations.
    public var timespecValue: timespec {
        if self <= .zero { return .init(tv_sec: 0, tv_nsec: 0) }
        let (seconds, attoseconds) = components
        return .init(tv_sec: .init(clamping: seconds), tv_nsec: .init(attoseconds / 1_000_000_000))
    }

    /// As a `timeval` (SO_SNDTIMEO, SO_RCVTIMEO; microseconds rounded down); zero for negative durations.
    public var timevalValue: timeval {
        if self <= .zero { return .init(tv_sec: 0, tv_usec: 0) }
        let (seconds, attoseconds) = components
        return .init(tv_sec: .init(clamping: seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
    }

    /// The duration a `timespec` holds (clock_gettime's answer).
    public init(_ value: timespec) {
        self = .seconds(Int64(value.tv_sec)) + .nanoseconds(Int64(value.tv_nsec))
    }
}

/// The time on CLOCK_MONOTONIC (what systemd's MONOTONIC_USEC counts), as a duration since boot.
public func monotonicClockReading() -> Duration {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Duration(now)
}
