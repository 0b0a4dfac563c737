import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit: writes that arrive while a commit is in flight join the next
/// transaction, so a burst of presses and calls pays one fsync, not one each.
///
/// One committer at a time takes everything queued as one batch; `commit`
/// runs each change in its own savepoint inside one IMMEDIATE transaction,
/// and every writer is answered only after that commit is durable. A blocking
/// caller (a dispenser's thread) that finds nobody committing commits its own
/// batch on its thread: a lone press costs no thread hand-off. An async caller
/// (a socket request) never blocks its executor: it queues its change and the
/// committer thread commits for it. Whoever finishes a batch with more queued
/// hands the rest to the committer thread.
final class GroupCommit: Sendable {
    private struct State {
        var queue: [PendingWrite] = []
        /// A batch is being committed (by a blocking caller or the thread).
        var committing = false
        var stopped = false
    }

    private let state = Mutex(State())
    /// One signal per hand-over to the committer thread (and one at stop).
    private let wake = DispatchSemaphore(value: 0)
    private let commit: @Sendable ([PendingWrite]) -> Void

    /// Starts the committer thread. `commit(batch)` runs a batch and must
    /// finish every write in it. The thread holds this object (not the store)
    /// until `stop()`, which the store's deinit and `close` call.
    init(name: String, commit: @escaping @Sendable ([PendingWrite]) -> Void) {
        self.commit = commit
        let thread = Thread { [self] in runCommitter() }
        thread.name = name
        thread.start()
    }

    private func runCommitter() {
        while true {
            wake.wait()
            while let batch = nextBatch() { commit(batch) }
            if state.withLock({ $0.stopped && $0.queue.isEmpty }) { return }
        }
    }

    /// Everything queued, or nil (and nobody commits any more) when empty.
    private func nextBatch() -> [PendingWrite]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.committing = false
                return nil
            }
            defer { state.queue = [] }
            return state.queue
        }
    }

    /// Ends the committer thread once what is queued is committed; later
    /// writes fail at once.
    func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
    }

    /// Blocks the calling thread until `body` is committed (or failed) with
    /// the writes queued with it.
    func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        let write = PendingWrite(body: { db in outcome.value = try body(db) },
                                 finish: { error in outcome.error = error; done.signal() })
        switch enqueue(write) {
        case .refused:
            throw StoreError("the queue database is closed")
        case .queued:
            break
        case .lead:
            // Nobody was committing: this thread commits the batch (its own
            // write and whatever joined it), then hands any newcomers over.
            if let batch = nextBatch() { commit(batch) }
            handOver()
        }
        done.wait()
        return try outcome.result()
    }

    /// Suspends the calling task until `body` is committed (or failed) with
    /// the writes queued with it.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            let write = PendingWrite(body: { db in outcome.value = try body(db) },
                                     finish: { error in continuation.resume(with: Result { try outcome.result(error) }) })
            switch enqueue(write) {
            case .refused: write.finish(StoreError("the queue database is closed"))
            case .queued: break
            case .lead: wake.signal()
            }
        }
    }

    private enum Enqueued { case refused, queued, lead }

    /// Queues `write`; `.lead` when nobody was committing: the caller now
    /// owns the next batch (commits it, or signals the thread to).
    private func enqueue(_ write: PendingWrite) -> Enqueued {
        state.withLock { state in
            guard !state.stopped else { return .refused }
            state.queue.append(write)
            if state.committing { return .queued }
            state.committing = true
            return .lead
        }
    }

    /// After a blocking caller's batch: writes that queued meanwhile go to the
    /// committer thread (the caller returns at once).
    private func handOver() {
        let more = state.withLock { state in
            if state.queue.isEmpty {
                state.committing = false
                return false
            }
            return true
        }
        if more { wake.signal() }
    }
}

/// One writer's change waiting for (or inside) a batch. The committer thread
/// runs `body`, then calls `finish` exactly once, after the commit.
struct PendingWrite: @unchecked Sendable {
    let body: (Database) throws -> Void
    let finish: (Error?) -> Void
}

/// The typed result of one write, set on the committer thread before `finish`.
///
/// @unchecked Sendable: written only by the committer thread, read by the
/// caller after `finish` (a semaphore or continuation resume orders the two).
private final class Outcome<T>: @unchecked Sendable {
    var value: T?
    var error: Error?

    func result(_ error: Error? = nil) throws -> T {
        if let error = error ?? self.error { throw error }
        guard let value else { throw StoreError("transaction committed without a result") }
        return value
    }
}

/// Write transactions committed, counted by the committer thread.
final class CommitCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
