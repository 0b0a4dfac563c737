import AntreCore
import AntreWire
import Foundation
import Synchronization

/// Replies used across tests (values as the daemon would send them).
enum Samples {
    static let ticketB12 = TicketInfo(number: "B-012", service: "kk", serviceName: "Kartu Keluarga", state: .called,
                                      counter: "loket2", printState: .printed, issuedAt: "2026-11-28T08:05:00+07:00",
                                      calledAt: nil, callCount: 1)
    static let ticketT4 = TicketInfo(number: "T-004", service: "ktp", serviceName: "KTP-el", state: .waiting,
                                     printState: .printed, issuedAt: "2026-11-28T09:41:17+07:00", ahead: 3)

    static let status = StatusReply(
        day: "2026-11-28", office: "Kantor Desa Sukamaju",
        services: [
            ServiceStatus(service: "ktp", name: "KTP-el", prefix: "T", waiting: 3, issued: 8, served: 5, skipped: 0,
                          lastNumber: "T-008"),
            ServiceStatus(service: "akta-lahir", name: "Akta Kelahiran", prefix: "L", waiting: 0, issued: 0,
                          served: 0, skipped: 0, lastNumber: nil),
        ],
        counters: [
            CounterStatus(counter: "loket1", name: "Loket 1", services: ["ktp"],
                          current: TicketInfo(number: "T-005", service: "ktp", serviceName: "KTP-el", state: .called,
                                              counter: "loket1", printState: .printed,
                                              issuedAt: "2026-11-28T08:10:00+07:00",
                                              calledAt: "2026-11-28T10:32:05+07:00", callCount: 1)),
            CounterStatus(counter: "loket2", name: "Loket 2"),
        ],
        printers: [PrinterStatus(dispenser: "lobby", connection: "usb:0416:5011", state: "down",
                                 detail: "paper out", missedPresses: 3, pendingReprints: 1)],
        printFailed: [TicketInfo(number: "T-004", service: "ktp", serviceName: "KTP-el", state: .waiting,
                                 printState: .failed, issuedAt: "2026-11-28T10:02:44+07:00")])

    static let usbPrinter = UsbPrinterInfo(
        connection: "usb:0416:5011?serial=A1", id: "0416:5011", bus: 1, address: 5, serial: "A1",
        manufacturer: "Winbond", product: "POS-80", interface: 0, outEndpoint: "0x01", inEndpoint: "0x82",
        usedBy: ["lobby"])

    static func event(_ n: Int) -> QueueEventInfo {
        QueueEventInfo(kind: "called", at: "2026-11-28T10:3\(n):00+07:00", number: "B-00\(n)", service: "kk",
                       counter: "loket2", counterName: "Loket 2")
    }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "database is locked" }
}

/// A small QueueHandler for routing tests: fixed answers chosen by the input,
/// and a record of what it was asked.
final class StubQueue: QueueHandler {
    let calls = Mutex<[String]>([])
    let callers = Mutex<[Caller]>([])
    /// Set when the Monitor event source was torn down (client gone).
    let monitorTerminated = Mutex(false)
    let endlessMonitor: Bool
    /// What CallNext at counter "thrown" (and Monitor, when set) throws.
    let thrown: (any Error)?

    init(endlessMonitor: Bool = false, thrown: (any Error)? = nil) {
        self.endlessMonitor = endlessMonitor
        self.thrown = thrown
    }

    private func record(_ text: String, _ caller: Caller) {
        calls.withLock { $0.append(text) }
        callers.withLock { $0.append(caller) }
    }

    func issue(_ p: IssueParameters, caller: Caller) async throws -> IssueReply {
        record("issue \(p.service) \(p.dispenser ?? "-")", caller)
        guard p.service == "ktp" else { throw QueueError.serviceNotFound(service: p.service) }
        return IssueReply(ticket: Samples.ticketT4, ahead: 3, printed: true)
    }

