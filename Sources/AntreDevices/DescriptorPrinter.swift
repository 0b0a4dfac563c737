import AntreCore
import AntrePosix
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a `DescriptorPrinter` reaches its device (connect to a host, open a serial port,
/// open a device node) and what kind of link the descriptor it gets is.
/// The openers themselves are in one file per transport (TCPPrinterOpener, ...).
public struct PrinterOpener: Sendable {
    /// What the descriptor is: it decides how a dead link is noticed and whether status can be asked.
    public enum Link: Sendable {
        /// A connected stream socket: send(MSG_NOSIGNAL), a read of 0 is the peer closing.
        case socket
        /// A raw tty (VMIN=0): a read of 0 just means no input.
        case serialPort
        /// A write-only device node, FIFO or file: it cannot answer status queries.
        case writeOnlyFile
    }

    public let connection: PrinterConnection
    public let link: Link
    /// Opens the device within `deadline` (non-blocking, close-on-exec); throws
    /// `.unreachable` with a reason that says what to check.
    let openDevice: @Sendable (Deadline) throws(PrinterError) -> Int32

    init(connection: PrinterConnection, link: Link, open: @escaping @Sendable (Deadline) throws(PrinterError) -> Int32) {
        self.connection = connection
        self.link = link
        self.openDevice = open
    }
}

/// A printer reached through one file descriptor: a TCP socket, a serial port or a device
/// node, as its `PrinterOpener` says. The descriptor stays open between jobs; a link that
/// hung up or reports an error is noticed before the next job or query and opened again.
///
/// A link that cannot report status (`writeOnlyFile`) answers `queryStatus` by trying to
/// (re)open the device: `.unreachable(reason)` when that fails, `.unknown` when it is open.
/// That probe is what tells the daemon a printer it marked down is back.
public final class DescriptorPrinter: PrinterTransport {
    public var connection: PrinterConnection { opener.connection }
    /// What kind of descriptor it prints through; `.writeOnlyFile` cannot report status.
    public var link: PrinterOpener.Link { opener.link }
    private let opener: PrinterOpener
    private let logger: Logger
    /// The open descriptor (-1: none). The lock is held for a whole job or query (both
    /// bounded by their timeout) so two never interleave on the wire; logging waits until after.
    private let fd = Mutex<Int32>(-1)

    public init(_ opener: PrinterOpener, logger: Logger = Logger(label: "antre.printer")) {
        self.opener = opener
        self.logger = logger
    }

    deinit { fd.withLock { Self.drop(&$0) } }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        let end = deadline(after: timeout)
        let link = opener.link
        let connection = opener.connection
        let (result, events) = fd.withLock { fd -> (Result<Void, PrinterError>, [LinkEvent]) in
            let (opened, events) = openedLocked(&fd, until: end)
            guard case let .success(open) = opened else { return (opened.map { _ in () }, events) }
            // Serial: no tcdrain, it can hang forever on a stalled port. The bytes are in the
            // driver's queue when write returns, which is what the timeout covers.
            let outcome = writeAll(open, job, until: end, useSend: link == .socket)
            if let error = outcome.printerError(connection: connection, totalBytes: job.count) {
                // Part of the job may sit in a buffer: start clean next time.
                Self.drop(&fd)
                return (.failure(error), events)
            }
            return (.success(()), events)
        }
        log(events)
        try result.get()
    }

    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        let end = deadline(after: timeout)
        let link = opener.link
        let (reading, events) = fd.withLock { fd -> (PrinterStatusReading, [LinkEvent]) in
            let (opened, events) = openedLocked(&fd, until: end)
            let open: Int32
            switch opened {
            case let .success(descriptor): open = descriptor
            case let .failure(.unreachable(_, reason)): return (.unreachable(reason), events)
            case let .failure(error): return (.unreachable(error.description), events)
            }
            let outcome: StatusQueryOutcome
            switch link {
            case .writeOnlyFile: return (.unknown, events)  // open is all it can tell
            case .socket: outcome = queryDLEEOT(open, until: end, socket: true)
            case .serialPort: outcome = queryDLEEOT(open, until: end, socket: false)
            }
            switch outcome {
            case let .reply(bytes): return (.reply(bytes), events)
            case .noReply: return (.unknown, events)
            case let .broken(reason):
                Self.drop(&fd)
                return (.unreachable(reason), events)
            }
        }
        log(events)
        return reading
    }

    public func close() {
        fd.withLock { Self.drop(&$0) }
    }

    /// What happened to the link on the way to a job, logged once the lock is released.
    private enum LinkEvent {
        /// The old descriptor hung up or reported an error and was closed.
        case wentBad
        case opened
    }

    private static func drop(_ fd: inout Int32) {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// The open descriptor, opening it first when there is none or the old one went bad.
    private func openedLocked(_ fd: inout Int32, until end: Deadline) -> (Result<Int32, PrinterError>, [LinkEvent]) {
        var events: [LinkEvent] = []
        if fd >= 0 && linkLooksClosed(fd) {
            Self.drop(&fd)
            events.append(.wentBad)
        }
        if fd >= 0 { return (.success(fd), events) }
        do {
            fd = try opener.openDevice(end)
        } catch {
            return (.failure(error), events)
        }
        events.append(.opened)
        return (.success(fd), events)
    }

    /// True when the open descriptor reports a hang-up or error without blocking.
    private func linkLooksClosed(_ fd: Int32) -> Bool {
        switch opener.link {
        case .socket: return connectionLooksClosed(fd, tty: false)
        case .serialPort: return connectionLooksClosed(fd, tty: true)
        case .writeOnlyFile:
            // Only error/hang-up conditions: asking for nothing reports just those.
            guard let rev = pollOnce(fd, events: 0, until: ContinuousClock.now) else { return false }
            return has(rev, Int32(POLLERR) | Int32(POLLHUP) | Int32(POLLNVAL))
        }
    }

    private func log(_ events: [LinkEvent]) {
        for event in events {
            switch event {
            case .opened: logger.debug("opened", metadata: ["printer": "\(connection)"])
            case .wentBad:
                let why = switch opener.link {
                case .socket: "printer closed the connection; reconnecting"
                case .serialPort: "serial port hung up; reopening"
                case .writeOnlyFile: "device reported an error; reopening"
                }
                logger.info("\(why)", metadata: ["printer": "\(connection)"])
            }
        }
    }
}
