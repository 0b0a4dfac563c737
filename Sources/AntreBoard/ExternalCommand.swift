import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (espeak-ng, aplay) and waits for it, blocking the calling
/// thread. Call it only from a dedicated thread or a synchronous command-line
/// tool, never from the async pool: the `Announcer` runs it on its own thread.
enum ExternalCommand {
    /// Runs `arguments` (the first is looked up on PATH) with no input; throws when it
    /// cannot start, exits non-zero, or outlives `timeout` (then it is killed).
    static func run(_ arguments: [String], timeout: Duration, what: String) throws(VoiceError) {
        guard let name = arguments.first, !name.isEmpty else { throw VoiceError("\(what): no program given") }
        guard let executable = locate(name) else {
            throw VoiceError("\(what): '\(name)' not found on PATH")
        }
        // stderr goes to a file, never a pipe: a chatty child cannot fill it and hang.
        let errorPath = NSTemporaryDirectory() + "antre-board-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
              let errorFile = FileHandle(forWritingAtPath: errorPath) else {
            throw VoiceError("\(what): cannot create \(errorPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: errorPath) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorFile
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            try? errorFile.close()
            throw VoiceError("\(what): cannot start \(executable): \(error.localizedDescription)")
        }
        try? errorFile.close()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            throw VoiceError("\(what): \(name) did not finish within \(timeout); stopped it")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = (try? String(contentsOfFile: errorPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let how = process.terminationReason == .exit
                ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            throw VoiceError("\(what): \(name) \(how)" + (detail.isEmpty ? "" : ": \(detail.prefix(500))"))
        }
    }

    /// An absolute or relative path as given; a bare name searched on PATH.
    static func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
