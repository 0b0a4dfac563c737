import AntreCore
import AntreTestSupport
import AntreWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The repository root and its built executables.
enum Repo {
    static let root: String = Emupos.repoRoot() ?? FileManager.default.currentDirectoryPath
    static func executable(_ name: String) -> String { root + "/.build/debug/" + name }
    static let shippedConfig = root + "/config/antre.toml"
}

/// What a CLI run printed.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs a program to completion, capturing its output.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         timeout: Duration = .seconds(30)) throws -> CommandResult {
    let directory = try TemporaryDirectory(prefix: "antre-run")
    let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                 outputDirectory: directory.path, name: "cmd")
    guard let status = child.waitForExit(timeout: timeout) else {
        child.kill(SIGKILL)
        throw TestSupportError("\(executable) \(arguments) did not finish within \(timeout)")
    }
    return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
}

/// One antred under test: a config generated from the shipped village-office
/// config (its real services and persyaratan) with one test dispenser whose
/// button box is a pty and whose printer is given by the test.
final class DaemonHarness: @unchecked Sendable {
    let directory: TemporaryDirectory
    let buttons: PseudoTerminal
    let buttonPath: String
    let socketPath: String
    let databasePath: String
    let configPath: String
    let shipped: AntreConfig
    private(set) var daemon: ChildProcess?
    private var starts = 0
    /// Runs antred as `launcher + [antred, args...]` (e.g. under a umockdev fake device).
    let launcher: [String]
    let launcherEnvironment: [String: String]

    /// - Parameters:
    ///   - printer: a connection string (`tcp://127.0.0.1:PORT`, `serial:PATH?baud=9600`, `preview:DIR`).
    ///   - paper: 58 or 80.
    ///   - cooldownMs: the dispenser's per-button cooldown.
    ///   - timezone: the office time zone (default the shipped one).
    ///   - socketLines: extra `[socket]` settings (groups, limits).
    ///   - input: the dispenser's input instead of the pty button box (e.g. `evdev:/dev/input/event7`).
    ///   - buttonMap: the button map instead of the shipped one (e.g. `["KEY_1": "ktp"]`).
    ///   - launcher: a command prefix antred runs under (a fake device script ending in `--`).
    ///   - launcherEnvironment: environment for the launcher.
    ///   - nativeQR: the printer profile's `native_qr`.
    ///   - extraLines: TOML appended at the end (e.g. a `[board]` section).
    ///   - database: the database path instead of `<test dir>/antre.db` (e.g. on a small tmpfs).
    ///   - storageLines: extra `[storage]` settings (e.g. `retention_days = 7`).
    ///   - officeLines: extra `[office]` settings (e.g. `priority_ratio = 2`).
    ///   - serviceLines: extra settings per service id (e.g. `["ktp": ["daily_quota = 30"]]`).
    ///   - dispenserLines: TOML after the dispenser's profile (e.g. a `[dispenser.priority_buttons]` table).
    init(printer: String, paper: Int = 80, cooldownMs: Int = 0, timezone: String? = nil,
         cancelKanji: Bool = false, socketLines: [String] = [], input: String? = nil,
         buttonMap: [String: String]? = nil, launcher: [String] = [],
         launcherEnvironment: [String: String] = [:], nativeQR: Bool = false, extraLines: [String] = [],
         database: String? = nil, storageLines: [String] = [], officeLines: [String] = [],
         serviceLines: [String: [String]] = [:], dispenserLines: [String] = []) throws {
        self.launcher = launcher
        self.launcherEnvironment = launcherEnvironment
        directory = try TemporaryDirectory(prefix: "antre-it")
        buttons = try PseudoTerminal()
        buttonPath = try buttons.symlink(at: directory.file("buttons"))
        socketPath = directory.file("antred.sock")
        databasePath = database ?? directory.file("antre.db")
        configPath = directory.file("antre.toml")
        shipped = try ConfigLoader.load(path: Repo.shippedConfig)
        let toml = Self.toml(from: shipped, printer: printer, buttonPath: buttonPath, paper: paper,
                             cooldownMs: cooldownMs, timezone: timezone, cancelKanji: cancelKanji,
                             socket: socketPath, database: databasePath, socketLines: socketLines,
                             input: input, buttons: buttonMap, nativeQR: nativeQR, storageLines: storageLines,
                             officeLines: officeLines, serviceLines: serviceLines, dispenserLines: dispenserLines)
            + extraLines.joined(separator: "\n") + "\n"
        try toml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        // A launcher forwards SIGTERM to antred; SIGKILL would orphan antred.
        if !launcher.isEmpty { stop() }
        daemon?.kill(SIGKILL)
    }

