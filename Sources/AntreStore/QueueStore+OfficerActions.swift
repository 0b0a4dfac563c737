import AntreCore
import Foundation
import GRDB

/// What officers do for residents beyond "next": call a given number, bring a
/// skipped resident back in line.
extension QueueStore {
    /// Calls today's waiting ticket `number` to `counterID` out of turn (the
    /// resident is at the desk, or the officer takes them first). `serviceIDs`
    /// are the counter's services (empty = all). The ticket still called at
    /// that counter is finished first ("auto-finished"), as in `callNext`.
    /// Event "called", detail "by number".
    ///
    /// Throws `ticketNotFound`, `invalidState` (action "call") when it does not
    /// wait, `notServedAtCounter` when the counter does not serve its service;
    /// nothing changes then.
    public func callNumber(_ number: TicketNumber, counterID: String, serviceIDs: [String], now: Date,
                           actor: String? = nil) throws -> Ticket {
        let day = day(of: now)
        return try writeTransaction { db in
            let ticket = try Self.requireTicket(db, number: number, day: day)
            guard ticket.state == .waiting else {
                throw QueueError.invalidState(number: number.description, state: ticket.state, action: "call")
            }
            guard serviceIDs.isEmpty || serviceIDs.contains(ticket.serviceID) else {
                throw QueueError.notServedAtCounter(number: number.description, service: ticket.serviceID,
                                                    counter: counterID)
            }
            return try Self.call(db, ticket, counterID: counterID, day: day, now: now, detail: "by number",
                                 actor: actor)
        }
    }

    /// A skipped resident came back today: their ticket waits again, in line by
    /// its original issue time (so usually near the front), not at the back.
    /// Event "requeued" (detail: the counter that skipped it). Only today's
    /// skipped tickets: else `invalidState` (action "requeue").
    public func requeue(_ number: TicketNumber, now: Date, actor: String? = nil) throws -> Ticket {
        let day = day(of: now)
        return try writeTransaction { db in
            let ticket = try Self.requireTicket(db, number: number, day: day)
            guard ticket.state == .skipped else {
                throw QueueError.invalidState(number: number.description, state: ticket.state, action: "requeue")
            }
            try db.execute(
                sql: """
                    UPDATE ticket SET state = 'waiting', counter = NULL, called_at = NULL, finished_at = NULL
                    WHERE id = ?
                    """,
                arguments: [ticket.id])
            try Self.appendEvent(db, ticketID: ticket.id, kind: .requeued, serviceID: ticket.serviceID,
                                 counterID: ticket.counterID, at: now,
                                 detail: ticket.counterID.map { "skipped at counter \($0)" }, actor: actor)
            return try Self.requireTicket(db, id: ticket.id)
        }
    }
}
