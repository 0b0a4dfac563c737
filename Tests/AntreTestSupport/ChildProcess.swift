import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run by a test: output goes to files (never blocks on a full pipe),
/// which the test can wait on line by line. Killed when released if still running.
public final class ChildProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]
    public let stdoutPath: String
    public let stderrPath: String
    private let process = Process()
    private let directory: TemporaryDirectory?

    /// - Parameters:
    ///   - environment: added to (and overriding) this process's environment.
    ///   - outputDirectory: where stdout.txt / stderr.txt go; a new temp dir when nil.
    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:],
                currentDirectory: String? = nil, outputDirectory: String? = nil, name: String = "child") throws {
        self.executable = executable
        self.arguments = arguments
        let dir: String
        if let outputDirectory {
            dir = outputDirectory
            directory = nil
        } else {
            let made = try TemporaryDirectory(prefix: "antre-child")
            dir = made.path
            directory = made
        }
        stdoutPath = dir + "/\(name).stdout.txt"
        stderrPath = dir + "/\(name).stderr.txt"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        guard let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath) else {
            throw TestSupportError("cannot create output files in \(dir)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw TestSupportError("cannot start \(executable): \(error)")
        }
        try? out.close()
        try? err.close()
    }

    deinit {
        if process.isRunning {
            _ = Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Everything written to stdout so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to stderr so far.
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for a line on stdout or stderr containing `text`; returns it, or nil on timeout.
    public func waitForLine(containing text: String, timeout: Duration) -> String? {
        let end = ContinuousClock.now.advanced(by: timeout)
        while true {
            for output in [stdout, stderr] {
                if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            }
            if ContinuousClock.now > end { return nil }
            usleep(20_000)
        }
    }

    /// SIGTERM.
    public func terminate() { process.terminate() }

    /// Sends any signal.
    public func kill(_ signal: Int32) { _ = Glibc.kill(process.processIdentifier, signal) }

    /// Waits for exit; the exit status (or signal number for an uncaught signal), nil on timeout.
    public func waitForExit(timeout: Duration) -> Int32? {
        let end = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            if ContinuousClock.now > end { return nil }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// Whether the process ended by a signal rather than exit().
    public var wasSignalled: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }
}