    /// Starts antred and waits until its socket answers a Status call.
    func start(environment: [String: String] = [:]) throws {
        starts += 1
        let command = launcher + [Repo.executable("antred"), "--config", configPath, "--log-level", "debug"]
        let child = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()),
                                     environment: launcherEnvironment.merging(environment) { _, new in new },
                                     outputDirectory: directory.path, name: "antred-\(starts)")
        daemon = child
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            guard child.isRunning else {
                throw TestSupportError("antred exited at start:\n\(child.stderr)")
            }
            if let client = try? VarlinkClient(path: socketPath, timeout: 2),
               (try? client.call("io.antre.Queue.Status", [:])) != nil {
                // The serial input opens the pty on its own thread; give it a moment.
                usleep(200_000)
                return
            }
            usleep(50_000)
        }
        throw TestSupportError("antred did not answer on \(socketPath) within 20 s:\n\(child.stderr)")
    }

    /// Runs one more antred on the same config and waits for it to exit (a
    /// start that must be refused); nil status when it was still running
    /// after `timeout` (it is then killed).
    func runRefusedStart(extraArguments: [String] = [], timeout: Duration = .seconds(20)) throws -> CommandResult {
        starts += 1
        let command = launcher + [Repo.executable("antred"), "--config", configPath, "--log-level", "debug"]
            + extraArguments
        let child = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()),
                                     environment: launcherEnvironment, outputDirectory: directory.path,
                                     name: "antred-\(starts)")
        guard let status = child.waitForExit(timeout: timeout) else {
            child.kill(SIGKILL)
            _ = child.waitForExit(timeout: .seconds(10))
            throw TestSupportError("antred was not refused within \(timeout):\n\(child.stderr)")
        }
        return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    func stop() {
        guard let daemon else { return }
        daemon.terminate()
        if daemon.waitForExit(timeout: .seconds(10)) == nil { daemon.kill(SIGKILL) }
        self.daemon = nil
    }

    func kill9() {
        daemon?.kill(SIGKILL)
        _ = daemon?.waitForExit(timeout: .seconds(10))
        daemon = nil
    }

    var log: String { daemon?.stderr ?? "" }

    /// Runs the `antre` CLI against this daemon.
    func antre(_ arguments: String...) throws -> CommandResult {
        try antre(arguments)
    }

    /// - environment: e.g. `ANTRE_CONFIG` = `configPath`, to have the CLI read this daemon's config.
    func antre(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try run(Repo.executable("antre"), arguments + ["--socket", socketPath], environment: environment)
    }

    /// Runs the CLI as another user (real uid/gid/groups through setpriv).
    func antre(as uid: UInt32, groups: [UInt32], _ arguments: String...) throws -> CommandResult {
        let groupList = groups.isEmpty ? ["--clear-groups"] : ["--groups", groups.map(String.init).joined(separator: ",")]
        return try run("/usr/bin/setpriv", ["--reuid", "\(uid)", "--regid", "\(uid)"] + groupList
                       + ["--", Repo.executable("antre")] + arguments + ["--socket", socketPath])
    }

    /// Starts antre-board on this daemon's config and socket, on a free loopback port;
    /// returns it once it serves, with its base URL ("http://127.0.0.1:PORT").
    /// `launcher`: a command prefix (e.g. setpriv to run it as another user).
    func startBoard(name: String = "antre-board", launcher: [String] = []) throws -> (board: ChildProcess, url: String) {
        let port = try FreePort.tcp()
        let command = launcher + [Repo.executable("antre-board"), "--config", configPath, "--socket", socketPath,
                                  "--listen", "127.0.0.1:\(port)"]
        let board = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()),
                                     outputDirectory: directory.path, name: name)
        guard board.waitForLine(containing: "serving the board at", timeout: .seconds(20)) != nil else {
            throw TestSupportError("antre-board did not start:\n\(board.stdout)\n\(board.stderr)")
        }
        return (board, "http://127.0.0.1:\(port)")
    }

    /// The config file as written; tests edit it and reload.
    var configText: String {
        get { (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? "" }
        set { try? newValue.write(toFile: configPath, atomically: true, encoding: .utf8) }
    }

    /// A resident presses a button on the serial button box.
    func press(_ key: String) throws { try buttons.write(key) }

    /// A service of the shipped config by id.
    func service(_ id: String) throws -> Service {
        guard let service = shipped.service(id) else { throw TestSupportError("no service \(id) in shipped config") }
        return service
    }

    /// The button that issues `serviceID` in the test dispenser (same map as shipped).
    func button(for serviceID: String) throws -> String {
        guard let key = shipped.dispensers.first?.buttons.first(where: { $0.value == serviceID })?.key else {
            throw TestSupportError("no button for \(serviceID)")
        }
        return key
    }

    static func toml(from config: AntreConfig, printer: String, buttonPath: String, paper: Int, cooldownMs: Int,
                     timezone: String?, cancelKanji: Bool, socket: String, database: String,
                     socketLines: [String] = [], input: String? = nil,
                     buttons buttonOverride: [String: String]? = nil, nativeQR: Bool = false,
                     storageLines: [String] = [], officeLines: [String] = [],
                     serviceLines: [String: [String]] = [:], dispenserLines: [String] = []) -> String {
        var lines: [String] = []
        func string(_ value: String) -> String {
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func array(_ values: [String]) -> String { "[" + values.map(string).joined(separator: ", ") + "]" }
        let office = config.office
        lines += ["[office]", "name = \(string(office.name))", "address = \(string(office.address))",
                  "header = \(array(office.headerLines))", "footer = \(array(office.footerLines))",
                  "timezone = \(string(timezone ?? office.timeZone.identifier))", "language = \(string(office.language.rawValue))"]
            + officeLines + ["", "[socket]", "path = \(string(socket))"] + socketLines + ["", "[storage]", "database = \(string(database))"] + storageLines + [""]
        for service in config.services {
            lines += ["[[service]]", "id = \(string(service.id))", "name = \(string(service.name))",
                      "prefix = \(string(service.prefix))", "requirements = \(array(service.requirements))",
                      "schedule = \(array(service.schedule))", "officer = \(string(service.officer))",
                      "contact = \(string(service.contact))", "fee = \(string(service.fee))",
                      "processing_time = \(string(service.processingTime))"] + (serviceLines[service.id] ?? []) + [""]
        }
        for counter in config.counters {
            lines += ["[[counter]]", "id = \(string(counter.id))", "name = \(string(counter.name))",
                      "services = \(array(counter.services))", ""]
        }
        let buttons = buttonOverride ?? config.dispensers.first?.buttons ?? [:]
        let inputSpec = input ?? "serial:\(buttonPath)?baud=9600&framing=byte"
        lines += ["[[dispenser]]", "id = \"test\"", "input = \(string(inputSpec))",
                  "cooldown_ms = \(cooldownMs)", "printer = \(string(printer))", "print_timeout_ms = 5000",
                  "[dispenser.buttons]"]
        for key in buttons.keys.sorted() { lines.append("\(string(key)) = \(string(buttons[key] ?? ""))") }
        lines += ["[dispenser.profile]", "paper = \(paper)", "code_page = \"pc858\"", "cutter = true",
                  "cancel_kanji = \(cancelKanji)", "native_qr = \(nativeQR)", ""] + dispenserLines + [""]
        return lines.joined(separator: "\n")
    }
}

/// Text with every run of whitespace made one space: wrapped lines rejoin.
func collapsed(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}

/// Polls until `condition` holds or the timeout passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// Decodes a CLI `--json` output.
func json(_ result: CommandResult) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
        throw TestSupportError("not a JSON object: \(result.stdout)")
    }
    return object
}

