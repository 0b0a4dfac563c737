@testable import AntreDaemon
import AntreCore
import AntreStore
import Foundation
import Logging
import Synchronization
import Testing

/// An append-only journal in memory, standing in for the SQLite one.
final class MemoryJournal: Sendable {
    private let rows = Mutex<[QueueEvent]>([])

    /// Appends one row; returns its id (1, 2, ...).
    @discardableResult
    func append() -> Int64 {
        rows.withLock { rows in
            let id = Int64(rows.count + 1)
            rows.append(QueueEvent(id: id, ticketID: id, number: TicketNumber(prefix: "A", sequence: Int(id % 999) + 1),
                                   kind: .issued, serviceID: "ktp", counterID: nil, at: Date(), detail: nil))
            return id
        }
    }

    func read(after: Int64, limit: Int) -> [QueueEvent] {
        rows.withLock { rows in Array(rows.dropFirst(Int(after)).prefix(limit)) }
    }
}

/// Runs `body` on a new thread (like the queue worker and spooler threads that pump in the daemon).
func onThread(_ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
    Task {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                body()
                done.resume()
            }.start()
        }
    }
}

/// Waits for `task`, recording a failure if it is not done within `limit`.
func finishes<T: Sendable>(_ task: Task<T, Never>, within limit: Duration, _ what: String) async -> T? {
    let result = Mutex<T?>(nil)
    let waiter = Task { let value = await task.value; result.withLock { $0 = value } }
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let value = result.withLock({ $0 }) { return value }
        try? await Task.sleep(for: .milliseconds(20))
    }
    waiter.cancel()
    Issue.record("\(what) did not finish within \(limit): deadlock?")
    return nil
}

@Suite struct EventHubTests {
    let logger = Logger(label: "test")

    /// Writers append and pump from several threads while subscribers come,
    /// read a little and go (task cancellation, cancel from another thread),
    /// and steady subscribers read everything: no deadlock, and every
    /// subscriber sees journal rows once each, in order, without gaps.
    @Test func concurrentSubscribeCancelPublishPumpNeitherDeadlocksNorReorders() async throws {
        let journal = MemoryJournal()
        let hub = EventHub(lastEventID: 0, capacity: 100_000, logger: logger) { journal.read(after: $0, limit: $1) }
        let writers = 4, perWriter = 600
        let total = writers * perWriter

        let steady = (0..<3).map { _ in hub.subscribe() }
        let readers = steady.map { subscription in
            Task { () -> [Int64] in
                var ids: [Int64] = []
                while ids.count < total, let item = await subscription.next() {
                    if case let .journal(event) = item.item { ids.append(event.id) }
                }
                return ids
            }
        }

        // Short-lived subscribers: each reads a few items then goes away.
        let churners = (0..<6).map { worker in
            Task { () -> [String] in
                var gaps: [String] = []
                for round in 0..<150 {
                    let subscription = hub.subscribe()
                    let reader = Task { () -> [Int64] in
                        var ids: [Int64] = []
                        // Reads until the subscription ends: only the cancel below ends it.
                        while let item = await subscription.next() {
                            if case let .journal(event) = item.item { ids.append(event.id) }
                        }
                        return ids
                    }
                    await Task.yield()
                    if (worker + round) % 2 == 0 {
                        reader.cancel()
                    } else {
                        _ = await onThread { subscription.cancel() }.value
                    }
                    let ids = await reader.value
                    if zip(ids, ids.dropFirst()).contains(where: { $1 != $0 + 1 }) {
                        gaps.append("\(ids)")
                    }
                }
                return gaps
            }
        }

        let pumps = (0..<writers).map { _ in
            onThread {
                for n in 0..<perWriter {
                    journal.append()
                    hub.pump()
                    if n % 50 == 0 { hub.publish(.reloaded(at: Date())) }
                }
            }
        }

        for pump in pumps { _ = await finishes(pump, within: .seconds(20), "a pumping thread") }
        hub.pump()
        for churner in churners {
            let gaps = await finishes(churner, within: .seconds(20), "a churning subscriber")
            #expect(gaps == [], "a short-lived subscriber saw rows out of order or with gaps")
        }
        for reader in readers {
            let ids = await finishes(reader, within: .seconds(20), "a steady subscriber")
            #expect(ids == Array(1...Int64(total)))
        }
        // Departed subscribers are forgotten; the steady ones remain.
        #expect(hub.subscriberCount == steady.count)
        for subscription in steady { subscription.cancel() }
        #expect(hub.subscriberCount == 0)
    }

