#if canImport(Glibc)
import Glibc
#endif
import AntreWire
import Foundation
import Synchronization

/// A tiny Varlink server for tests: a real Unix socket in a fresh temp dir,
/// one thread per connection, answers from a `VarlinkDispatcher`. Oversized
/// messages close the connection; so does `.close`.
final class TestVarlinkServer: Sendable {
    let directory: String
    let path: String
    let dispatcher: VarlinkDispatcher
    private let listenFD: Int32

    init(handler: any QueueHandler = StubQueue(), maxMessageSize: Int = VarlinkFramer.defaultMaxMessageSize) throws {
        directory = try makeTempDirectory()
        path = directory + "/antred.sock"
        dispatcher = VarlinkDispatcher(info: ServiceInfo(version: "test"), handler: handler)
        listenFD = try bindUnixSocket(path)
        guard listen(listenFD, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let fd = listenFD
        let dispatcher = dispatcher
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // listening socket shut down
                }
                Thread { serve(client, dispatcher: dispatcher, maxMessageSize: maxMessageSize) }.start()
            }
        }.start()
    }

    deinit {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

func makeTempDirectory() throws -> String {
    // Short paths: sun_path holds 108 bytes.
    let path = "/tmp/aw-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

/// Binds (without listening) a Unix stream socket at `path`.
func bindUnixSocket(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard result == 0 else {
        close(fd)
        throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    return fd
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += n
    }
    return true
}

/// Runs the dispatcher from a plain thread and waits for its outcome.
private func blocking(_ body: @escaping @Sendable () async -> VarlinkOutcome) -> VarlinkOutcome {
    let result = Mutex<VarlinkOutcome?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0 } ?? .close
}

private func serve(_ fd: Int32, dispatcher: VarlinkDispatcher, maxMessageSize: Int) {
    var framer = VarlinkFramer(maxMessageSize: maxMessageSize)
    var buffer = [UInt8](repeating: 0, count: 4096)
    var streams: [Task<Void, Never>] = []
    defer {
        for task in streams { task.cancel() }
        close(fd)
    }
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        let messages: [[UInt8]]
        do { messages = try framer.feed(buffer[..<n]) } catch { return }
        for message in messages {
            let outcome = blocking { await dispatcher.handle(message) }
            switch outcome {
            case let .reply(bytes):
                if !writeAll(fd, bytes) { return }
            case .none:
                continue
            case .close:
                return
            case let .stream(stream):
                streams.append(Task {
                    for await bytes in stream {
                        if !writeAll(fd, bytes) { return }
                    }
                    // The service has nothing more to say: hang up so the client sees the end.
                    shutdown(fd, Int32(SHUT_RDWR))
                })
            }
        }
    }
}

/// Runs blocking work (the client, a child process) on its own thread, so
/// the test's cooperative thread stays free for the server's tasks.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
