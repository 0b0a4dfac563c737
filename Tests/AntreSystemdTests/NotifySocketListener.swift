// A real AF_UNIX datagram socket standing in for systemd's notification socket.
import Foundation
import Glibc

enum ListenerError: Error, CustomStringConvertible {
    case syscall(String, Int32)
    var description: String {
        switch self {
        case let .syscall(what, code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}

/// Binds a datagram socket at a temp path or an abstract name; receives with a timeout.
final class NotifySocketListener {
    let fd: Int32
    /// The `NOTIFY_SOCKET` value a service would be given.
    let environmentValue: String
    private let directory: URL?

    /// A socket file in a fresh temp directory.
    init() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("antre-notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("notify").path
        directory = dir
        environmentValue = path
        fd = try Self.bind(name: Array(path.utf8) + [0])
    }

    /// A Linux abstract-namespace socket (`@name`).
    init(abstractName: String) throws {
        directory = nil
        environmentValue = "@" + abstractName
        fd = try Self.bind(name: [0] + Array(abstractName.utf8))
    }

    deinit {
        close(fd)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private static func bind(name: [UInt8]) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError.syscall("socket", errno) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(name.count)
        let rc = withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw ListenerError.syscall("bind", code)
        }
        return fd
    }

    /// The next datagram as text, or nil when none arrives within `timeoutMs`.
    func receive(timeoutMs: Int32 = 2000) -> String? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMs) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}

func monotonicMicroseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
}
