import AntreCore
import AntreDaemon
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging

@main
struct Antred: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "antred",
        abstract: "Antre queue-ticket daemon: buttons in, tickets out, officers call over a Varlink socket.",
        discussion: """
            Check a config before restarting the service:
              antred --check-config --config /etc/antre/antre.toml
            Exit status: 0 ok, 1 config or start-up error.
            """)

    @Option(name: .long, help: "Config file (TOML).")
    var config: String = "/etc/antre/antre.toml"

    @Flag(name: .long, help: "Validate the config, print a summary, and exit.")
    var checkConfig = false

    @Option(name: .long, help: "Control socket path (overrides [socket].path).")
    var socket: String?

    @Option(name: .long, help: "Queue database path (overrides [storage].database).")
    var database: String?

    @Flag(name: .long, help: "Demo: keyboard keys are the buttons, tickets go to a preview printer shown on screen.")
    var demo = false

    @Option(name: .long, help: "Where the demo keeps its database and previews.")
    var demoDir: String = "demo-state"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    mutating func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level) }

        let loaded: AntreConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            FileHandle.standardError.write(Data("antred: \(error.issues.count) problem(s) in \(config)\n".utf8))
            throw ExitCode(1)
        }
        if checkConfig {
            print("OK: \(config)")
            print(ConfigLoader.summary(of: loaded))
            // Accepted, but the daemon would not start yet (missing groups): say how to fix it.
            let warnings = ConfigLoader.warnings(for: loaded, path: config) { getgrnam($0) != nil }
            for warning in warnings { FileHandle.standardError.write(Data((warning.description + "\n").utf8)) }
            return
        }
        let options = DaemonOptions(configPath: config, socketPath: socket, databasePath: database,
                                    demo: demo, demoDirectory: demoDir, logLevel: level)
        let status = await Daemon.run(options: options, config: loaded)
        if status != 0 { throw ExitCode(status) }
    }
}
