import AntreCore

/// Who is calling, from the socket's peer credentials (SO_PEERCRED); nil
/// fields when the transport cannot tell.
public struct Caller: Sendable, Equatable {
    public var uid: UInt32?
    public var gid: UInt32?
    public var pid: Int32?
    /// Supplementary groups of the peer process (SO_PEERGROUPS).
    public var groups: [UInt32]

    public init(uid: UInt32? = nil, gid: UInt32? = nil, pid: Int32? = nil, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups
    }
}

/// The daemon's side of io.antre.Queue: one method per Varlink method, taking
/// decoded parameters. Throw domain errors that are `VarlinkErrorConvertible`
/// (`QueueError`, `ConfigError`...) or a `VarlinkError`; anything else reaches
/// the client as io.antre.Queue.InternalError with a one-line message.
public protocol QueueHandler: Sendable {
    func issue(_ parameters: IssueParameters, caller: Caller) async throws -> IssueReply
    func callNext(_ parameters: CallNextParameters, caller: Caller) async throws -> CallNextReply
    func call(_ parameters: CallParameters, caller: Caller) async throws -> CallNextReply
    func requeue(_ parameters: RequeueParameters, caller: Caller) async throws -> TicketReply
    func recall(_ parameters: RecallParameters, caller: Caller) async throws -> RecallReply
    func skip(_ parameters: SkipParameters, caller: Caller) async throws -> TicketReply
    func finish(_ parameters: FinishParameters, caller: Caller) async throws -> TicketReply
    func transfer(_ parameters: TransferParameters, caller: Caller) async throws -> TicketReply
    func reprint(_ parameters: ReprintParameters, caller: Caller) async throws -> TicketReply
    func confirmPrinted(_ parameters: ConfirmPrintedParameters, caller: Caller) async throws -> TicketReply
    func getTicket(_ parameters: GetTicketParameters, caller: Caller) async throws -> TicketReply
    func status(caller: Caller) async throws -> StatusReply
    /// Events from now on, from a bounded buffer; the feed ends when the daemon
    /// stops or the client falls too far behind. The transport cancels it when
    /// the client goes away.
    func monitor(caller: Caller) async throws -> any MonitorFeed
    func reload(caller: Caller) async throws
    func listPrinters(caller: Caller) async throws -> ListPrintersReply
    func report(_ parameters: ReportParameters, caller: Caller) async throws -> ReportReply
}

extension QueueHandler {
    /// Handlers without reports (test stubs) answer MethodNotFound.
    public func report(_ parameters: ReportParameters, caller: Caller) async throws -> ReportReply {
        throw VarlinkErrors.methodNotFound("\(QueueInterface.name).Report")
    }
}

/// What the transport does with one received message.
public enum VarlinkOutcome: Sendable {
    /// Send these bytes (one reply or error, NUL included).
    case reply([UInt8])
    /// Send each element as the client takes it (replies with "continues":
    /// true, perhaps a final error); the stream finishing means the service has
    /// no more to say: close then. Cancel it when the client goes away.
    case stream(VarlinkReplyStream)
    /// Send nothing (a oneway call).
    case none
    /// The bytes are not JSON: there is nothing sensible to answer, close
    /// the connection.
    case close
}

/// Routes Varlink calls to org.varlink.service (served here) and to
/// io.antre.Queue (a `QueueHandler`). Transport-independent: the daemon's
/// socket server frames bytes with `VarlinkFramer` and sends the outcome.
public struct VarlinkDispatcher: Sendable {
    public let info: ServiceInfo
    public let handler: any QueueHandler
    /// Told about every error that reaches a client as InternalError (method,
    /// error), so the daemon can log in full what the client sees in one line.
    public let onInternalError: (@Sendable (String, any Error) -> Void)?

    /// `info.interfaces` is filled in by the dispatcher.
    public init(info: ServiceInfo, handler: any QueueHandler,
                onInternalError: (@Sendable (String, any Error) -> Void)? = nil) {
        var info = info
        info.interfaces = [VarlinkServiceInterface.name, QueueInterface.name]
        self.info = info
        self.handler = handler
        self.onInternalError = onInternalError
    }

    /// Handles one framed message (without its NUL).
    public func handle(_ message: [UInt8], caller: Caller = Caller()) async -> VarlinkOutcome {
        let call: VarlinkCall
        do {
            call = try VarlinkCall(decoding: message)
        } catch {
            switch error {
            case .invalidJSON: return .close
            case .notAnObject, .missingMethod, .methodNotString:
                return .reply(VarlinkErrors.invalidParameter("method").encoded())
            case let .methodWithoutInterface(name):
                return .reply(VarlinkErrors.methodNotFound(name).encoded())
            case let .invalidField(field):
                return .reply(VarlinkErrors.invalidParameter(field).encoded())
            }
        }
        return await handle(call, caller: caller)
    }

