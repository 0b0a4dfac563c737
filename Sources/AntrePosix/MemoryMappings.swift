#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One mapping of a process, from /proc/PID/smaps, as far as antred (which
/// releases its start-up pages) and the benchmark (which reports resident
/// memory by region) need it.
public struct MemoryMapping: Equatable, Sendable {
    public var start: UInt, end: UInt
    /// "r-xp", "rw-p"...
    public var permissions: String
    /// The file mapped; "" or "[heap]", "[stack]"... for anonymous memory.
    public var path: String
    public var residentBytes = 0
    /// Pages the process holds a copy of ("Anonymous:"): written since mapped.
    /// (Private_Dirty is no sign of that: it also counts page-cache pages not
    /// yet written back, e.g. of an executable just installed.)
    public var anonymousBytes = 0

    public var isWritable: Bool { permissions.dropFirst().first == "w" }

    /// Parses smaps text: a header line per mapping ("start-end perms offset
    /// dev inode path"), then "Key: value kB" lines.
    public static func parse(_ smaps: String) -> [MemoryMapping] {
        var mappings: [MemoryMapping] = []
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-"), !first.hasSuffix(":"), fields.count >= 5 {
                let bounds = first.split(separator: "-")
                guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16)
                else { continue }
                let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
                mappings.append(MemoryMapping(start: start, end: end, permissions: String(fields[1]), path: path))
                continue
            }
            guard !mappings.isEmpty, fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
            switch first {
            case "Rss:": mappings[mappings.count - 1].residentBytes = kilobytes * 1024
            case "Anonymous:": mappings[mappings.count - 1].anonymousBytes += kilobytes * 1024
            default: break
            }
        }
        return mappings
    }

    /// The mappings of process `pid` ("self" for this one); nil when /proc cannot be read.
    public static func all(pid: String = "self") -> [MemoryMapping]? {
        readWhole("/proc/\(pid)/smaps").map(parse)
    }

    /// The executable of process `pid` ("self" for this one).
    public static func executable(pid: String = "self") -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The whole file, read to its end (/proc reports no size to trust).
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
