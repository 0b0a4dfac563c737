/// A parsed Varlink interface description (https://varlink.org/Interface-Definition):
/// its name, types, methods and errors. Used by the tests that keep the Swift
/// side of io.antre.Queue equal to its IDL text; comments are dropped.
public struct VarlinkIDL: Sendable, Equatable {
    /// A field of a struct, a method's input or output, or an error's parameters.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: VarlinkType
        public init(name: String, type: VarlinkType) {
            self.name = name
            self.type = type
        }
    }

    public struct Method: Sendable, Equatable {
        public var name: String
        public var input: [Field]
        public var output: [Field]
        public init(name: String, input: [Field], output: [Field]) {
            self.name = name
            self.input = input
            self.output = output
        }
    }

    public struct Declaration: Sendable, Equatable {
        public var name: String
        public var type: VarlinkType
        public init(name: String, type: VarlinkType) {
            self.name = name
            self.type = type
        }
    }

    public struct ErrorDeclaration: Sendable, Equatable {
        public var name: String
        public var parameters: [Field]
        public init(name: String, parameters: [Field]) {
            self.name = name
            self.parameters = parameters
        }
    }

    /// "io.antre.Queue"
    public var name: String
    /// In the order of the text.
    public var types: [Declaration] = []
    public var methods: [Method] = []
    public var errors: [ErrorDeclaration] = []

    public init(name: String, types: [Declaration] = [], methods: [Method] = [], errors: [ErrorDeclaration] = []) {
        self.name = name
        self.types = types
        self.methods = methods
        self.errors = errors
    }

    public func type(named name: String) -> VarlinkType? { types.first { $0.name == name }?.type }
    public func method(named name: String) -> Method? { methods.first { $0.name == name } }
    public func error(named name: String) -> ErrorDeclaration? { errors.first { $0.name == name } }
}

/// A Varlink type expression.
public indirect enum VarlinkType: Sendable, Equatable, CustomStringConvertible {
    case bool, int, float, string
    /// `object`: any JSON object.
    case object
    /// A type declared with `type Name`.
    case named(String)
    /// `(a, b, c)`
    case enumeration([String])
    /// `(a: int, b: ?string)`; also `()`.
    case structure([VarlinkIDL.Field])
    /// `[]T`
    case array(VarlinkType)
    /// `[string]T`: an object with any keys.
    case dictionary(VarlinkType)
    /// `?T`
    case optional(VarlinkType)

    public var isOptional: Bool {
        if case .optional = self { true } else { false }
    }

    /// The type as the IDL writes it.
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "string"
        case .object: "object"
        case let .named(name): name
        case let .enumeration(values): "(" + values.joined(separator: ", ") + ")"
        case let .structure(fields): "(" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ")"
        case let .array(element): "[]\(element)"
        case let .dictionary(value): "[string]\(value)"
        case let .optional(wrapped): "?\(wrapped)"
        }
    }
}

/// Where and why an IDL text does not parse.
public struct VarlinkIDLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

extension VarlinkIDL {
    /// Parses `text`; the first mistake throws with its line.
    public init(parsing text: String) throws(VarlinkIDLError) {
        var parser = IDLParser(tokens: try IDLTokenizer.tokens(of: text))
        self = try parser.interface()
    }
}

private struct IDLToken: Equatable {
    enum Kind: Equatable {
        /// Names, keywords and dotted interface names.
        case word(String)
        /// ( ) , : ? [ ] ->
        case symbol(String)
    }
    var kind: Kind
    var line: Int
}

private enum IDLTokenizer {
    static func tokens(of text: String) throws(VarlinkIDLError) -> [IDLToken] {
        var tokens: [IDLToken] = []
        var line = 1
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func isWord(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == "." || c.properties.isAlphabetic || ("0"..."9").contains(c)
        }
        while index < scalars.count {
            let c = scalars[index]
            switch c {
            case "\n":
                line += 1
                index += 1
            case " ", "\t", "\r":
                index += 1
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "(", ")", ",", ":", "?", "[", "]":
                tokens.append(IDLToken(kind: .symbol(String(c)), line: line))
                index += 1
            case "-":
                guard index + 1 < scalars.count, scalars[index + 1] == ">" else {
                    throw VarlinkIDLError(line: line, message: "'-' not followed by '>'")
                }
                tokens.append(IDLToken(kind: .symbol("->"), line: line))
                index += 2
            default:
                guard isWord(c) else { throw VarlinkIDLError(line: line, message: "unexpected character '\(c)'") }
                var word = ""
                while index < scalars.count, isWord(scalars[index]) {
                    word.unicodeScalars.append(scalars[index])
                    index += 1
                }
                tokens.append(IDLToken(kind: .word(word), line: line))
            }
        }
        return tokens
    }
}

private struct IDLParser {
    let tokens: [IDLToken]
    var position = 0

    init(tokens: [IDLToken]) {
        self.tokens = tokens
    }

    private var line: Int { position < tokens.count ? tokens[position].line : (tokens.last?.line ?? 1) }

    private func fail(_ message: String) -> VarlinkIDLError {
        VarlinkIDLError(line: line, message: message)
    }

    private var peek: IDLToken.Kind? { position < tokens.count ? tokens[position].kind : nil }

