#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Start-up runs code and reads tables that an idle daemon does not touch again
/// (argument parsing, TOML, schema checks, the dynamic linker's relocation
/// table), and the kernel maps whole page-cache folios (64 KiB or more) around
/// each page touched: after start most of the executable's read-only segment is
/// mapped. `release` unmaps those pages (MADV_DONTNEED). They stay in the page
/// cache, so later work faults what it runs back in cheaply, and the kernel can
/// reclaim the rest without touching the daemon.
///
/// Only the executable's own mappings that are read-only, private and hold no
/// copy-on-write page qualify: dropping a page there can lose
/// nothing, because it is the file's. Writable and relocated (RELRO) mappings
/// are left alone. Linux only; elsewhere nothing happens.
public enum StartupPages {
    /// Unmaps what qualifies; returns the bytes that were resident there.
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
        guard let executable = MemoryMapping.executable(), let mappings = MemoryMapping.all() else { return 0 }
        var released = 0
        for mapping in mappings where mapping.path == executable && isReleasable(mapping) {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(start, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 { released += mapping.residentBytes }
        }
        return released
        #else
        return 0
        #endif
    }

    /// Read-only, private, resident, and no copied page in it.
    static func isReleasable(_ mapping: MemoryMapping) -> Bool {
        let permissions = mapping.permissions
        return permissions.count == 4 && permissions.first == "r" && !mapping.isWritable
            && permissions.last == "p" && mapping.anonymousBytes == 0 && mapping.residentBytes > 0
    }
}
