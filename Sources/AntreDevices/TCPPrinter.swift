import AntreCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A network printer on a raw TCP port (`tcp://HOST:PORT`, JetDirect 9100).
/// The connection stays open between jobs; a peer close is noticed before the
/// next job and the connection is made again.
public final class TCPPrinter: PrinterTransport, @unchecked Sendable {
    public let connection: PrinterConnection
    private let host: String
    private let port: Int
    private let logger: Logger
    // Guards `fd`: one job or status query at a time.
    private let lock = NSLock()
    private var fd: Int32 = -1

    public init(host: String, port: Int, logger: Logger = Logger(label: "antre.printer.tcp")) {
        self.host = host
        self.port = port
        self.connection = .tcp(host: host, port: port)
        self.logger = logger
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        lock.lock()
        defer { lock.unlock() }
        let end = deadline(after: timeout)
        let fd = try connectedLocked(until: end)
        if let error = writeAll(fd, job, until: end, useSend: true).printerError(connection: connection,
                                                                                 totalBytes: job.count) {
            // Part of the job may sit in the socket buffer: start clean next time.
            dropLocked()
            throw error
        }
    }

    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        lock.lock()
        defer { lock.unlock() }
        let end = deadline(after: timeout)
        let fd: Int32
        do { fd = try connectedLocked(until: end) } catch {
            if case let .unreachable(_, reason) = error { return .unreachable(reason) }
            return .unreachable(error.description)
        }
        switch queryDLEEOT(fd, until: end, socket: true) {
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

    /// The open socket, connecting first when there is none or the peer closed it.
    private func connectedLocked(until end: Deadline) throws(PrinterError) -> Int32 {
        if fd >= 0 && connectionLooksClosed(fd, tty: false) {
            logger.info("printer closed the connection; reconnecting", metadata: ["printer": "\(connection)"])
            dropLocked()
        }
        if fd < 0 {
            fd = try connect(until: end)
            logger.debug("connected", metadata: ["printer": "\(connection)"])
        }
        return fd
    }

    private func connect(until end: Deadline) throws(PrinterError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let why = rc == EAI_SYSTEM ? errnoText(errno) : String(cString: gai_strerror(rc))
            throw .unreachable(connection: connection.description,
                               reason: "cannot resolve host '\(host)': \(why) (check the address in the config)")
        }
        defer { freeaddrinfo(list) }
        var lastReason = "no usable address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let s = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                           | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if s < 0 { lastReason = errnoText(errno); continue }
            var one: Int32 = 1
            _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
            var code: Int32 = 0
            if Glibc.connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                return s
            }
            code = errno
            if code == EINPROGRESS || code == EINTR {
                if let rev = pollOnce(s, events: Int32(POLLOUT), until: end) {
                    _ = rev
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    if getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 { return s }
                    code = err
                } else {
                    Glibc.close(s)
                    throw .unreachable(connection: connection.description,
                                       reason: "no answer from \(host):\(port) in time (is the printer on and on this network?)")
                }
            }
            Glibc.close(s)
            lastReason = Self.connectFailureText(code)
        }
        throw .unreachable(connection: connection.description, reason: lastReason)
    }

    static func connectFailureText(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (is the printer on and at this address?)"
        case EHOSTUNREACH, ENETUNREACH: "no route to host (check the network cable and the printer's IP address)"
        case ETIMEDOUT: "connection timed out (is the printer on and on this network?)"
        default: errnoText(code)
        }
    }
}
