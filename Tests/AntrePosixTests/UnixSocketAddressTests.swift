import AntrePosix
import Foundation
import Testing

@Suite struct UnixSocketAddressTests {
    /// sun_path holds 108 bytes on Linux: 107 of path and the terminating NUL.
    @Test func pathOneByteTooLongIsRefusedWithAClearError() throws {
        let longest = "/" + String(repeating: "a", count: UnixSocketAddress.capacity - 2)
        #expect(throws: Never.self) { try UnixSocketAddress(path: longest) }
        let tooLong = longest + "b"
        do {
            _ = try UnixSocketAddress(path: tooLong)
            Issue.record("a \(tooLong.utf8.count)-byte path should not fit")
        } catch {
            #expect(error.path == tooLong)
            #expect(error.needed == UnixSocketAddress.capacity + 1 && error.limit == UnixSocketAddress.capacity)
            #expect(error.description.contains(tooLong))
            #expect(error.description.contains("at most \(UnixSocketAddress.capacity)"))
            #expect(error.description.contains("choose a shorter path"))
        }
    }

    @Test func abstractNameHasNoTerminatorSoOneMoreByteFits() throws {
        let fits = String(repeating: "n", count: UnixSocketAddress.capacity - 1)
        let address = try UnixSocketAddress(abstractName: fits)
        #expect(Int(address.length) == MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + UnixSocketAddress.capacity)
        #expect(throws: SocketPathTooLong.self) { try UnixSocketAddress(abstractName: fits + "x") }
    }

    /// The longest path that fits really binds and connects: the length is counted right.
    @Test func longestPathBindsAndConnects() throws {
        let dir = try #require(String(validatingCString: mkdtemp(strdup("/tmp/posix-XXXXXX"))))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + String(repeating: "s", count: UnixSocketAddress.capacity - 2 - dir.utf8.count)
        #expect(path.utf8.count == UnixSocketAddress.capacity - 1)
        let address = try UnixSocketAddress(path: path)
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        #expect(address.withSockaddr { bind(server, $0, $1) } == 0)
        #expect(listen(server, 1) == 0)
        #expect(FileManager.default.fileExists(atPath: path))
        let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        #expect(address.withSockaddr { connect(client, $0, $1) } == 0)
    }
}
