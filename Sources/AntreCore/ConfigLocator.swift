/// One step of a config key path: a table key or an array index.
public enum ConfigPathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// A key path such as `service[2].requirements[3]` or `dispenser[0].buttons.1`.
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var components: [ConfigPathComponent]

    public init(_ components: [ConfigPathComponent] = []) { self.components = components }

    /// A single bare key (`"office"`); dots are not split.
    public init(stringLiteral value: String) { self.components = [.key(value)] }

    public static func / (path: ConfigPath, key: String) -> ConfigPath {
        ConfigPath(path.components + [.key(key)])
    }

    public static func / (path: ConfigPath, index: Int) -> ConfigPath {
        ConfigPath(path.components + [.index(index)])
    }

    public var parent: ConfigPath? {
        components.isEmpty ? nil : ConfigPath(Array(components.dropLast()))
    }

    /// Rendered as in messages: bare keys joined by dots, indices in brackets,
    /// keys that are not bare (`"KEY 1"`, `"a.b"`, `""`) quoted like TOML.
    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case let .key(key):
                if !out.isEmpty { out += "." }
                out += Self.render(key: key)
            case let .index(index):
                out += "[\(index)]"
            }
        }
        return out
    }

    static func render(key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-"
        }
        if bare { return key }
        var quoted = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

/// Maps key paths of a TOML document to the lines that define them.
///
/// TOMLKit reports no source positions for values, so this scanner walks the
/// text itself. It assumes the text already parsed (TOMLKit ran first) and
/// only has to be robust, not strict: on anything unexpected it skips to the
/// next line instead of failing.
public struct ConfigLocator: Sendable {
    private var lines: [String: Int] = [:]
    /// String values written with a `\u0000` escape. TOMLKit hands strings over
    /// as C strings, so such a value would silently end at the NUL.
    public private(set) var pathsWithNUL: [ConfigPath] = []

    public init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.run()
        lines = scanner.lines
        pathsWithNUL = scanner.pathsWithNUL
    }

    /// The 1-based line of `path`, or of its nearest ancestor that appears in
    /// the text; 1 when none does (a table missing from the file).
    public func line(of path: ConfigPath) -> Int {
        var current: ConfigPath? = path
        while let candidate = current {
            if let line = lines[candidate.description] { return line }
            current = candidate.parent
        }
        return 1
    }

    /// The line of exactly `path`, nil if the text does not mention it.
    public func exactLine(of path: ConfigPath) -> Int? { lines[path.description] }
}

// MARK: - Scanner

