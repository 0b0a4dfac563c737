import AntreCore
import AntrePosix
import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The blocking-I/O steps the fd printers share (write a job, notice a closed link,
// ask DLE EOT); deadlines, poll and EINTR come from AntrePosix.

enum WriteOutcome {
    case done
    case timedOut(sent: Int)
    case failed(sent: Int, reason: String)

    /// The error a printer reports for this outcome of a `totalBytes` job; nil when done.
    func printerError(connection: PrinterConnection, totalBytes: Int) -> PrinterError? {
        switch self {
        case .done: nil
        case let .timedOut(sent):
            .timedOut(connection: connection.description, sentBytes: sent, totalBytes: totalBytes)
        case let .failed(sent, reason):
            .writeFailed(connection: connection.description, sentBytes: sent, reason: reason)
        }
    }
}

/// Writes all of `bytes` to a non-blocking fd, waiting for writability until `deadline`.
/// `useSend` uses send(MSG_NOSIGNAL) so a closed socket gives EPIPE, not SIGPIPE.
func writeAll(_ fd: Int32, _ bytes: [UInt8], until deadline: Deadline, useSend: Bool) -> WriteOutcome {
    var sent = 0
    while sent < bytes.count {
        let n: Int = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            let p = base.advanced(by: sent)
            return retryingInterrupts {
                useSend ? Glibc.send(fd, p, bytes.count - sent, Int32(MSG_NOSIGNAL)) : Glibc.write(fd, p, bytes.count - sent)
            }
        }
        if n > 0 { sent += n; continue }
        if n < 0 {
            let e = errno
            if e != EAGAIN && e != EWOULDBLOCK { return .failed(sent: sent, reason: errnoText(e)) }
        }
        // Would block (or wrote nothing): wait for room until the deadline.
        guard let rev = pollOnce(fd, events: Int32(POLLOUT), until: deadline) else { return .timedOut(sent: sent) }
        if has(rev, Int32(POLLOUT)) { continue }
        if has(rev, Int32(POLLHUP)) { return .failed(sent: sent, reason: "the other end hung up") }
        if has(rev, Int32(POLLERR) | Int32(POLLNVAL)) {
            return .failed(sent: sent, reason: socketError(fd) ?? "device error")
        }
    }
    return .done
}

/// SO_ERROR of a socket, as text; nil when there is none or fd is not a socket.
func socketError(_ fd: Int32) -> String? {
    var err: Int32 = 0
    var len = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, err != 0 else { return nil }
    return errnoText(err)
}

/// Reads and drops whatever input is pending. Returns false when the other end closed.
/// `tty`: a raw tty with VMIN=0 reads 0 when empty, so 0 is not end of file there.
func discardPendingInput(_ fd: Int32, tty: Bool) -> Bool {
    var buf = [UInt8](repeating: 0, count: 512)
    while true {
        let n = buf.withUnsafeMutableBytes { raw in retryingInterrupts { read(fd, raw.baseAddress, raw.count) } }
        if n > 0 { continue }
        if n == 0 { return tty }
        return errno == EAGAIN || errno == EWOULDBLOCK
    }
}

/// True when the fd reports a hang-up or error without blocking (peer closed, device gone).
/// Pending input (stale status bytes) is read and dropped on the way.
func connectionLooksClosed(_ fd: Int32, tty: Bool) -> Bool {
    guard let rev = pollOnce(fd, events: Int32(POLLIN), until: ContinuousClock.now) else { return false }
    if has(rev, Int32(POLLHUP) | Int32(POLLERR) | Int32(POLLNVAL)) { return true }
    return has(rev, Int32(POLLIN)) && !discardPendingInput(fd, tty: tty)
}

/// The reading of a printer's real-time status (DLE EOT 1..4).
public enum PrinterStatusReading: Sendable, Equatable {
    /// The connection cannot answer (file, preview, one-way link) or no reply came in time.
    case unknown
    /// The four raw reply bytes to DLE EOT 1, 2, 3, 4 in order; ESCPOS parses them.
    case reply([UInt8])
    /// The printer could not be reached at all.
    case unreachable(String)
}

enum StatusQueryOutcome {
    case reply([UInt8])
    case noReply
    case broken(String)
}

/// Sends DLE EOT 1..4 one at a time and reads one byte for each, all within `deadline`.
/// `socket` selects send(MSG_NOSIGNAL) and read-0-is-EOF; otherwise fd is a raw tty.
func queryDLEEOT(_ fd: Int32, until deadline: Deadline, socket: Bool) -> StatusQueryOutcome {
    if !discardPendingInput(fd, tty: !socket) { return .broken("the printer closed the connection") }
    var replies: [UInt8] = []
    for n: UInt8 in 1...4 {
        switch writeAll(fd, [0x10, 0x04, n], until: deadline, useSend: socket) {
        case .done: break
        case .timedOut: return .noReply
        case let .failed(_, reason): return .broken(reason)
        }
        var byte: UInt8 = 0
        readLoop: while true {
            guard let rev = pollOnce(fd, events: Int32(POLLIN), until: deadline) else { return .noReply }
            if !has(rev, Int32(POLLIN)) { return .broken("the printer hung up") }
            let r = retryingInterrupts { read(fd, &byte, 1) }
            if r == 1 { break readLoop }
            if r == 0 {
                if socket || has(rev, Int32(POLLHUP)) { return .broken("the printer closed the connection") }
                continue
            }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { continue }
            return .broken(errnoText(e))
        }
        replies.append(byte)
    }
    return .reply(replies)
}

/// Puts a tty fd in raw 8N1 at `baud`, no flow control, reads never block.
/// Returns an error text, or nil on success.
func configureRawSerial(_ fd: Int32, baud: Int) -> String? {
    let speed = antreBaud(baud)
    guard speed != 0 else { return "unsupported baud rate \(baud) (use 9600, 19200, 38400, 57600 or 115200)" }
    var t = termios()
    guard tcgetattr(fd, &t) == 0 else { return "not a serial port (\(errnoText(errno)))" }
    cfmakeraw(&t)
    t.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD) | tcflag_t(CS8)
    t.c_cflag &= ~(tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
    t.c_iflag &= ~(tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(IXANY))
    withUnsafeMutableBytes(of: &t.c_cc) { cc in
        cc[Int(VMIN)] = 0
        cc[Int(VTIME)] = 0
    }
    guard cfsetispeed(&t, speed) == 0, cfsetospeed(&t, speed) == 0 else {
        return "cannot set baud rate \(baud) (\(errnoText(errno)))"
    }
    guard tcsetattr(fd, TCSANOW, &t) == 0 else { return "cannot configure the port (\(errnoText(errno)))" }
    return nil
}

/// Text for an open() failure that says what to check.
func openFailureText(_ path: String, _ code: Int32) -> String {
    switch code {
    case ENOENT: "\(path) does not exist (is the device plugged in and the path right?)"
    case EACCES, EPERM: "permission denied on \(path) (add the antre user to the device's group, e.g. dialout or lp)"
    case EBUSY: "\(path) is busy (is another program using it?)"
    case ENXIO: "no device or reader behind \(path) (is it connected?)"
    default: "cannot open \(path): \(errnoText(code))"
    }
}

func antreBaud(_ baud: Int) -> speed_t {
    guard let b = UInt32(exactly: baud) else { return 0 }
    return antre_baud_constant(b)
}
