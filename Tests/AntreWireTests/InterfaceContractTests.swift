import AntreCore
import AntreWire
import Foundation
import Testing

/// io.antre.Queue is written once, as IDL text (QueueInterface.idl). These
/// tests parse it and hold every method, type, field, enum and error of the
/// Swift side to it, so neither can change alone.
@Suite struct InterfaceContractTests {
    /// The Swift type of each IDL struct type. A new IDL type fails
    /// `everyIDLTypeHasASwiftType` until it is added here.
    static let swiftTypes: [String: any (Codable & Sendable).Type] = [
        "Ticket": TicketInfo.self, "ServiceStatus": ServiceStatus.self, "CounterStatus": CounterStatus.self,
        "PrinterStatus": PrinterStatus.self, "UsbPrinter": UsbPrinterInfo.self, "DaemonInfo": DaemonInfo.self,
        "Report": QueueReport.self, "ReportFigures": ReportFigures.self, "DurationStats": DurationStats.self,
        "MissedFigure": MissedFigure.self, "HourFigures": HourFigures.self, "Event": QueueEventInfo.self,
    ]

    /// The Swift enum behind each IDL enum ("Type.field" for an anonymous one).
    static let swiftEnums: [String: [String]] = [
        "Ticket.state": TicketState.allCases.map(\.rawValue),
        "Ticket.print_state": PrintState.allCases.map(\.rawValue),
    ]

    static func queueIDL() throws -> VarlinkIDL { try VarlinkIDL(parsing: QueueInterface.idl) }

    @Test func theIDLParsesAndNamesItsInterface() throws {
        let idl = try Self.queueIDL()
        #expect(idl.name == QueueInterface.name)
        #expect(QueueInterface.idl.hasPrefix("#"))
    }

