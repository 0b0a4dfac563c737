import AntreCore
import Foundation
import GRDB

/// Honest position: what the counters serving a ticket's service will call
/// before it (by `CallOrder`, priority included), and today's pace there.
/// The store gets the counters from the caller; it never reads the config.
extension QueueStore {
    /// `ticket`'s position now (see `issue` for how `ahead` is counted).
    public func position(of ticket: Ticket, counters: [Counter],
                         priorityRatio: Int = CallOrder.defaultPriorityRatio) throws -> QueuePosition {
        try readTransaction { db in
            let current = try Self.fetchTicket(db, id: ticket.id) ?? ticket
            return try Self.position(db, of: current, counters: counters, priorityRatio: priorityRatio)
        }
    }

    /// How long residents took today (call to finish, served tickets) at these
    /// counters: the pace behind `WaitEstimate`.
    public func serviceDurations(counterIDs: [String], now: Date) throws -> [ServiceDuration] {
        let day = day(of: now)
        return try readTransaction { db in try Self.serviceDurations(db, counterIDs: counterIDs, day: day) }
    }

    static func position(_ db: Database, of ticket: Ticket, counters: [Counter],
                         priorityRatio: Int) throws -> QueuePosition {
        guard ticket.state == .waiting else { return QueuePosition(ahead: 0, waitEstimate: nil) }
        let order = CallOrder(priorityRatio: priorityRatio)
        let serving = counters.filter { $0.services.isEmpty || $0.services.contains(ticket.serviceID) }
        let estimate = { (ahead: Int) throws -> WaitEstimate? in
            guard !serving.isEmpty else { return nil }
            return WaitEstimate.estimate(
                ahead: ahead, durations: try serviceDurations(db, counterIDs: serving.map(\.id), day: ticket.day))
        }
        // One line, one caller (a lone counter, or none known) and no priority
        // ticket in it: plain queue order, counted in SQL (the common case, and
        // cheap with thousands waiting).
        let related = CallOrder.counters(calling: ticket.serviceID, among: counters.map {
            CallingCounter(id: $0.id, serviceIDs: $0.services, priorityStreak: 0)
        }).related
        if related.count <= 1 {
            let line: [String]? = serving.first.map { $0.services.isEmpty ? nil : $0.services } ?? [ticket.serviceID]
            if try !priorityWaiting(db, day: ticket.day, serviceIDs: line) {
                let ahead = try waitingBefore(db, ticket, serviceIDs: line)
                return QueuePosition(ahead: ahead, waitEstimate: try estimate(ahead))
            }
        }
        let waiting = try waitingEntries(db, day: ticket.day, serviceIDs: serving.isEmpty ? [ticket.serviceID] : nil)
        // Streaks only matter while a priority ticket waits.
        let anyPriority = waiting.contains(where: \.priority)
        var callers: [CallingCounter] = []
        if serving.isEmpty {
            // No counter known: its own service's line, as one counter would call it.
            callers = [CallingCounter(id: "", serviceIDs: [ticket.serviceID], priorityStreak: 0)]
        } else {
            for counter in counters {
                var streak = 0
                if anyPriority {
                    streak = try priorityStreak(db, counterID: counter.id, day: ticket.day, limit: order.priorityRatio)
                }
                callers.append(CallingCounter(id: counter.id, serviceIDs: counter.services, priorityStreak: streak))
            }
        }
        let ahead = order.ahead(of: ticket.id, waiting: waiting, counters: callers) ?? 0
        return QueuePosition(ahead: ahead, waitEstimate: try estimate(ahead))
    }

    /// Whether a priority ticket waits today for `serviceIDs` (nil: any
    /// service): read from the trigger-kept line counts, a few rows.
    static func priorityWaiting(_ db: Database, day: LocalDay, serviceIDs: [String]?) throws -> Bool {
        var sql = "SELECT EXISTS (SELECT 1 FROM waiting_line WHERE day = ? AND priority = 1 AND waiting > 0"
        var arguments: StatementArguments = [day.description]
        restrict(&sql, &arguments, toServices: serviceIDs)
        return try Bool.fetchOne(db.cachedStatement(sql: sql + ")"), arguments: arguments) ?? false
    }

