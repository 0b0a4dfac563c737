import AntreDevices
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A job as a POS sends it, written by hand: ESC @, text, LF, feed, GS V 0 (cut).
func handJob(_ text: String) -> [UInt8] {
    [0x1B, 0x40] + Array(text.utf8) + [0x0A, 0x1B, 0x64, 0x03, 0x1D, 0x56, 0x00]
}

func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let start = ContinuousClock.now
    try body()
    return ContinuousClock.now - start
}

/// Runs a printer call; the error it threw (if any) and how long it took.
func timedAttempt(_ body: () throws(PrinterError) -> Void) -> (error: PrinterError?, took: Duration) {
    let start = ContinuousClock.now
    do { try body() } catch { return (error, ContinuousClock.now - start) }
    return (nil, ContinuousClock.now - start)
}

/// Collects button keys from a source's thread; tests wait on it.
final class KeyCollector: Sendable {
    private let keys = Mutex<[String]>([])

    var onPress: @Sendable (String) -> Void { { [self] key in keys.withLock { $0.append(key) } } }

    var all: [String] { keys.withLock { $0 } }

    /// Waits until `count` keys came (or timeout); returns all keys so far.
    @discardableResult
    func waitFor(count: Int, timeout: Duration = .seconds(2)) -> [String] {
        let end = ContinuousClock.now.advanced(by: timeout)
        while all.count < count && ContinuousClock.now < end { usleep(5_000) }
        return all
    }
}

/// A loopback TCP listener on its own thread, for printer tests.
final class LoopbackListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Accepts one connection (waits up to `timeout`); -1 on timeout.
    func accept(timeout: Duration = .seconds(3)) -> Int32 {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout.components.seconds * 1000)) > 0 else { return -1 }
        return Glibc.accept(fd, nil, nil)
    }

    /// Reads a connection until the peer closes it (or `timeout`).
    static func readAll(_ conn: Int32, timeout: Duration = .seconds(5)) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        let end = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < end {
            var pfd = pollfd(fd: conn, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { Glibc.read(conn, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    /// Reads exactly `count` bytes (or until close / timeout).
    static func read(_ conn: Int32, count: Int, timeout: Duration = .seconds(5)) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        let end = ContinuousClock.now.advanced(by: timeout)
        while out.count < count && ContinuousClock.now < end {
            var pfd = pollfd(fd: conn, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { Glibc.read(conn, $0.baseAddress, min($0.count, count - out.count)) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }
}

/// Runs `body` on a new thread; `wait()` returns its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        let t = Thread { [self] in
            result = body()
            done.signal()
        }
        t.start()
    }

    func wait(timeout: Duration = .seconds(10)) -> T? {
        guard done.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success else { return nil }
        return result
    }
}