    @Test func theIDLMethodsAreTheDispatchersMethods() throws {
        let idl = try Self.queueIDL()
        let declared = Set(idl.methods.map(\.name))
        let routed = Set(QueueMethod.all.map(\.name))
        #expect(declared.subtracting(routed).isEmpty,
                "declared in QueueInterface.idl, not routed by QueueMethod.all: \(declared.subtracting(routed).sorted())")
        #expect(routed.subtracting(declared).isEmpty,
                "routed by QueueMethod.all, not declared in QueueInterface.idl: \(routed.subtracting(declared).sorted())")
        #expect(QueueMethod.all.count == routed.count, "QueueMethod.all routes a name twice")
        #expect(QueueMethod.all.filter(\.streams).map(\.name) == ["Monitor"])
    }

    @Test(arguments: QueueMethod.all.map(\.name))
    func methodParametersAndReplyMatchTheIDL(name: String) throws {
        let idl = try Self.queueIDL()
        let method = try #require(idl.method(named: name), "method \(name) is not in QueueInterface.idl")
        let routed = try #require(QueueMethod.all.first { $0.name == name })
        let shape = WireShape(idl: idl)
        for problem in shape.problems(routed.parameters, against: method.input, place: "method \(name) parameters") {
            Issue.record(Comment(rawValue: problem))
        }
        for problem in shape.problems(routed.reply, against: method.output, place: "method \(name) reply") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test func everyIDLTypeHasASwiftType() throws {
        let idl = try Self.queueIDL()
        for declaration in idl.types {
            if case .enumeration = declaration.type {
                #expect(Self.swiftEnums[declaration.name] != nil,
                        "IDL enum type \(declaration.name) has no Swift enum in InterfaceContractTests.swiftEnums")
            } else {
                #expect(Self.swiftTypes[declaration.name] != nil,
                        "IDL type \(declaration.name) has no Swift type in InterfaceContractTests.swiftTypes")
            }
        }
        for name in Self.swiftTypes.keys.sorted() {
            #expect(idl.type(named: name) != nil, "swiftTypes names \(name), which QueueInterface.idl does not declare")
        }
    }

    @Test(arguments: swiftTypes.keys.sorted())
    func typeFieldsMatchTheSwiftType(name: String) throws {
        let idl = try Self.queueIDL()
        guard case let .structure(fields)? = idl.type(named: name) else {
            Issue.record("\(name) is not a struct type in QueueInterface.idl")
            return
        }
        let swiftType = try #require(Self.swiftTypes[name])
        for problem in WireShape(idl: idl).problems(swiftType, against: fields, place: "type \(name)") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test func enumValuesAreTheSwiftRawValues() throws {
        let idl = try Self.queueIDL()
        let enums = WireShape(idl: idl).enumerations()
        #expect(Set(enums.keys) == Set(Self.swiftEnums.keys),
                "IDL enums \(enums.keys.sorted()) vs Swift enums \(Self.swiftEnums.keys.sorted())")
        for (place, values) in enums {
            guard let swift = Self.swiftEnums[place] else { continue }
            #expect(values == swift, "\(place): IDL (\(values.joined(separator: ", "))) vs Swift (\(swift.joined(separator: ", ")))")
        }
    }

    /// One value of each io.antre.Queue error, made by its Swift constructor;
    /// the exhaustive switch makes a new QueueErrorName need one.
    static func constructed(_ name: VarlinkErrors.QueueErrorName) -> VarlinkError {
        switch name {
        case .noTicketWaiting: QueueError.noTicketWaiting(counter: "loket1", services: ["ktp"]).varlinkError
        case .ticketNotFound: QueueError.ticketNotFound(number: "B-012").varlinkError
        case .serviceNotFound: QueueError.serviceNotFound(service: "paspor").varlinkError
        case .counterNotFound: QueueError.counterNotFound(counter: "loket9").varlinkError
        case .invalidState: QueueError.invalidState(number: "B-012", state: .waiting, action: "finish").varlinkError
        case .nothingCalled: QueueError.nothingCalled(counter: "loket1").varlinkError
        case .notPrintable: QueueError.notPrintable(number: "B-012", reason: "no dispenser").varlinkError
        case .printerDown: QueueError.printerDown(dispenser: "lobi", reason: "paper out").varlinkError
        case .storageFailed: QueueError.storageFailed(reason: "disk full").varlinkError
        case .notConfirmable: QueueError.notConfirmable(number: "B-012", printState: .printed).varlinkError
        case .notServedAtCounter:
            QueueError.notServedAtCounter(number: "B-012", service: "ktp", counter: "loket2").varlinkError
        case .serviceClosed:
            QueueError.serviceClosed(service: "ktp", reason: "closed until Wednesday at 08:00").varlinkError
        case .dailyQuotaReached:
            QueueError.dailyQuotaReached(service: "ktp", quota: 30, reason: "daily quota of 30 reached").varlinkError
        case .configInvalid: VarlinkErrors.configInvalid(["antre.toml:3: service.ktp.name: missing"])
        case .permissionDenied: VarlinkErrors.permissionDenied("io.antre.Queue.Reload")
        case .internalError: VarlinkErrors.internalError("boom")
        case .monitorTooSlow: VarlinkErrors.monitorTooSlow(limit: 512)
        case .tooManyConnections: VarlinkErrors.tooManyConnections(limit: 64)
        }
    }

    @Test func theIDLErrorsAreTheSwiftErrors() throws {
        let idl = try Self.queueIDL()
        let declared = Set(idl.errors.map(\.name))
        let swift = Set(VarlinkErrors.QueueErrorName.allCases.map(\.rawValue))
        #expect(declared.subtracting(swift).isEmpty,
                "declared in QueueInterface.idl, missing from VarlinkErrors.QueueErrorName: \(declared.subtracting(swift).sorted())")
        #expect(swift.subtracting(declared).isEmpty,
                "in VarlinkErrors.QueueErrorName, not declared in QueueInterface.idl: \(swift.subtracting(declared).sorted())")
    }

    @Test(arguments: VarlinkErrors.QueueErrorName.allCases)
    func errorParametersMatchTheIDL(name: VarlinkErrors.QueueErrorName) throws {
        let idl = try Self.queueIDL()
        let error = Self.constructed(name)
        #expect(error.name == name.qualified)
        let declared = try #require(idl.error(named: name.rawValue), "error \(name.rawValue) is not in the IDL")
        let shape = WireShape(idl: idl)
        for problem in shape.problems(.object(error.parameters), .structure(declared.parameters), at: "error \(name.rawValue)") {
            Issue.record(Comment(rawValue: problem))
        }
        let missing = declared.parameters.map(\.name).filter { error.parameters[$0] == nil }
        #expect(missing.isEmpty, "\(name.rawValue) is sent without \(missing)")
    }

    @Test(arguments: ErrorMappingTests.all)
    func everyQueueErrorIsAnIDLErrorWithItsParameters(error: QueueError) throws {
        let idl = try Self.queueIDL()
        let varlink = error.varlinkError
        let name = String(varlink.name.dropFirst(QueueInterface.name.count + 1))
        #expect(varlink.name == QueueInterface.name + "." + name)
        let declared = try #require(idl.error(named: name), "\(error) maps to \(varlink.name), which the IDL lacks")
        for problem in WireShape(idl: idl).problems(.object(varlink.parameters), .structure(declared.parameters),
                                                    at: "error \(name)") {
            Issue.record(Comment(rawValue: problem))
        }
    }

    @Test func theServiceInterfaceMatchesItsSwiftSide() throws {
        let idl = try VarlinkIDL(parsing: VarlinkServiceInterface.idl)
        #expect(idl.name == VarlinkServiceInterface.name)
        let getInfo = try #require(idl.method(named: "GetInfo"))
        for problem in WireShape(idl: idl).problems(ServiceInfo.self, against: getInfo.output, place: "GetInfo reply") {
            Issue.record(Comment(rawValue: problem))
        }
        let constructed = [
            VarlinkErrors.interfaceNotFound("a.b"), VarlinkErrors.methodNotFound("a.b.C"),
            VarlinkErrors.methodNotImplemented("a.b.C"), VarlinkErrors.invalidParameter("x"), VarlinkErrors.expectedMore(),
        ]
        #expect(constructed.map(\.name) == idl.errors.map { "\(idl.name).\($0.name)" })
        for (error, declared) in zip(constructed, idl.errors) {
            #expect(Set(error.parameters.keys) == Set(declared.parameters.map(\.name)), "\(error.name)")
        }
    }
}

