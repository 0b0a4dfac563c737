import Logging

/// How `antred` was asked to run (from its command line).
public struct DaemonOptions: Sendable {
    public var configPath: String
    public var socketPath: String?
    public var databasePath: String?
    /// Demo: keyboard keys as the first dispenser's buttons, every printer a
    /// preview printer that also shows each ticket on standard output.
    public var demo: Bool
    public var demoDirectory: String
    public var logLevel: Logger.Level

    public init(configPath: String, socketPath: String? = nil, databasePath: String? = nil, demo: Bool = false,
                demoDirectory: String = "demo-state", logLevel: Logger.Level = .info) {
        self.configPath = configPath
        self.socketPath = socketPath
        self.databasePath = databasePath
        self.demo = demo
        self.demoDirectory = demoDirectory
        self.logLevel = logLevel
    }
}
