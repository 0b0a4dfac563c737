import Foundation

/// Where a ticket is in the queue. waiting -> called(counter) -> served | skipped;
/// tickets still waiting or called when their day ends become expired.
public enum TicketState: String, Sendable, Codable, Equatable, CaseIterable {
    case waiting, called, served, skipped, expired
}

/// Whether the paper reached the resident. Separate from the queue state: a
/// ticket whose print failed still holds its place and can be reprinted.
public enum PrintState: String, Sendable, Codable, Equatable, CaseIterable {
    /// Committed, bytes not yet (all) written.
    case pending
    case printed
    /// The write failed or timed out: visible in status, reprintable.
    case failed = "print_failed"
    /// The daemon stopped (kill -9, power cut) while the ticket was going out:
    /// it may or may not be on paper. Never reprinted automatically; an
    /// officer confirms it (the resident has it) or reprints it.
    case unconfirmed
    /// Issued from the CLI without a dispenser: nothing to print.
    case none
}

/// A ticket number as residents see it: prefix letter, dash, three digits ("B-012").
public struct TicketNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public var prefix: String
    public var sequence: Int

    public init(prefix: String, sequence: Int) {
        self.prefix = prefix
        self.sequence = sequence
    }

    /// Parses "B-012", "b12", "B012" (officers type them in a hurry).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard let first = trimmed.first, first.isLetter, first.isASCII else { return nil }
        var digits = trimmed.dropFirst()
        if digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int(digits), value > 0 else { return nil }
        self.init(prefix: String(first), sequence: value)
    }

    public var description: String {
        let digits = String(sequence)
        return prefix + "-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

/// One ticket as stored in the queue.
public struct Ticket: Sendable, Equatable, Codable {
    public var id: Int64
    public var number: TicketNumber
    /// The local day the ticket belongs to ("2026-11-28").
    public var day: LocalDay
    /// The service the ticket waits for now (changes on transfer).
    public var serviceID: String
    /// The service it was issued for (its number's prefix belongs to this one).
    public var issuedServiceID: String
    public var state: TicketState
    public var counterID: String?
    public var printState: PrintState
    public var dispenserID: String?
    public var issuedAt: Date
    public var calledAt: Date?
    public var finishedAt: Date?
    /// How many times it was called (recalls included).
    public var callCount: Int
    /// Lansia, difabel, ibu hamil: called before regular tickets, within the
    /// office's `priority_ratio` (see `CallOrder`).
    public var priority: Bool

    public init(id: Int64, number: TicketNumber, day: LocalDay, serviceID: String,
                issuedServiceID: String, state: TicketState, counterID: String?,
                printState: PrintState, dispenserID: String?, issuedAt: Date,
                calledAt: Date?, finishedAt: Date?, callCount: Int, priority: Bool = false) {
        self.id = id
        self.number = number
        self.day = day
        self.serviceID = serviceID
        self.issuedServiceID = issuedServiceID
        self.state = state
        self.counterID = counterID
        self.printState = printState
        self.dispenserID = dispenserID
        self.issuedAt = issuedAt
        self.calledAt = calledAt
        self.finishedAt = finishedAt
        self.callCount = callCount
        self.priority = priority
    }

    /// Its place in the call order.
    public var queueEntry: QueueEntry {
        QueueEntry(id: id, serviceID: serviceID, priority: priority, issuedAt: issuedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, number, day, serviceID, issuedServiceID, state, counterID, printState, dispenserID
        case issuedAt, calledAt, finishedAt, callCount, priority
    }

    /// `priority` may be missing (written before priority tickets existed): regular.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Int64.self, forKey: .id), number: try c.decode(TicketNumber.self, forKey: .number),
                  day: try c.decode(LocalDay.self, forKey: .day), serviceID: try c.decode(String.self, forKey: .serviceID),
                  issuedServiceID: try c.decode(String.self, forKey: .issuedServiceID),
                  state: try c.decode(TicketState.self, forKey: .state),
                  counterID: try c.decodeIfPresent(String.self, forKey: .counterID),
                  printState: try c.decode(PrintState.self, forKey: .printState),
                  dispenserID: try c.decodeIfPresent(String.self, forKey: .dispenserID),
                  issuedAt: try c.decode(Date.self, forKey: .issuedAt),
                  calledAt: try c.decodeIfPresent(Date.self, forKey: .calledAt),
                  finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt),
                  callCount: try c.decode(Int.self, forKey: .callCount),
                  priority: try c.decodeIfPresent(Bool.self, forKey: .priority) ?? false)
    }
}

/// A journal entry: every change to a ticket is one event row.
public struct QueueEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, Equatable, CaseIterable {
        case issued, called, recalled, skipped, served, transferred, expired
        case printed, printFailed = "print_failed", reprintRequested = "reprint_requested"
        case printUnconfirmed = "print_unconfirmed"
        /// A skipped resident came back: waiting again at their original place.
        case requeued
    }

    public var id: Int64
    public var ticketID: Int64
    public var number: TicketNumber
    public var kind: Kind
    public var serviceID: String
    public var counterID: String?
    public var at: Date
    /// Free text: transfer source, failure reason...
    public var detail: String?
    /// Who made the change ("uid:1000", "dispenser:lobi"); nil when unknown.
    public var actor: String?

    public init(id: Int64, ticketID: Int64, number: TicketNumber, kind: Kind, serviceID: String,
                counterID: String?, at: Date, detail: String?, actor: String? = nil) {
        self.id = id
        self.ticketID = ticketID
        self.number = number
        self.kind = kind
        self.serviceID = serviceID
        self.counterID = counterID
        self.at = at
        self.detail = detail
        self.actor = actor
    }
}
