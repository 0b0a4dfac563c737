/// One io.antre.Queue method as the dispatcher routes it: its name, the Swift
/// types of its parameters and reply, and the `QueueHandler` call. `all` is the
/// dispatcher's only routing table; the interface tests compare it, type by
/// type, with the methods the IDL declares.
public struct QueueMethod: Sendable {
    public let name: String
    public let parameters: any (Codable & Sendable).Type
    public let reply: any (Codable & Sendable).Type
    let route: Route

    enum Route: Sendable {
        /// Decode the parameters, call the handler, encode its reply.
        case reply(@Sendable (any QueueHandler, VarlinkCall, Caller) async throws -> any Encodable)
        /// Replies stream from the handler's MonitorFeed (see VarlinkDispatcher).
        case stream
    }

    /// Whether the replies come as a stream ("more": true).
    public var streams: Bool {
        if case .stream = route { true } else { false }
    }

    private static func call<P: Codable & Sendable, R: Codable & Sendable>(
        _ name: String, _ parameters: P.Type, _ reply: R.Type,
        _ body: @escaping @Sendable (any QueueHandler, P, Caller) async throws -> R
    ) -> QueueMethod {
        QueueMethod(name: name, parameters: parameters, reply: reply, route: .reply { handler, call, caller in
            try await body(handler, try VarlinkDispatcher.decode(P.self, call), caller)
        })
    }

    public static let all: [QueueMethod] = [
        call("ListPrinters", NoParameters.self, ListPrintersReply.self) { handler, _, caller in
            try await handler.listPrinters(caller: caller)
        },
        call("Issue", IssueParameters.self, IssueReply.self) { try await $0.issue($1, caller: $2) },
        call("CallNext", CallNextParameters.self, CallNextReply.self) { try await $0.callNext($1, caller: $2) },
        call("Call", CallParameters.self, CallNextReply.self) { try await $0.call($1, caller: $2) },
        call("Requeue", RequeueParameters.self, TicketReply.self) { try await $0.requeue($1, caller: $2) },
        call("Recall", RecallParameters.self, RecallReply.self) { try await $0.recall($1, caller: $2) },
        call("Skip", SkipParameters.self, TicketReply.self) { try await $0.skip($1, caller: $2) },
        call("Finish", FinishParameters.self, TicketReply.self) { try await $0.finish($1, caller: $2) },
        call("Transfer", TransferParameters.self, TicketReply.self) { try await $0.transfer($1, caller: $2) },
        call("Reprint", ReprintParameters.self, TicketReply.self) { try await $0.reprint($1, caller: $2) },
        call("ConfirmPrinted", ConfirmPrintedParameters.self, TicketReply.self) {
            try await $0.confirmPrinted($1, caller: $2)
        },
        call("GetTicket", GetTicketParameters.self, TicketReply.self) { try await $0.getTicket($1, caller: $2) },
        call("Status", NoParameters.self, StatusReply.self) { handler, _, caller in
            try await handler.status(caller: caller)
        },
        QueueMethod(name: "Monitor", parameters: NoParameters.self, reply: MonitorReply.self, route: .stream),
        call("Report", ReportParameters.self, ReportReply.self) { try await $0.report($1, caller: $2) },
        call("Reload", NoParameters.self, NoParameters.self) { handler, _, caller in
            try await handler.reload(caller: caller)
            return NoParameters()
        },
    ]

    static let byName: [String: QueueMethod] = Dictionary(all.map { ($0.name, $0) }) { first, _ in first }
}
