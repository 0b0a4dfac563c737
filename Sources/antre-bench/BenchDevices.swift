import CLinuxShims
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The button box side of a pty pair: the daemon opens the slave path.
final class Pty {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard antre_openpty(&master, &slave, &name, name.count) == 0 else {
            throw BenchError("openpty failed: \(String(cString: strerror(errno)))")
        }
        var attributes = termios()
        tcgetattr(master, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(master, TCSANOW, &attributes)
        self.master = master
        self.slave = slave
        self.slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw BenchError("pty write failed") }
    }

    deinit {
        close(master)
        close(slave)
    }
}

/// A raw-TCP "printer" that counts jobs: a job ends with the cut command
/// GS V 66 n or GS V 1 / 0 (what the encoder sends last when the profile has a cutter).
// @unchecked: its counters are guarded by `condition` (the bench waits on it);
// `listener` is set once in init.
final class TCPSink: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let condition = NSCondition()
    private var _jobs = 0
    private var _lastJobEnd: UInt64 = 0
    private var _bytes = 0

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchError("socket failed") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw BenchError("bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var jobsCompleted: Int { condition.withLock { _jobs } }
    var lastJobEnd: UInt64 { condition.withLock { _lastJobEnd } }
    var bytesReceived: Int { condition.withLock { _bytes } }

    func waitForJobs(_ count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while _jobs < count {
            if !condition.wait(until: deadline) { return _jobs >= count }
        }
        return true
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let thread = Thread { [self] in readLoop(client) }
            thread.start()
        }
    }

    private func readLoop(_ fd: Int32) {
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            let now = DispatchTime.now().uptimeNanoseconds
            let chunk = tail + buffer[0..<count]
            var cuts = 0
            var index = 0
            while index + 1 < chunk.count {
                if chunk[index] == 0x1D, chunk[index + 1] == 0x56 { cuts += 1 }
                index += 1
            }
            // Keep the last byte so a GS V split across reads is still seen once.
            tail = chunk.last == 0x1D ? [0x1D] : []
            condition.withLock {
                _bytes += count
                if cuts > 0 {
                    _jobs += cuts
                    _lastJobEnd = now
                    condition.broadcast()
                }
            }
        }
        close(fd)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