    /// Today's waiting tickets of `serviceIDs` (nil: any) before `ticket` in
    /// queue order. For the last ticket of its line (a new one, always but
    /// after a clock step back) it is the line's count from `waiting_line`
    /// less itself: a few index probes, whatever the length of the line.
    /// Otherwise SQLite counts the line up to the ticket.
    static func waitingBefore(_ db: Database, _ ticket: Ticket, serviceIDs: [String]?) throws -> Int {
        let issuedAt = ticket.issuedAt.timeIntervalSince1970
        if ticket.state == .waiting {
            let lines = try waitingLines(db, day: ticket.day, serviceIDs: serviceIDs)
            let services = lines.map(\.service)
            if services.contains(ticket.serviceID) {
                var isLast = true
                for service in services where isLast {
                    isLast = try !(Bool.fetchOne(db.cachedStatement(sql: """
                        SELECT EXISTS (SELECT 1 FROM ticket WHERE day = ? AND state = 'waiting' AND service = ?
                                         AND (issued_at, id) > (?, ?))
                        """), arguments: [ticket.day.description, service, issuedAt, ticket.id]) ?? true)
                }
                if isLast { return max(0, lines.reduce(0) { $0 + $1.waiting } - 1) }
            }
        }
        var sql = """
            SELECT COUNT(*) FROM ticket WHERE day = ? AND state = 'waiting'
              AND (issued_at < ? OR (issued_at = ? AND id < ?))
            """
        var arguments: StatementArguments = [ticket.day.description, issuedAt, issuedAt, ticket.id]
        restrict(&sql, &arguments, toServices: serviceIDs)
        return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
    }

    /// Adds "AND service IN (...)" for `serviceIDs`; nil: any service.
    static func restrict(_ sql: inout String, _ arguments: inout StatementArguments, toServices serviceIDs: [String]?) {
        guard let serviceIDs else { return }
        sql += " AND service IN (\(databaseQuestionMarks(count: serviceIDs.count)))"
        arguments += StatementArguments(serviceIDs)
    }

    /// Services of `serviceIDs` (nil: any) with tickets waiting today, and how
    /// many (priority and regular together), from `waiting_line`.
    static func waitingLines(_ db: Database, day: LocalDay,
                             serviceIDs: [String]?) throws -> [(service: String, waiting: Int)] {
        var sql = "SELECT service, SUM(waiting) AS waiting FROM waiting_line WHERE day = ? AND waiting > 0"
        var arguments: StatementArguments = [day.description]
        restrict(&sql, &arguments, toServices: serviceIDs)
        return try Row.fetchAll(db.cachedStatement(sql: sql + " GROUP BY service"), arguments: arguments).map { row in
            (service: try row.decode(forColumn: "service"), waiting: try row.decode(forColumn: "waiting"))
        }
    }

    /// Today's waiting tickets of `serviceIDs` (nil: all services).
    static func waitingEntries(_ db: Database, day: LocalDay, serviceIDs: [String]?) throws -> [QueueEntry] {
        var sql = "SELECT id, service, priority, issued_at FROM ticket WHERE day = ? AND state = 'waiting'"
        var arguments: StatementArguments = [day.description]
        restrict(&sql, &arguments, toServices: serviceIDs)
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            QueueEntry(id: try row.decode(forColumn: "id"), serviceID: try row.decode(forColumn: "service"),
                       priority: try row.decode(forColumn: "priority"),
                       issuedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "issued_at")))
        }
    }

    /// Priority tickets `counterID` called in a row today since its last
    /// regular call, counted up to `limit` (more changes nothing in the rule).
    /// Derived from the journal's "called" events (calls by number included).
    static func priorityStreak(_ db: Database, counterID: String, day: LocalDay, limit: Int) throws -> Int {
        let rows = try Row.fetchAll(db, sql: """
            SELECT ticket.priority AS priority, ticket.day AS day
            FROM event JOIN ticket ON ticket.id = event.ticket_id
            WHERE event.counter = ? AND event.kind = 'called'
            ORDER BY event.id DESC LIMIT ?
            """, arguments: [counterID, max(1, limit)])
        var streak = 0
        for row in rows {
            let priority: Bool = try row.decode(forColumn: "priority")
            let rowDay: String = try row.decode(forColumn: "day")
            guard priority, rowDay == day.description else { break }
            streak += 1
        }
        return streak
    }

    static func serviceDurations(_ db: Database, counterIDs: [String], day: LocalDay) throws -> [ServiceDuration] {
        guard !counterIDs.isEmpty else { return [] }
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT counter, finished_at - called_at AS seconds FROM ticket
            WHERE counter IN (\(databaseQuestionMarks(count: counterIDs.count))) AND state = 'served' AND day = ?
              AND called_at IS NOT NULL AND finished_at IS NOT NULL
            """), arguments: StatementArguments(counterIDs + [day.description])).map { row in
            ServiceDuration(counterID: try row.decode(forColumn: "counter"), seconds: try row.decode(forColumn: "seconds"))
        }
    }

    /// Recalls of the ticket since it was last called.
    static func recallsSinceCalled(_ db: Database, ticketID: Int64) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM event
            WHERE ticket_id = ? AND kind = 'recalled'
              AND id > (SELECT COALESCE(MAX(id), 0) FROM event WHERE ticket_id = ? AND kind = 'called')
            """, arguments: [ticketID, ticketID]) ?? 0
    }
}
