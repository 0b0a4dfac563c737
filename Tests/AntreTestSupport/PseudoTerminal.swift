import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair standing in for a serial device: the program under test
/// opens `slavePath` (or a symlink to it); the test talks through the master.
/// Closing the master is a hang-up, like unplugging a USB-serial adapter.
public final class PseudoTerminal: @unchecked Sendable {
    /// The master side, for the test. -1 once closed.
    public private(set) var masterFD: Int32
    /// Kept open so the pty stays usable while the program reopens it.
    private var slaveFD: Int32
    /// `/dev/pts/N`.
    public let slavePath: String
    private let lock = NSLock()

    public init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard antre_openpty(&master, &slave, &name, name.count) == 0 else {
            throw TestSupportError("openpty failed: \(String(cString: strerror(errno)))")
        }
        // Raw on both sides so bytes pass unchanged (no echo, no CR/LF mapping).
        var t = termios()
        if tcgetattr(slave, &t) == 0 {
            cfmakeraw(&t)
            _ = tcsetattr(slave, TCSANOW, &t)
        }
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        masterFD = master
        slaveFD = slave
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { closeMaster() }

    /// Points `link` at this pty's slave, replacing an older link atomically.
    @discardableResult
    public func symlink(at link: String) throws -> String {
        let temporary = link + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard Glibc.symlink(slavePath, temporary) == 0 else {
            throw TestSupportError("symlink \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, link) == 0 else {
            unlink(temporary)
            throw TestSupportError("rename to \(link): \(String(cString: strerror(errno)))")
        }
        return link
    }

    /// Writes all bytes to the master (the program reads them from the slave).
    public func write(_ bytes: [UInt8]) throws {
        var sent = 0
        let end = ContinuousClock.now.advanced(by: .seconds(5))
        while sent < bytes.count {
            let fd = lock.withLock { masterFD }
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.write(fd, base.advanced(by: sent), bytes.count - sent)
            }
            if n > 0 { sent += n; continue }
            if n < 0 && errno != EAGAIN && errno != EINTR {
                throw TestSupportError("write to pty master: \(String(cString: strerror(errno)))")
            }
            if ContinuousClock.now > end { throw TestSupportError("write to pty master timed out") }
            usleep(1000)
        }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Reads from the master until `count` bytes came or `timeout` passed; returns what came.
    public func read(count: Int, timeout: Duration) -> [UInt8] {
        var out: [UInt8] = []
        let end = ContinuousClock.now.advanced(by: timeout)
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.count < count {
            let fd = lock.withLock { masterFD }
            guard fd >= 0 else { break }
            let left = ContinuousClock.now.duration(to: end)
            if left <= .zero { break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1
            if poll(&pfd, 1, ms) <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, count - out.count)) }
            if n > 0 { out += buf[0..<n] } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                usleep(5000)  // EIO while no one has the slave open: wait for the program
            }
        }
        return out
    }

    /// Input and output speed the program set on the line (B9600 etc.), seen from the master.
    public func speed() -> (input: speed_t, output: speed_t)? {
        let fd = lock.withLock { masterFD }
        var t = termios()
        guard fd >= 0, tcgetattr(fd, &t) == 0 else { return nil }
        return (cfgetispeed(&t), cfgetospeed(&t))
    }

    /// The line's full termios as the program left it.
    public func attributes() -> termios? {
        let fd = lock.withLock { masterFD }
        var t = termios()
        guard fd >= 0, tcgetattr(fd, &t) == 0 else { return nil }
        return t
    }

    /// Hangs up: the program's reads see POLLHUP and end of file.
    public func closeMaster() {
        lock.withLock {
            if masterFD >= 0 { close(masterFD) }
            if slaveFD >= 0 { close(slaveFD) }
            masterFD = -1
            slaveFD = -1
        }
    }
}