private struct Scanner {
    let bytes: [UInt8]
    var pos = 0
    var line = 1
    var lines: [String: Int] = [:]
    /// Element counts of arrays of tables, keyed by the resolved path of the array.
    var arrayTableCounts: [ConfigPath: Int] = [:]
    var currentTable = ConfigPath()
    var pathsWithNUL: [ConfigPath] = []
    /// Set by the string scanners when an escape decodes to U+0000.
    var sawNUL = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { pos >= bytes.count }
    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }
    func peek(_ offset: Int) -> UInt8? { pos + offset < bytes.count ? bytes[pos + offset] : nil }

    mutating func record(_ path: ConfigPath, line: Int) {
        let key = path.description
        if lines[key] == nil { lines[key] = line }
    }

    mutating func advance() {
        if bytes[pos] == UInt8(ascii: "\n") { line += 1 }
        pos += 1
    }

    mutating func run() {
        while !atEnd {
            let start = pos
            statement()
            // Whatever happened, finish the line so every pass makes progress.
            skipRestOfLine()
            if pos == start, !atEnd { advance() }
        }
    }

    mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { pos += 1 }
    }

    /// Spaces, newlines and comments (inside arrays and inline tables).
    mutating func skipBlank() {
        while let c = peek {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") {
                advance()
            } else if c == UInt8(ascii: "#") {
                while let d = peek, d != UInt8(ascii: "\n") { pos += 1 }
            } else {
                return
            }
        }
    }

    mutating func skipRestOfLine() {
        while let c = peek, c != UInt8(ascii: "\n") { pos += 1 }
        if !atEnd { advance() }
    }

    mutating func statement() {
        skipSpaces()
        guard let c = peek else { return }
        if c == UInt8(ascii: "#") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { return }
        if c == UInt8(ascii: "[") {
            header()
        } else {
            keyValue(in: currentTable)
        }
    }

    mutating func header() {
        let headerLine = line
        let isArray = peek(1) == UInt8(ascii: "[")
        pos += isArray ? 2 : 1
        skipSpaces()
        guard let keys = dottedKey(), !keys.isEmpty else { return }
        // Resolve parents: a key naming an array of tables means its last element.
        var path = ConfigPath()
        for key in keys.dropLast() {
            path = path / key
            if let count = arrayTableCounts[path] { path = path / (count - 1) }
            record(path, line: headerLine)
        }
        path = path / keys[keys.count - 1]
        if isArray {
            let count = (arrayTableCounts[path] ?? 0) + 1
            arrayTableCounts[path] = count
            record(path, line: headerLine)
            path = path / (count - 1)
        }
        record(path, line: headerLine)
        currentTable = path
    }

    mutating func keyValue(in table: ConfigPath) {
        let keyLine = line
        guard let keys = dottedKey(), !keys.isEmpty else { return }
        var path = table
        for key in keys {
            path = path / key
            record(path, line: keyLine)
        }
        skipSpaces()
        guard peek == UInt8(ascii: "=") else { return }
        pos += 1
        skipSpaces()
        value(at: path)
    }

    /// `a . "b" . 'c'` -> ["a", "b", "c"]; nil if no key starts here.
    mutating func dottedKey() -> [String]? {
        var keys: [String] = []
        while true {
            skipSpaces()
            guard let key = simpleKey() else { return keys.isEmpty ? nil : keys }
            keys.append(key)
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { return keys }
            pos += 1
        }
    }

    mutating func simpleKey() -> String? {
        guard let c = peek else { return nil }
        if c == UInt8(ascii: "\"") { return basicString() }
        if c == UInt8(ascii: "'") { return literalString() }
        let start = pos
        while let d = peek, isBareKeyByte(d) { pos += 1 }
        return pos > start ? String(decoding: bytes[start..<pos], as: UTF8.self) : nil
    }

    func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    /// A single-line "..." string starting at pos; returns its decoded text.
    mutating func basicString() -> String {
        pos += 1
        var out: [UInt8] = []
        while let c = peek, c != UInt8(ascii: "\n") {
            pos += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\"), let e = peek {
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let width = e == UInt8(ascii: "u") ? 4 : 8
                    let end = min(pos + width, bytes.count)
                    let hex = String(decoding: bytes[pos..<end], as: UTF8.self)
                    pos = end
                    if UInt32(hex, radix: 16) == 0 { sawNUL = true }
                    if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    }
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func literalString() -> String {
        pos += 1
        let start = pos
        while let c = peek, c != UInt8(ascii: "'"), c != UInt8(ascii: "\n") { pos += 1 }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if peek == UInt8(ascii: "'") { pos += 1 }
        return text
    }

    /// Skips a `"""` or `'''` string, counting its newlines.
    mutating func multilineString(quote: UInt8) {
        pos += 3
        while let c = peek {
            if c == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") {
                pos += 1
                if let e = peek, e == UInt8(ascii: "u") || e == UInt8(ascii: "U") {
                    let width = e == UInt8(ascii: "u") ? 4 : 8
                    let end = min(pos + 1 + width, bytes.count)
                    if UInt32(String(decoding: bytes[(pos + 1)..<end], as: UTF8.self), radix: 16) == 0 { sawNUL = true }
                }
                if !atEnd { advance() }
                continue
            }
            if c == quote, peek(1) == quote, peek(2) == quote {
                pos += 3
                // Up to two more quotes belong to the content ("""a"""").
                var extra = 0
                while extra < 2, peek == quote { pos += 1; extra += 1 }
                return
            }
            advance()
        }
    }

    mutating func value(at path: ConfigPath) {
        guard let c = peek else { return }
        switch c {
        case UInt8(ascii: "\""):
            sawNUL = false
            if peek(1) == c, peek(2) == c { multilineString(quote: c) } else { _ = basicString() }
            if sawNUL { pathsWithNUL.append(path) }
        case UInt8(ascii: "'"):
            if peek(1) == c, peek(2) == c { multilineString(quote: c) } else { _ = literalString() }
        case UInt8(ascii: "["):
            array(at: path)
        case UInt8(ascii: "{"):
            inlineTable(at: path)
        default:
            // Numbers, booleans, dates: run to a delimiter (dates may hold a space).
            while let d = peek, d != UInt8(ascii: ","), d != UInt8(ascii: "]"), d != UInt8(ascii: "}"),
                  d != UInt8(ascii: "#"), d != UInt8(ascii: "\n") {
                pos += 1
            }
        }
    }

    mutating func array(at path: ConfigPath) {
        pos += 1
        var index = 0
        while true {
            skipBlank()
            guard let c = peek else { return }
            if c == UInt8(ascii: "]") { pos += 1; return }
            let start = pos
            record(path / index, line: line)
            value(at: path / index)
            index += 1
            skipBlank()
            if peek == UInt8(ascii: ",") { pos += 1 } else if peek == UInt8(ascii: "]") { pos += 1; return }
            if pos == start { return }  // Not valid TOML: give up on this array.
        }
    }

    mutating func inlineTable(at path: ConfigPath) {
        pos += 1
        while true {
            skipBlank()
            guard let c = peek else { return }
            if c == UInt8(ascii: "}") { pos += 1; return }
            let start = pos
            keyValue(in: path)
            skipBlank()
            if peek == UInt8(ascii: ",") { pos += 1 } else if peek == UInt8(ascii: "}") { pos += 1; return }
            if pos == start { return }
        }
    }
}
