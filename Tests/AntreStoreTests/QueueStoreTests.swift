import AntreCore
import AntreStore
import Foundation
import GRDB
import Testing

// MARK: - Helpers

/// A fresh directory under the system temp dir; tests run in parallel.
struct TempDir: ~Copyable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("antre-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var dbPath: String { url.appendingPathComponent("queue.sqlite").path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

let jakarta = TimeZone(identifier: "Asia/Jakarta") ?? TimeZone(secondsFromGMT: 7 * 3600) ?? .gmt

/// An instant from ISO 8601 text ("2026-11-28T02:00:00Z").
func at(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "bad date \(text)")
}

/// 2026-11-28 at local Jakarta time hh:mm (UTC+7).
func local(_ hour: Int, _ minute: Int, second: Int = 0, day: Int = 28) throws -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = jakarta
    return try #require(calendar.date(from: DateComponents(
        year: 2026, month: 11, day: day, hour: hour, minute: minute, second: second)))
}

func num(_ text: String) throws -> TicketNumber {
    try #require(TicketNumber(parsing: text))
}

let nov28 = LocalDay(year: 2026, month: 11, day: 28)
let nov29 = LocalDay(year: 2026, month: 11, day: 29)

// MARK: - Numbering and ahead

@Test func numbersCountPerServiceAndFormatWithThreeDigits() throws {
    let dir = try TempDir()
    let s = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    var numbers: [String] = []
    for (service, prefix, minute) in [("ktp", "T", 0), ("ktp", "T", 1), ("kk", "B", 2), ("ktp", "T", 3), ("kk", "B", 4)] {
        let issued = try s.issue(serviceID: service, prefix: prefix, dispenserID: nil, printState: .none,
                                 now: try local(9, minute))
        numbers.append(issued.ticket.number.description)
        #expect(issued.ticket.day == nov28)
        #expect(issued.ticket.state == .waiting)
        #expect(issued.ticket.serviceID == service)
        #expect(issued.ticket.issuedServiceID == service)
        #expect(issued.ticket.callCount == 0)
    }
    #expect(numbers == ["T-001", "T-002", "B-001", "T-003", "B-002"])
    // Sequence past 999 keeps all digits.
    #expect(TicketNumber(prefix: "T", sequence: 1234).description == "T-1234")
}

@Test func aheadCountsWaitingTicketsOfTheSameServiceOnly() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    let a = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .pending, now: local(8, 0))
    let b = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .pending, now: local(8, 1))
    let other = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .pending, now: local(8, 2))
    let c = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .pending, now: local(8, 3))
    #expect([a.ahead, b.ahead, other.ahead, c.ahead] == [Int](arrayLiteral: 0, 1, 0, 2))

    // Calling A-001 leaves one ahead of A-003; the next ticket sees two ahead.
    let called = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(8, 10))
    #expect(called.number.description == "A-001")
    #expect(try store.waitingAhead(of: c.ticket) == 1)
    let d = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .pending, now: local(8, 11))
    #expect(d.ahead == 2)
    // A called ticket has nobody ahead any more.
    #expect(try store.waitingAhead(of: a.ticket) == 0)
}

// MARK: - Calling

@Test func counterServingSeveralServicesCallsInIssueOrder() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    _ = try store.issue(serviceID: "akta", prefix: "C", dispenserID: nil, printState: .none, now: local(8, 59))
    _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 0))
    _ = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .none, now: local(9, 1))
    _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 2))

    var order: [String] = []
    for minute in 10..<13 {
        let t = try store.callNext(counterID: "loket-1", serviceIDs: ["ktp", "kk"], now: local(9, minute))
        #expect(t.state == .called)
        #expect(t.counterID == "loket-1")
        #expect(t.calledAt == (try local(9, minute)))
        #expect(t.callCount == 1)
        order.append(t.number.description)
    }
    #expect(order == ["A-001", "B-001", "A-002"])
    // C-001 (akta) is older but not served at this counter.
    #expect(throws: QueueError.noTicketWaiting(counter: "loket-1", services: ["ktp", "kk"])) {
        try store.callNext(counterID: "loket-1", serviceIDs: ["ktp", "kk"], now: try local(9, 20))
    }
    // An empty list serves any service.
    let any = try store.callNext(counterID: "loket-2", serviceIDs: [], now: local(9, 21))
    #expect(any.number.description == "C-001")
    #expect(throws: QueueError.noTicketWaiting(counter: "loket-2", services: [])) {
        try store.callNext(counterID: "loket-2", serviceIDs: [], now: try local(9, 22))
    }
}

