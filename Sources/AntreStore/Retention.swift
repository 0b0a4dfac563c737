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
    /// today and the 400 days before it. At most `batch` tickets (oldest first)
    /// per call, in one transaction, so a large prune (retention lowered, or a
    /// long-stopped office) never holds the write lock for long: call again
    /// until fewer than `batch` tickets go. Run when nothing is old it removes
    /// nothing. Freed pages are reused by new rows (no VACUUM: it would lock
    /// the whole file).
    public func pruneHistory(now: Date, keepDays: Int, batch: Int = 5_000) throws -> PruneResult {
        guard keepDays >= 1 else { throw StoreError("retention must keep at least one day, not \(keepDays)") }
        let cutoff = day(of: now).adding(days: -keepDays).description
        return try writeTransaction { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM ticket WHERE day < ? ORDER BY day, id LIMIT ?",
                                         arguments: [cutoff, max(1, batch)])
            var result = PruneResult()
            if !ids.isEmpty {
                let marks = databaseQuestionMarks(count: ids.count)
                try db.execute(sql: "DELETE FROM event WHERE ticket_id IN (\(marks))", arguments: StatementArguments(ids))
                result.events = db.changesCount
                try db.execute(sql: "DELETE FROM ticket WHERE id IN (\(marks))", arguments: StatementArguments(ids))
                result.tickets = db.changesCount
            }
            try db.execute(sql: "DELETE FROM missed_press WHERE day < ?", arguments: [cutoff])
            result.missedPresses = db.changesCount
            try db.execute(sql: "DELETE FROM sequence_counter WHERE day < ?", arguments: [cutoff])
            return result
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
