import AntreCore
@testable import AntreStore
import Foundation
import GRDB
import Testing

/// Issue 13: "ahead" for a new ticket comes from the trigger-kept line counts
/// (`waiting_line`), not from walking the line. Whatever happens to tickets
/// (calls, skips, transfers, requeues, reprints, rollover, pruning, a hand
/// edit from another connection), the counts equal the tickets really
/// waiting, and every new ticket's "ahead" equals a plain count of the line.
@Suite struct WaitingLineTests {
    static let loket1 = Counter(id: "1", name: "Loket 1", services: ["ktp", "kk"])
    static let loket2 = Counter(id: "2", name: "Loket 2", services: ["akta"])
    static let prefixes = ["ktp": "T", "kk": "K", "akta": "L"]

    /// The line counts as the triggers keep them, and as counted from tickets.
    static func counts(_ path: String) throws -> (kept: [String], counted: [String]) {
        let reader = try DatabaseQueue(path: path)
        defer { try? reader.close() }
        return try reader.read { db in
            let kept = try Row.fetchAll(db, sql: """
                SELECT day, service, priority, waiting FROM waiting_line WHERE waiting != 0
                ORDER BY day, service, priority
                """).map { "\($0["day"] as String) \($0["service"] as String) p\($0["priority"] as Int) \($0["waiting"] as Int)" }
            let counted = try Row.fetchAll(db, sql: """
                SELECT day, service, priority, COUNT(*) AS waiting FROM ticket WHERE state = 'waiting'
                GROUP BY day, service, priority ORDER BY day, service, priority
                """).map { "\($0["day"] as String) \($0["service"] as String) p\($0["priority"] as Int) \($0["waiting"] as Int)" }
            return (kept, counted)
        }
    }

    /// Tickets of the ticket's line waiting before it, counted the slow way.
    static func countedAhead(_ path: String, _ ticket: Ticket, line: [String]) throws -> Int {
        let reader = try DatabaseQueue(path: path)
        defer { try? reader.close() }
        return try reader.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM ticket WHERE day = ? AND state = 'waiting' AND id != ?
                  AND service IN (\(line.map { "'\($0)'" }.joined(separator: ",")))
                  AND (issued_at < ? OR (issued_at = ? AND id < ?))
                """, arguments: [ticket.day.description, ticket.id, ticket.issuedAt.timeIntervalSince1970,
                                 ticket.issuedAt.timeIntervalSince1970, ticket.id]) ?? -1
        }
    }

    @Test func lineCountsFollowEveryChangeAndAheadMatchesACount() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let counters = [Self.loket1, Self.loket2]
        var generator = SystemRandomNumberGenerator()
        var minute = 0
        func now() throws -> Date { try local(8 + minute / 60, minute % 60) }
        var issued: [Ticket] = []
        for step in 0..<120 {
            minute += 1
            let service = ["ktp", "kk", "akta"][step % 3]
            let fresh = try store.issue(serviceID: service, prefix: Self.prefixes[service] ?? "X", dispenserID: nil,
                                        printState: .none, now: now(), counters: counters)
            issued.append(fresh.ticket)
            let line = service == "akta" ? ["akta"] : ["ktp", "kk"]
            #expect(fresh.ahead == (try Self.countedAhead(dir.dbPath, fresh.ticket, line: line)), "step \(step)")
            // Officers act between presses.
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: _ = try? store.callNext(counterID: "1", serviceIDs: [], now: now())
            case 1: _ = try? store.callNext(counterID: "2", serviceIDs: [], now: now())
            case 2: _ = try? store.skip(counterID: "1", number: nil, now: now())
            case 3:
                if let waiting = issued.filter({ $0.serviceID == "ktp" }).randomElement(using: &generator) {
                    _ = try? store.transfer(number: waiting.number, toServiceID: "akta", now: now())
                }
            case 4:
                if let any = issued.randomElement(using: &generator) { _ = try? store.requeue(any.number, now: now()) }
            default: _ = try? store.finish(counterID: "2", number: nil, now: now())
            }
            let counts = try Self.counts(dir.dbPath)
            #expect(counts.kept == counts.counted, "step \(step)")
        }
        // A priority ticket: the line order changes; "ahead" still matches the call order's count path.
        _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: now(),
                            priority: true, counters: counters)
        // A hand edit from another connection, then the next day's rollover and pruning.
        let editor = try DatabaseQueue(path: dir.dbPath)
        try editor.write { db in try db.execute(sql: "UPDATE ticket SET state = 'served' WHERE id IN (SELECT id FROM ticket WHERE state = 'waiting' LIMIT 3)") }
        try editor.close()
        var counts = try Self.counts(dir.dbPath)
        #expect(counts.kept == counts.counted)
        _ = try store.rollover(now: local(8, 0, day: 29))
        counts = try Self.counts(dir.dbPath)
        #expect(counts.kept == counts.counted)
        #expect(counts.counted.isEmpty)
        let tomorrow = try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none,
                                       now: local(8, 1, day: 29), counters: counters)
        #expect(tomorrow.ahead == 0)
        _ = try store.pruneHistory(now: local(8, 2, day: 29), keepDays: 1)
        counts = try Self.counts(dir.dbPath)
        #expect(counts.kept == counts.counted)
        #expect(counts.kept.count == 1)
    }

    /// A clock stepped back: the new ticket is not the last of its line, so
    /// its "ahead" is counted, not taken from the line's total.
    @Test func aTicketIssuedBeforeOthersAfterAClockStepBackIsCountedNotAssumedLast() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in [10, 11, 12] {
            _ = try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none,
                                now: local(9, minute), counters: [Self.loket1])
        }
        let early = try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none,
                                    now: local(9, 5), counters: [Self.loket1])
        #expect(early.ahead == 0)
    }

    /// A database from before the line counts gets them from its tickets.
    @Test func theMigrationCountsTicketsAlreadyWaiting() throws {
        let dir = try TempDir()
        let old = try DatabaseQueue(path: dir.dbPath)
        try Schema.migrator.migrate(old, upTo: "v5-priority")
        try old.write { db in
            for sequence in 1...4 {
                try db.execute(sql: """
                    INSERT INTO ticket (day, service, issued_service, prefix, sequence, state, print_state,
                                        issued_at, call_count, priority)
                    VALUES ('2026-11-28', 'kk', 'kk', 'K', ?, ?, 'none', ?, 0, 0)
                    """, arguments: [sequence, sequence == 1 ? "served" : "waiting", 1_795_827_600 + sequence])
            }
            try db.execute(sql: "INSERT INTO sequence_counter (day, prefix, last) VALUES ('2026-11-28', 'K', 4)")
        }
        try old.close()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let next = try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none,
                                   now: local(9, 0), counters: [Self.loket1])
        #expect(next.ahead == 3)
        let counts = try Self.counts(dir.dbPath)
        #expect(counts.kept == counts.counted)
        #expect(counts.kept == ["2026-11-28 kk p0 4"])
    }
}