@Test func counterRestrictedToItsServices() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 0))
    let error = #expect(throws: QueueError.self) {
        try store.callNext(counterID: "2", serviceIDs: ["kk"], now: try local(9, 5))
    }
    #expect(error?.description == "no ticket waiting for counter 2 (services: kk)")
    // The ktp ticket is untouched and still callable by the right counter.
    let t = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 6))
    #expect(t.number.description == "A-001")
}

@Test func callNextAutoFinishesThePreviousTicketAtThatCounter() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    for minute in 0..<2 {
        _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, minute))
    }
    let first = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 10), actor: "uid:1000")
    let mark = try store.lastEventID()
    let second = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 20), actor: "uid:1000")
    #expect(second.number.description == "A-002")

    let previous = try #require(try store.ticket(id: first.id))
    #expect(previous.state == .served)
    #expect(previous.finishedAt == (try local(9, 20)))
    #expect(previous.counterID == "1")

    let events = try store.events(after: mark, limit: 10)
    #expect(events.map(\.kind) == [.served, .called])
    #expect(events[0].number.description == "A-001")
    #expect(events[0].detail == "auto-finished")
    #expect(events[0].counterID == "1")
    #expect(events[1].number.description == "A-002")

    // Nothing waiting: the error changes nothing, A-002 stays called.
    #expect(throws: QueueError.noTicketWaiting(counter: "1", services: [])) {
        try store.callNext(counterID: "1", serviceIDs: [], now: try local(9, 30))
    }
    #expect(try store.ticket(id: second.id)?.state == .called)
    // Another counter's call does not finish counter 1's ticket.
    _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 31))
    _ = try store.callNext(counterID: "2", serviceIDs: [], now: local(9, 32))
    #expect(try store.ticket(id: second.id)?.state == .called)
}

@Test func recallSkipFinishByCounterAndByNumber() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    for minute in 0..<4 {
        _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, minute))
    }
    // Nothing called yet.
    #expect(throws: QueueError.nothingCalled(counter: "1")) {
        try store.recall(counterID: "1", number: nil, now: try local(9, 5))
    }
    #expect(throws: QueueError.nothingCalled(counter: "1")) {
        try store.finish(counterID: "1", number: nil, now: try local(9, 5))
    }
    // By number, the ticket must be called.
    let waitingError = #expect(throws: QueueError.self) {
        try store.finish(counterID: nil, number: try num("A-002"), now: try local(9, 5))
    }
    #expect(waitingError == .invalidState(number: "A-002", state: .waiting, action: "finish"))
    #expect(waitingError?.description == "cannot finish A-002: it is waiting")
    #expect(throws: QueueError.ticketNotFound(number: "A-099")) {
        try store.skip(counterID: nil, number: try num("a99"), now: try local(9, 5))
    }

    // Counter 1 calls A-001, recalls it by counter, finishes it by counter.
    _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 10))
    let recalled = try store.recall(counterID: "1", number: nil, now: local(9, 11))
    #expect(recalled.number.description == "A-001")
    #expect(recalled.callCount == 2)
    #expect(recalled.state == .called)
    #expect(recalled.calledAt == (try local(9, 10)))
    let served = try store.finish(counterID: "1", number: nil, now: local(9, 15))
    #expect(served.number.description == "A-001")
    #expect(served.state == .served)
    #expect(served.finishedAt == (try local(9, 15)))
    #expect(throws: QueueError.nothingCalled(counter: "1")) {
        try store.skip(counterID: "1", number: nil, now: try local(9, 16))
    }

    // Counter 2 calls A-002; it is recalled and skipped by number (typed "a2").
    _ = try store.callNext(counterID: "2", serviceIDs: [], now: local(9, 20))
    let again = try store.recall(counterID: nil, number: num("a2"), now: local(9, 21))
    #expect(again.callCount == 2)
    let skipped = try store.skip(counterID: nil, number: num("A-002"), now: local(9, 22))
    #expect(skipped.state == .skipped)
    #expect(skipped.counterID == "2")

    // A skipped or served ticket can no longer be finished, skipped or recalled.
    #expect(throws: QueueError.invalidState(number: "A-002", state: .skipped, action: "finish")) {
        try store.finish(counterID: nil, number: try num("A-002"), now: try local(9, 23))
    }
    #expect(throws: QueueError.invalidState(number: "A-001", state: .served, action: "recall")) {
        try store.recall(counterID: nil, number: try num("A-001"), now: try local(9, 23))
    }

    // Counter 3 calls A-003, finished by number from anywhere.
    _ = try store.callNext(counterID: "3", serviceIDs: [], now: local(9, 30))
    #expect(try store.finish(counterID: nil, number: num("A-003"), now: local(9, 31)).state == .served)

    let kinds = try store.events(after: 0, limit: 100).filter { $0.kind != .issued }.map(\.kind)
    #expect(kinds == [.called, .recalled, .served, .called, .recalled, .skipped, .called, .served])
}

