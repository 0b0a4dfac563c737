#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AntrePosix
import Foundation

/// Why the client could not talk to the daemon (as opposed to the daemon
/// answering with a Varlink error, which is a `VarlinkRemoteError`).
public enum VarlinkClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No socket file: the daemon is not running (or another path is configured).
    case noSocket(path: String)
    /// The socket exists but nobody listens: the daemon died without removing it.
    case staleSocket(path: String)
    case permissionDenied(path: String)
    case pathTooLong(path: String)
    case connectFailed(path: String, errno: Int32)
    /// No complete reply within the timeout.
    case timedOut(path: String, seconds: Double)
    /// The daemon closed the connection before replying.
    case connectionClosed(path: String)
    case ioFailed(path: String, errno: Int32)
    /// The daemon sent bytes that are not a Varlink reply.
    case protocolError(String)

    /// True when the daemon could not be reached at all (CLI exit status 3).
    public var isUnreachable: Bool {
        switch self {
        case .noSocket, .staleSocket, .permissionDenied, .pathTooLong, .connectFailed, .timedOut,
             .connectionClosed, .ioFailed: true
        case .protocolError: false
        }
    }

    public var description: String {
        switch self {
        case let .noSocket(path): "antred is not running (no socket at \(path))"
        case let .staleSocket(path): "antred is not running (stale socket \(path))"
        case let .permissionDenied(path): "permission denied on \(path): are you in the antre group?"
        case let .pathTooLong(path): "socket path too long: \(path)"
        case let .connectFailed(path, code): "cannot connect to \(path): \(String(cString: strerror(code)))"
        case let .timedOut(path, seconds):
            "antred did not answer within \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s (\(path))"
        case let .connectionClosed(path): "antred closed the connection (\(path))"
        case let .ioFailed(path, code): "I/O error on \(path): \(String(cString: strerror(code)))"
        case let .protocolError(detail): "unexpected reply from antred: \(detail)"
        }
    }
}

/// A blocking Varlink client over a Unix stream socket, for the CLI and tests.
/// One connection; calls are sequential. Not for concurrent use.
public final class VarlinkClient {
    public let path: String
    /// Seconds a call may wait for its reply (nil: wait forever).
    public var timeout: Double?
    private let fd: Int32
    private var framer: VarlinkFramer
    private var ready: [[UInt8]] = []

