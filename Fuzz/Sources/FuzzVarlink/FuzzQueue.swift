import AntreCore
import AntreWire
import Synchronization

/// Answers io.antre.Queue calls the way the daemon does at its edge, without a
/// store: ticket numbers are parsed like officers' input, client strings go
/// back out in replies (so hostile text is encoded too), unknown names become
/// QueueErrors. Monitor sends one event and ends.
struct FuzzQueue: QueueHandler {
    private static let services = ["ktp", "kk", "akta-lahir"]

    private func ticket(_ number: String, service: String = "ktp", counter: String? = nil) throws -> TicketInfo {
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        return TicketInfo(number: parsed.description, service: service, serviceName: service, state: .waiting,
                          counter: counter, printState: .printed, issuedAt: "2026-11-28T08:05:00+07:00")
    }

    private func known(_ service: String) throws -> String {
        guard Self.services.contains(service) else { throw QueueError.serviceNotFound(service: service) }
        return service
    }

    func issue(_ p: IssueParameters, caller: Caller) async throws -> IssueReply {
        IssueReply(ticket: try ticket("T-1", service: try known(p.service), counter: p.dispenser), ahead: 0,
                   printed: p.dispenser != nil)
    }

    func callNext(_ p: CallNextParameters, caller: Caller) async throws -> CallNextReply {
        for service in p.services ?? [] { _ = try known(service) }
        guard p.counter.hasPrefix("loket") else { throw QueueError.counterNotFound(counter: p.counter) }
        return CallNextReply(ticket: try ticket("B-12", counter: p.counter), counterName: p.counter)
    }

    func call(_ p: CallParameters, caller: Caller) async throws -> CallNextReply {
        guard p.counter.hasPrefix("loket") else { throw QueueError.counterNotFound(counter: p.counter) }
        return CallNextReply(ticket: try ticket(p.number, counter: p.counter), counterName: p.counter)
    }

    func requeue(_ p: RequeueParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number))
    }

    func recall(_ p: RecallParameters, caller: Caller) async throws -> RecallReply {
        guard let number = p.number else { throw QueueError.nothingCalled(counter: p.counter ?? "") }
        return RecallReply(ticket: try ticket(number, counter: p.counter), counterName: p.counter)
    }

    func skip(_ p: SkipParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number ?? "", counter: p.counter))
    }

    func finish(_ p: FinishParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number ?? "", counter: p.counter))
    }

    func transfer(_ p: TransferParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number, service: try known(p.service)))
    }

    func reprint(_ p: ReprintParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number))
    }

    func status(caller: Caller) async throws -> StatusReply {
        StatusReply(day: "2026-11-28", office: "Kantor Desa Fuzz",
                    services: Self.services.map {
                        ServiceStatus(service: $0, name: $0, prefix: "T", waiting: 0, issued: 0, served: 0,
                                      skipped: 0, lastNumber: nil)
                    })
    }

    func confirmPrinted(_ p: ConfirmPrintedParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number))
    }

    func getTicket(_ p: GetTicketParameters, caller: Caller) async throws -> TicketReply {
        TicketReply(ticket: try ticket(p.number))
    }

    func monitor(caller: Caller) async throws -> any MonitorFeed {
        OneEventFeed()
    }

    func reload(caller: Caller) async throws {
        throw VarlinkErrors.permissionDenied("io.antre.Queue.Reload")
    }

    func listPrinters(caller: Caller) async throws -> ListPrintersReply {
        ListPrintersReply(usb: [])
    }
}

/// Monitor's feed: one event, then the end (`report` uses the protocol's default).
final class OneEventFeed: MonitorFeed {
    private let sent = Mutex(false)
    let endError: VarlinkError? = nil

    func next() async -> QueueEventInfo? {
        guard !sent.withLock({ $0 }) else { return nil }
        sent.withLock { $0 = true }
        return QueueEventInfo(kind: "issued", at: "2026-11-28T10:30:00+07:00", number: "T-001", service: "ktp")
    }

    func cancel() { sent.withLock { $0 = true } }
}