// MARK: - Transfer

@Test func transferKeepsPlaceByOriginalIssueTime() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    let moved = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 0))
    let kk1 = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .none, now: local(9, 30))
    let kk2 = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .none, now: local(9, 31))

    // The KTP officer calls A-001 and sends the resident to the KK desk at 10:00.
    _ = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 50))
    let t = try store.transfer(number: num("A-001"), toServiceID: "kk", now: local(10, 0), actor: "uid:1000")
    #expect(t.number.description == "A-001")
    #expect(t.serviceID == "kk")
    #expect(t.issuedServiceID == "ktp")
    #expect(t.state == .waiting)
    #expect(t.counterID == nil)
    #expect(t.issuedAt == moved.ticket.issuedAt)

    #expect(try store.waitingAhead(of: t) == 0)
    #expect(try store.waitingAhead(of: kk1.ticket) == 1)
    #expect(try store.waitingAhead(of: kk2.ticket) == 2)

    let event = try #require(try store.events(after: 0, limit: 100).last)
    #expect(event.kind == .transferred)
    #expect(event.detail == "from ktp")
    #expect(event.serviceID == "kk")
    #expect(event.actor == "uid:1000")

    // The KTP counter no longer has it, the KK counter calls it first.
    #expect(throws: QueueError.nothingCalled(counter: "1")) {
        try store.finish(counterID: "1", number: nil, now: try local(10, 1))
    }
    let order = try (0..<3).map { i in
        try store.callNext(counterID: "2", serviceIDs: ["kk"], now: try local(10, 5 + i)).number.description
    }
    #expect(order == ["A-001", "B-001", "B-002"])
    // The transferred ticket counts for kk in the snapshot, its number for ktp.
    let snap = try store.snapshot(now: local(10, 10))
    let ktp = try #require(snap.services.first { $0.serviceID == "ktp" })
    let kk = try #require(snap.services.first { $0.serviceID == "kk" })
    #expect(ktp.issuedToday == 1)
    #expect(ktp.served == 0)
    #expect(kk.issuedToday == 2)
    #expect(kk.served == 2)  // A-001 and B-001 auto-finished at counter 2

    #expect(throws: QueueError.invalidState(number: "A-001", state: .served, action: "transfer")) {
        try store.transfer(number: try num("A-001"), toServiceID: "ktp", now: try local(10, 11))
    }
}

// MARK: - Days

