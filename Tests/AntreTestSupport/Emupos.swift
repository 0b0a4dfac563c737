import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The emupos ESC/POS printer emulator run for one test: one printer listening on a
/// free loopback TCP port and/or a serial pty, its receipts in a temp folder.
/// Startup takes about 2.5 s (Python), so share one per test where you can.
public final class Emupos: @unchecked Sendable {
    public enum Profile: Sendable {
        /// emupos's built-in Epson TM-T20III (80 mm, 576 dots).
        case epsonTMT20III
        /// A generic 58 mm clone (POS-58 / ZJ-5890), written as a custom profile file.
        case pos58
    }

    /// Faults emupos can put the printer in.
    public enum Fault: String, Sendable, CaseIterable {
        case paperNearEnd = "paper-near-end"
        case paperOut = "paper-out"
        case coverOpen = "cover-open"
        case offline
    }

    /// A finished job: what emupos read off the "paper".
    public struct Receipt: Sendable {
        public let id: String
        public let text: String
        /// Raw JSON metadata (id, completed_at, width_dots, boundary: cut | close | idle).
        public let json: String
        public var boundary: String? {
            guard let data = json.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return object["boundary"] as? String
        }
    }

    /// One event line of `emupos run` (e.g. "printer.command.unknown").
    public struct Event: Sendable, Equatable {
        public let device: String
        public let name: String
        public let detail: String
    }

    public let printerID: String
    public let tcpPort: Int?
    public let apiPort: Int
    /// The pty link to open as a serial printer (`<dir>/emupos/<id>`), when serial is on.
    public private(set) var serialPath: String?
    public let directory: TemporaryDirectory
    public let receiptsDirectory: String
    public let configPath: String
    private var child: ChildProcess
    private let executable: String
    private var starts = 1
    private var earlierOutput = ""

