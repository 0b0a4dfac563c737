import AntreCore
import Foundation

// Codable mirrors of the io.antre.Queue types. Swift names are camelCase,
// wire names snake_case (explicit CodingKeys, so no encoder strategy can get
// them wrong). Optional fields are omitted when nil, as Varlink allows.

/// `Ticket`: one ticket of today's queue.
public struct TicketInfo: Codable, Sendable, Equatable {
    public var number: String
    public var service: String
    public var serviceName: String
    public var state: TicketState
    public var counter: String?
    public var printState: PrintState
    /// ISO 8601 with the office's offset.
    public var issuedAt: String
    public var calledAt: String?
    public var callCount: Int
    public var priority: Bool
    public var ahead: Int?

    enum CodingKeys: String, CodingKey {
        case number, service, state, counter, ahead, priority
        case serviceName = "service_name", printState = "print_state", issuedAt = "issued_at"
        case calledAt = "called_at", callCount = "call_count"
    }

    public init(number: String, service: String, serviceName: String, state: TicketState, counter: String? = nil,
                printState: PrintState, issuedAt: String, calledAt: String? = nil, callCount: Int = 0,
                priority: Bool = false, ahead: Int? = nil) {
        self.number = number
        self.service = service
        self.serviceName = serviceName
        self.state = state
        self.counter = counter
        self.printState = printState
        self.issuedAt = issuedAt
        self.calledAt = calledAt
        self.callCount = callCount
        self.priority = priority
        self.ahead = ahead
    }

    /// The wire form of a stored ticket; times are written in `timeZone`
    /// (the office's), so officers read local times.
    public init(_ ticket: Ticket, serviceName: String, ahead: Int? = nil, timeZone: TimeZone) {
        self.init(number: ticket.number.description, service: ticket.serviceID, serviceName: serviceName,
                  state: ticket.state, counter: ticket.counterID, printState: ticket.printState,
                  issuedAt: WireTime.string(ticket.issuedAt, in: timeZone),
                  calledAt: ticket.calledAt.map { WireTime.string($0, in: timeZone) },
                  callCount: ticket.callCount, priority: ticket.priority, ahead: ahead)
    }
}

/// `ServiceStatus`: today's numbers of one service.
public struct ServiceStatus: Codable, Sendable, Equatable {
    public var service: String
    public var name: String
    public var prefix: String
    public var waiting: Int
    public var issued: Int
    public var served: Int
    public var skipped: Int
    public var lastNumber: String?
    public var priorityWaiting: Int
    public var priorityIssued: Int
    public var dailyQuota: Int?
    /// Why no number can be taken now; nil while the service issues.
    public var notIssuing: String?

    enum CodingKeys: String, CodingKey {
        case service, name, prefix, waiting, issued, served, skipped
        case lastNumber = "last_number", priorityWaiting = "priority_waiting", priorityIssued = "priority_issued"
        case dailyQuota = "daily_quota", notIssuing = "not_issuing"
    }

    public init(service: String, name: String, prefix: String, waiting: Int, issued: Int, served: Int,
                skipped: Int, lastNumber: String? = nil, priorityWaiting: Int = 0, priorityIssued: Int = 0,
                dailyQuota: Int? = nil, notIssuing: String? = nil) {
        self.priorityWaiting = priorityWaiting
        self.priorityIssued = priorityIssued
        self.dailyQuota = dailyQuota
        self.notIssuing = notIssuing
        self.service = service
        self.name = name
        self.prefix = prefix
        self.waiting = waiting
        self.issued = issued
        self.served = served
        self.skipped = skipped
        self.lastNumber = lastNumber
    }
}

/// `CounterStatus`: one loket and the ticket it is serving.
public struct CounterStatus: Codable, Sendable, Equatable {
    public var counter: String
    public var name: String
    public var services: [String]
    public var current: TicketInfo?