    /// Handles one decoded call.
    public func handle(_ call: VarlinkCall, caller: Caller = Caller()) async -> VarlinkOutcome {
        // No method here hands the connection over to another protocol: refuse
        // rather than answer as if the flag were absent.
        if call.upgrade { return .reply(VarlinkErrors.invalidParameter("upgrade").encoded()) }
        let bytes: [UInt8]
        switch call.interface {
        case VarlinkServiceInterface.name:
            bytes = await reply(call) { () async throws -> any Encodable in try serviceCall(call) }
        case QueueInterface.name:
            guard let method = QueueMethod.byName[call.memberName] else {
                bytes = VarlinkErrors.methodNotFound(call.method).encoded()
                break
            }
            switch method.route {
            case .stream:
                return await monitor(call, caller: caller)
            case let .reply(body):
                bytes = await reply(call) { () async throws -> any Encodable in try await body(handler, call, caller) }
            }
        default:
            bytes = VarlinkErrors.interfaceNotFound(call.interface).encoded()
        }
        return call.oneway ? .none : .reply(bytes)
    }

    private func serviceCall(_ call: VarlinkCall) throws -> any Encodable {
        switch call.memberName {
        case "GetInfo":
            return info
        case "GetInterfaceDescription":
            struct Parameters: Decodable { var interface: String }
            struct Reply: Encodable { var description: String }
            let name = try Self.decode(Parameters.self, call).interface
            switch name {
            case VarlinkServiceInterface.name: return Reply(description: VarlinkServiceInterface.idl)
            case QueueInterface.name: return Reply(description: QueueInterface.idl)
            default: throw VarlinkErrors.interfaceNotFound(name)
            }
        default:
            throw VarlinkErrors.methodNotFound(call.method)
        }
    }

    private func monitor(_ call: VarlinkCall, caller: Caller) async -> VarlinkOutcome {
        if call.oneway { return .none }
        guard call.more else { return .reply(VarlinkErrors.expectedMore().encoded()) }
        do {
            return .stream(VarlinkReplyStream(feed: try await handler.monitor(caller: caller)))
        } catch {
            return .reply(errorBytes(error, call))
        }
    }

    /// Runs `body` and encodes its result, or the error it threw.
    private func reply(_ call: VarlinkCall, _ body: () async throws -> any Encodable) async -> [UInt8] {
        do {
            return try VarlinkReply.encode(try await body())
        } catch {
            return errorBytes(error, call)
        }
    }

    private func errorBytes(_ error: any Error, _ call: VarlinkCall) -> [UInt8] {
        let varlink = VarlinkErrors.wire(error)
        if varlink.name == VarlinkErrors.Name.internalError, !(error is VarlinkError) {
            onInternalError?(call.method, error)
        }
        return varlink.encoded()
    }

    /// Decodes the call's parameters; a missing or ill-typed one becomes
    /// org.varlink.service.InvalidParameter naming it.
    static func decode<T: Decodable>(_ type: T.Type, _ call: VarlinkCall) throws -> T {
        do {
            return try JSONValue.object(call.parameters).decode(as: T.self)
        } catch let error as DecodingError {
            throw VarlinkErrors.invalidParameter(Self.parameterName(error))
        }
    }

    /// The top-level parameter a DecodingError is about.
    static func parameterName(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context):
            return context.codingPath.first?.stringValue ?? key.stringValue
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return context.codingPath.first?.stringValue ?? "parameters"
        @unknown default:
            return "parameters"
        }
    }
}

/// The org.varlink.service interface every Varlink service implements.
public enum VarlinkServiceInterface {
    public static let name = "org.varlink.service"

    /// Its IDL, as published on varlink.org.
    public static let idl = """
    # The Varlink Service Interface is provided by every varlink service. It
    # describes the service and the interfaces it implements.
    interface org.varlink.service

    # Get a list of all the interfaces a service provides and information
    # about the implementation.
    method GetInfo() -> (
      vendor: string,
      product: string,
      version: string,
      url: string,
      interfaces: []string
    )

    # Get the description of an interface that is implemented by this service.
    method GetInterfaceDescription(interface: string) -> (description: string)

    # The requested interface was not found.
    error InterfaceNotFound (interface: string)

    # The requested method was not found
    error MethodNotFound (method: string)

    # The interface defines the requested method, but the service does not
    # implement it.
    error MethodNotImplemented (method: string)

    # One of the passed parameters is invalid.
    error InvalidParameter (parameter: string)

    # Method is expected to be called with 'more' set to true, but wasn't
    error ExpectedMore ()

    """
}
