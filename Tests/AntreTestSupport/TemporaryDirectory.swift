import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors from the test-support helpers, with what to do about them.
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A fresh directory under /tmp, removed when released unless the environment
/// variable ANTRE_KEEP_TEST_FILES is set (then its path is printed to keep).
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "antre-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw TestSupportError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = made
    }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        if ProcessInfo.processInfo.environment["ANTRE_KEEP_TEST_FILES"] != nil {
            FileHandle.standardError.write(Data("kept test files: \(path)\n".utf8))
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

/// A free loopback TCP port picked by the kernel (bound then released).
public enum FreePort {
    public static func tcp() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestSupportError("bind: \(String(cString: strerror(errno)))") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
        }
        guard named == 0 else { throw TestSupportError("getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A TCP connection to 127.0.0.1 for tests that speak HTTP by hand.
public enum LoopbackTCP {
    /// A connected socket (the caller closes it). `receiveTimeout` bounds each
    /// recv; `receiveBuffer` shrinks the kernel's buffer before connecting (a
    /// client that reads slowly).
    public static func connect(port: Int, receiveTimeout: Duration? = nil, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        if let receiveTimeout {
            var timeout = timeval(tv_sec: Int(receiveTimeout.components.seconds),
                                  tv_usec: Int(receiveTimeout.components.attoseconds / 1_000_000_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSupportError("cannot connect to 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }
}
