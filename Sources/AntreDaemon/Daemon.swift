import AntreCore
import AntreDevices
import AntreStore
import AntreSystemd
import AntreWire
import Dispatch
import ESCPOS
import Foundation
import Logging
import NIOCore
import NIOPosix

/// Wires config, store, printers, buttons and the control socket together and
/// runs until SIGTERM/SIGINT; SIGHUP reloads the configuration.
public enum Daemon {
    /// Returns the process exit status.
    public static func run(options: DaemonOptions, config loaded: AntreConfig) async -> Int32 {
        var baseLogger = Logger(label: "antred")
        baseLogger.logLevel = options.logLevel
        let logger = baseLogger
        let notifier = SystemdNotifier()
        if let error = notifier.configurationError {
            logger.warning("NOTIFY_SOCKET is unusable; not talking to systemd", metadata: ["error": "\(error)"])
        }
        let runtime: DaemonRuntime
        do {
            runtime = try await DaemonRuntime.start(options: options, config: loaded, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            return 1
        }
        let config = runtime.controller.config
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dispatcher = VarlinkDispatcher(info: .antre, handler: QueueService(controller: runtime.controller,
                                                                               reload: { try await runtime.reload() }))
        let server = ControlServer(path: config.socket.path, dispatcher: dispatcher,
                                   limits: ControlServerLimits(config.socket), group: group, logger: logger,
                                   accessPolicy: { runtime.controller.accessPolicy })
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP])

        let status: Int32 = await withTaskGroup(of: Int32?.self) { tasks in
            tasks.addTask {
                do {
                    try await server.run(socketGroup: config.socket.group) {
                        // The socket answers and the database is open: ready.
                        try? notifier.ready(status: runtime.statusLine())
                        if options.demo {
                            FileHandle.standardError.write(Data(Self.demoBanner(config: config).utf8))
                        }
                    }
                    return nil
                } catch is CancellationError {
                    return nil
                } catch {
                    logger.critical("control socket failed", metadata: ["error": "\(error)"])
                    return 1
                }
            }
            tasks.addTask {
                await watchDayRollover(controller: runtime.controller, logger: logger)
                return nil
            }
            if config.metrics.isEnabled {
                let metrics = MetricsServer(settings: config.metrics, controller: runtime.controller, group: group,
                                            logger: logger)
                tasks.addTask {
                    do {
                        try await metrics.run()
                    } catch is CancellationError {
                    } catch {
                        // Monitoring is optional: the queue keeps working without it.
                        logger.error("metrics endpoint failed; the queue keeps running",
                                     metadata: ["error": "\(error)"])
                    }
                    return nil
                }
            }
            tasks.addTask {
                await watchDatabaseFile(controller: runtime.controller, logger: logger) ? 1 : nil
            }
            tasks.addTask {
                await keepSystemdInformed(notifier: notifier, runtime: runtime, eventLoop: group.next(), logger: logger)
                return nil
            }
            tasks.addTask {
                while true {
                    let signal = await signals.next()
                    if signal == SIGHUP {
                        try? notifier.reloading()
                        do {
                            try await runtime.reload()
                        } catch {
                            // Logged by reload; the old configuration stays.
                        }
                        try? notifier.ready(status: runtime.statusLine())
                        continue
                    }
                    logger.notice("stopping", metadata: ["signal": "\(signal)"])
                    try? notifier.stopping()
                    return 0
                }
            }
            var result: Int32 = 0
            for await value in tasks {
                if let value {
                    result = value
                    break
                }
            }
            // Stop accepting, answer what is in flight (a ticket being printed
            // gets its reply), end Monitor streams, close connections; only
            // then cancel the rest and stop the queue.
            let longestPrint = runtime.controller.config.dispensers.map(\.printTimeout).max() ?? .zero
            await server.shutdown(grace: longestPrint + .seconds(2)) { runtime.controller.events.finishAll() }
            tasks.cancelAll()
            return result
        }

