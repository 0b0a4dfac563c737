import AntreCore
import AntreStore
import Foundation
import Logging

extension QueueDesk {
    /// The report over `from`...`to` with the configured names and order, read
    /// on the report thread.
    func report(from: LocalDay, to: LocalDay) async throws -> QueueReport {
        let config = self.config
        let report = try await reportWorker.run { [store] in try store.report(from: from, to: to) }
        return report.arranged(services: config.services.map { ($0.id, $0.name) },
                               counters: config.counters.map { ($0.id, $0.name) })
    }

    /// Rollover's second half: history older than `[storage] retention_days`
    /// goes, in batches that are separate jobs on the queue worker, so presses
    /// slip in between. A failure is logged and retried at the next rollover;
    /// it never stops the day from starting.
    func pruneHistory(keepDays: Int) async {
        let batch = 2_000
        var total = PruneResult()
        do {
            while true {
                let pruned = try await worker.run { [store, clock] in
                    try store.pruneHistory(now: clock.now(), keepDays: keepDays, batch: batch)
                }
                total.tickets += pruned.tickets
                total.events += pruned.events
                total.missedPresses += pruned.missedPresses
                if pruned.tickets < batch { break }
            }
        } catch {
            logger.error("pruning old history failed; retrying at the next rollover",
                         metadata: ["error": "\(error)"])
        }
        if total.tickets > 0 || total.missedPresses > 0 {
            logger.info("pruned history older than \(keepDays) days", metadata: [
                "tickets": "\(total.tickets)", "events": "\(total.events)",
                "missed_presses": "\(total.missedPresses)"])
        }
    }
}
