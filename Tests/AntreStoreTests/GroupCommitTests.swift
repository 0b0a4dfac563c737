import AntreCore
@testable import AntreStore
import Foundation
import GRDB
import Synchronization
import Testing

/// Issue 13 item 4: writes that arrive while a commit is in flight share the
/// next one; each caller still gets its own result, only after it is durable.
@Suite struct GroupCommitTests {
    /// Runs `body(index)` on `count` threads at once; returns each result by index.
    static func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T?] {
        let results = Mutex([T?](repeating: nil, count: count))
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                let value = body(index)
                results.withLock { $0[index] = value }
                done.leave()
            }.start()
        }
        done.wait()
        return results.withLock { $0 }
    }

    static func numbers(in path: String) throws -> [Int] {
        let reader = try DatabaseQueue(path: path)
        defer { try? reader.close() }
        return try reader.read { db in try Int.fetchAll(db, sql: "SELECT sequence FROM ticket ORDER BY sequence") }
    }

    /// Another connection (as another process would) takes the write lock
    /// now and lets go after half a second: writes meanwhile pile up.
    static func holdWriteLock(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: path, configuration: config)
        try blocker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        Thread {
            Thread.sleep(forTimeInterval: 0.5)
            try? blocker.inDatabase { try $0.execute(sql: "COMMIT") }
        }.start()
        return blocker
    }

    @Test func concurrentIssuesGetDistinctConsecutiveNumbersAllCommitted() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let now = try local(9, 0)
        let perThread = 25
        let results = Self.onThreads(8) { _ in
            (0..<perThread).map { _ in
                Result {
                    try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: now)
                        .ticket.number.sequence
                }
            }
        }
        let sequences = try results.flatMap { try #require($0) }.map { try $0.get() }
        #expect(sequences.count == 8 * perThread)
        #expect(sequences.sorted() == Array(1...(8 * perThread)))
        // Each thread's own tickets come in the order it asked for them.
        for thread in results {
            let own = try #require(thread).compactMap { try? $0.get() }
            #expect(own == own.sorted())
        }
        #expect(store.commitCount <= 8 * perThread)
        // Read by another connection: every row returned is in the file.
        #expect(try Self.numbers(in: dir.dbPath) == Array(1...(8 * perThread)))
    }

    /// While another process holds the write lock, presses pile up; when it
    /// lets go they commit together: fewer commits than tickets.
    @Test func writesQueuedBehindACommitShareTheNextOne() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let now = try local(9, 0)
        let blocker = try Self.holdWriteLock(dir.dbPath)
        let before = store.commitCount
        let results = Self.onThreads(12) { _ in
            Result { try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none, now: now) }
        }
        let tickets = try results.map { try #require($0).get() }
        #expect(tickets.map(\.ticket.number.sequence).sorted() == Array(1...12))
        let commits = store.commitCount - before
        #expect(commits >= 1 && commits < 12, "12 tickets in \(commits) commits")
        #expect(try Self.numbers(in: dir.dbPath) == Array(1...12))
        try blocker.close()
    }

    /// A write that fails inside a batch changes nothing and fails alone.
    @Test func aFailingWriteInABatchDoesNotFailTheOthers() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let now = try local(9, 0)
        let blocker = try Self.holdWriteLock(dir.dbPath)
        let before = store.commitCount
        struct Refused: Error {}
        let results = Self.onThreads(9) { index -> Result<Int, any Error> in
            if index % 3 == 1 {
                // Writes a number for "Z", then fails: the number must not stay.
                return Result {
                    try store.writeTransaction { db -> Int in
                        _ = try QueueStore.nextSequence(db, day: store.day(of: now), prefix: "Z")
                        throw Refused()
                    }
                }
            }
            return Result {
                try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: now)
                    .ticket.number.sequence
            }
        }
        var issued: [Int] = []
        for (index, result) in results.enumerated() {
            let outcome = try #require(result)
            if index % 3 == 1 {
                #expect(throws: Refused.self) { try outcome.get() }
            } else {
                issued.append(try outcome.get())
            }
        }
        #expect(issued.sorted() == Array(1...6))
        #expect(store.commitCount - before < 9)
        #expect(try Self.numbers(in: dir.dbPath) == Array(1...6))
        let reader = try DatabaseQueue(path: dir.dbPath)
        let zRows = try reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sequence_counter WHERE prefix = 'Z'") ?? -1
        }
        #expect(zRows == 0)
        // The next "Z" number starts at 1: nothing of the failed writes stayed.
        let next = try store.issue(serviceID: "zz", prefix: "Z", dispenserID: nil, printState: .none, now: now)
        #expect(next.ticket.number.sequence == 1)
        try reader.close()
        try blocker.close()
    }

    /// `antre issue` from the socket waits without a thread of its own: a
    /// burst of async issues queued behind another process's lock commits
    /// together, each with its own number, none before its commit.
    @Test func asyncIssuesQueuedBehindACommitShareTheNextOne() async throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let now = try local(9, 0)
        let blocker = try Self.holdWriteLock(dir.dbPath)
        let before = store.commitCount
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none, now: now)
                        .ticket.number.sequence
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...12))
        let commits = store.commitCount - before
        #expect(commits >= 1 && commits < 12, "12 tickets in \(commits) commits")
        #expect(try Self.numbers(in: dir.dbPath) == Array(1...12))
        try blocker.close()
    }

    /// The admission check runs inside the issue's transaction: twelve
    /// officers issuing at once against a quota of five get exactly five
    /// numbers; the others are refused and leave nothing behind.
    @Test func aQuotaCheckedInTheTransactionIsNeverPassedByConcurrentIssues() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let now = try local(9, 0)
        struct QuotaReached: Error {}
        let quota: QueueStore.IssueAdmissionCheck = { issuedToday in
            if try issuedToday() >= 5 { throw QuotaReached() }
        }
        let results = Self.onThreads(12) { _ in
            Result {
                try store.issue(serviceID: "kk", prefix: "K", dispenserID: nil, printState: .none, now: now,
                                admit: quota).ticket.number.sequence
            }
        }
        let outcomes = try results.map { try #require($0) }
        let issued = outcomes.compactMap { try? $0.get() }
        #expect(issued.sorted() == Array(1...5))
        #expect(outcomes.filter { if case .failure(let error) = $0 { error is QuotaReached } else { false } }.count == 7)
        #expect(try Self.numbers(in: dir.dbPath) == Array(1...5))
    }
}
