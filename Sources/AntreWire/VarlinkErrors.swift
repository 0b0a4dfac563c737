import AntreCore

/// Error names of org.varlink.service and io.antre.Queue, the mapping between
/// `QueueError` and Varlink errors, and the messages a user reads.
public enum VarlinkErrors {
    /// Qualified error names.
    public enum Name {
        public static let interfaceNotFound = "org.varlink.service.InterfaceNotFound"
        public static let methodNotFound = "org.varlink.service.MethodNotFound"
        public static let methodNotImplemented = "org.varlink.service.MethodNotImplemented"
        public static let invalidParameter = "org.varlink.service.InvalidParameter"
        public static let expectedMore = "org.varlink.service.ExpectedMore"

        public static let noTicketWaiting = "io.antre.Queue.NoTicketWaiting"
        public static let ticketNotFound = "io.antre.Queue.TicketNotFound"
        public static let serviceNotFound = "io.antre.Queue.ServiceNotFound"
        public static let counterNotFound = "io.antre.Queue.CounterNotFound"
        public static let invalidState = "io.antre.Queue.InvalidState"
        public static let nothingCalled = "io.antre.Queue.NothingCalled"
        public static let notPrintable = "io.antre.Queue.NotPrintable"
        public static let printerDown = "io.antre.Queue.PrinterDown"
        public static let storageFailed = "io.antre.Queue.StorageFailed"
        public static let notConfirmable = "io.antre.Queue.NotConfirmable"
        public static let notServedAtCounter = "io.antre.Queue.NotServedAtCounter"
        public static let configInvalid = "io.antre.Queue.ConfigInvalid"
        public static let permissionDenied = "io.antre.Queue.PermissionDenied"
        public static let internalError = "io.antre.Queue.InternalError"
        public static let monitorTooSlow = "io.antre.Queue.MonitorTooSlow"
        public static let tooManyConnections = "io.antre.Queue.TooManyConnections"
    }

    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError(name: Name.interfaceNotFound, parameters: ["interface": .string(interface)])
    }
    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError(name: Name.methodNotFound, parameters: ["method": .string(method)])
    }
    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError(name: Name.methodNotImplemented, parameters: ["method": .string(method)])
    }
    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError(name: Name.invalidParameter, parameters: ["parameter": .string(parameter)])
    }
    public static func expectedMore() -> VarlinkError {
        VarlinkError(name: Name.expectedMore)
    }
    /// The configuration file has errors (Reload); each issue names file, line and key.
    public static func configInvalid(_ issues: [String]) -> VarlinkError {
        VarlinkError(name: Name.configInvalid, parameters: ["issues": .array(issues.map { .string($0) })])
    }
    public static func permissionDenied(_ method: String) -> VarlinkError {
        VarlinkError(name: Name.permissionDenied, parameters: ["method": .string(method)])
    }
    /// A Monitor client fell `limit` events behind and was dropped.
    public static func monitorTooSlow(limit: Int) -> VarlinkError {
        VarlinkError(name: Name.monitorTooSlow, parameters: ["limit": .int(Int64(limit))])
    }
    /// The server (or this caller's uid) has no free connection slot.
    public static func tooManyConnections(limit: Int) -> VarlinkError {
        VarlinkError(name: Name.tooManyConnections, parameters: ["limit": .int(Int64(limit))])
    }
    public static func internalError(_ message: String) -> VarlinkError {
        VarlinkError(name: Name.internalError, parameters: ["message": .string(message)])
    }

    /// The text a user reads for `error`: QueueError's own description when the
    /// error maps to one, so daemon logs and the CLI say the same thing.
    public static func message(for error: VarlinkError) -> String {
        if let queueError = QueueError(error) { return queueError.description }
        func text(_ key: String) -> String { error.parameters[key]?.stringValue ?? "?" }
        switch error.name {
        case Name.interfaceNotFound: return "antred does not implement interface \(text("interface"))"
        case Name.methodNotFound: return "antred does not know method \(text("method")) (is antre newer than antred?)"
        case Name.methodNotImplemented: return "method \(text("method")) is not implemented by antred"
        case Name.invalidParameter: return "invalid parameter '\(text("parameter"))'"
        case Name.expectedMore: return "this method streams replies: call it with \"more\": true"
        case Name.configInvalid:
            var issues: [String] = []
            if case let .array(items)? = error.parameters["issues"] {
                issues = items.map { $0.stringValue ?? $0.compactText() }
            }
            return (["configuration invalid, the running configuration is kept:"] + issues.map { "  " + $0 })
                .joined(separator: "\n")
        case Name.permissionDenied: return "permission denied for \(text("method"))"
        case Name.internalError: return "internal error in antred: \(text("message"))"
        case Name.monitorTooSlow:
            return "antred dropped this monitor: it fell more than \(error.parameters["limit"]?.compactText() ?? "?") events behind"
        case Name.tooManyConnections:
            return "antred has no free connection slot (limit \(error.parameters["limit"]?.compactText() ?? "?")); try again shortly"
        default:
            let parameters = error.parameters.isEmpty ? "" : " " + JSONValue.object(error.parameters).compactText()
            return "\(error.name)\(parameters)"
        }
    }
}

