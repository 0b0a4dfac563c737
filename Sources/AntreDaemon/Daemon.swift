import AntreCore
import AntreDevices
import AntrePosix
import AntreStore
import AntreSystemd
import AntreWire
import CLinuxShims
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
        let dispatcher = VarlinkDispatcher(
            info: .antre,
            handler: QueueService(desk: runtime.desk, gate: runtime.gate, reload: { try await runtime.reload() }),
            onInternalError: { method, error in
                // The client read one line; the journal gets the whole error.
                logger.error("request failed unexpectedly", metadata: ["method": "\(method)", "error": "\(error)"])
            })
        let server = ControlServer(path: config.socket.path, dispatcher: dispatcher,
                                   limits: ControlServerLimits(config.socket), group: eventLoops, logger: logger,
                                   accessPolicy: { runtime.running.policy })
        let longestPrint: @Sendable () -> Duration = {
            (runtime.config.dispensers.map(\.printTimeout).max() ?? .zero) + .seconds(2)
        }
        var services: [Entry] = [
            Entry(service: QueueCoreService(runtime: runtime), successTerminationBehavior: .gracefullyShutdownGroup,
                  serviceName: "queue"),
            Entry(service: DayRolloverService(runtime: runtime, logger: logger),
                  successTerminationBehavior: .ignore, serviceName: "day-rollover"),
            Entry(service: DatabaseWatchService(runtime: runtime, eventLoop: eventLoops.next(), logger: logger),
                  successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup,
                  serviceName: "database-watch"),
            Entry(service: SystemdKeepAliveService(notifier: notifier, runtime: runtime, eventLoop: eventLoops.next(),
                                                   logger: logger),
                  successTerminationBehavior: .ignore, serviceName: "systemd-keepalive"),
        ]
        if config.metrics.isEnabled {
            let metrics = MetricsServer(settings: config.metrics, desk: runtime.desk, group: eventLoops,
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
                    // Start-up code and tables an idle daemon does not use go back to the page
                    // cache, and start-up's freed allocations (config, migrations) to the kernel.
                    // On a thread of its own: reading /proc/self/smaps blocks (tens of ms).
                    let release = Thread {
                        let released = StartupPages.release()
                        antre_trim_heap()
                        logger.debug("start-up pages released", metadata: ["bytes": "\(released)"])
                    }
                    release.name = "antre.startup-pages"
                    release.start()
                    if options.demo {
                        FileHandle.standardError.write(Data(Self.demoBanner(config: config).utf8))
                    }
                },
                endStreams: { runtime.events.finishAll() }),
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