    func callNext(_ p: CallNextParameters, caller: Caller) async throws -> CallNextReply {
        record("callNext \(p.counter) \(p.services ?? [])", caller)
        switch p.counter {
        case "loket2": return CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2", waiting: 4)
        case "denied": throw VarlinkErrors.permissionDenied("io.antre.Queue.CallNext")
        case "boom": throw Boom()
        case "thrown": throw thrown ?? Boom()
        default: throw QueueError.noTicketWaiting(counter: p.counter, services: p.services ?? [])
        }
    }

    func call(_ p: CallParameters, caller: Caller) async throws -> CallNextReply {
        record("call \(p.counter) \(p.number)", caller)
        return CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2", waiting: 3)
    }

    func requeue(_ p: RequeueParameters, caller: Caller) async throws -> TicketReply {
        record("requeue \(p.number)", caller)
        return TicketReply(ticket: Samples.ticketB12)
    }

    func recall(_ p: RecallParameters, caller: Caller) async throws -> RecallReply {
        record("recall \(p.counter ?? "-") \(p.number ?? "-")", caller)
        return RecallReply(ticket: Samples.ticketB12, counterName: "Loket 2")
    }

    func skip(_ p: SkipParameters, caller: Caller) async throws -> TicketReply {
        record("skip \(p.counter ?? "-") \(p.number ?? "-")", caller)
        throw QueueError.nothingCalled(counter: p.counter ?? "?")
    }

    func finish(_ p: FinishParameters, caller: Caller) async throws -> TicketReply {
        record("finish \(p.counter ?? "-") \(p.number ?? "-")", caller)
        var ticket = Samples.ticketB12
        ticket.state = .served
        return TicketReply(ticket: ticket)
    }

    func transfer(_ p: TransferParameters, caller: Caller) async throws -> TicketReply {
        record("transfer \(p.number) \(p.service)", caller)
        var ticket = Samples.ticketB12
        ticket.service = p.service
        ticket.state = .waiting
        return TicketReply(ticket: ticket)
    }

    func reprint(_ p: ReprintParameters, caller: Caller) async throws -> TicketReply {
        record("reprint \(p.number)", caller)
        return TicketReply(ticket: Samples.ticketT4)
    }

    func confirmPrinted(_ p: ConfirmPrintedParameters, caller: Caller) async throws -> TicketReply {
        record("confirm \(p.number)", caller)
        guard p.number == "T-004" else {
            throw QueueError.notConfirmable(number: p.number, printState: .pending)
        }
        return TicketReply(ticket: Samples.ticketT4)
    }

    func getTicket(_ p: GetTicketParameters, caller: Caller) async throws -> TicketReply {
        record("getTicket \(p.number)", caller)
        return TicketReply(ticket: Samples.ticketT4)
    }

    func status(caller: Caller) async throws -> StatusReply {
        record("status", caller)
        return Samples.status
    }

    func monitor(caller: Caller) async throws -> any MonitorFeed {
        record("monitor", caller)
        if let thrown { throw thrown }
        return StubFeed(events: (1...3).map(Samples.event), endless: endlessMonitor) {
            self.monitorTerminated.withLock { $0 = true }
        }
    }

    func reload(caller: Caller) async throws {
        record("reload", caller)
        // A domain error: the dispatcher makes it ConfigInvalid.
        throw ConfigError(issues: [ConfigIssue(file: "antre.toml", line: 3, key: "service[0].name", message: "missing")])
    }

    func listPrinters(caller: Caller) async throws -> ListPrintersReply {
        record("printers", caller)
        return ListPrintersReply(usb: [Samples.usbPrinter])
    }
}

/// Three events, then either the end or (endless) a wait until cancelled.
final class StubFeed: MonitorFeed {
    private let queued: Mutex<[QueueEventInfo]>
    private let endless: Bool
    private let onCancel: @Sendable () -> Void
    let endError: VarlinkError?

    init(events: [QueueEventInfo], endless: Bool, onCancel: @escaping @Sendable () -> Void,
         endError: VarlinkError? = nil) {
        self.endError = endError
        self.queued = Mutex(events)
        self.endless = endless
        self.onCancel = onCancel
    }

    func next() async -> QueueEventInfo? {
        if let event = queued.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return event }
        guard endless else { return nil }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        onCancel()
        return nil
    }

    func cancel() { onCancel() }
}
