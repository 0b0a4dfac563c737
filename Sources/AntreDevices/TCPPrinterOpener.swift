import AntreCore
import AntrePosix
#if canImport(Glibc)
import Glibc
#endif

extension PrinterOpener {
    /// A network printer on a raw TCP port (`tcp://HOST:PORT`, JetDirect 9100): resolves the
    /// host and connects (non-blocking, bounded by the deadline), TCP_NODELAY and keep-alive on.
    public static func tcp(host: String, port: Int) -> PrinterOpener {
        let connection = PrinterConnection.tcp(host: host, port: port)
        return PrinterOpener(connection: connection, link: .socket) { end throws(PrinterError) in
            try TCPConnect(host: host, port: port, connection: connection.description).connect(until: end)
        }
    }
}

/// One connect to a printer's host and port, trying each resolved address in turn.
private struct TCPConnect {
    let host: String
    let port: Int
    let connection: String

    func connect(until end: Deadline) throws(PrinterError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let why = rc == EAI_SYSTEM ? errnoText(errno) : String(cString: gai_strerror(rc))
            throw .unreachable(connection: connection,
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
            if Glibc.connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return s }
            var code = errno
            // Non-blocking: the connect goes on in the background (EINTR too); wait for its end.
            if code == EINPROGRESS || code == EINTR {
                guard pollOnce(s, events: Int32(POLLOUT), until: end) != nil else {
                    Glibc.close(s)
                    throw .unreachable(connection: connection,
                                       reason: "no answer from \(host):\(port) in time (is the printer on and on this network?)")
                }
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 { return s }
                code = err
            }
            Glibc.close(s)
            lastReason = Self.connectFailureText(code)
        }
        throw .unreachable(connection: connection, reason: lastReason)
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