    public init(counter: String, name: String, services: [String] = [], current: TicketInfo? = nil) {
        self.counter = counter
        self.name = name
        self.services = services
        self.current = current
    }
}

/// `PrinterStatus`: the printer of one dispenser.
public struct PrinterStatus: Codable, Sendable, Equatable {
    public var dispenser: String
    public var connection: String
    /// ready, warning, down or unknown.
    public var state: String
    public var detail: String?
    /// Presses refused today because the printer was down.
    public var missedPresses: Int
    /// Presses since start that the database could not record (in memory).
    public var unrecordedPresses: Int
    /// Failed tickets waiting for the printer to come back.
    public var pendingReprints: Int

    enum CodingKeys: String, CodingKey {
        case dispenser, connection, state, detail
        case missedPresses = "missed_presses"
        case unrecordedPresses = "unrecorded_presses"
        case pendingReprints = "pending_reprints"
    }

    public init(dispenser: String, connection: String, state: String, detail: String? = nil,
                missedPresses: Int = 0, unrecordedPresses: Int = 0, pendingReprints: Int = 0) {
        self.dispenser = dispenser
        self.connection = connection
        self.state = state
        self.detail = detail
        self.missedPresses = missedPresses
        self.unrecordedPresses = unrecordedPresses
        self.pendingReprints = pendingReprints
    }
}

/// `Event`: one change streamed by Monitor.
public struct QueueEventInfo: Codable, Sendable, Equatable {
    /// A QueueEvent.Kind raw value, or "printer" / "reloaded".
    public var kind: String
    public var at: String
    public var number: String?
    public var service: String?
    public var counter: String?
    public var counterName: String?
    public var detail: String?
    public var ticket: TicketInfo?
    /// The dispenser concerned (missed_press, printer).
    public var dispenser: String?

    enum CodingKeys: String, CodingKey {
        case kind, at, number, service, counter, detail, ticket, dispenser
        case counterName = "counter_name"
    }

    public init(kind: String, at: String, number: String? = nil, service: String? = nil, counter: String? = nil,
                counterName: String? = nil, detail: String? = nil, ticket: TicketInfo? = nil,
                dispenser: String? = nil) {
        self.dispenser = dispenser
        self.kind = kind
        self.at = at
        self.number = number
        self.service = service
        self.counter = counter
        self.counterName = counterName
        self.detail = detail
        self.ticket = ticket
    }

    /// The wire form of a journal event.
    public init(_ event: QueueEvent, counterName: String? = nil, ticket: TicketInfo? = nil, timeZone: TimeZone) {
        self.init(kind: event.kind.rawValue, at: WireTime.string(event.at, in: timeZone),
                  number: event.number.description, service: event.serviceID, counter: event.counterID,
                  counterName: counterName, detail: event.detail, ticket: ticket)
    }
}

// MARK: - Method parameters and replies

/// Parameters of methods that take none (Status, Monitor, Reload) and the reply of Reload.
public struct NoParameters: Codable, Sendable, Equatable {
    public init() {}
}

/// `Issue(service, dispenser)`.
public struct IssueParameters: Codable, Sendable, Equatable {
    public var service: String
    /// The dispenser whose printer prints it; nil issues without paper.
    public var dispenser: String?
    /// A priority ticket (lansia, difabel, ibu hamil).
    public var priority: Bool?
    /// Issue even outside the opening hours or past the daily quota (logged).
    public var force: Bool?
    public init(service: String, dispenser: String? = nil, priority: Bool? = nil, force: Bool? = nil) {
        self.service = service
        self.dispenser = dispenser
        self.priority = priority
        self.force = force
    }
}

/// `Issue` -> (ticket, ahead, printed).
public struct IssueReply: Codable, Sendable, Equatable {
    public var ticket: TicketInfo
    public var ahead: Int
    public var printed: Bool
    public init(ticket: TicketInfo, ahead: Int, printed: Bool) {
        self.ticket = ticket
        self.ahead = ahead
        self.printed = printed
    }
}

