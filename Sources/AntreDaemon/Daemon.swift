import AntreCore
import AntreDevices
import AntreStore
import AntreWire
import ESCPOS
import Dispatch
import Foundation
import Logging
import NIOPosix

/// Wires config, store, printers, buttons and the control socket together and
/// runs until SIGTERM/SIGINT.
public enum Daemon {
    /// Returns the process exit status.
    public static func run(options: DaemonOptions, config loaded: AntreConfig) async -> Int32 {
        var baseLogger = Logger(label: "antred")
        baseLogger.logLevel = options.logLevel
        let logger = baseLogger
        var overridden = loaded
        applyOverrides(options, to: &overridden)
        let config = overridden

        let store: QueueStore
        do {
            let directory = (config.storage.database as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            store = try QueueStore(path: config.storage.database, timeZone: config.office.timeZone)
        } catch {
            logger.critical("cannot open the queue database", metadata: ["database": "\(config.storage.database)", "error": "\(error)"])
            return 1
        }

        let controller: QueueController
        do {
            controller = try QueueController(config: config, store: store, logger: logger)
            let expired = try await controller.rollover()
            if expired > 0 { logger.notice("expired tickets of earlier days", metadata: ["count": "\(expired)"]) }
        } catch {
            logger.critical("cannot start the queue", metadata: ["error": "\(error)"])
            return 1
        }

        var inputs: [any ButtonSource] = []
        for dispenser in config.dispensers {
            let transport: any PrinterTransport
            if options.demo, case let .preview(directory) = dispenser.printer {
                let columns = dispenser.profile.columns
                transport = PreviewPrinter(directory: directory, echo: .standardOutput,
                                           render: { ESCPOSTextRenderer.render($0, columns: columns) }, logger: logger)
            } else {
                transport = DeviceFactory.printer(for: dispenser.printer, logger: logger)
            }
            controller.attach(Spooler(dispenser: dispenser, transport: transport, logger: logger))
            if let source = DeviceFactory.buttons(for: dispenser.input, logger: logger) {
                let dispatch = ButtonDispatch(dispenser: dispenser, controller: controller, logger: logger)
                source.start { key in dispatch.press(key) }
                inputs.append(source)
            }
            logger.info("dispenser ready", metadata: [
                "dispenser": "\(dispenser.id)", "input": "\(dispenser.input)", "printer": "\(dispenser.printer)",
            ])
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dispatcher = VarlinkDispatcher(info: .antre, handler: QueueService(controller: controller))
        let server = ControlServer(path: config.socket.path, dispatcher: dispatcher, group: group, logger: logger)
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT])

        let status: Int32 = await withTaskGroup(of: Int32?.self) { tasks in
            tasks.addTask {
                do {
                    try await server.run(socketGroup: config.socket.group) {
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
                await watchDayRollover(controller: controller, logger: logger)
                return nil
            }
            tasks.addTask {
                let signal = await signals.next()
                logger.notice("stopping", metadata: ["signal": "\(signal)"])
                return 0
            }
            var result: Int32 = 0
            for await value in tasks {
                if let value {
                    result = value
                    break
                }
            }
            tasks.cancelAll()
            server.close()
            return result
        }

        for input in inputs { input.stop() }
        controller.shutdown()
        try? await group.shutdownGracefully()
        return status
    }

    /// Checks for a new local day every few seconds rather than sleeping until
    /// midnight, so clock corrections (NTP on a Raspberry Pi without RTC) are safe.
    static func watchDayRollover(controller: QueueController, logger: Logger) async {
        let zone = controller.config.office.timeZone
        var today = LocalDay(containing: controller.now(), in: zone)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(5))
            let day = LocalDay(containing: controller.now(), in: zone)
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
        lines.append("Officers, from another terminal: antre call --counter 1 | antre status")
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
