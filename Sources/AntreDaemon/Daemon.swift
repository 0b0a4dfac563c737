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
        let config = runtime.config
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dispatcher = VarlinkDispatcher(info: .antre, handler: QueueService(desk: runtime.desk, gate: runtime.gate,
                                                                               reload: { try await runtime.reload() }))
        let server = ControlServer(path: config.socket.path, dispatcher: dispatcher,
                                   limits: ControlServerLimits(config.socket), group: group, logger: logger,
                                   accessPolicy: { runtime.running.policy })
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
                await watchDayRollover(runtime: runtime, logger: logger)
                return nil
            }
            if config.metrics.isEnabled {
                let metrics = MetricsServer(settings: config.metrics, desk: runtime.desk, group: group,
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
                await watchDatabaseFile(runtime: runtime, logger: logger) ? 1 : nil
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
            let longestPrint = runtime.config.dispensers.map(\.printTimeout).max() ?? .zero
            await server.shutdown(grace: longestPrint + .seconds(2)) { runtime.events.finishAll() }
            tasks.cancelAll()
            return result
        }

        await runtime.shutdown()
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
                let line = try await runtime.fullStatusLine()
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
    static func watchDatabaseFile(runtime: DaemonRuntime, logger: Logger) async -> Bool {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled, let problem = await runtime.databaseFileProblem() else { continue }
            logger.critical("database lost; stopping so that no press is recorded where nobody reads it", metadata: [
                "reason": "\(problem)", "database": "\(runtime.store.path)",
            ])
            switch await runtime.saveNumbersAfterLoss() {
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
    static func watchDayRollover(runtime: DaemonRuntime, logger: Logger) async {
        var today = LocalDay(containing: runtime.now(), in: runtime.config.office.timeZone)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let day = LocalDay(containing: runtime.now(), in: runtime.config.office.timeZone)
            guard day != today else { continue }
            do {
                let expired = try await runtime.rollover()
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