/// `CallNext(counter, services)`.
public struct CallNextParameters: Codable, Sendable, Equatable {
    public var counter: String
    /// Restricts the call to these services; nil means the counter's own.
    public var services: [String]?
    public init(counter: String, services: [String]? = nil) {
        self.counter = counter
        self.services = services
    }
}

/// `CallNext` -> (ticket, counter_name).
public struct CallNextReply: Codable, Sendable, Equatable {
    public var ticket: TicketInfo
    public var counterName: String
    /// Tickets still waiting for the services called from, after this call.
    public var waiting: Int?
    enum CodingKeys: String, CodingKey {
        case ticket, waiting
        case counterName = "counter_name"
    }
    public init(ticket: TicketInfo, counterName: String, waiting: Int? = nil) {
        self.ticket = ticket
        self.counterName = counterName
        self.waiting = waiting
    }
}

/// `Call(counter, number)`: that waiting ticket, out of turn.
public struct CallParameters: Codable, Sendable, Equatable {
    public var counter: String
    public var number: String
    public init(counter: String, number: String) {
        self.counter = counter
        self.number = number
    }
}

/// `Requeue(number)`: a skipped ticket back in line.
public struct RequeueParameters: Codable, Sendable, Equatable {
    public var number: String
    public init(number: String) {
        self.number = number
    }
}

/// Parameters of Recall, Skip and Finish: the ticket called at `counter`,
/// or the ticket `number`.
public struct TicketSelector: Codable, Sendable, Equatable {
    public var counter: String?
    public var number: String?
    public init(counter: String? = nil, number: String? = nil) {
        self.counter = counter
        self.number = number
    }
}

public typealias RecallParameters = TicketSelector
public typealias SkipParameters = TicketSelector
public typealias FinishParameters = TicketSelector

/// `Recall` -> (ticket, counter_name).
public struct RecallReply: Codable, Sendable, Equatable {
    public var ticket: TicketInfo
    public var counterName: String?
    enum CodingKeys: String, CodingKey {
        case ticket
        case counterName = "counter_name"
    }
    public init(ticket: TicketInfo, counterName: String?) {
        self.ticket = ticket
        self.counterName = counterName
    }
}

/// Replies that carry one ticket: Skip, Finish, Transfer, Reprint, GetTicket.
public struct TicketReply: Codable, Sendable, Equatable {
    public var ticket: TicketInfo
    public init(ticket: TicketInfo) {
        self.ticket = ticket
    }
}

/// `Transfer(number, service)`.
public struct TransferParameters: Codable, Sendable, Equatable {
    public var number: String
    public var service: String
    public init(number: String, service: String) {
        self.number = number
        self.service = service
    }
}

/// `Reprint(number)`.
public struct ReprintParameters: Codable, Sendable, Equatable {
    public var number: String
    public init(number: String) {
        self.number = number
    }
}

/// `ConfirmPrinted(number)`: same shape as Reprint.
public typealias ConfirmPrintedParameters = ReprintParameters

/// `GetTicket(number)`: one of today's tickets, read only.
public struct GetTicketParameters: Codable, Sendable, Equatable {
    public var number: String
    public init(number: String) {
        self.number = number
    }
}

/// `Status` -> today's queue, counters and printers.
public struct StatusReply: Codable, Sendable, Equatable {
    /// "2026-11-28"
    public var day: String
    /// The office name.
    public var office: String
    public var services: [ServiceStatus]
    public var counters: [CounterStatus]
    public var printers: [PrinterStatus]
    public var printFailed: [TicketInfo]
    /// Printing interrupted by a stop of antred: confirm or reprint.
    public var unconfirmed: [TicketInfo]
    public var daemon: DaemonInfo?

    enum CodingKeys: String, CodingKey {
        case day, office, services, counters, printers, daemon, unconfirmed
        case printFailed = "print_failed"
    }