        runtime.stop()
        try? await group.shutdownGracefully()
        logger.notice("stopped")
        return status
    }

    /// WATCHDOG=1 only after a round trip through the socket's event loop and
    /// the queue worker, so a wedged daemon stops pinging and systemd restarts
    /// it; STATUS= tells `systemctl status` how the office is doing.
    static func keepSystemdInformed(notifier: SystemdNotifier, runtime: DaemonRuntime, eventLoop: any EventLoop,
                                    logger: Logger) async {
        guard notifier.isEnabled else { return }
        let interval = notifier.watchdogInterval ?? .seconds(10)
        var lastStatus = ""
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            do {
                try await eventLoop.submit {}.get()
                let line = try await runtime.controller.statusLine()
                if notifier.watchdogInterval != nil { try? notifier.watchdog() }
                if line != lastStatus {
                    try? notifier.status(line)
                    lastStatus = line
                }
            } catch {
                logger.error("health check failed; not pinging the watchdog", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Every second: does the database path still name the file antred has
    /// open? Deleted or replaced, every later commit would be lost (and a
    /// restart would hand out today's numbers again), so antred stops with a
    /// non-zero status (systemd restarts it), leaving today's last numbers for
    /// the next start. Commits check the same before writing. True when lost.
    static func watchDatabaseFile(controller: QueueController, logger: Logger) async -> Bool {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled, let problem = await controller.databaseFileProblem() else { continue }
            logger.critical("database lost; stopping so that no press is recorded where nobody reads it", metadata: [
                "reason": "\(problem)", "database": "\(controller.store.path)",
            ])
            switch await controller.saveNumbersAfterLoss() {
            case let .success(paths):
                logger.critical("today's last numbers saved; the next start continues after them", metadata: [
                    "files": "\(paths.joined(separator: ", "))",
                ])
            case let .failure(error):
                logger.critical("cannot save today's last numbers: a restart may hand out today's numbers again",
                                metadata: ["error": "\(error)"])
            }
            return true
        }
        return false
    }

    /// Checks for a new local day every second rather than sleeping until
    /// midnight, so clock corrections (NTP on a Raspberry Pi without RTC) are safe.
    static func watchDayRollover(controller: QueueController, logger: Logger) async {
        var today = LocalDay(containing: controller.now(), in: controller.config.office.timeZone)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let day = LocalDay(containing: controller.now(), in: controller.config.office.timeZone)
            guard day != today else { continue }
            do {
                let expired = try await controller.rollover()
                logger.notice("new day", metadata: ["day": "\(day)", "expired": "\(expired)"])
                today = day
            } catch {
                logger.error("day rollover failed; retrying", metadata: ["error": "\(error)"])
            }
        }
    }

    static func applyOverrides(_ options: DaemonOptions, to config: inout AntreConfig) {
        if options.demo {
            let base = (options.demoDirectory as NSString).standardizingPath
            config.storage.database = base + "/antre.db"
            // The demo runs without the installed users and groups.
            config.socket.group = nil
            config.socket.officerGroup = nil
            config.socket.adminGroup = nil
            for index in config.dispensers.indices {
                config.dispensers[index].input = index == 0 ? .keyboard : .none
                config.dispensers[index].printer = .preview(directory: base + "/preview-" + config.dispensers[index].id)
            }
        }
        if let socket = options.socketPath { config.socket.path = socket }
        if let database = options.databasePath { config.storage.database = database }
    }

    static func demoBanner(config: AntreConfig) -> String {
        var lines = ["", "Antre demo: \(config.office.name)", "Press a key to take a ticket:"]
        if let dispenser = config.dispensers.first {
            for key in dispenser.buttons.keys.sorted() {
                let service = dispenser.buttons[key].flatMap { config.service($0)?.name } ?? "?"
                lines.append("  [\(key)] \(service)")
            }
        }
        lines.append("Officers, from another terminal: .build/debug/antre call --counter 1 | .build/debug/antre status")
        lines.append("Tickets are saved under \(config.dispensers.first.map { "\($0.printer)" } ?? "-"). Ctrl-C stops.")
        return lines.joined(separator: "\n") + "\n\n"
    }
}

/// The running parts that a reload may replace: the controller (queue,
/// spoolers) and the button inputs.
final class DaemonRuntime: @unchecked Sendable {
    let options: DaemonOptions
    let controller: QueueController
    private let logger: Logger
    private let lock = NSLock()
    private var inputs: [String: any ButtonSource] = [:]
    private let reloadWorker = SerialWorker(name: "antre.reload")
    /// Held for the process lifetime: one antred per database and socket.
    private let locks: [InstanceLock]

    private init(options: DaemonOptions, controller: QueueController, logger: Logger, locks: [InstanceLock]) {
        self.options = options
        self.controller = controller
        self.logger = logger
        self.locks = locks
    }

