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
import ServiceLifecycle

/// Wires config, store, printers, buttons and the control socket together and
/// runs them as one `ServiceGroup` until SIGTERM/SIGINT (graceful); SIGHUP reloads.
///
/// The concurrency rule of this module: async code never blocks (no
/// semaphores, condition waits or joins on the cooperative pool). Blocking
/// device and database I/O lives on dedicated threads (one per dispenser, one
/// for the queue) and is bridged to async code once, with a continuation.
/// Nothing calls out (continuations, callbacks, logging) while holding a lock.
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
        let config = runtime.config
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let group = ServiceGroup(configuration: serviceGroupConfiguration(
            runtime: runtime, config: config, options: options, notifier: notifier, eventLoops: eventLoops,
            logger: logger))
        var status: Int32 = 0
        do {
            try await group.run()
        } catch {
            // The service that failed has logged why (database lost, socket failed).
            logger.critical("stopping after a failure", metadata: ["error": "\(error)"])
            status = 1
        }
        try? await eventLoops.shutdownGracefully()
        logger.notice("stopped")
        return status
    }

    /// The services, in start order; a graceful stop runs in reverse: the
    /// socket first (calls in flight answered), the queue last (prints finish,
    /// the database closes).
    static func serviceGroupConfiguration(runtime: DaemonRuntime, config: AntreConfig, options: DaemonOptions,
                                          notifier: SystemdNotifier, eventLoops: MultiThreadedEventLoopGroup,
                                          logger: Logger) -> ServiceGroupConfiguration {
        typealias Entry = ServiceGroupConfiguration.ServiceConfiguration
        let dispatcher = VarlinkDispatcher(info: .antre, handler: QueueService(controller: runtime.controller,
                                                                               reload: { try await runtime.reload() }))
        let server = ControlServer(path: config.socket.path, dispatcher: dispatcher,
                                   limits: ControlServerLimits(config.socket), group: eventLoops, logger: logger,
                                   accessPolicy: { runtime.controller.accessPolicy })
        let longestPrint: @Sendable () -> Duration = {
            (runtime.config.dispensers.map(\.printTimeout).max() ?? .zero) + .seconds(2)
        }
        var services: [Entry] = [
            Entry(service: QueueCoreService(runtime: runtime), successTerminationBehavior: .gracefullyShutdownGroup,
                  serviceName: "queue"),
            Entry(service: DayRolloverService(runtime: runtime, logger: logger),
                  successTerminationBehavior: .ignore, serviceName: "day-rollover"),
            Entry(service: DatabaseWatchService(runtime: runtime, logger: logger),
                  successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup,
                  serviceName: "database-watch"),
            Entry(service: SystemdKeepAliveService(notifier: notifier, runtime: runtime, eventLoop: eventLoops.next(),
                                                   logger: logger),
                  successTerminationBehavior: .ignore, serviceName: "systemd-keepalive"),
        ]
        if config.metrics.isEnabled {
            let metrics = MetricsServer(settings: config.metrics, controller: runtime.controller, group: eventLoops,
                                        logger: logger)
            services.append(Entry(service: MetricsService(server: metrics, logger: logger),
                                  successTerminationBehavior: .ignore, serviceName: "metrics"))
        }
        services.append(Entry(service: ReloadOnHangupService(runtime: runtime, notifier: notifier),
                              successTerminationBehavior: .ignore, serviceName: "reload-on-sighup"))
        services.append(Entry(
            service: ControlSocketService(
                server: server, socketGroup: config.socket.group, grace: longestPrint, notifier: notifier,
                logger: logger,
                onListening: {
                    // The socket answers and the database is open: ready.
                    try? notifier.ready(status: runtime.statusLine())
                    if options.demo {
                        FileHandle.standardError.write(Data(Self.demoBanner(config: config).utf8))
                    }
                },
                endStreams: { runtime.endMonitorStreams() }),
            successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup,
            serviceName: "control-socket"))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past this the group cancels what is left: prints have their own timeouts.
        configuration.maximumGracefulShutdownDuration = longestPrint() + .seconds(8)
        return configuration
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