extension DaemonHarness {
    /// Starts the `antre` CLI in the background (e.g. `monitor`), optionally as
    /// another user through setpriv; the caller kills or waits for it.
    func spawnAntre(_ arguments: [String], as uid: UInt32? = nil, groups: [UInt32] = [],
                    name: String = "antre") throws -> ChildProcess {
        let command: [String]
        if let uid {
            let groupList = groups.isEmpty ? ["--clear-groups"]
                : ["--groups", groups.map(String.init).joined(separator: ",")]
            command = ["/usr/bin/setpriv", "--reuid", "\(uid)", "--regid", "\(uid)"] + groupList + ["--"]
        } else {
            command = []
        }
        let full = command + [Repo.executable("antre")] + arguments + ["--socket", socketPath]
        return try ChildProcess(executable: full[0], arguments: Array(full.dropFirst()), name: name)
    }

    /// Resident memory of antred in kB (VmRSS of /proc/PID/status).
    var daemonRSSKilobytes: Int? {
        guard let pid = daemon?.pid,
              let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    }

    /// Connections of `uid` the daemon holds now, from its debug log
    /// ("connection opened" minus "connection closed").
    func openConnections(uid: UInt32) -> Int {
        var open = 0
        for line in log.split(separator: "\n") where line.split(separator: " ").contains("uid=\(uid)") {
            if line.contains("connection opened") { open += 1 }
            if line.contains("connection closed") { open -= 1 }
        }
        return open
    }

    /// How many lines of the daemon's log contain `text`.
    func logLines(containing text: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(text) }.count
    }
}

/// The gid of `name`, creating the group if needed (tests run as root).
func ensureGroup(_ name: String) throws -> UInt32 {
    if let entry = getgrnam(name) { return entry.pointee.gr_gid }
    let result = try run("/usr/sbin/groupadd", ["-f", name])
    guard result.status == 0, let entry = getgrnam(name) else { throw TestSupportError("groupadd \(name): \(result)") }
    return entry.pointee.gr_gid
}