@Test func rolloverAtJakartaMidnight() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    // 16:59:59Z is 23:59:59 on Nov 28 in Jakarta, 17:00:00Z is midnight Nov 29.
    let late = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none,
                               now: at("2026-11-28T16:59:00Z"))
    let lateCalled = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none,
                                     now: at("2026-11-28T16:59:59Z"))
    #expect(late.ticket.day == nov28)
    #expect(lateCalled.ticket.number.description == "A-002")
    _ = try store.callNext(counterID: "1", serviceIDs: [], now: at("2026-11-28T16:59:59Z"))  // calls A-001
    let early = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none,
                                now: at("2026-11-28T17:00:00Z"))
    #expect(early.ticket.day == nov29)
    #expect(early.ticket.number.description == "A-001")
    #expect(early.ahead == 0)

    // The new day's call sees only today's ticket, not yesterday's A-002.
    let called = try store.callNext(counterID: "2", serviceIDs: [], now: at("2026-11-28T17:00:01Z"))
    #expect(called.id == early.ticket.id)
    #expect(throws: QueueError.noTicketWaiting(counter: "2", services: [])) {
        try store.callNext(counterID: "2", serviceIDs: [], now: try at("2026-11-28T17:00:02Z"))
    }
    // Counter 1's ticket from yesterday is not "called at counter 1" today.
    #expect(throws: QueueError.nothingCalled(counter: "1")) {
        try store.finish(counterID: "1", number: nil, now: try at("2026-11-28T17:00:03Z"))
    }

    let mark = try store.lastEventID()
    #expect(try store.rollover(now: at("2026-11-28T17:00:05Z"), actor: "daemon") == 2)
    #expect(try store.rollover(now: at("2026-11-28T17:00:06Z")) == 0)
    let yesterday = try store.tickets(day: nov28)
    #expect(yesterday.map(\.state) == [.expired, .expired])
    #expect(try store.ticket(number: num("A-001"), day: nov29)?.state == .called)
    let expired = try store.events(after: mark, limit: 10)
    #expect(expired.map(\.kind) == [.expired, .expired])
    #expect(expired.map(\.actor) == ["daemon", "daemon"])
    #expect(Set(expired.map(\.ticketID)) == [late.ticket.id, lateCalled.ticket.id])
}

@Test func numbersAreNeverReusedAcrossReopenAndRestartNextDay() throws {
    let dir = try TempDir()
    do {
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<3 {
            _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, minute))
        }
        _ = try store.callNext(counterID: "1", serviceIDs: [], now: local(9, 5))
    }
    do {
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let next = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(10, 0))
        #expect(next.ticket.number.description == "A-004")
        #expect(next.ahead == 2)
        #expect(try store.ticket(number: num("A-001"), day: nov28)?.state == .called)
    }
    do {
        // Reopened the next morning: rollover expires yesterday's queue, numbering restarts.
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        #expect(try store.rollover(now: local(7, 30, day: 29)) == 4)
        let first = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none,
                                    now: local(7, 31, day: 29))
        #expect(first.ticket.number.description == "A-001")
        #expect(first.ticket.day == nov29)
        #expect(try store.tickets(day: nov28).map(\.number.description) == ["A-001", "A-002", "A-003", "A-004"])
    }
    do {
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        #expect(try store.rollover(now: local(8, 0, day: 29)) == 0)
        let second = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none,
                                     now: local(8, 1, day: 29))
        #expect(second.ticket.number.description == "A-002")
    }
}

@Test func numbersAreNotReusedEvenIfRowsWereDeleted() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    for minute in 0..<3 {
        _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, minute))
    }
    // Someone deletes the newest tickets by hand (the store never does).
    let db = try DatabaseQueue(path: dir.dbPath)
    try db.write { db in
        try db.execute(sql: "DELETE FROM event WHERE ticket_id IN (SELECT id FROM ticket WHERE sequence >= 2)")
        try db.execute(sql: "DELETE FROM ticket WHERE sequence >= 2")
    }
    try db.close()
    let next = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, 5))
    #expect(next.ticket.number.description == "A-004")
}

// MARK: - Journal and printing

@Test func journalHasOneEventPerChangeWithActor() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    #expect(try store.lastEventID() == 0)
    let issued = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: "lobi", printState: .pending,
                                 now: local(9, 0), actor: "dispenser:lobi")
    _ = try store.setPrintState(ticketID: issued.ticket.id, .failed, detail: "paper out", now: local(9, 0, second: 2),
                                actor: "dispenser:lobi")
    let failed = try store.snapshot(now: local(9, 1)).printFailed
    #expect(failed.map(\.number.description) == ["A-001"])
    let reprint = try store.markReprintRequested(number: num("A-001"), now: local(9, 2), actor: "uid:1000")
    #expect(reprint.printState == .pending)
    #expect(try store.snapshot(now: local(9, 3)).printFailed.isEmpty)
    let printed = try store.setPrintState(ticketID: issued.ticket.id, .printed, detail: nil, now: local(9, 3),
                                          actor: "dispenser:lobi")
    #expect(printed.printState == .printed)
    _ = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 10), actor: "uid:1001")
    _ = try store.finish(counterID: "1", number: nil, now: local(9, 20), actor: "uid:1001")

    let events = try store.events(after: 0, limit: 100)
    #expect(events.map(\.kind) == [.issued, .printFailed, .reprintRequested, .printed, .called, .served])
    #expect(events.map(\.actor) == ["dispenser:lobi", "dispenser:lobi", "uid:1000", "dispenser:lobi",
                                    "uid:1001", "uid:1001"])
    #expect(events.allSatisfy { $0.ticketID == issued.ticket.id && $0.number.description == "A-001" })
    #expect(events[1].detail == "paper out")
    #expect(events[4].counterID == "1")
    #expect(events.map(\.at) == [try local(9, 0), try local(9, 0, second: 2), try local(9, 2), try local(9, 3),
                                 try local(9, 10), try local(9, 20)])
    #expect(events.map(\.id) == events.map(\.id).sorted())
    #expect(try store.lastEventID() == events.last?.id)

    // Paging through the journal.
    let page = try store.events(after: events[1].id, limit: 2)
    #expect(page.map(\.kind) == [.reprintRequested, .printed])
    #expect(try store.events(after: store.lastEventID(), limit: 10).isEmpty)

    #expect(throws: QueueError.ticketNotFound(number: "A-002")) {
        try store.markReprintRequested(number: try num("A-002"), now: try local(9, 30))
    }
}

