import AntreCore
import Foundation

/// A freshly issued ticket and how many residents were ahead of it.
public struct IssuedTicket: Sendable, Equatable {
    public var ticket: Ticket
    public var ahead: Int
    public init(ticket: Ticket, ahead: Int) {
        self.ticket = ticket
        self.ahead = ahead
    }
}

/// Queue figures for `antre status`.
public struct QueueSnapshot: Sendable, Equatable {
    public struct ServiceLine: Sendable, Equatable {
        public var serviceID: String
        public var waiting: Int
        public var issuedToday: Int
        public var served: Int
        public var skipped: Int
        /// Last number issued today, if any.
        public var lastNumber: TicketNumber?
        public init(serviceID: String, waiting: Int, issuedToday: Int, served: Int, skipped: Int, lastNumber: TicketNumber?) {
            self.serviceID = serviceID
            self.waiting = waiting
            self.issuedToday = issuedToday
            self.served = served
            self.skipped = skipped
            self.lastNumber = lastNumber
        }
    }
    public var day: LocalDay
    public var services: [ServiceLine]
    /// Tickets currently called, one per counter at most.
    public var called: [Ticket]
    /// Today's tickets whose print failed (reprintable).
    public var printFailed: [Ticket]
    public init(day: LocalDay, services: [ServiceLine], called: [Ticket], printFailed: [Ticket]) {
        self.day = day
        self.services = services
        self.called = called
        self.printFailed = printFailed
    }
}

/// The durable queue (SQLite through GRDB, WAL, synchronous=FULL). Every method
/// is one transaction; each change is committed (fsync) before it returns, and
/// appends event rows to the journal. Thread-safe: writes are serialised, so two
/// officers calling at once never get the same ticket.
public final class QueueStore: Sendable {
    public init(path: String, timeZone: TimeZone) throws { fatalError("unimplemented") }
}