/// Compares JSON and Swift Codable types with the IDL's shapes.
struct WireShape {
    let idl: VarlinkIDL

    /// A JSON value of `type`: every optional field set (`full`) or left out,
    /// arrays with one element, enums with their first value, floats that are
    /// not whole numbers (so an Int on the Swift side cannot take them).
    func sample(_ type: VarlinkType, full: Bool, depth: Int = 0) -> JSONValue {
        guard depth < 64 else { return .null }  // only a type that contains itself gets here
        switch type {
        case .bool: return .bool(true)
        case .int: return .int(7)
        case .float: return .double(0.5)
        case .string: return .string("text")
        case .object: return .object([:])
        case let .named(name): return idl.type(named: name).map { sample($0, full: full, depth: depth + 1) } ?? .null
        case let .enumeration(values): return .string(values.first ?? "")
        case let .array(element): return .array([sample(element, full: full, depth: depth + 1)])
        case let .dictionary(value): return .object(["key": sample(value, full: full, depth: depth + 1)])
        case let .optional(wrapped): return sample(wrapped, full: full, depth: depth + 1)
        case let .structure(fields):
            var members: [String: JSONValue] = [:]
            for field in fields where full || !field.type.isOptional {
                members[field.name] = sample(field.type, full: full, depth: depth + 1)
            }
            return .object(members)
        }
    }

    /// What keeps the Swift type `swift` from being the IDL struct `fields`:
    /// it must decode a value with every field, encode it back unchanged and
    /// have no property left nil; decode and re-encode one with only the
    /// required fields; and refuse one that lacks any required field.
    func problems<T: Codable>(_ swift: T.Type, against fields: [VarlinkIDL.Field], place: String) -> [String] {
        let swiftName = String(describing: T.self)
        var problems: [String] = []
        let full = sample(.structure(fields), full: true)
        do {
            let value = try full.decode(as: T.self)
            problems += differences(full, try JSONValue.from(value), at: place)
                .map { "\($0) (Swift \(swiftName) encodes it differently)" }
            for child in Mirror(reflecting: value).children where Self.isNil(child.value) {
                problems.append("\(place): Swift \(swiftName).\(child.label ?? "?") stays nil when every IDL field is set:"
                                + " the IDL lacks it, or its CodingKey differs")
            }
        } catch {
            problems.append("\(place): Swift \(swiftName) cannot decode a value with every IDL field: \(Self.describe(error))")
        }
        let sparse = sample(.structure(fields), full: false)
        do {
            let value = try sparse.decode(as: T.self)
            problems += differences(sparse, try JSONValue.from(value), at: place)
                .map { "\($0) (Swift \(swiftName), optional fields absent)" }
        } catch {
            problems.append("\(place): Swift \(swiftName) cannot decode a value with only the IDL's required fields"
                            + " (a field the IDL marks ? is required in Swift, or a name differs): \(Self.describe(error))")
        }
        for field in fields where !field.type.isOptional {
            guard case var .object(members) = full else { break }
            members[field.name] = nil
            if (try? JSONValue.object(members).decode(as: T.self)) != nil {
                problems.append("\(place).\(field.name): required in the IDL, optional in Swift \(swiftName)")
            }
        }
        return problems
    }

