import AntreTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What sox says about a WAV file: soxi for the format and duration, `sox FILE -n
/// stat` for the loudness. Tests trust these tools, not our own reader.
struct SoxInfo {
    var sampleRate: Int
    var channels: Int
    var duration: Double
    /// RMS amplitude, 0...1; near 0 means silence.
    var rms: Double

    /// - Parameter from: measure the loudness from this second on (e.g. past the chime).
    init(_ path: String, from start: Double = 0) throws {
        sampleRate = Int(try Self.run("/usr/bin/soxi", ["-r", path])) ?? 0
        channels = Int(try Self.run("/usr/bin/soxi", ["-c", path])) ?? 0
        duration = Double(try Self.run("/usr/bin/soxi", ["-D", path])) ?? 0
        let stat = try Self.run("/usr/bin/sox", [path, "-n", "trim", String(start), "stat"], stderr: true)
        let line = stat.split(separator: "\n").first { $0.hasPrefix("RMS     amplitude:") }
        rms = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    static func run(_ executable: String, _ arguments: [String], stderr: Bool = false) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSupportError("\(executable) is missing: apt-get install sox (scripts/install-deps.sh)")
        }
        let child = try ChildProcess(executable: executable, arguments: arguments, name: "sox")
        guard let status = child.waitForExit(timeout: .seconds(20)) else {
            child.kill(SIGKILL)
            throw TestSupportError("\(executable) \(arguments) hung")
        }
        guard status == 0 else { throw TestSupportError("\(executable) \(arguments) exited \(status): \(child.stderr)") }
        return (stderr ? child.stderr : child.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
