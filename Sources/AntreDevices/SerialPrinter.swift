import AntreCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A printer on a serial port (`serial:/dev/ttyUSB0?baud=9600`): raw 8N1, no flow
/// control. The port stays open between jobs and is reopened after a hang-up or error.
public final class SerialPrinter: PrinterTransport, @unchecked Sendable {
    public let connection: PrinterConnection
    private let path: String
    private let baud: Int
    private let logger: Logger
    // Guards `fd`: one job or status query at a time.
    private let lock = NSLock()
    private var fd: Int32 = -1

    public init(path: String, baud: Int, logger: Logger = Logger(label: "antre.printer.serial")) {
        self.path = path
        self.baud = baud
        self.connection = .serial(path: path, baud: baud)
        self.logger = logger
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        lock.lock()
        defer { lock.unlock() }
        let end = deadline(after: timeout)
        let fd = try openedLocked()
        // No tcdrain: it can hang forever on a stalled port. The bytes are in the
        // driver's queue when write returns, which is what the timeout covers.
        if let error = writeAll(fd, job, until: end, useSend: false).printerError(connection: connection,
                                                                                  totalBytes: job.count) {
            dropLocked()
            throw error
        }
    }

    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        lock.lock()
        defer { lock.unlock() }
        let end = deadline(after: timeout)
        let fd: Int32
        do { fd = try openedLocked() } catch {
            if case let .unreachable(_, reason) = error { return .unreachable(reason) }
            return .unreachable(error.description)
        }
        switch queryDLEEOT(fd, until: end, socket: false) {
        case let .reply(bytes): return .reply(bytes)
        case .noReply: return .unknown
        case let .broken(reason):
            dropLocked()
            return .unreachable(reason)
        }
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
        if fd >= 0 && connectionLooksClosed(fd, tty: true) {
            logger.info("serial port hung up; reopening", metadata: ["printer": "\(connection)"])
            dropLocked()
        }
        if fd >= 0 { return fd }
        let s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard s >= 0 else {
            throw .unreachable(connection: connection.description, reason: openFailureText(path, errno))
        }
        if let problem = configureRawSerial(s, baud: baud) {
            Glibc.close(s)
            throw .unreachable(connection: connection.description, reason: problem)
        }
        fd = s
        logger.debug("opened", metadata: ["printer": "\(connection)"])
        return s
    }
}