    private mutating func word(_ what: String) throws(VarlinkIDLError) -> String {
        guard case let .word(word)? = peek else { throw fail("expected \(what)") }
        position += 1
        return word
    }

    private mutating func expect(_ symbol: String) throws(VarlinkIDLError) {
        guard peek == .symbol(symbol) else { throw fail("expected '\(symbol)'") }
        position += 1
    }

    private mutating func skip(_ symbol: String) -> Bool {
        guard peek == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    mutating func interface() throws(VarlinkIDLError) -> VarlinkIDL {
        guard try word("'interface'") == "interface" else { throw fail("the text must start with 'interface NAME'") }
        var idl = VarlinkIDL(name: try word("the interface name"))
        var lines: [String: Int] = [:]
        while peek != nil {
            let declarationLine = line
            let keyword = try word("'type', 'method' or 'error'")
            let name = try word("a name after '\(keyword)'")
            guard name.first?.isUppercase == true, !name.contains(".") else {
                throw fail("\(keyword) name '\(name)' must start with a capital letter")
            }
            // Types, methods and errors are separate kinds: a method may share a type's name.
            guard lines["\(keyword) \(name)"] == nil else { throw fail("\(keyword) '\(name)' is declared twice") }
            lines["\(keyword) \(name)"] = declarationLine
            switch keyword {
            case "type":
                let type = try parenthesised()
                idl.types.append(.init(name: name, type: type))
            case "method":
                let input = try structFields()
                try expect("->")
                let output = try structFields()
                idl.methods.append(.init(name: name, input: input, output: output))
            case "error":
                idl.errors.append(.init(name: name, parameters: try structFields()))
            default:
                throw fail("expected 'type', 'method' or 'error', found '\(keyword)'")
            }
        }
        try checkReferences(idl, lines: lines)
        return idl
    }

    /// `( ... )` that must be a struct (method input/output, error parameters).
    private mutating func structFields() throws(VarlinkIDLError) -> [VarlinkIDL.Field] {
        let start = line
        guard case let .structure(fields) = try parenthesised() else {
            throw VarlinkIDLError(line: start, message: "expected fields 'name: type', found an enum")
        }
        return fields
    }

    /// `()`, `(a, b)` (enum) or `(a: T, b: U)` (struct).
    private mutating func parenthesised() throws(VarlinkIDLError) -> VarlinkType {
        try expect("(")
        if skip(")") { return .structure([]) }
        var fields: [VarlinkIDL.Field] = []
        var values: [String] = []
        repeat {
            let name = try word("a field name")
            if skip(":") {
                guard values.isEmpty else { throw fail("'\(name)': an enum cannot have typed fields") }
                guard !fields.contains(where: { $0.name == name }) else { throw fail("field '\(name)' appears twice") }
                fields.append(.init(name: name, type: try type()))
            } else {
                guard fields.isEmpty else { throw fail("'\(name)' has no type (expected ':')") }
                guard !values.contains(name) else { throw fail("enum value '\(name)' appears twice") }
                values.append(name)
            }
        } while skip(",")
        try expect(")")
        return values.isEmpty ? .structure(fields) : .enumeration(values)
    }

    private mutating func type() throws(VarlinkIDLError) -> VarlinkType {
        if skip("?") {
            let wrapped = try type()
            if wrapped.isOptional { throw fail("'??' is not a type") }
            return .optional(wrapped)
        }
        if skip("[") {
            if skip("]") { return .array(try type()) }
            guard try word("'string' in a dictionary type") == "string" else { throw fail("dictionary keys are 'string'") }
            try expect("]")
            return .dictionary(try type())
        }
        if peek == .symbol("(") { return try parenthesised() }
        switch try word("a type") {
        case "bool": return .bool
        case "int": return .int
        case "float": return .float
        case "string": return .string
        case "object": return .object
        case let name where name.first?.isUppercase == true: return .named(name)
        case let other: throw fail("unknown type '\(other)'")
        }
    }

    /// Every named type used is declared.
    private func checkReferences(_ idl: VarlinkIDL, lines: [String: Int]) throws(VarlinkIDLError) {
        let declared = Set(idl.types.map(\.name))
        func check(_ type: VarlinkType, in place: String, line: Int) throws(VarlinkIDLError) {
            switch type {
            case let .named(name):
                guard declared.contains(name) else {
                    throw VarlinkIDLError(line: line, message: "\(place) uses type \(name), which is not declared")
                }
            case let .structure(fields):
                for field in fields { try check(field.type, in: "\(place).\(field.name)", line: line) }
            case let .array(inner), let .dictionary(inner), let .optional(inner):
                try check(inner, in: place, line: line)
            case .bool, .int, .float, .string, .object, .enumeration:
                break
            }
        }
        for declaration in idl.types {
            try check(declaration.type, in: declaration.name, line: lines["type \(declaration.name)"] ?? 0)
        }
        for method in idl.methods {
            let line = lines["method \(method.name)"] ?? 0
            try check(.structure(method.input), in: method.name, line: line)
            try check(.structure(method.output), in: method.name, line: line)
        }
        for error in idl.errors {
            try check(.structure(error.parameters), in: error.name, line: lines["error \(error.name)"] ?? 0)
        }
    }
}