    /// Connects to the socket at `path`; `timeout` bounds the connect and every call.
    public init(path: String, timeout: Double? = 10, maxMessageSize: Int = 1 << 20) throws(VarlinkClientError) {
        self.path = path
        self.timeout = timeout
        self.framer = VarlinkFramer(maxMessageSize: maxMessageSize)
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .connectFailed(path: path, errno: errno) }
        let address: UnixSocketAddress
        do {
            address = try UnixSocketAddress(path: path)
        } catch {
            close(fd)
            throw .pathTooLong(path: path)
        }
        // SO_SNDTIMEO bounds a connect that blocks on a full listen backlog.
        if let timeout {
            var tv = Duration.seconds(timeout).timevalValue
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result != 0 {
            let code = errno
            close(fd)
            switch code {
            case ENOENT, ENOTDIR: throw .noSocket(path: path)
            case ECONNREFUSED: throw .staleSocket(path: path)
            case EACCES, EPERM: throw .permissionDenied(path: path)
            case EAGAIN, EINPROGRESS, ETIMEDOUT: throw .timedOut(path: path, seconds: timeout ?? 0)
            default: throw .connectFailed(path: path, errno: code)
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Calls `method` and returns the reply's parameters. A Varlink error
    /// reply is thrown as `VarlinkRemoteError`; transport failures as
    /// `VarlinkClientError`.
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        try send(VarlinkCall(method: method, parameters: parameters))
        let response = try receive(deadline: deadline())
        if let error = response.error { throw error }
        return response.parameters
    }

    /// Typed call: encodes `parameters`, decodes the reply as `R`.
    public func call<P: Encodable, R: Decodable>(_ method: String, _ parameters: P, as type: R.Type) throws -> R {
        let reply = try call(method, Self.object(parameters))
        do {
            return try JSONValue.object(reply).decode(as: R.self)
        } catch {
            throw VarlinkClientError.protocolError("reply of \(method) does not match: \(error)")
        }
    }

    /// Calls `method` with "more": true and hands each reply to `body` until
    /// the service ends the stream ("continues" false) or `body` returns false.
    /// No timeout applies: a monitor may wait hours for its next event.
    public func callMore(_ method: String, _ parameters: [String: JSONValue] = [:],
                         _ body: ([String: JSONValue]) throws -> Bool) throws {
        try send(VarlinkCall(method: method, parameters: parameters, more: true))
        while true {
            let response = try receive(deadline: nil)
            if let error = response.error { throw error }
            guard try body(response.parameters), response.continues else { return }
        }
    }

    /// Sends a call with "oneway": true; no reply comes.
    public func callOneway(_ method: String, _ parameters: [String: JSONValue] = [:]) throws {
        try send(VarlinkCall(method: method, parameters: parameters, oneway: true))
    }

    /// Writes raw bytes (tests use it to send garbage).
    public func sendRaw(_ bytes: [UInt8]) throws(VarlinkClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                retryingInterrupts {
                    #if canImport(Glibc)
                    Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
                    #else
                    Darwin.send(fd, raw.baseAddress, raw.count, 0)
                    #endif
                }
            }
            if written < 0 {
                if errno == EPIPE || errno == ECONNRESET { throw .connectionClosed(path: path) }
                if errno == EAGAIN { throw .timedOut(path: path, seconds: timeout ?? 0) }
                throw .ioFailed(path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Reads the next reply; nil deadline waits forever.
    public func receive(deadline: ContinuousClock.Instant?) throws -> VarlinkResponse {
        let message = try nextMessage(deadline: deadline)
        guard let response = VarlinkResponse(decoding: message) else {
            throw VarlinkClientError.protocolError(String(decoding: message.prefix(200), as: UTF8.self))
        }
        return response
    }

    /// Sends a call. If antred already hung up, it may have said why first
    /// (io.antre.Queue.TooManyConnections to a refused client): that error is
    /// thrown rather than a bare "closed the connection".
    private func send(_ call: VarlinkCall) throws {
        do {
            try sendRaw(call.encoded())
        } catch .connectionClosed {
            if let error = (try? receive(deadline: .now + .milliseconds(200)))?.error { throw error }
            throw VarlinkClientError.connectionClosed(path: path)
        }
    }

    private func deadline() -> ContinuousClock.Instant? {
        timeout.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
    }

    private func nextMessage(deadline: ContinuousClock.Instant?) throws(VarlinkClientError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while ready.isEmpty {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let polled = waitForEvents(&fds, until: deadline)
            if polled < 0 { throw .ioFailed(path: path, errno: errno) }
            if polled == 0 { throw .timedOut(path: path, seconds: timeout ?? 0) }
            let count = buffer.withUnsafeMutableBytes { raw in retryingInterrupts { recv(fd, raw.baseAddress, raw.count, 0) } }
            if count < 0 {
                if errno == EAGAIN { continue }
                if errno == ECONNRESET { throw .connectionClosed(path: path) }
                throw .ioFailed(path: path, errno: errno)
            }
            if count == 0 { throw .connectionClosed(path: path) }
            do {
                ready += try framer.feed(buffer[..<count])
            } catch {
                throw .protocolError(error.description)
            }
        }
        return ready.removeFirst()
    }

    private static func object(_ parameters: some Encodable) throws -> [String: JSONValue] {
        guard let object = try JSONValue.from(parameters).objectValue else {
            throw VarlinkClientError.protocolError("parameters must encode to a JSON object")
        }
        return object
    }
}
