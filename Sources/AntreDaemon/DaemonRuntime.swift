import AntreCore
import AntreDevices
import AntreStore
import Foundation
import Logging
import Synchronization

/// How the daemon reaches its devices: the real ones, or a test's fakes.
struct DaemonDevices: Sendable {
    var printer: @Sendable (Dispenser) -> any PrinterTransport
    var buttons: @Sendable (Dispenser) -> (any ButtonSource)?

    static func real(demo: Bool, logger: Logger) -> DaemonDevices {
        DaemonDevices(
            printer: { dispenser in
                DeviceFactory.printer(for: dispenser.printer, logger: logger,
                                      previewEcho: demo ? .standardOutput : nil, previewProfile: dispenser.profile)
            },
            buttons: { DeviceFactory.buttons(for: $0.input, logger: logger) })
    }
}

/// A reload that was refused: the running configuration stays. Each issue
/// reads FILE:LINE: KEY: message (or FILE: KEY: message).
struct ReloadRefused: Error, Sendable, CustomStringConvertible {
    var issues: [String]

    var description: String { issues.joined(separator: "\n") }
}

/// The running daemon core: the store, the officers' desk, one pipeline per
/// dispenser and the button inputs feeding them. It starts them, swaps them on
/// a reload and stops them; none of its async methods blocks a thread.
final class DaemonRuntime: Sendable {
    let options: DaemonOptions
    let desk: QueueDesk
    let running: RunningConfig
    let gate: AccessGate
    private let devices: DaemonDevices
    private let logger: Logger
    private let inputs = Mutex<[String: any ButtonSource]>([:])
    /// Inputs stop (joining their reader threads) and start here, one reload at a time.
    private let reloadWorker = SerialWorker.started(name: "antre.reload")
    /// Held for the process lifetime: one antred per database and socket.
    private let locks: [InstanceLock]

    private init(options: DaemonOptions, desk: QueueDesk, running: RunningConfig, devices: DaemonDevices,
                 logger: Logger, locks: [InstanceLock]) {
        self.options = options
        self.desk = desk
        self.running = running
        self.devices = devices
        self.logger = logger
        self.locks = locks
        self.gate = AccessGate(policy: { [running] in running.policy }, logger: logger)
    }

    static func start(options: DaemonOptions, config loaded: AntreConfig, logger: Logger) async throws -> DaemonRuntime {
        try await start(options: options, config: loaded, logger: logger, clock: .system,
                        devices: .real(demo: options.demo, logger: logger))
    }

    /// `clock` and `devices` are the test seam.
    static func start(options: DaemonOptions, config loaded: AntreConfig, logger: Logger, clock: DaemonClock,
                      devices: DaemonDevices) async throws -> DaemonRuntime {
        var config = loaded
        Daemon.applyOverrides(options, to: &config)
        let database = config.storage.database
        for path in [database, config.socket.path] {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }
        // First of all: a second antred must leave the running one untouched
        // (its socket, its database rows, its printer).
        let locks = try InstanceLock.paths(database: database, socket: config.socket.path).map(InstanceLock.init(path:))
        let store: QueueStore
        do {
            store = try QueueStore(path: database, timeZone: config.office.timeZone)
            try store.verifyWritable()
        } catch let QueueError.storageFailed(reason) {
            throw DaemonError.database(database, "cannot be written (\(reason)); antred must record every press: "
                                       + "check the disk, its mount (read-only?) and the file's permissions")
        } catch {
            throw DaemonError.database(database, "\(error)")
        }
        let carried = try store.applyCarriedOverNumbers(now: clock.now())
        if !carried.isEmpty {
            logger.critical("""
                the database was lost while antred ran; today's numbering continues after the numbers already \
                handed out (tickets waiting before the loss are not in this database)
                """, metadata: ["last": "\(carried.map(\.description).joined(separator: ", "))"])
        }
        let running = RunningConfig(config: config, policy: try AccessPolicy(settings: config.socket))
        let desk = try QueueDesk(store: store, running: running, results: PendingPrintResults(), clock: clock,
                                 logger: logger)
        let runtime = DaemonRuntime(options: options, desk: desk, running: running, devices: devices, logger: logger,
                                    locks: locks)
        let expired = try await runtime.rollover()
        if expired > 0 { logger.notice("expired tickets of earlier days", metadata: ["count": "\(expired)"]) }
        for ticket in try await desk.markInterruptedPrints() {
            logger.warning("antred stopped while this ticket was printing: not confirmed, not reprinted", metadata: [
                "ticket": "\(ticket.number)",
                "hint": "ask the resident, then antre confirm \(ticket.number) or antre reprint \(ticket.number)",
            ])
        }
        let pipelines = config.dispensers.map { runtime.makePipeline(for: $0, replacing: nil) }
        running.update { state in
            for pipeline in pipelines { state.pipelines[pipeline.dispenserID] = pipeline }
        }
        for dispenser in config.dispensers { runtime.startInput(for: dispenser) }
        return runtime
    }

    // MARK: - What the daemon's services use

    var config: AntreConfig { running.config }
    var events: EventHub { desk.events }
    var store: QueueStore { desk.store }
    func now() -> Date { desk.now() }

    /// Expires yesterday's leftovers; at start and at each local midnight.
    func rollover() async throws -> Int { try await desk.rollover() }

    func databaseFileProblem() async -> String? { await desk.databaseFileProblem() }

    func saveNumbersAfterLoss() async -> Result<[String], any Error> { await desk.saveNumbersAfterLoss() }