@Test func snapshotCountsTodayPerService() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    // Yesterday's ticket does not count today.
    _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(15, 0, day: 27))
    for minute in 0..<4 {
        _ = try store.issue(serviceID: "ktp", prefix: "A", dispenserID: nil, printState: .none, now: local(9, minute))
    }
    _ = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .none, now: local(9, 5))
    _ = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 10))
    _ = try store.skip(counterID: "1", number: nil, now: local(9, 11))
    _ = try store.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 12))
    _ = try store.callNext(counterID: "2", serviceIDs: ["kk"], now: local(9, 13))

    let snap = try store.snapshot(now: local(9, 20))
    #expect(snap.day == nov28)
    #expect(snap.services == [
        .init(serviceID: "kk", waiting: 0, issuedToday: 1, served: 0, skipped: 0,
              lastNumber: TicketNumber(prefix: "B", sequence: 1)),
        .init(serviceID: "ktp", waiting: 2, issuedToday: 4, served: 0, skipped: 1,
              lastNumber: TicketNumber(prefix: "A", sequence: 4)),
    ])
    #expect(snap.called.map(\.number.description) == ["A-002", "B-001"])
    #expect(snap.called.map(\.counterID) == ["1", "2"])
}

// MARK: - Concurrency and durability

@Test func concurrentCallsFromTwoStoresNeverShareATicket() throws {
    let dir = try TempDir()
    let storeA = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    let storeB = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    let base = try local(8, 0)
    for i in 0..<200 {
        let store = i.isMultiple(of: 2) ? storeA : storeB
        _ = try store.issue(serviceID: i.isMultiple(of: 3) ? "kk" : "ktp", prefix: i.isMultiple(of: 3) ? "B" : "A",
                            dispenserID: nil, printState: .none, now: base.addingTimeInterval(Double(i)))
    }

    let threads = 8, callsPerThread = 25
    let results = Collected()
    let done = DispatchGroup()
    let callTime = try local(10, 0)
    for t in 0..<threads {
        done.enter()
        let store = t.isMultiple(of: 2) ? storeA : storeB
        let thread = Thread {
            for _ in 0..<callsPerThread {
                do {
                    let ticket = try store.callNext(counterID: "loket-\(t)", serviceIDs: [], now: callTime)
                    results.add(ticket.id)
                } catch {
                    results.fail("\(error)")
                }
            }
            done.leave()
        }
        thread.start()
    }
    #expect(done.wait(timeout: .now() + 60) == .success)

    let (ids, failures) = results.snapshot()
    #expect(failures.count == 0, "first failure: \(failures.first ?? "-")")
    #expect(ids.count == 200)
    #expect(Set(ids).count == 200)

    let tickets = try storeA.tickets(day: nov28)
    #expect(tickets.count == 200)
    #expect(tickets.allSatisfy { $0.callCount == 1 && ($0.state == .called || $0.state == .served) })
    #expect(tickets.filter { $0.state == .called }.count == threads)
    let calls = try storeB.events(after: 0, limit: 10_000).filter { $0.kind == .called }
    #expect(calls.count == 200)
    #expect(Set(calls.map(\.ticketID)).count == 200)
    #expect(throws: QueueError.noTicketWaiting(counter: "x", services: [])) {
        try storeA.callNext(counterID: "x", serviceIDs: [], now: callTime)
    }
}