    /// Starts emupos and waits until its printer accepts connections.
    /// - Parameter tcpPort: listen on this port instead of a free one (a test
    ///   may point the daemon at it before emupos runs).
    public init(profile: Profile = .epsonTMT20III, tcp: Bool = true, serial: Bool = false, tcpPort port: Int? = nil,
                startTimeout: Duration = .seconds(20)) throws {
        let executable = try Self.locate()
        self.executable = executable
        directory = try TemporaryDirectory(prefix: "antre-emupos")
        printerID = "p\(UInt32.random(in: 0...UInt32.max))"
        tcpPort = tcp ? try port ?? FreePort.tcp() : nil
        apiPort = try FreePort.tcp()
        receiptsDirectory = directory.file("receipts")
        configPath = directory.file("emupos.yaml")
        var profileValue = "epson-tm-t20iii"
        if profile == .pos58 {
            let profilePath = directory.file("pos58.yaml")
            try Self.pos58Profile.write(toFile: profilePath, atomically: true, encoding: .utf8)
            profileValue = profilePath
        }
        var connections: [String] = []
        if let tcpPort { connections.append("      - tcp: { host: 127.0.0.1, port: \(tcpPort) }") }
        if serial { connections.append("      - serial: { pty: true }") }
        let yaml = """
            schema: 1
            api: { host: 127.0.0.1, port: \(apiPort) }
            devices:
              - id: \(printerID)
                type: printer
                profile: \(profileValue)
                connections:
            \(connections.joined(separator: "\n"))
                receipts_dir: \(receiptsDirectory)

            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        // TMPDIR puts the pty link in our own folder (emupos uses $TMPDIR/emupos/<id>);
        // a wide COLUMNS keeps event lines unwrapped.
        child = try Self.launch(executable, configPath: configPath, directory: directory, name: "emupos")
        try waitUntilReady(startTimeout)
        if serial {
            let link = directory.path + "/emupos/" + printerID
            guard FileManager.default.fileExists(atPath: link) else {
                throw TestSupportError("emupos's serial pty link \(link) is missing: \(child.stdout)")
            }
            serialPath = link
        }
    }

    private static func launch(_ executable: String, configPath: String, directory: TemporaryDirectory,
                               name: String) throws -> ChildProcess {
        // TMPDIR puts the pty link in our own folder (emupos uses $TMPDIR/emupos/<id>);
        // a wide COLUMNS keeps event lines unwrapped.
        try ChildProcess(executable: executable, arguments: ["run", "--config", configPath],
                         environment: ["TMPDIR": directory.path, "COLUMNS": "250", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"],
                         currentDirectory: directory.path, outputDirectory: directory.path, name: name)
    }

    private func waitUntilReady(_ startTimeout: Duration) throws {
        let end = ContinuousClock.now.advanced(by: startTimeout)
        while true {
            if !child.isRunning {
                throw TestSupportError("emupos exited at startup: \(child.stdout)\n\(child.stderr)")
            }
            if child.stdout.contains("Showing events"), tcpPort.map(Self.accepts) ?? true { break }
            if ContinuousClock.now > end {
                throw TestSupportError("emupos did not start within \(startTimeout): \(child.stdout)\n\(child.stderr)")
            }
            usleep(50_000)
        }
    }

    /// Turns the printer off: the TCP port refuses, the serial pty hangs up.
    public func stop() {
        child.terminate()
        if child.waitForExit(timeout: .seconds(5)) == nil { child.kill(SIGKILL) }
    }

    /// Turns it on again with the same port, pty link and receipts folder.
    public func start(timeout: Duration = .seconds(20)) throws {
        guard !child.isRunning else { return }
        earlierOutput += child.stdout
        starts += 1
        child = try Self.launch(executable, configPath: configPath, directory: directory, name: "emupos-\(starts)")
        try waitUntilReady(timeout)
    }

    deinit {
        child.terminate()
        if child.waitForExit(timeout: .seconds(3)) == nil { child.kill(SIGKILL) }
    }

    /// The emupos executable: `$EMUPOS`, else `.venv-emu/bin/emupos` at the repo root
    /// (or at the main checkout's root when running in a git worktree).
    public static func locate() throws -> String {
        if let env = ProcessInfo.processInfo.environment["EMUPOS"], !env.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: env) else {
                throw TestSupportError("EMUPOS=\(env) is not an executable")
            }
            return env
        }
        guard let root = repoRoot() else { throw TestSupportError("cannot find the repo root (Package.swift)") }
        var candidates = [root + "/.venv-emu/bin/emupos"]
        if let main = mainCheckout(of: root) { candidates.append(main + "/.venv-emu/bin/emupos") }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) { return c }
        throw TestSupportError(
            "emupos not found at \(candidates.joined(separator: " or ")); run scripts/setup-emupos.sh (or set EMUPOS)")
    }

    /// The directory holding Package.swift, walking up from this source file.
    public static func repoRoot(from file: String = #filePath) -> String? {
        var dir = (file as NSString).deletingLastPathComponent
        while dir != "/" && !dir.isEmpty {
            if FileManager.default.fileExists(atPath: dir + "/Package.swift") { return dir }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// For a git worktree (`.git` is a file "gitdir: MAIN/.git/worktrees/NAME"): MAIN.
    private static func mainCheckout(of root: String) -> String? {
        guard let text = try? String(contentsOfFile: root + "/.git", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("gitdir:") }) else { return nil }
        let gitdir = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        guard let range = gitdir.range(of: "/.git/worktrees/") else { return nil }
        return String(gitdir[..<range.lowerBound])
    }

    // MARK: Faults

    /// Puts the printer in `fault` (through emupos's control API, like `emupos fault set`).
    public func setFault(_ fault: Fault) throws { try api("PUT", "/api/v1/devices/\(printerID)/faults/\(fault.rawValue)") }

    /// Clears `fault` (like `emupos fault clear`).
    public func clearFault(_ fault: Fault) throws {
        try api("DELETE", "/api/v1/devices/\(printerID)/faults/\(fault.rawValue)")
    }

    /// `fault(set: .paperOut)` / `fault(clear: .paperOut)`: the same as the two above.
    public func fault(set fault: Fault) throws { try setFault(fault) }
    public func fault(clear fault: Fault) throws { try clearFault(fault) }

    // MARK: Receipts and events

    /// Finished receipts, oldest first.
    public func receipts() -> [Receipt] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: receiptsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            let base = String(name.dropLast(".json".count))
            guard let json = try? String(contentsOfFile: receiptsDirectory + "/" + name, encoding: .utf8),
                  (try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil,
                  let text = try? String(contentsOfFile: receiptsDirectory + "/" + base + ".txt", encoding: .utf8)
            else { return nil }
            return Receipt(id: base, text: text, json: json)
        }
    }

    /// The PNG emupos drew of a receipt (what the paper looks like).
    public func imagePath(of receipt: Receipt) -> String { receiptsDirectory + "/" + receipt.id + ".png" }

    /// Waits until at least `count` receipts are finished; throws with the event log on timeout.
    @discardableResult
    public func waitForReceipts(count: Int, timeout: Duration) throws -> [Receipt] {
        let end = ContinuousClock.now.advanced(by: timeout)
        while true {
            let found = receipts()
            if found.count >= count { return found }
            if ContinuousClock.now > end {
                throw TestSupportError("emupos finished \(found.count) of \(count) receipts in \(timeout); log:\n\(child.stdout)")
            }
            usleep(30_000)
        }
    }

    /// Events emupos reported so far (from its live output).
    public func events() -> [Event] {
        (earlierOutput + child.stdout).split(separator: "\n").compactMap { line in
            // "23:47:25.369  p1  printer.command.unknown       skipped unknown bytes 1d 99"
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[0].count == 12, fields[0].dropFirst(2).first == ":" else { return nil }
            return Event(device: String(fields[1]), name: String(fields[2]),
                         detail: fields.count > 3 ? fields[3].trimmingCharacters(in: .whitespaces) : "")
        }
    }

    /// Names of the events so far.
    public func eventNames() -> [String] { events().map(\.name) }

    /// Events that mean the printer did not understand the bytes it got
    /// (`printer.command.unknown`, `printer.codepage.unsupported`): should be empty.
    public func complaints() -> [Event] {
        events().filter { $0.name == "printer.command.unknown" || $0.name == "printer.codepage.unsupported" }
    }

    /// emupos's output so far, for failure messages.
    public var log: String { child.stdout + child.stderr }

    // MARK: Plumbing

    private static func accepts(_ port: Int) -> Bool {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return false }
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// One HTTP/1.1 request to the control API; throws unless the status is 2xx.
    private func api(_ method: String, _ path: String) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        defer { close(s) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(apiPort).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestSupportError("emupos API not reachable on port \(apiPort)") }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(apiPort)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(s, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(s, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buf[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        guard (200..<300).contains(status) else {
            throw TestSupportError("emupos API \(method) \(path) answered: \(text.prefix(300))")
        }
    }

    static let pos58Profile = """
        # Generic 58 mm clone (POS-58 / ZJ-5890 style), 203 dpi, 384 dots printable
        type: printer
        name: Generic POS-58
        dpi: 203
        width_dots: 384
        font_a: { width: 12, height: 24 }
        font_b: { width: 9, height: 17 }
        code_pages:
          0: PC437
          2: PC850
          16: WPC1252
          19: PC858
        default_code_page: 0
        drawer_sensor_open_level: high
        serial: { baud: 9600, data_bits: 8, parity: none, stop_bits: 1 }

        """
}
