@testable import AntreDaemon
import AntreCore
import AntreDevices
import AntreStore
import Foundation
import Logging
import Synchronization

/// A wall clock that moves only when the test says so.
final class ManualClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date) { time = Mutex(start) }

    var now: Date { time.withLock { $0 } }
    func advance(seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var daemonClock: DaemonClock { DaemonClock(now: { [self] in now }) }
}

/// A printer in memory. `present` false: it cannot be opened (unplugged,
/// switched off); `paperOut`: it answers status with paper out (where it
/// answers status at all).
final class FakePrinter: PrinterTransport, Sendable {
    struct State {
        var present = true
        var paperOut = false
        /// Status answers fine, writes fail (a jammed or half-broken link).
        var writesFail = false
        var jobs: [[UInt8]] = []
        var closes = 0
    }

    let connection: PrinterConnection
    let answersStatus: Bool
    private let state = Mutex(State())

    init(connection: PrinterConnection, answersStatus: Bool) {
        self.connection = connection
        self.answersStatus = answersStatus
    }

    var present: Bool {
        get { state.withLock { $0.present } }
        set { state.withLock { $0.present = newValue } }
    }

    var paperOut: Bool {
        get { state.withLock { $0.paperOut } }
        set { state.withLock { $0.paperOut = newValue } }
    }

    var writesFail: Bool {
        get { state.withLock { $0.writesFail } }
        set { state.withLock { $0.writesFail = newValue } }
    }

    var jobs: [[UInt8]] { state.withLock { $0.jobs } }
    var closes: Int { state.withLock { $0.closes } }

    /// Jobs whose bytes contain `text` (the ticket number is printed as text).
    func jobs(containing text: String) -> Int {
        let needle = Array(text.utf8)
        return jobs.filter { job in
            guard job.count >= needle.count else { return false }
            return (0...(job.count - needle.count)).contains { Array(job[$0..<($0 + needle.count)]) == needle }
        }.count
    }

    func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        let (present, fails) = state.withLock { state -> (Bool, Bool) in
            if state.present && !state.writesFail { state.jobs.append(job) }
            return (state.present, state.writesFail)
        }
        if !present { throw .unreachable(connection: connection.description, reason: "No such device") }
        if fails { throw .writeFailed(connection: connection.description, sentBytes: 0, reason: "Input/output error") }
    }

    func queryStatus(timeout: Duration) -> PrinterStatusReading {
        let (present, paperOut) = state.withLock { ($0.present, $0.paperOut) }
        guard present else { return .unreachable("No such device") }
        guard answersStatus else { return .unknown }
        return .reply([0x12, 0x12, 0x12, paperOut ? 0x72 : 0x12])
    }

    func close() { state.withLock { $0.closes += 1 } }
}

/// A button box whose presses the test makes.
final class FakeButtons: ButtonSource, Sendable {
    let input: InputSpec
    private let handler = Mutex<(@Sendable (String) -> Void)?>(nil)

    init(input: InputSpec) { self.input = input }

    func start(onPress: @escaping @Sendable (String) -> Void) { handler.withLock { $0 = onPress } }
    func stop() { handler.withLock { $0 = nil } }

    /// True when a started source delivered it.
    @discardableResult
    func press(_ key: String) -> Bool {
        guard let onPress = handler.withLock({ $0 }) else { return false }
        onPress(key)
        return true
    }
}

/// The daemon core (runtime, pipelines, desk) on a real SQLite file in a
/// temporary directory, with fake printers and buttons and a manual clock.
final class DaemonCore: Sendable {
    let directory: String
    let configPath: String
    let clock: ManualClock
    let runtime: DaemonRuntime
    /// Every printer made (by connection, newest last) and each dispenser's current buttons.
    private final class MadeDevices: Sendable {
        let printers = Mutex<[String: [FakePrinter]]>([:])
        let buttons = Mutex<[String: FakeButtons]>([:])
    }

    private let made = MadeDevices()
    let monitor: EventHub.Subscription

    /// 2026-11-30 09:00 in Jakarta.
    static let morning = Date(timeIntervalSince1970: 1_796_004_000)

