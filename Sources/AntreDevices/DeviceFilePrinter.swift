import AntreCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A printer written through a device node (`file:/dev/usb/lp0`, the kernel's usblp).
/// Regular files and FIFOs work too (appended to), which is how tests watch it.
/// It cannot answer status queries; `queryStatus` is the probe: it (re)opens the
/// device and answers `.unreachable` when that fails, `.unknown` when it is open.
public final class DeviceFilePrinter: PrinterTransport, @unchecked Sendable {
    public let connection: PrinterConnection
    private let path: String
    private let logger: Logger
    // Guards `fd`: one job at a time.
    private let lock = NSLock()
    private var fd: Int32 = -1

    /// A write to a FIFO or pipe whose reader left raises SIGPIPE, which would kill the
    /// daemon; ignoring it turns that into EPIPE, reported as a write failure.
    private static let ignoreSigpipe: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    public init(path: String, logger: Logger = Logger(label: "antre.printer.file")) {
        self.path = path
        self.connection = .file(path: path)
        self.logger = logger
        Self.ignoreSigpipe
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        lock.lock()
        defer { lock.unlock() }
        let end = deadline(after: timeout)
        let fd = try openedLocked()
        if let error = writeAll(fd, job, until: end, useSend: false).printerError(connection: connection,
                                                                                  totalBytes: job.count) {
            dropLocked()
            throw error
        }
    }

    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        lock.lock()
        defer { lock.unlock() }
        do throws(PrinterError) {
            _ = try openedLocked()
        } catch {
            if case let .unreachable(_, reason) = error { return .unreachable(reason) }
            return .unreachable(error.description)
        }
        return .unknown
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        dropLocked()
    }

    private func dropLocked() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private func openedLocked() throws(PrinterError) -> Int32 {
        if fd >= 0 {
            // Only error/hang-up conditions: asking for nothing reports just those.
            if let rev = pollOnce(fd, events: 0, until: ContinuousClock.now),
               has(rev, Int32(POLLERR) | Int32(POLLHUP) | Int32(POLLNVAL)) {
                logger.info("device reported an error; reopening", metadata: ["printer": "\(connection)"])
                dropLocked()
            } else {
                return fd
            }
        }
        var st = stat()
        let isRegular = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        let flags = O_WRONLY | O_NONBLOCK | O_CLOEXEC | (isRegular ? O_APPEND : 0)
        let s = open(path, flags)
        guard s >= 0 else {
            let code = errno
            let reason = code == ENXIO && !isRegular
                ? "nothing is reading \(path) (is the printer connected and switched on?)"
                : openFailureText(path, code)
            throw .unreachable(connection: connection.description, reason: reason)
        }
        fd = s
        return s
    }
}