extension QueueError {
    /// The Varlink error of the same name in io.antre.Queue.
    public var varlinkError: VarlinkError {
        switch self {
        case let .noTicketWaiting(counter, services):
            VarlinkError(name: VarlinkErrors.Name.noTicketWaiting,
                         parameters: ["counter": .string(counter), "services": .array(services.map { .string($0) })])
        case let .ticketNotFound(number):
            VarlinkError(name: VarlinkErrors.Name.ticketNotFound, parameters: ["number": .string(number)])
        case let .serviceNotFound(service):
            VarlinkError(name: VarlinkErrors.Name.serviceNotFound, parameters: ["service": .string(service)])
        case let .counterNotFound(counter):
            VarlinkError(name: VarlinkErrors.Name.counterNotFound, parameters: ["counter": .string(counter)])
        case let .invalidState(number, state, action):
            VarlinkError(name: VarlinkErrors.Name.invalidState,
                         parameters: ["number": .string(number), "state": .string(state.rawValue),
                                      "action": .string(action)])
        case let .nothingCalled(counter):
            VarlinkError(name: VarlinkErrors.Name.nothingCalled, parameters: ["counter": .string(counter)])
        case let .notPrintable(number, reason):
            VarlinkError(name: VarlinkErrors.Name.notPrintable,
                         parameters: ["number": .string(number), "reason": .string(reason)])
        case let .printerDown(dispenser, reason):
            VarlinkError(name: VarlinkErrors.Name.printerDown,
                         parameters: ["dispenser": .string(dispenser), "reason": .string(reason)])
        case let .storageFailed(reason):
            VarlinkError(name: VarlinkErrors.Name.storageFailed, parameters: ["reason": .string(reason)])
        case let .notConfirmable(number, printState):
            VarlinkError(name: VarlinkErrors.Name.notConfirmable,
                         parameters: ["number": .string(number), "print_state": .string(printState.rawValue)])
        case let .notServedAtCounter(number, service, counter):
            VarlinkError(name: VarlinkErrors.Name.notServedAtCounter,
                         parameters: ["number": .string(number), "service": .string(service),
                                      "counter": .string(counter)])
        }
    }

    /// The QueueError a Varlink error stands for; nil for other errors or
    /// when a parameter is missing.
    public init?(_ error: VarlinkError) {
        let p = error.parameters
        func string(_ key: String) -> String? { p[key]?.stringValue }
        switch error.name {
        case VarlinkErrors.Name.noTicketWaiting:
            guard let counter = string("counter") else { return nil }
            var services: [String] = []
            if case let .array(items)? = p["services"] { services = items.compactMap(\.stringValue) }
            self = .noTicketWaiting(counter: counter, services: services)
        case VarlinkErrors.Name.ticketNotFound:
            guard let number = string("number") else { return nil }
            self = .ticketNotFound(number: number)
        case VarlinkErrors.Name.serviceNotFound:
            guard let service = string("service") else { return nil }
            self = .serviceNotFound(service: service)
        case VarlinkErrors.Name.counterNotFound:
            guard let counter = string("counter") else { return nil }
            self = .counterNotFound(counter: counter)
        case VarlinkErrors.Name.invalidState:
            guard let number = string("number"), let state = string("state").flatMap(TicketState.init(rawValue:)),
                  let action = string("action") else { return nil }
            self = .invalidState(number: number, state: state, action: action)
        case VarlinkErrors.Name.nothingCalled:
            guard let counter = string("counter") else { return nil }
            self = .nothingCalled(counter: counter)
        case VarlinkErrors.Name.notPrintable:
            guard let number = string("number"), let reason = string("reason") else { return nil }
            self = .notPrintable(number: number, reason: reason)
        case VarlinkErrors.Name.printerDown:
            guard let dispenser = string("dispenser"), let reason = string("reason") else { return nil }
            self = .printerDown(dispenser: dispenser, reason: reason)
        case VarlinkErrors.Name.storageFailed:
            guard let reason = string("reason") else { return nil }
            self = .storageFailed(reason: reason)
        case VarlinkErrors.Name.notConfirmable:
            guard let number = string("number"),
                  let printState = string("print_state").flatMap(PrintState.init(rawValue:)) else { return nil }
            self = .notConfirmable(number: number, printState: printState)
        case VarlinkErrors.Name.notServedAtCounter:
            guard let number = string("number"), let service = string("service"),
                  let counter = string("counter") else { return nil }
            self = .notServedAtCounter(number: number, service: service, counter: counter)
        default:
            return nil
        }
    }
}