/// Results gathered from worker threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [Int64] = []
    private var failures: [String] = []
    func add(_ id: Int64) { lock.withLock { ids.append(id) } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    func snapshot() -> ([Int64], [String]) { lock.withLock { (ids, failures) } }
}

@Test func commitsAreDurableWALWithFullSync() throws {
    let dir = try TempDir()
    let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    #expect(try store.pragma("journal_mode") == "wal")
    #expect(try store.pragma("synchronous") == "2")
    #expect(try store.pragma("foreign_keys") == "1")
    #expect(throws: StoreError.self) { try store.pragma("synchronous = OFF") }
    // A second instance (another process) opening the same file gets the same settings.
    let other = try QueueStore(path: dir.dbPath, timeZone: jakarta)
    #expect(try other.pragma("synchronous") == "2")
    #expect(try other.pragma("journal_mode") == "wal")
}

@Suite struct MissedPressTests {
    @Test func missedPressesAreCountedPerDayAndDispenserWithoutConsumingNumbers() throws {
        let directory = try TempDir()
        let store = try QueueStore(path: directory.dbPath, timeZone: jakarta)
        let morning = try local(9, 0)
        _ = try store.recordMissedPress(dispenserID: "lobi", serviceID: "ktp", reason: "paper out", now: morning)
        _ = try store.recordMissedPress(dispenserID: "lobi", serviceID: "kk", reason: "cover open", now: morning)
        _ = try store.recordMissedPress(dispenserID: "aula", serviceID: "kk", reason: "offline", now: morning)
        #expect(try store.missedPressCounts(now: morning) == ["lobi": 2, "aula": 1])
        let list = try store.missedPresses(day: store.day(of: morning))
        #expect(list.map(\.reason) == ["paper out", "cover open", "offline"])
        // No number was taken: the first ticket is still 001.
        let issued = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: morning)
        #expect(issued.ticket.number.description == "T-001")
        // A new local day starts from zero.
        #expect(try store.missedPressCounts(now: morning.addingTimeInterval(86_400)).isEmpty)
    }
}

@Suite struct PrintStateTests {
    @Test func printResultsRideAlongWithTheNextTicketInOneTransaction() throws {
        let directory = try TempDir()
        let store = try QueueStore(path: directory.dbPath, timeZone: jakarta)
        let first = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending,
                                    now: try local(9, 0))
        let printed = PrintStateUpdate(ticketID: first.ticket.id, state: .printed, detail: nil, at: try local(9, 0, second: 1),
                                       actor: "dispenser:lobi")
        let second = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending,
                                     now: try local(9, 1), applying: [printed])
        #expect(try store.ticket(id: first.ticket.id)?.printState == .printed)
        #expect(second.ticket.number.description == "T-002")
        // The journal holds the printed event between the two issues.
        let kinds = try store.events(after: 0, limit: 10).map(\.kind)
        #expect(kinds == [.issued, .printed, .issued])

        try store.applyPrintStates([PrintStateUpdate(ticketID: second.ticket.id, state: .printed, detail: nil,
                                                     at: try local(9, 2), actor: nil)])
        #expect(try store.ticket(id: second.ticket.id)?.printState == .printed)
    }

    @Test func ticketsLeftPendingByACrashBecomeUnconfirmed() throws {
        let directory = try TempDir()
        let store = try QueueStore(path: directory.dbPath, timeZone: jakarta)
        let pending = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending,
                                      now: try local(9, 0))
        let done = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending,
                                   now: try local(9, 1))
        _ = try store.setPrintState(ticketID: done.ticket.id, .printed, detail: nil, now: try local(9, 1))
        let marked = try store.markInterruptedPrints(now: try local(9, 5))
        #expect(marked.map(\.number.description) == ["T-001"])
        #expect(try store.ticket(id: pending.ticket.id)?.printState == .unconfirmed)
        #expect(try store.ticket(id: done.ticket.id)?.printState == .printed)
        #expect(try store.snapshot(now: try local(9, 5)).unconfirmed.map(\.number.description) == ["T-001"])
        #expect(try store.snapshot(now: try local(9, 5)).printFailed.isEmpty)
        #expect(try store.markInterruptedPrints(now: try local(9, 6)).isEmpty)
    }
}
