import Foundation
import Logging

/// Log lines on stderr that journald understands: a "<N>" syslog priority prefix
/// (so `journalctl -p err` works) then "level message key=value...". On a terminal
/// the prefix is left out so the demo reads cleanly.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let withPriority: Bool

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
        self.withPriority = isatty(STDERR_FILENO) == 0
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = withPriority ? "<\(Self.priority(event.level))>" : ""
        line += "\(event.level) \(event.message)"
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            let text = "\(value)"
            line += text.contains(" ") ? " \(key)=\"\(text)\"" : " \(key)=\(text)"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
