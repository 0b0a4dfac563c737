import Foundation

/// One Server-Sent Events message: `event: NAME`, `data: JSON`, blank line.
public struct ServerSentEvent: Sendable, Equatable {
    public var name: String
    public var data: String

    public init(name: String, data: String) {
        self.name = name
        self.data = data
    }

    public init(name: String, json value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        self.init(name: name, data: data)
    }

    /// The wire text; data lines never contain a raw newline (JSON escapes them).
    public var text: String {
        "event: \(name)\n" + data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined() + "\n"
    }

    /// A comment line: keeps idle connections open and finds dead ones.
    public static let keepAlive = ": ping\n\n"
}
