import AntreCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The database file on disk: its permissions, and whether the path still
/// names the file this store opened (it can be deleted or replaced under a
/// running daemon, and commits would then go to a file nobody will read).
struct DatabaseFile: Sendable {
    /// Tickets name residents' services: not for every local user to read.
    static let mode: mode_t = 0o640

    let path: String
    /// Device and inode of the file opened.
    private let device: UInt64
    private let inode: UInt64

    /// The file and its WAL companions, for permissions and clean-up.
    static func companions(of path: String) -> [String] { [path, path + "-wal", path + "-shm"] }

    /// Creates the file with `mode` when missing (whatever the umask), and
    /// takes group/other write and other read off existing files.
    ///
    /// A file or directory that cannot be written (read-only mount, permissions)
    /// throws `QueueError.storageFailed` now rather than at the first press.
    static func prepare(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        for target in [directory.isEmpty ? "." : directory, path] where FileManager.default.fileExists(atPath: target) {
            if access(target, W_OK) != 0 {
                throw QueueError.storageFailed(reason: "\(target): \(String(cString: strerror(errno)))")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd >= 0 {
            _ = fchmod(fd, mode)
            close(fd)
        } else if errno != EEXIST {
            throw StoreError("cannot create the database \(path): \(String(cString: strerror(errno)))")
        }
        restrictPermissions(path)
    }

    /// 0640 on the file and any -wal/-shm (SQLite gives those the database
    /// file's mode when it creates them). Best effort: a file owned by another
    /// user keeps its mode.
    static func restrictPermissions(_ path: String) {
        for file in companions(of: path) {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o7777 != mode else { continue }
            _ = chmod(file, mode)
        }
    }

    /// Remembers which file `path` names now (call right after opening it).
    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError("cannot stat the database \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// Nil while the path still names the opened file; else what happened to it.
    func problem() -> String? {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            if code == ENOENT { return "the database file \(path) was deleted while antred was running" }
            return "cannot check the database file \(path): \(String(cString: strerror(code)))"
        }
        if UInt64(info.st_dev) != device || UInt64(info.st_ino) != inode {
            return "the database file \(path) was replaced by another file while antred was running"
        }
        return nil
    }
}
