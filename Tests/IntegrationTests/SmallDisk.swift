import AntreTestSupport
import Foundation

/// A small tmpfs mounted for one test (the tests run as root): a disk that
/// fills up, or turns read-only, on demand. Unmounted when released.
final class SmallDisk {
    let path: String

    init(in directory: TemporaryDirectory, name: String = "disk", sizeKiB: Int) throws {
        path = directory.file(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", path])
        guard mounted.status == 0 else { throw TestSupportError("cannot mount a tmpfs at \(path): \(mounted)") }
    }

    deinit {
        _ = try? run("/bin/umount", ["-l", path])
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes zeros into `filler` until the disk is full.
    func fill() throws {
        _ = try run("/bin/dd", ["if=/dev/zero", "of=\(file("filler"))", "bs=4k"])
        let free = try FileManager.default.attributesOfFileSystem(forPath: path)[.systemFreeSize] as? Int ?? -1
        guard free == 0 else { throw TestSupportError("\(path) still has \(free) bytes free") }
    }

    func freeSpace() throws {
        try FileManager.default.removeItem(atPath: file("filler"))
    }

    func remount(readOnly: Bool) throws {
        let result = try run("/bin/mount", ["-o", readOnly ? "remount,ro" : "remount,rw", path])
        guard result.status == 0 else { throw TestSupportError("cannot remount \(path): \(result)") }
    }
}
