import Dispatch
import GRDB
import Synchronization

/// Group commit: writes that arrive while a commit is in flight join the next
/// transaction, so a burst of presses and calls pays one fsync, not one each.
///
/// Leader/follower: the first writer to find nobody committing becomes the
/// leader, takes every queued write as one batch, runs each in its own
/// savepoint inside one IMMEDIATE transaction, commits, then wakes every
/// writer of the batch with its own outcome and hands the lead to the next
/// queued writer, if any. Callers block on their own thread as before; no
/// writer returns before the commit holding its change is durable.
final class GroupCommit: Sendable {
    private struct State {
        var queue: [PendingWrite] = []
        var leading = false
    }

    private let state = Mutex(State())

    /// Runs `body` in a write transaction shared with the writes queued with
    /// it. `commit(batch)` runs a batch and must finish every write in it.
    func write<T>(_ body: @escaping (Database) throws -> T,
                  commit: ([PendingWrite]) -> Void) throws -> T {
        let box = ResultBox<T>()
        let request = PendingWrite { db in box.value = try body(db) }
        let leadNow = state.withLock { state in
            state.queue.append(request)
            if state.leading { return false }
            state.leading = true
            return true
        }
        if leadNow || request.waitForTurn() == .lead {
            let batch = state.withLock { state in
                let batch = state.queue
                state.queue = []
                return batch
            }
            commit(batch)
            // Hand over: the next queued writer leads the next batch.
            let next = state.withLock { state -> PendingWrite? in
                guard let next = state.queue.first else {
                    state.leading = false
                    return nil
                }
                return next
            }
            next?.resume(.lead)
            _ = request.waitForTurn()
        }
        if let error = request.error { throw error }
        guard let value = box.value else { throw StoreError("transaction committed without a result") }
        return value
    }
}

/// One writer's change waiting for (or inside) a batch.
///
/// @unchecked Sendable: `body` and `error` are touched by the leader only
/// while the owning writer blocks in `waitForTurn`, and the semaphore orders
/// the leader's writes before the owner's reads.
final class PendingWrite: @unchecked Sendable {
    enum Turn { case done, lead }

    let body: (Database) throws -> Void
    private(set) var error: Error?
    private var turn = Turn.done
    private let signal = DispatchSemaphore(value: 0)

    init(_ body: @escaping (Database) throws -> Void) { self.body = body }

    /// The batch holding this write is durable (error nil) or failed.
    func finish(_ error: Error?) {
        self.error = error
        resume(.done)
    }

    fileprivate func resume(_ turn: Turn) {
        self.turn = turn
        signal.signal()
    }

    fileprivate func waitForTurn() -> Turn {
        signal.wait()
        return turn
    }
}

/// The typed result of one write, set by the leader (see `PendingWrite`).
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
