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
        guard let executable = readLink("/proc/self/exe"), let smaps = readWhole("/proc/self/smaps") else { return 0 }
        var released = 0
        for mapping in parseMappings(smaps) where mapping.path == executable && mapping.isReleasable {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(start, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 { released += mapping.residentBytes }
        }
        return released
        #else
        return 0
        #endif
    }

    /// One /proc/PID/smaps entry, as far as `release` needs it.
    struct Mapping: Equatable {
        var start: UInt, end: UInt
        var permissions: String
        var path: String
        var residentBytes = 0
        /// Copy-on-write pages ("Anonymous"): nonzero means the mapping holds data the file does not.
        /// (Private_Dirty is no sign of that: it also counts page-cache pages not yet written back,
        /// e.g. of an executable just installed.)
        var copiedPages = 0

        var isReleasable: Bool {
            permissions.count == 4 && permissions.first == "r" && permissions.dropFirst().first == "-"
                && permissions.last == "p" && copiedPages == 0 && residentBytes > 0
        }
    }

    /// Parses smaps text: a header line per mapping ("start-end perms offset dev inode path"),
    /// then "Key: value kB" lines.
    static func parseMappings(_ text: String) -> [Mapping] {
        var mappings: [Mapping] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-"), fields.count >= 5 {
                let bounds = first.split(separator: "-")
                guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16)
                else { continue }
                let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
                mappings.append(Mapping(start: start, end: end, permissions: String(fields[1]), path: path))
                continue
            }
            guard !mappings.isEmpty, fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
            switch first {
            case "Rss:": mappings[mappings.count - 1].residentBytes = kilobytes * 1024
            case "Anonymous:": mappings[mappings.count - 1].copiedPages += kilobytes
            default: break
            }
        }
        return mappings
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func readWhole(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = retryingInterrupts { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
