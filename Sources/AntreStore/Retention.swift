import AntreCore
import Foundation
import GRDB

/// How many rows a prune removed.
public struct PruneResult: Sendable, Equatable {
    public var tickets: Int
    public var events: Int
    public var missedPresses: Int
    public init(tickets: Int = 0, events: Int = 0, missedPresses: Int = 0) {
        self.tickets = tickets
        self.events = events
        self.missedPresses = missedPresses
    }
}

extension QueueStore {
    /// Deletes tickets (with their journal), missed presses and day counters of
    /// local days more than `keepDays` before `now`'s day: `keepDays` = 400 keeps
    /// today and the 400 days before it. One transaction; run again it removes
    /// nothing. The freed pages are reused by new rows (no VACUUM: it would
    /// hold the write lock for the whole file).
    public func pruneHistory(now: Date, keepDays: Int) throws -> PruneResult {
        guard keepDays >= 1 else { throw StoreError("retention must keep at least one day, not \(keepDays)") }
        let cutoff = day(of: now).adding(days: -keepDays).description
        return try writeTransaction { db in
            try db.execute(sql: """
                DELETE FROM event WHERE ticket_id IN (SELECT id FROM ticket WHERE day < ?)
                """, arguments: [cutoff])
            let events = db.changesCount
            try db.execute(sql: "DELETE FROM ticket WHERE day < ?", arguments: [cutoff])
            let tickets = db.changesCount
            try db.execute(sql: "DELETE FROM missed_press WHERE day < ?", arguments: [cutoff])
            let missed = db.changesCount
            try db.execute(sql: "DELETE FROM sequence_counter WHERE day < ?", arguments: [cutoff])
            return PruneResult(tickets: tickets, events: events, missedPresses: missed)
        }
    }

    /// The oldest local day with a ticket, if any.
    public func oldestTicketDay() throws -> LocalDay? {
        try readTransaction { db in
            guard let text = try String.fetchOne(db, sql: "SELECT MIN(day) FROM ticket") else { return nil }
            return LocalDay(text)
        }
    }
}
