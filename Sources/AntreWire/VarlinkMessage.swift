import Foundation

/// Why bytes received by a server are not a Varlink call.
public enum VarlinkCallError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidJSON
    case notAnObject
    case missingMethod
    case methodNotString
    /// "Foo": a method name must be qualified by its interface ("io.antre.Queue.Foo").
    case methodWithoutInterface(String)
    /// "parameters", "more", "oneway" or "upgrade" has the wrong JSON type.
    case invalidField(String)

    public var description: String {
        switch self {
        case .invalidJSON: "message is not valid JSON"
        case .notAnObject: "message is not a JSON object"
        case .missingMethod: "call has no \"method\""
        case .methodNotString: "\"method\" is not a string"
        case let .methodWithoutInterface(name): "method '\(name)' is not qualified by an interface"
        case let .invalidField(field): "\"\(field)\" has the wrong type"
        }
    }
}

/// One Varlink method call as sent by a client.
public struct VarlinkCall: Sendable, Equatable {
    /// Fully qualified: "io.antre.Queue.CallNext".
    public var method: String
    public var parameters: [String: JSONValue]
    /// The client accepts several replies (streaming).
    public var more: Bool
    /// The client wants no reply at all.
    public var oneway: Bool
    /// The client wants the connection to switch protocol after the reply
    /// (no io.antre.Queue method does; the dispatcher refuses it).
    public var upgrade: Bool

    public init(method: String, parameters: [String: JSONValue] = [:], more: Bool = false, oneway: Bool = false,
                upgrade: Bool = false) {
        self.method = method
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
        self.upgrade = upgrade
    }

    /// "io.antre.Queue" of "io.antre.Queue.CallNext".
    public var interface: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }

    /// "CallNext" of "io.antre.Queue.CallNext".
    public var memberName: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }

    /// Decodes one message (without its NUL).
    public init(decoding bytes: some Collection<UInt8>) throws(VarlinkCallError) {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .invalidJSON }
        guard let object = value.objectValue else { throw .notAnObject }
        guard let methodValue = object["method"] else { throw .missingMethod }
        guard let method = methodValue.stringValue else { throw .methodNotString }
        guard let dot = method.lastIndex(of: "."), dot != method.startIndex,
              method.index(after: dot) != method.endIndex else {
            throw .methodWithoutInterface(method)
        }
        var parameters: [String: JSONValue] = [:]
        switch object["parameters"] {
        case nil, .null?: break
        case let .object(members)?: parameters = members
        default: throw .invalidField("parameters")
        }
        func flag(_ name: String) throws(VarlinkCallError) -> Bool {
            switch object[name] {
            case nil, .null?: return false
            case let .bool(value)?: return value
            default: throw .invalidField(name)
            }
        }
        self.init(method: method, parameters: parameters, more: try flag("more"), oneway: try flag("oneway"),
                  upgrade: try flag("upgrade"))
    }

    /// The call as bytes on the wire, NUL included.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = ["method": .string(method)]
        if !parameters.isEmpty { object["parameters"] = .object(parameters) }
        if more { object["more"] = .bool(true) }
        if oneway { object["oneway"] = .bool(true) }
        if upgrade { object["upgrade"] = .bool(true) }
        return Array(JSONValue.object(object).compactText().utf8) + [0]
    }
}

/// A Varlink error: a qualified name and its parameters. Thrown by a
/// `QueueHandler` to send exactly this error, and thrown by `VarlinkClient`
/// when the service answered with an error.
public struct VarlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// "io.antre.Queue.NoTicketWaiting", "org.varlink.service.MethodNotFound"...
    public var name: String
    public var parameters: [String: JSONValue]

    public init(name: String, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    /// What an officer reads: the QueueError text when the error maps to one.
    public var description: String { VarlinkErrors.message(for: self) }

    /// The error as bytes on the wire, NUL included.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = ["error": .string(name)]
        object["parameters"] = .object(parameters)
        return Array(JSONValue.object(object).compactText().utf8) + [0]
    }
}

/// An error the service sent back, as the client sees it.
public typealias VarlinkRemoteError = VarlinkError

/// Encodes replies: `{"parameters":{...}}`, plus `"continues":true` while a
/// streaming call has more to come.
public enum VarlinkReply {
    private struct Envelope<P: Encodable>: Encodable {
        var parameters: P
        var continues: Bool?
    }

    /// Encodes `parameters` (a reply struct) with a terminating NUL.
    public static func encode(_ parameters: some Encodable, continues: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Envelope(parameters: parameters, continues: continues ? true : nil))
        return Array(data) + [0]
    }
}

/// A reply or error as a client receives it.
public struct VarlinkResponse: Sendable, Equatable {
    public var parameters: [String: JSONValue]
    public var continues: Bool
    /// Set when the service answered with an error.
    public var error: VarlinkError?

    public init(parameters: [String: JSONValue], continues: Bool = false, error: VarlinkError? = nil) {
        self.parameters = parameters
        self.continues = continues
        self.error = error
    }

    /// Decodes one message (without its NUL). Returns nil when it is not a
    /// Varlink reply (not a JSON object, "error" not a string...).
    public init?(decoding bytes: some Collection<UInt8>) {
        guard let object = (try? JSONValue.parse(bytes))?.objectValue else { return nil }
        var parameters: [String: JSONValue] = [:]
        switch object["parameters"] {
        case nil, .null?: break
        case let .object(members)?: parameters = members
        default: return nil
        }
        var continues = false
        switch object["continues"] {
        case nil, .null?: break
        case let .bool(value)?: continues = value
        default: return nil
        }
        var error: VarlinkError?
        switch object["error"] {
        case nil, .null?: break
        case let .string(name)?: error = VarlinkError(name: name, parameters: parameters)
        default: return nil
        }
        self.init(parameters: parameters, continues: continues, error: error)
    }
}
