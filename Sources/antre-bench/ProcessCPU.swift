import Foundation

/// CPU time a process has used (all its threads, user + system), from
/// /proc/PID/stat: what one benchmark phase cost the daemon, per ticket.
enum ProcessCPU {
    /// Seconds of CPU used so far; 0 when /proc cannot be read.
    static func seconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Runs `body` and returns its result with the CPU `pid` used meanwhile.
    static func measure<T>(_ pid: Int32, _ body: () throws -> T) rethrows -> (T, Double) {
        let before = seconds(pid)
        let value = try body()
        return (value, seconds(pid) - before)
    }
}
