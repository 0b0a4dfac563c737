import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit: writes that arrive while a commit is in flight join the next
/// transaction, so a burst of presses and calls pays one fsync, not one each.
///
/// One committer thread owns the writing: callers queue their change and wait
/// (a blocking caller on its own thread, an async caller on a continuation,
/// never on the cooperative pool). The thread takes everything queued as one
/// batch, `commit` runs each change in its own savepoint inside one IMMEDIATE
/// transaction, and every caller is answered only after that commit is
/// durable. While a batch commits, new writes queue for the next one.
final class GroupCommit: Sendable {
    private struct State {
        var queue: [PendingWrite] = []
        /// The thread waits on `wake`; the next write must signal it.
        var sleeping = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// Starts the committer thread. `commit(batch)` runs a batch and must
    /// finish every write in it. The thread holds this object (not the store)
    /// until `stop()`, which the store's deinit and `close` call.
    init(name: String, commit: @escaping @Sendable ([PendingWrite]) -> Void) {
        let thread = Thread { [self] in
            while true {
                let batch = state.withLock { state -> [PendingWrite]? in
                    if state.queue.isEmpty {
                        if state.stopped { return nil }
                        state.sleeping = true
                        return []
                    }
                    defer { state.queue = [] }
                    return state.queue
                }
                guard let batch else { return }
                if batch.isEmpty {
                    wake.wait()
                    continue
                }
                commit(batch)
            }
        }
        thread.name = name
        thread.start()
    }

    /// Ends the committer thread once what is queued is committed; later
    /// writes fail at once.
    func stop() {
        let signal = state.withLock { state -> Bool in
            state.stopped = true
            defer { state.sleeping = false }
            return state.sleeping
        }
        if signal { wake.signal() }
    }

    /// Blocks the calling thread until `body` is committed (or failed) with
    /// the writes queued with it.
    func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        enqueue(PendingWrite(body: { db in outcome.value = try body(db) },
                             finish: { error in outcome.error = error; done.signal() }))
        done.wait()
        return try outcome.result()
    }

    /// Suspends the calling task until `body` is committed (or failed) with
    /// the writes queued with it.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            enqueue(PendingWrite(body: { db in outcome.value = try body(db) },
                                 finish: { error in continuation.resume(with: Result { try outcome.result(error) }) }))
        }
    }

    private func enqueue(_ write: PendingWrite) {
        let (accepted, signal) = state.withLock { state -> (Bool, Bool) in
            guard !state.stopped else { return (false, false) }
            state.queue.append(write)
            defer { state.sleeping = false }
            return (true, state.sleeping)
        }
        if signal { wake.signal() }
        if !accepted { write.finish(StoreError("the queue database is closed")) }
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