    static func start(options: DaemonOptions, config loaded: AntreConfig, logger: Logger) async throws -> DaemonRuntime {
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
        let carried = try store.applyCarriedOverNumbers(now: Date())
        if !carried.isEmpty {
            logger.critical("""
                the database was lost while antred ran; today's numbering continues after the numbers already \
                handed out (tickets waiting before the loss are not in this database)
                """, metadata: ["last": "\(carried.map(\.description).joined(separator: ", "))"])
        }
        let controller = try QueueController(config: config, store: store, logger: logger)
        let expired = try await controller.rollover()
        if expired > 0 { logger.notice("expired tickets of earlier days", metadata: ["count": "\(expired)"]) }
        for ticket in try await controller.markInterruptedPrints() {
            logger.warning("antred stopped while this ticket was printing: not confirmed, not reprinted", metadata: [
                "ticket": "\(ticket.number)",
                "hint": "ask the resident, then antre confirm \(ticket.number) or antre reprint \(ticket.number)",
            ])
        }
        let runtime = DaemonRuntime(options: options, controller: controller, logger: logger, locks: locks)
        for dispenser in config.dispensers {
            controller.addPrinter(for: dispenser, transport: runtime.transport(for: dispenser))
            runtime.startInput(for: dispenser)
        }
        return runtime
    }

    func statusLine() -> String {
        let printers = controller.allSpoolers.map { "\($0.dispenserID) \($0.health.readiness.state)" }
        return "printers: " + (printers.isEmpty ? "none" : printers.joined(separator: ", "))
    }

    func transport(for dispenser: Dispenser) -> any PrinterTransport {
        DeviceFactory.printer(for: dispenser.printer, logger: logger, previewEcho: options.demo ? .standardOutput : nil,
                              previewProfile: dispenser.profile)
    }

    private func startInput(for dispenser: Dispenser) {
        if let source = DeviceFactory.buttons(for: dispenser.input, logger: logger) {
            let dispatch = ButtonDispatch(dispenser: dispenser, controller: controller, logger: logger)
            source.start { key in dispatch.press(key) }
            lock.withLock { inputs[dispenser.id] = source }
        }
        logger.info("dispenser ready", metadata: [
            "dispenser": "\(dispenser.id)", "input": "\(dispenser.input)", "printer": "\(dispenser.printer)",
        ])
    }

    private func stopInput(_ id: String) {
        lock.withLock { inputs.removeValue(forKey: id) }?.stop()
    }

    /// Re-reads the config file. On any mistake the running configuration is
    /// kept and the mistakes (file:line:key) are logged and returned to the caller.
    func reload() async throws {
        let path = options.configPath
        var next: AntreConfig
        do {
            next = try ConfigLoader.load(path: path)
        } catch {
            for issue in error.issues { logger.error("reload refused", metadata: ["issue": "\(issue)"]) }
            throw VarlinkErrors.configInvalid(error.issues.map(\.description))
        }
        Daemon.applyOverrides(options, to: &next)
        let current = controller.config
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
            logger.error("reload refused", metadata: ["error": "\(error)"])
            throw VarlinkErrors.configInvalid(["\(path): socket: \(error)"])
        }
        let inUse = try await controller.servicesStillInUse(droppedBy: next)
        if !inUse.isEmpty {
            let issues = inUse.map { "\(path): service.\($0.serviceID): \($0)" }
            for issue in issues { logger.error("reload refused", metadata: ["issue": "\(issue)"]) }
            throw VarlinkErrors.configInvalid(issues)
        }
        let applied = next
        // Stopping inputs joins their threads: keep that off the async executor.
        // One reload at a time, in order, on the reload thread.
        let changed: [String] = try await reloadWorker.run { [self] in
            let changed = controller.apply(applied, policy: policy) { transport(for: $0) }
            for id in changed {
                stopInput(id)
                if let dispenser = applied.dispensers.first(where: { $0.id == id }) { startInput(for: dispenser) }
            }
            return changed
        }
        controller.events.publish(.reloaded(at: controller.now()))
        logger.notice("configuration reloaded", metadata: [
            "services": "\(applied.services.count)", "dispensers_changed": "\(changed.joined(separator: ","))",
        ])
    }

    func stop() {
        let all = lock.withLock { inputs.values }
        for input in all { input.stop() }
        reloadWorker.stop()
        controller.shutdown()
    }
}

/// Delivers process signals to async code.
final class SignalWatcher: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private var sources: [any DispatchSourceSignal] = []

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
    }

    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