    /// `dispensers`: TOML of the `[[dispenser]]` tables (see `dispenser(...)`).
    /// `absent`: connection strings whose printers are unplugged at start.
    init(dispensers: [String], absent: Set<String> = [], start: Date = DaemonCore.morning) async throws {
        directory = NSTemporaryDirectory() + "antre-core-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/antre.toml"
        clock = ManualClock(start)
        try Self.config(directory: directory, dispensers: dispensers).write(toFile: configPath, atomically: true,
                                                                            encoding: .utf8)
        let config = try ConfigLoader.load(path: configPath)
        let made = self.made
        let devices = DaemonDevices(
            printer: { dispenser in
                let printer: FakePrinter
                switch dispenser.printer {
                case .file, .preview: printer = FakePrinter(connection: dispenser.printer, answersStatus: false)
                default: printer = FakePrinter(connection: dispenser.printer, answersStatus: true)
                }
                printer.present = !absent.map(Self.key).contains(dispenser.printer.description)
                made.printers.withLock { $0[dispenser.printer.description, default: []].append(printer) }
                return printer
            },
            buttons: { dispenser in
                let source = FakeButtons(input: dispenser.input)
                made.buttons.withLock { $0[dispenser.id] = source }
                return source
            })
        var logger = Logger(label: "antre.test", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        runtime = try await DaemonRuntime.start(options: DaemonOptions(configPath: configPath), config: config,
                                                logger: logger, clock: clock.daemonClock, devices: devices)
        monitor = runtime.events.subscribe()
        // The pipelines' first job (the printer's state) is done.
        await settle()
    }

    static func dispenser(id: String, printer: String, extra: [String] = []) -> String {
        let input = "serial:/dev/ttyFAKE-\(id)?baud=9600&framing=byte"
        return ([
            "[[dispenser]]", "id = \"\(id)\"", "input = \"\(input)\"", "printer = \"\(printer)\"", "cooldown_ms = 0",
            "status_poll_ms = 1000", "auto_reprint_window_s = 60",
        ] + extra + ["[dispenser.buttons]", "\"1\" = \"ktp\"", "\"2\" = \"kk\"", ""]).joined(separator: "\n")
    }

    static func config(directory: String, dispensers: [String], services: [String] = ["ktp", "kk"]) -> String {
        var lines = ["[office]", "name = \"Kantor Desa Uji\"", "timezone = \"Asia/Jakarta\"", "",
                     "[socket]", "path = \"\(directory)/antred.sock\"", "",
                     "[storage]", "database = \"\(directory)/antre.db\"", ""]
        for (index, id) in services.enumerated() {
            let prefix = ["A", "B", "C"][index]
            lines += ["[[service]]", "id = \"\(id)\"", "name = \"Layanan \(id)\"", "prefix = \"\(prefix)\"", ""]
        }
        lines += ["[[counter]]", "id = \"1\"", "name = \"Loket 1\"", "services = [\"ktp\", \"kk\"]", ""]
        return lines.joined(separator: "\n") + "\n" + dispensers.joined(separator: "\n") + "\n"
    }

    /// Writes a new config file (for a reload).
    func rewrite(dispensers: [String], services: [String] = ["ktp", "kk"]) throws {
        try Self.config(directory: directory, dispensers: dispensers, services: services)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Printers are filed under their connection's canonical text.
    static func key(_ connection: String) -> String {
        (try? PrinterConnection(parsing: connection))?.description ?? connection
    }

    func printer(_ connection: String) -> FakePrinter? { made.printers.withLock { $0[Self.key(connection)]?.last } }
    func buttons(_ dispenserID: String) -> FakeButtons? { made.buttons.withLock { $0[dispenserID] } }

    /// A button press, then waits until the dispenser's pipeline has handled it.
    func press(_ dispenserID: String, key: String = "1") async {
        buttons(dispenserID)?.press(key)
        await runtime.running.pipeline(dispenserID)?.runTimers()
    }

    /// Lets every pipeline finish what it was given and fire what is due now.
    func settle() async {
        for pipeline in runtime.running.pipelines { await pipeline.runTimers() }
    }

    /// Moves the clock and fires the timers that came due.
    func advance(seconds: TimeInterval) async {
        clock.advance(seconds: seconds)
        await settle()
    }

    var tickets: [Ticket] {
        get throws { try runtime.store.tickets(day: runtime.store.day(of: clock.now)) }
    }

    func missedPresses() throws -> [String: Int] { try runtime.store.missedPressCounts(now: clock.now) }

    var commits: Int { runtime.store.commitCount }

    func health(_ dispenserID: String) -> PrinterHealth? { runtime.running.pipeline(dispenserID)?.health }

    /// Stops the core and returns what monitors were told.
    func shutdown() async -> [MonitorItem] {
        await runtime.shutdown()
        var items: [MonitorItem] = []
        while let event = await monitor.next() { items.append(event.item) }
        try? FileManager.default.removeItem(atPath: directory)
        return items
    }
}