    /// A subscriber that does not read is dropped once it is `capacity`
    /// behind; the others keep everything.
    @Test func aSubscriberThatFallsBehindIsDroppedAndFreed() async throws {
        let journal = MemoryJournal()
        let hub = EventHub(lastEventID: 0, capacity: 8, logger: logger) { journal.read(after: $0, limit: $1) }
        let sleeper = hub.subscribe()
        let reader = hub.subscribe()
        let got = Task { () -> Int in
            var count = 0
            while count < 20, await reader.next() != nil { count += 1 }
            return count
        }
        for _ in 0..<20 {
            journal.append()
            hub.pump()
            // Let the reader keep up.
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(await finishes(got, within: .seconds(5), "the reading subscriber") == 20)
        #expect(sleeper.endReason == .tooSlow)
        #expect(await sleeper.next() == nil)
        #expect(hub.subscriberCount == 1)
    }

    /// Stopping: queued items still arrive, then the stream ends.
    @Test func finishAllDeliversWhatIsQueuedThenEnds() async throws {
        let journal = MemoryJournal()
        let hub = EventHub(lastEventID: 0, logger: logger) { journal.read(after: $0, limit: $1) }
        let subscription = hub.subscribe()
        journal.append()
        journal.append()
        hub.pump()
        hub.finishAll()
        var ids: [Int64] = []
        while let item = await subscription.next() {
            if case let .journal(event) = item.item { ids.append(event.id) }
        }
        #expect(ids == [1, 2])
        #expect(subscription.endReason == .finished)
        #expect(await hub.subscribe().next() == nil)
    }

    /// A quiet office without monitors costs no journal reads; a monitor
    /// that comes later hears only what happens from then on, and every
    /// subscriber gets the same encoded bytes for an event.
    @Test func withoutSubscribersNothingIsReadAndALaterSubscriberHearsOnlyNewEvents() async throws {
        let journal = MemoryJournal()
        let reads = Mutex(0)
        let hub = EventHub(lastEventID: 0, logger: logger) { after, limit in
            reads.withLock { $0 += 1 }
            return journal.read(after: after, limit: limit)
        }
        for _ in 0..<5 {
            journal.append()
            #expect(!hub.needsPump())
            hub.pump()
        }
        #expect(reads.withLock { $0 } == 0)
        let first = hub.subscribe(), second = hub.subscribe()
        journal.append()
        #expect(hub.needsPump())
        hub.pump()
        hub.finishAll()
        var firstEvents: [HubEvent] = [], secondEvents: [HubEvent] = []
        while let event = await first.next() { firstEvents.append(event) }
        while let event = await second.next() { secondEvents.append(event) }
        let ids = firstEvents.compactMap { if case let .journal(event) = $0.item { event.id } else { nil } }
        #expect(ids == [6])
        #expect(secondEvents.count == 1)
        let encodings = Mutex(0)
        let encode = { () -> [UInt8]? in encodings.withLock { $0 += 1 }; return Array("event".utf8) }
        #expect(firstEvents.first?.wire.get(orMake: encode) == Array("event".utf8))
        #expect(secondEvents.first?.wire.get(orMake: encode) == Array("event".utf8))
        #expect(encodings.withLock { $0 } == 1)
    }
}
