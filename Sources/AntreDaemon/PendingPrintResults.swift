import AntreStore
import Foundation
import Synchronization

/// Print results ("printed", "print_failed") not written yet. They ride with
/// the next ticket's commit (any dispenser's, or `antre issue` without one), or
/// the pipeline's timer writes them shortly after: a ticket costs one commit.
final class PendingPrintResults: Sendable {
    /// How long a result may wait for a commit to carry it.
    static let flushDelay: Duration = .milliseconds(50)

    private let updates = Mutex<[PrintStateUpdate]>([])

    func add(_ update: PrintStateUpdate) { updates.withLock { $0.append(update) } }

    /// Takes them all, to be written now; give them back if the write fails.
    func take() -> [PrintStateUpdate] {
        updates.withLock { updates in
            defer { updates = [] }
            return updates
        }
    }

    /// A failed write: they go back in front, in order.
    func giveBack(_ batch: [PrintStateUpdate]) {
        guard !batch.isEmpty else { return }
        updates.withLock { $0 = batch + $0 }
    }

    /// Writes them on their own (timer, shutdown, before a reprint reads them back).
    /// Returns whether anything was written. Throws (and keeps them) when the store refuses.
    @discardableResult
    func flush(to store: QueueStore) throws -> Bool {
        let batch = take()
        guard !batch.isEmpty else { return false }
        do {
            try store.applyPrintStates(batch)
        } catch {
            giveBack(batch)
            throw error
        }
        return true
    }

    /// A commit carrying them: `commit` gets the batch; on failure it is kept.
    func riding<T>(_ commit: ([PrintStateUpdate]) throws -> T) throws -> T {
        let batch = take()
        do {
            return try commit(batch)
        } catch {
            giveBack(batch)
            throw error
        }
    }
}