    /// "printers: lobi ready, loket unknown" for systemd's STATUS= at start.
    func statusLine() -> String {
        let printers = running.pipelines.map { "\($0.dispenserID) \($0.health.readiness.state)" }
        return "printers: " + (printers.isEmpty ? "none" : printers.joined(separator: ", "))
    }

    /// "3 waiting; printers: lobi ready" (reads the queue).
    func fullStatusLine() async throws -> String { try await desk.statusLine() }

    // MARK: - Dispensers

    private func makePipeline(for dispenser: Dispenser, replacing previous: DispenserPipeline?) -> DispenserPipeline {
        let context = DispenserPipeline.Context(store: desk.store, clock: desk.clock, results: desk.results,
                                                sink: desk.pipelineSink, logger: logger,
                                                config: { [running] in running.config })
        return DispenserPipeline(dispenser: dispenser, transport: devices.printer(dispenser), context: context,
                                 replacing: previous)
    }

    private func startInput(for dispenser: Dispenser) {
        if let source = devices.buttons(dispenser) {
            let dispatch = ButtonDispatch(dispenser: dispenser, logger: logger) { [running] serviceID in
                guard let pipeline = running.pipeline(dispenser.id) else { return false }
                pipeline.press(serviceID: serviceID)
                return true
            }
            source.start { key in dispatch.press(key) }
            inputs.withLock { $0[dispenser.id] = source }
        }
        logger.info("dispenser ready", metadata: [
            "dispenser": "\(dispenser.id)", "input": "\(dispenser.input)", "printer": "\(dispenser.printer)",
        ])
    }

    private func stopInput(_ id: String) {
        inputs.withLock { $0.removeValue(forKey: id) }?.stop()
    }

    // MARK: - Reload

    /// Re-reads the config file. On any mistake the running configuration is
    /// kept and the mistakes (file:line:key) are logged and thrown as
    /// `ReloadRefused`. Answers at once: replaced pipelines finish their jobs
    /// on their own threads (a slow printer holds up no reload, status or
    /// the next reload); the queue itself is untouched.
    func reload() async throws {
        let path = options.configPath
        var next: AntreConfig
        do {
            next = try ConfigLoader.load(path: path)
        } catch {
            throw refuse(error.issues.map(\.description))
        }
        Daemon.applyOverrides(options, to: &next)
        let current = running.config
        // These are bound at start: keep them, say so.
        if next.office.timeZone != current.office.timeZone {
            logger.warning("timezone change takes effect after a restart")
            next.office.timeZone = current.office.timeZone
        }
        if next.socket.path != current.socket.path || next.socket.group != current.socket.group {
            logger.warning("socket path/group change takes effect after a restart")
            next.socket.path = current.socket.path
            next.socket.group = current.socket.group
        }
        if next.storage != current.storage {
            logger.warning("database change takes effect after a restart")
            next.storage = current.storage
        }
        let policy: AccessPolicy
        do {
            policy = try AccessPolicy(settings: next.socket)
        } catch {
            throw refuse(["\(path): socket: \(error)"])
        }
        let inUse = try await desk.servicesStillInUse(droppedBy: next)
        if !inUse.isEmpty {
            throw refuse(inUse.map { "\(path): service.\($0.serviceID): \($0)" })
        }
        let applied = next
        // One reload at a time, in order, on the reload thread: the swap, then
        // the inputs (stopping one joins its reader thread).
        let changed = try await reloadWorker.run { [self] in
            let old = running.config
            let previous = running.update { $0.pipelines }
            var replacements: [String: DispenserPipeline] = [:]
            var changed: [String] = []
            for dispenser in applied.dispensers where old.dispensers.first(where: { $0.id == dispenser.id }) != dispenser {
                replacements[dispenser.id] = makePipeline(for: dispenser, replacing: previous[dispenser.id])
                changed.append(dispenser.id)
            }
            let dropped = old.dispensers.map(\.id).filter { id in !applied.dispensers.contains { $0.id == id } }
            changed += dropped
            let removed = running.update { state -> [DispenserPipeline] in
                state.pipelines.merge(replacements) { _, new in new }
                state.config = applied
                state.policy = policy
                return dropped.compactMap { state.pipelines.removeValue(forKey: $0) }
            }
            for pipeline in removed {
                // Finishes its jobs on a thread of its own; nobody waits for it.
                let retiring = Thread { pipeline.stop() }
                retiring.name = "antre.retire.\(pipeline.dispenserID)"
                retiring.start()
            }
            for id in changed {
                stopInput(id)
                if let dispenser = applied.dispensers.first(where: { $0.id == id }) { startInput(for: dispenser) }
            }
            return changed
        }
        desk.events.publish(.reloaded(at: now()))
        logger.notice("configuration reloaded", metadata: [
            "services": "\(applied.services.count)", "dispensers_changed": "\(changed.joined(separator: ","))",
        ])
    }

    private func refuse(_ issues: [String]) -> ReloadRefused {
        for issue in issues { logger.error("reload refused", metadata: ["issue": "\(issue)"]) }
        return ReloadRefused(issues: issues)
    }

    // MARK: - Shutdown

    /// Graceful stop: inputs stop, the tickets being printed finish (bounded by
    /// each printer's timeout + 2 s), pending print results are written and
    /// the database closes. All waits happen on threads of their own.
    func shutdown() async {
        let all = inputs.withLock { inputs in
            defer { inputs = [:] }
            return Array(inputs.values)
        }
        _ = try? await reloadWorker.run { for input in all { input.stop() } }
        reloadWorker.stop()
        let pipelines = running.update { state in
            defer { state.pipelines = [:] }
            return Array(state.pipelines.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for pipeline in pipelines { group.addTask { await pipeline.retire() } }
        }
        await desk.close()
    }
}
