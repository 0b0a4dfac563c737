import Foundation

/// One mistake in a config file, located for the technician.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// Dotted key path: "service[2].prefix", "dispenser[0].buttons.3".
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// "antre.toml:42: service[2].prefix: must be one capital letter"
    public var description: String { "\(file):\(line): \(key): \(message)" }
}

public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public init(issues: [ConfigIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

public enum ConfigLoader {
    /// Reads and validates a config file; throws `ConfigError` listing every issue.
    public static func load(path: String) throws(ConfigError) -> AntreConfig {
        fatalError("ConfigLoader.load: not yet implemented")
    }

    /// Parses TOML text; `file` is only used in messages.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> AntreConfig {
        fatalError("ConfigLoader.parse: not yet implemented")
    }

    /// The human summary `antred --check-config` prints after "OK".
    public static func summary(of config: AntreConfig) -> String {
        fatalError("ConfigLoader.summary: not yet implemented")
    }
}
