import Foundation

/// Any JSON value. Varlink parameters are JSON objects whose shape the
/// dispatcher only knows once it has read the method name, so calls carry
/// them untyped and decode them into a Codable struct afterwards.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .int(value): try container.encode(value)
        case let .double(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// The object's members, or nil when this is not an object.
    public var objectValue: [String: JSONValue]? {
        if case let .object(members) = self { return members }
        return nil
    }

    /// The string, or nil when this is not a string.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// Parses one JSON text.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try JSONParser.parse(bytes)
    }

    /// Compact JSON with sorted keys (stable bytes for tests and logs).
    public func compactText() -> String {
        Self.render(self, formatting: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Indented JSON with sorted keys: what `antre --json` prints.
    public func prettyText() -> String {
        Self.render(self, formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    private static func render(_ value: JSONValue, formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        // Encoding a JSONValue cannot fail: every case maps to plain JSON
        // (non-finite doubles never come out of the parser).
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Converts any Encodable value (a parameters struct) into a JSONValue.
    public static func from(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes this value into a Codable struct (a reply or parameters struct).
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONValueDecoder.decode(T.self, from: self)
    }
}
