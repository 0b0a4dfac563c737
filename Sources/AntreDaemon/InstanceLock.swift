import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One antred per database and per socket: an exclusive `flock` on a lock file,
/// taken before anything else is touched (socket, database, printers) and held
/// until the process ends (the kernel releases it, also after kill -9). The
/// file holds the owner's PID so a refused start can say who holds it.
final class InstanceLock: Sendable {
    let path: String
    private let descriptor: Int32

    /// `<database>.lock` and `<socket>.lock`, both always: two antreds that
    /// share either the database or the socket exclude each other whatever
    /// else differs in their configs.
    static func paths(database: String, socket: String) -> [String] {
        [database + ".lock", socket + ".lock"]
    }

    /// Takes the lock or throws `DaemonError.alreadyRunning` (held) or
    /// `DaemonError.lockFile` (cannot open it) without waiting.
    init(path: String) throws {
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        var writable = true
        if fd < 0 && (errno == EROFS || errno == EACCES) {
            // A read-only place can still be locked (flock needs no write
            // access); the database check that follows says what is wrong.
            fd = open(path, O_RDONLY | O_CLOEXEC)
            writable = false
        }
        guard fd >= 0 else { throw DaemonError.lockFile(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw DaemonError.alreadyRunning(lock: path, pid: holder) }
            throw DaemonError.lockFile(path, String(cString: strerror(code)))
        }
        if writable {
            let text = "\(getpid())\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        }
        self.path = path
        descriptor = fd
    }

    deinit { close(descriptor) }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
