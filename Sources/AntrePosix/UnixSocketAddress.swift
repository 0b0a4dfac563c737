#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket path or abstract name that does not fit in `sockaddr_un.sun_path`.
public struct SocketPathTooLong: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as given (`@name` for an abstract name).
    public let path: String
    /// Bytes the address needs (with its NUL) and bytes there is room for.
    public let needed: Int
    public let limit: Int

    public var description: String {
        "socket path \(path) is \(needed) bytes with its terminator; a Unix socket address holds at most \(limit) "
            + "(choose a shorter path)"
    }
}

/// A `sockaddr_un` built from a filesystem path or a Linux abstract name, with its exact length.
public struct UnixSocketAddress: Sendable {
    private let storage: sockaddr_un
    /// The length to pass to connect/bind/sendto: the header plus the bytes of the name used.
    public let length: socklen_t

    /// The room in `sun_path` (108 on Linux).
    public static let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// A socket file. The path and its terminating NUL must fit in `sun_path` (107 bytes of path on Linux).
    public init(path: String) throws(SocketPathTooLong) {
        try self.init(name: Array(path.utf8) + [0], shown: path)
    }

    /// A Linux abstract-namespace name (written `@name`): a leading NUL, then the name, no terminator.
    public init(abstractName: String) throws(SocketPathTooLong) {
        try self.init(name: [0] + Array(abstractName.utf8), shown: "@" + abstractName)
    }

    private init(name: [UInt8], shown: String) throws(SocketPathTooLong) {
        guard name.count <= Self.capacity else {
            throw SocketPathTooLong(path: shown, needed: name.count, limit: Self.capacity)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        storage = address
        length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(name.count)
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var copy = storage
        return try withUnsafePointer(to: &copy) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
