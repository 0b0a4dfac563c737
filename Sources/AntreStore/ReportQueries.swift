import AntreCore
import Foundation
import GRDB

extension QueueStore {
    /// The report over local days `from`...`to` (both included), read in one
    /// read transaction: a WAL reader on its own snapshot, so presses and calls
    /// go on while it runs. Services and counters are ids as stored; names and
    /// configured order are the caller's (`QueueReport.arranged`).
    public func report(from: LocalDay, to: LocalDay) throws -> QueueReport {
        guard from <= to else { throw StoreError("report range ends (\(to)) before it starts (\(from))") }
        let (tickets, missed) = try readTransaction { db in
            (try Self.reportTickets(db, from: from, to: to), try Self.reportMissed(db, from: from, to: to))
        }
        return ReportBuilder(timeZone: timeZone).build(from: from, to: to, tickets: tickets, missed: missed)
    }

    /// Issue -> first call of every called ticket of the range, per service the
    /// number was taken for (for a waiting-time histogram).
    public func waitTimes(from: LocalDay, to: LocalDay) throws -> [String: [Double]] {
        let tickets = try readTransaction { db in try Self.reportTickets(db, from: from, to: to) }
        var waits: [String: [Double]] = [:]
        for ticket in tickets {
            guard let call = ticket.firstCall else { continue }
            waits[ticket.issuedService, default: []].append(max(0, call - ticket.issuedAt))
        }
        return waits
    }

    /// One row per ticket of the range with what the report needs; first call
    /// and transfer from the journal (index event_ticket_kind).
    private static func reportTickets(_ db: Database, from: LocalDay, to: LocalDay) throws -> [ReportTicket] {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT t.day, t.issued_service, t.service, t.counter, t.state, t.issued_at, t.called_at,
                   t.finished_at, t.priority,
                   (SELECT MIN(e.at) FROM event e WHERE e.ticket_id = t.id AND e.kind = 'called') AS first_call,
                   (SELECT e.counter FROM event e WHERE e.ticket_id = t.id AND e.kind = 'transferred'
                    ORDER BY e.at LIMIT 1) AS transfer_counter,
                   EXISTS (SELECT 1 FROM event e WHERE e.ticket_id = t.id AND e.kind = 'transferred') AS transferred
            FROM ticket t WHERE t.day BETWEEN ? AND ?
            """, arguments: [from.description, to.description])
        var rows: [ReportTicket] = []
        while let row = try cursor.next() {
            let state: String = try row.decode(forColumn: "state")
            rows.append(ReportTicket(
                day: try row.decode(forColumn: "day"),
                issuedService: try row.decode(forColumn: "issued_service"),
                service: try row.decode(forColumn: "service"),
                counter: try row.decode(forColumn: "counter"),
                state: TicketState(rawValue: state) ?? .expired,
                issuedAt: try row.decode(forColumn: "issued_at"),
                calledAt: try row.decode(forColumn: "called_at"),
                finishedAt: try row.decode(forColumn: "finished_at"),
                firstCall: try row.decode(forColumn: "first_call"),
                transferred: try row.decode(forColumn: "transferred"),
                transferCounter: try row.decode(forColumn: "transfer_counter"),
                priority: try row.decode(forColumn: "priority")))
        }
        return rows
    }

    private static func reportMissed(_ db: Database, from: LocalDay, to: LocalDay) throws -> [MissedFigure] {
        try Row.fetchAll(db, sql: """
            SELECT service, reason, COUNT(*) AS n FROM missed_press
            WHERE day BETWEEN ? AND ? GROUP BY service, reason ORDER BY service, reason
            """, arguments: [from.description, to.description]).map { row in
            MissedFigure(service: try row.decode(forColumn: "service"), reason: try row.decode(forColumn: "reason"),
                         count: try row.decode(forColumn: "n"))
        }
    }
}

/// What the report reads of one ticket. Times are seconds since 1970.
struct ReportTicket {
    var day: String
    var issuedService: String
    var service: String
    var counter: String?
    var state: TicketState
    var issuedAt: Double
    var calledAt: Double?
    var finishedAt: Double?
    var firstCall: Double?
    var transferred: Bool
    var transferCounter: String?
    var priority: Bool = false
}
