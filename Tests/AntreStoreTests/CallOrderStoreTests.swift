import AntreCore
@testable import AntreStore
import Foundation
import GRDB
import Testing

/// Issue 11 in the store: priority tickets and the call order, honest "ahead",
/// today's pace, call by number, requeue, recalls before skip.
@Suite struct CallOrderStoreTests {
    /// The shipped config's Loket 1 (four services) and Loket 2 (two others).
    static let loket1 = Counter(id: "1", name: "Loket 1", services: ["ktp", "kk", "pindah", "kia"])
    static let loket2 = Counter(id: "2", name: "Loket 2", services: ["akta-lahir", "akta-mati"])
    static let prefixes = ["ktp": "T", "kk": "K", "pindah": "P", "kia": "A", "akta-lahir": "L", "akta-mati": "M"]

    static func issue(_ store: QueueStore, _ service: String, priority: Bool = false, at now: Date,
                      counters: [Counter] = [loket1, loket2], ratio: Int = 2) throws -> IssuedTicket {
        try store.issue(serviceID: service, prefix: prefixes[service] ?? "X", dispenserID: "lobi",
                        printState: .pending, now: now, priority: priority, counters: counters,
                        priorityRatio: ratio)
    }

    // MARK: schema

    @Test func migrationKeepsTicketsAsRegularAndRefusesOtherFlags() throws {
        let dir = try TempDir()
        let old = try DatabaseQueue(path: dir.dbPath)
        try Schema.migrator.migrate(old, upTo: "v4-report")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO ticket (day, service, issued_service, prefix, sequence, state, print_state, dispenser,
                                    issued_at, call_count)
                VALUES ('2026-11-28', 'ktp', 'ktp', 'T', 1, 'waiting', 'printed', 'lobi', 1795827600, 0);
                INSERT INTO sequence_counter (day, prefix, last) VALUES ('2026-11-28', 'T', 1);
                """)
        }
        try old.close()

        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        #expect(try store.tickets(day: nov28).map(\.priority) == [false])
        let priority = try Self.issue(store, "ktp", priority: true, at: local(8, 5))
        #expect(priority.ticket.priority && priority.ticket.number.description == "T-002")
        #expect(try store.ticket(id: priority.ticket.id)?.priority == true)
        try store.close()

        let raw = try DatabaseQueue(path: dir.dbPath)
        try raw.write { db in
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE ticket SET priority = 2 WHERE id = 1") }
            // The streak query walks the partial index of call events, newest first.
            let plan = try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT ticket.priority FROM event JOIN ticket ON ticket.id = event.ticket_id
                WHERE event.counter = '1' AND event.kind = 'called' ORDER BY event.id DESC LIMIT 2
                """).map { $0["detail"] as String? ?? "" }.joined(separator: "\n")
            #expect(plan.contains("event_counter_call"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
        try raw.close()
    }

    // MARK: call order

    @Test func callNextServesPriorityFirstWithinTheRatio() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<3 { _ = try Self.issue(store, "ktp", at: local(8, minute)) }
        for minute in 3..<8 { _ = try Self.issue(store, "kk", priority: true, at: local(8, minute)) }
        var called: [String] = []
        for minute in 0..<8 {
            let ticket = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: local(9, minute),
                                            priorityRatio: 2)
            called.append(ticket.number.description)
        }
        #expect(called == ["K-001", "K-002", "T-001", "K-003", "K-004", "T-002", "K-005", "T-003"])
        let snapshot = try store.snapshot(now: local(9, 10))
        #expect(snapshot.services.first { $0.serviceID == "kk" }?.priorityIssued == 5)
    }

    @Test func theStreakIsPerCounterAndTodayOnly() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        // Yesterday Loket 1 ended with two priority calls: today starts afresh.
        for minute in 0..<2 { _ = try Self.issue(store, "kk", priority: true, at: local(8, minute, day: 27)) }
        for minute in 0..<2 {
            _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, minute, day: 27), priorityRatio: 2)
        }
        _ = try Self.issue(store, "ktp", at: local(8, 0))
        _ = try Self.issue(store, "kk", priority: true, at: local(8, 1))
        _ = try Self.issue(store, "kk", priority: true, at: local(8, 2))
        _ = try Self.issue(store, "kk", priority: true, at: local(8, 3))
        #expect(try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 0)).number.description == "K-001")
        // Loket 3 has its own streak: it also starts with a priority ticket.
        #expect(try store.callNext(counterID: "3", serviceIDs: [], now: local(9, 1)).number.description == "K-002")
        #expect(try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 2)).number.description == "K-003")
        // Loket 1 called two priority tickets in a row: the regular one now.
        #expect(try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 3)).number.description == "T-001")
    }

    @Test func statusAndReportCountPriorityTickets() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        _ = try Self.issue(store, "ktp", priority: true, at: local(8, 0))
        for minute in 1...3 { _ = try Self.issue(store, "ktp", at: local(8, minute)) }
        _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 0))
        let line = try #require(try store.snapshot(now: local(9, 1)).services.first { $0.serviceID == "ktp" })
        #expect(line.priorityIssued == 1 && line.priorityWaiting == 0 && line.waiting == 3)
        let report = try store.report(from: nov28, to: nov28)
        #expect(report.total.priorityShare == 0.25)
        #expect(report.services.first { $0.id == "ktp" }?.priorityShare == 0.25)
    }

    // MARK: honest ahead

    @Test func aheadCountsWhatTheCounterCallsFirstAcrossServices() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        // The issue's morning: K-001..K-003, then T-001 and P-001, all for Loket 1.
        let issued = try ["kk", "kk", "kk", "ktp", "pindah", "akta-lahir"].enumerated().map { minute, service in
            try Self.issue(store, service, at: local(8, minute))
        }
        #expect(issued.map(\.ahead) == [0, 1, 2, 3, 4, 0])
        let t001 = issued[3].ticket
        // Same figure later, and as the old same-service count without counters.
        #expect(try store.waitingAhead(of: t001, counters: [Self.loket1, Self.loket2]) == 3)
        #expect(try store.waitingAhead(of: t001) == 0)
        // A priority ticket issued later goes before T-001.
        let lansia = try Self.issue(store, "kia", priority: true, at: local(8, 10))
        #expect(lansia.ahead == 0)
        #expect(try store.position(of: t001, counters: [Self.loket1, Self.loket2]).ahead == 4)
    }

    @Test func aheadAtIssueEqualsCallsBeforeItForEveryTicketOfAMixedRun() throws {
        // Loket 1 calls while residents of its four services keep arriving.
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let services = ["ktp", "kk", "pindah", "kia", "kk", "kk", "pindah"]
        var printed: [String: Int] = [:], callsAtIssue: [String: Int] = [:], calledAfter: [String: Int] = [:]
        var calls = 0, clock = try local(8, 0)
        for index in 0..<42 {
            clock += 20
            let issued = try Self.issue(store, services[index % services.count], at: clock)
            printed[issued.ticket.number.description] = issued.ahead
            callsAtIssue[issued.ticket.number.description] = calls
            if index % 3 == 2 {
                clock += 20
                let called = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: clock)
                calledAfter[called.number.description] = calls - (callsAtIssue[called.number.description] ?? 0)
                calls += 1
            }
        }
        while let called = try? store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: clock + 1) {
            calledAfter[called.number.description] = calls - (callsAtIssue[called.number.description] ?? 0)
            calls += 1
        }
        #expect(calls == 42)
        #expect(printed == calledAfter)
    }

    @Test func aheadNowEqualsCallsBeforeItWithPriorityTicketsMixedIn() throws {
        // Priority tickets, four services, and a counter already one priority call
        // into its streak: for every waiting ticket, the figure a reprint (or the
        // phone page) shows now is the number of calls before it.
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        _ = try Self.issue(store, "kia", priority: true, at: local(7, 59))
        _ = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: local(8, 0))
        let services = ["ktp", "kk", "pindah", "kia", "kk"]
        for index in 0..<40 {
            _ = try Self.issue(store, services[index % services.count], priority: index % 7 == 3 || index % 11 == 5,
                               at: local(8, 1, second: index))
        }
        var expected: [String: Int] = [:]
        for ticket in try store.tickets(day: nov28) where ticket.state == .waiting {
            expected[ticket.number.description] = try store.waitingAhead(of: ticket, counters: [Self.loket1, Self.loket2])
        }
        var before: [String: Int] = [:], calls = 0
        while let ticket = try? store.callNext(counterID: "1", serviceIDs: Self.loket1.services,
                                               now: local(9, 0, second: calls)) {
            before[ticket.number.description] = calls
            calls += 1
        }
        #expect(calls == 40)
        #expect(expected == before)
        // The priority tickets did go first, two per regular call.
        let order = try store.tickets(day: nov28).filter { $0.calledAt != nil }
            .sorted { ($0.calledAt ?? .distantPast, $0.id) < ($1.calledAt ?? .distantPast, $1.id) }
        #expect(order.prefix(4).map(\.priority) == [true, true, false, true])
    }

    @Test func positionWithTwoCountersSharingAService() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let a = Counter(id: "1", name: "Loket 1", services: ["ktp", "kk"])
        let b = Counter(id: "2", name: "Loket 2", services: ["kk"])
        for minute in 0..<3 { _ = try Self.issue(store, "kk", at: local(8, minute), counters: [a, b]) }
        let ktp = try Self.issue(store, "ktp", at: local(8, 3), counters: [a, b])
        // Loket 2 takes K-002: Loket 1 calls K-001 and K-003 before T-001.
        #expect(ktp.ahead == 2)
    }

    // MARK: estimated wait

    @Test func estimateAppearsAfterThreeServedAtTheTicketsCounters() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<8 { _ = try Self.issue(store, "ktp", at: local(8, minute)) }
        // Loket 1 serves residents in 6 minutes each; Loket 2 (other services) is not counted.
        var clock = try local(9, 0)
        for _ in 0..<2 {
            _ = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: clock)
            clock += 6 * 60
            _ = try store.finish(counterID: "1", number: nil, now: clock)
        }
        let last = try #require(try store.tickets(day: nov28).last)
        #expect(try store.position(of: last, counters: [Self.loket1, Self.loket2]).waitEstimate == nil)
        _ = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: clock)
        clock += 6 * 60
        _ = try store.finish(counterID: "1", number: nil, now: clock)
        #expect(try store.serviceDurations(counterIDs: ["1"], now: clock).map(\.seconds) == [360, 360, 360])
        #expect(try store.serviceDurations(counterIDs: ["2"], now: clock).isEmpty)
        // Four ahead of T-008 at 6 minutes each: 24-30 minutes, shown as 20-30.
        let position = try store.position(of: last, counters: [Self.loket1, Self.loket2])
        #expect(position.ahead == 4)
        #expect(position.waitEstimate == WaitEstimate(minMinutes: 20, maxMinutes: 30))
        let next = try Self.issue(store, "ktp", at: clock)
        #expect(next.ahead == 5 && next.waitEstimate == WaitEstimate(minMinutes: 30, maxMinutes: 40))
    }

    // MARK: officer actions

    @Test func callNumberCallsAWaitingTicketOutOfTurn() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<3 { _ = try Self.issue(store, "ktp", at: local(8, minute)) }
        _ = try Self.issue(store, "akta-lahir", at: local(8, 3))
        let first = try store.callNext(counterID: "1", serviceIDs: Self.loket1.services, now: local(9, 0))
        let third = try store.callNumber(try num("T-003"), counterID: "1", serviceIDs: Self.loket1.services,
                                         now: local(9, 5), actor: "uid:1000")
        #expect(third.state == .called && third.counterID == "1" && third.callCount == 1)
        // The ticket called before is finished, as with callNext.
        #expect(try store.ticket(id: first.id)?.state == .served)
        let events = try store.events(after: 0, limit: 100).filter { $0.ticketID == third.id }
        #expect(events.last?.kind == .called && events.last?.detail == "by number" && events.last?.actor == "uid:1000")

        #expect(throws: QueueError.invalidState(number: "T-003", state: .called, action: "call")) {
            try store.callNumber(try num("T-003"), counterID: "1", serviceIDs: [], now: local(9, 6))
        }
        #expect(throws: QueueError.notServedAtCounter(number: "L-001", service: "akta-lahir", counter: "1")) {
            try store.callNumber(try num("L-001"), counterID: "1", serviceIDs: Self.loket1.services, now: local(9, 6))
        }
        #expect(throws: QueueError.ticketNotFound(number: "T-009")) {
            try store.callNumber(try num("T-009"), counterID: "1", serviceIDs: [], now: local(9, 6))
        }
        // Refusals changed nothing: T-003 is still the one called at Loket 1.
        #expect(try store.snapshot(now: local(9, 7)).called.map(\.number.description) == ["T-003"])
        #expect(try store.ticket(number: try num("L-001"), day: nov28)?.state == .waiting)
    }

    @Test func requeueBringsASkippedTicketBackByItsIssueTime() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<4 { _ = try Self.issue(store, "ktp", at: local(8, minute)) }
        let first = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 0))
        _ = try store.skip(counterID: "1", number: nil, now: local(9, 2))
        #expect(throws: QueueError.invalidState(number: "T-002", state: .waiting, action: "requeue")) {
            try store.requeue(try num("T-002"), now: local(9, 3))
        }
        let back = try store.requeue(first.number, now: local(9, 30), actor: "uid:1000")
        #expect(back.state == .waiting && back.counterID == nil && back.calledAt == nil && back.finishedAt == nil)
        #expect(back.issuedAt == first.issuedAt)
        let event = try #require(try store.events(after: 0, limit: 100).last)
        #expect(event.kind == .requeued && event.ticketID == first.id && event.actor == "uid:1000")
        #expect(event.detail == "skipped at counter 1")
        // Back at the front: issued before T-002.
        #expect(try store.waitingAhead(of: back, counters: [Self.loket1]) == 0)
        #expect(try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 31)).number == first.number)
        // Yesterday's skipped ticket cannot come back today (another day's number).
        #expect(throws: QueueError.ticketNotFound(number: "T-001")) {
            try store.requeue(try num("T-001"), now: local(9, 0, day: 29))
        }
    }

    @Test func recallBeyondTheLimitSkipsAndSaysSo() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        _ = try Self.issue(store, "ktp", at: local(8, 0))
        _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 0))
        for minute in 1...2 {
            let recalled = try store.recall(counterID: "1", number: nil, now: local(9, minute), recallsBeforeSkip: 2)
            #expect(recalled.state == .called && recalled.callCount == minute + 1)
        }
        let third = try store.recall(counterID: "1", number: nil, now: local(9, 3), actor: "uid:1000",
                                     recallsBeforeSkip: 2)
        #expect(third.state == .skipped && third.callCount == 3)
        let event = try #require(try store.events(after: 0, limit: 100).last)
        #expect(event.kind == .skipped && event.detail == "not present after 2 recalls")
        // Requeued and called again, the resident gets the recalls again.
        _ = try store.requeue(third.number, now: local(9, 20))
        _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 21))
        #expect(try store.recall(counterID: "1", number: nil, now: local(9, 22), recallsBeforeSkip: 2).state == .called)
        // Without a limit, recalls go on as before.
        for minute in 23..<30 {
            #expect(try store.recall(counterID: "1", number: nil, now: local(9, minute)).state == .called)
        }
    }
}
