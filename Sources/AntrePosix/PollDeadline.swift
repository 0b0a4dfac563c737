#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Every wait of a blocking-I/O thread is a poll() bounded by a deadline, so no call
// blocks past its caller's timeout; EINTR restarts the wait with the time that is left.

/// A point on the monotonic clock by which a blocking call must return.
public typealias Deadline = ContinuousClock.Instant

/// The deadline `timeout` from now.
public func deadline(after timeout: Duration) -> Deadline { ContinuousClock.now.advanced(by: timeout) }

/// poll()'s timeout for `deadline`: milliseconds left rounded up, 0 once passed, -1 (forever) for nil.
public func pollMilliseconds(until deadline: Deadline?) -> Int32 {
    guard let deadline else { return -1 }
    return ContinuousClock.now.duration(to: deadline).roundedUpMilliseconds
}

/// Polls `fds` until one has an event or `deadline` passes (nil: no deadline), retrying EINTR
/// with the time left. Returns poll()'s result: > 0 events, 0 deadline passed, -1 failed (errno).
public func waitForEvents(_ fds: inout [pollfd], until deadline: Deadline?) -> Int32 {
    let count = nfds_t(fds.count)
    return fds.withUnsafeMutableBufferPointer { buffer in
        retryingInterrupts { poll(buffer.baseAddress, count, pollMilliseconds(until: deadline)) }
    }
}

/// The revents of one poll() on `fd` for `events`; nil when the deadline passed with no event.
/// A failing poll() reports POLLERR, so callers treat it as a broken descriptor.
public func pollOnce(_ fd: Int32, events: Int32, until deadline: Deadline?) -> Int16? {
    var fds = [pollfd(fd: fd, events: Int16(truncatingIfNeeded: events), revents: 0)]
    let rc = waitForEvents(&fds, until: deadline)
    if rc > 0 { return fds[0].revents }
    if rc == 0 { return nil }
    return Int16(truncatingIfNeeded: POLLERR)
}

/// Whether `revents` has any of the bits in `flags` (POLLIN, POLLHUP | POLLERR, ...).
public func has(_ revents: Int16, _ flags: Int32) -> Bool { Int32(revents) & flags != 0 }