    public init(day: String, office: String, services: [ServiceStatus] = [], counters: [CounterStatus] = [],
                printers: [PrinterStatus] = [], printFailed: [TicketInfo] = [], unconfirmed: [TicketInfo] = [],
                daemon: DaemonInfo? = nil) {
        self.daemon = daemon
        self.day = day
        self.office = office
        self.services = services
        self.counters = counters
        self.printers = printers
        self.printFailed = printFailed
        self.unconfirmed = unconfirmed
    }
}

/// `Monitor` -> (event), one reply per change.
public struct MonitorReply: Codable, Sendable, Equatable {
    public var event: QueueEventInfo
    public init(event: QueueEventInfo) {
        self.event = event
    }
}

/// `org.varlink.service.GetInfo` reply; also what a service says about itself.
public struct ServiceInfo: Codable, Sendable, Equatable {
    public var vendor: String
    public var product: String
    public var version: String
    public var url: String
    public var interfaces: [String]

    public init(vendor: String = "Antre", product: String = "antred", version: String,
                url: String = "", interfaces: [String] = []) {
        self.vendor = vendor
        self.product = product
        self.version = version
        self.url = url
        self.interfaces = interfaces
    }
}

/// Times on the wire: ISO 8601 with the office's UTC offset, second precision.
public enum WireTime {
    /// "2026-11-28T10:32:05+07:00"
    public static func string(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T"
            + "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
            + "\(sign)\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    /// Parses what `string(_:in:)` writes (and "Z" for UTC).
    public static func date(_ text: String) -> Date? {
        try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// "10:32:05" of "2026-11-28T10:32:05+07:00": the office's wall-clock time,
    /// which is what officers want to read.
    public static func clock(_ text: String) -> String {
        guard let t = text.firstIndex(of: "T") else { return text }
        return String(text[text.index(after: t)...].prefix(8))
    }
}

/// `UsbPrinter`: a USB printer the daemon can see.
public struct UsbPrinterInfo: Codable, Sendable, Equatable {
    public var connection: String
    public var id: String
    public var bus: Int
    public var address: Int
    public var serial: String?
    public var manufacturer: String?
    public var product: String?
    public var interface: Int
    public var outEndpoint: String
    public var inEndpoint: String?
    public var usedBy: [String]

    enum CodingKeys: String, CodingKey {
        case connection, id, bus, address, serial, manufacturer, product, interface
        case outEndpoint = "out_endpoint"
        case inEndpoint = "in_endpoint"
        case usedBy = "used_by"
    }

    public init(connection: String, id: String, bus: Int, address: Int, serial: String?, manufacturer: String?,
                product: String?, interface: Int, outEndpoint: String, inEndpoint: String?, usedBy: [String]) {
        self.connection = connection
        self.id = id
        self.bus = bus
        self.address = address
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
        self.interface = interface
        self.outEndpoint = outEndpoint
        self.inEndpoint = inEndpoint
        self.usedBy = usedBy
    }
}

/// Reply of `ListPrinters`.
public struct ListPrintersReply: Codable, Sendable, Equatable {
    public var usb: [UsbPrinterInfo]
    public init(usb: [UsbPrinterInfo]) { self.usb = usb }
}

/// `DaemonInfo`: the daemon itself.
public struct DaemonInfo: Codable, Sendable, Equatable {
    public var version: String
    public var startedAt: String
    /// Durable database transactions since start.
    public var dbCommits: Int
    /// The last failure to write the database ("10:32:05 database or disk is full").
    public var storageError: String?

    enum CodingKeys: String, CodingKey {
        case version
        case startedAt = "started_at"
        case dbCommits = "db_commits"
        case storageError = "storage_error"
    }

    public init(version: String, startedAt: String, dbCommits: Int, storageError: String? = nil) {
        self.version = version
        self.startedAt = startedAt
        self.dbCommits = dbCommits
        self.storageError = storageError
    }
}
