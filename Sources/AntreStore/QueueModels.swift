import AntreCore
import Foundation

/// A freshly issued ticket, how many tickets will be called before it and,
/// when today's pace is known, how long that may take.
public struct IssuedTicket: Sendable, Equatable {
    public var ticket: Ticket
    public var ahead: Int
    public var waitEstimate: WaitEstimate?
    public init(ticket: Ticket, ahead: Int, waitEstimate: WaitEstimate? = nil) {
        self.ticket = ticket
        self.ahead = ahead
        self.waitEstimate = waitEstimate
    }
}

/// Where a waiting ticket stands now: tickets to be called before it at the
/// counters serving its service, and the estimated wait (nil: not enough data
/// today, no counter given, or the ticket no longer waits).
public struct QueuePosition: Sendable, Equatable {
    public var ahead: Int
    public var waitEstimate: WaitEstimate?
    public init(ahead: Int, waitEstimate: WaitEstimate?) {
        self.ahead = ahead
        self.waitEstimate = waitEstimate
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
        /// Priority tickets among `waiting` (where they wait now) and among
        /// `issuedToday` (where they were issued).
        public var priorityWaiting: Int
        public var priorityIssued: Int
        public init(serviceID: String, waiting: Int, issuedToday: Int, served: Int, skipped: Int, lastNumber: TicketNumber?,
                    priorityWaiting: Int = 0, priorityIssued: Int = 0) {
            self.serviceID = serviceID
            self.waiting = waiting
            self.issuedToday = issuedToday
            self.served = served
            self.skipped = skipped
            self.lastNumber = lastNumber
            self.priorityWaiting = priorityWaiting
            self.priorityIssued = priorityIssued
        }
    }
    public var day: LocalDay
    public var services: [ServiceLine]
    /// Tickets currently called, one per counter at most.
    public var called: [Ticket]
    /// Today's tickets whose print failed (reprintable).
    public var printFailed: [Ticket]
    /// Today's tickets that may or may not be on paper (antred stopped while
    /// printing): an officer confirms or reprints them.
    public var unconfirmed: [Ticket]
    public init(day: LocalDay, services: [ServiceLine], called: [Ticket], printFailed: [Ticket],
                unconfirmed: [Ticket] = []) {
        self.day = day
        self.services = services
        self.called = called
        self.printFailed = printFailed
        self.unconfirmed = unconfirmed
    }
}

/// A stored row the store cannot make sense of (a value written by something else),
/// or a request the store refuses before touching SQLite.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A print result to record for a ticket.
public struct PrintStateUpdate: Sendable, Equatable {
    public var ticketID: Int64
    public var state: PrintState
    public var detail: String?
    public var at: Date
    public var actor: String?

    public init(ticketID: Int64, state: PrintState, detail: String?, at: Date, actor: String?) {
        self.ticketID = ticketID
        self.state = state
        self.detail = detail
        self.at = at
        self.actor = actor
    }
}