    /// What in `value` does not fit `type`.
    func problems(_ value: JSONValue, _ type: VarlinkType, at path: String) -> [String] {
        switch (type, value) {
        case (.bool, .bool), (.int, .int), (.float, .int), (.float, .double), (.string, .string), (.object, .object):
            return []
        case let (.named(name), _):
            guard let declared = idl.type(named: name) else { return ["\(path): type \(name) is not declared"] }
            return problems(value, declared, at: path)
        case let (.enumeration(values), .string(text)):
            return values.contains(text) ? [] : ["\(path): '\(text)' is not one of (\(values.joined(separator: ", ")))"]
        case let (.array(element), .array(items)):
            return items.enumerated().flatMap { problems($1, element, at: "\(path)[\($0)]") }
        case let (.dictionary(element), .object(members)):
            return members.flatMap { problems($1, element, at: "\(path).\($0)") }
        case let (.optional(wrapped), _):
            return value == .null ? [] : problems(value, wrapped, at: path)
        case let (.structure(fields), .object(members)):
            let names = Set(fields.map(\.name))
            var found = members.keys.filter { !names.contains($0) }.sorted().map { "\(path).\($0): not in the IDL" }
            for field in fields {
                if let member = members[field.name] {
                    found += problems(member, field.type, at: "\(path).\(field.name)")
                } else if !field.type.isOptional {
                    found.append("\(path).\(field.name): missing (the IDL requires it)")
                }
            }
            return found
        default:
            return ["\(path): \(value.compactText()) is not \(type)"]
        }
    }

    /// Every enum in the interface, by "Type" or "Type.field" (method and
    /// error fields: "Method.field", "Method->field", "Error.field").
    func enumerations() -> [String: [String]] {
        var found: [String: [String]] = [:]
        func walk(_ type: VarlinkType, _ place: String) {
            switch type {
            case let .enumeration(values): found[place] = values
            case let .structure(fields): for field in fields { walk(field.type, "\(place).\(field.name)") }
            case let .array(inner), let .dictionary(inner), let .optional(inner): walk(inner, place)
            case .bool, .int, .float, .string, .object, .named: break
            }
        }
        for declaration in idl.types { walk(declaration.type, declaration.name) }
        for method in idl.methods {
            walk(.structure(method.input), method.name)
            for field in method.output { walk(field.type, "\(method.name)->\(field.name)") }
        }
        for error in idl.errors { walk(.structure(error.parameters), error.name) }
        return found
    }

    /// Where two JSON values differ, member by member.
    func differences(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> [String] {
        switch (expected, actual) {
        case let (.object(a), .object(b)):
            var found: [String] = []
            for key in Set(a.keys).union(b.keys).sorted() {
                switch (a[key], b[key]) {
                case (nil, _?): found.append("\(path).\(key): encoded, but not in the IDL")
                case (_?, nil): found.append("\(path).\(key): in the IDL, but not encoded")
                case let (x?, y?): found += differences(x, y, at: "\(path).\(key)")
                case (nil, nil): break
                }
            }
            return found
        case let (.array(a), .array(b)) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
        default:
            return expected == actual ? [] : ["\(path): sent \(expected.compactText()), got back \(actual.compactText())"]
        }
    }

    static func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    /// A DecodingError in one line: what, at which path.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: type(of: error)) }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "no value for '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context))")
        case let .typeMismatch(type, context): return "\(path(context)) is not \(type)"
        case let .valueNotFound(type, context): return "\(path(context)): no \(type)"
        case let .dataCorrupted(context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "undecodable"
        }
    }
}
