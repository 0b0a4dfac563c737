import AntreCore
import AntreStore
import Foundation
import Logging

extension QueueController {
    /// The report over `from`...`to` with the configured names and order, read
    /// on the report thread.
    func report(from: LocalDay, to: LocalDay) async throws -> QueueReport {
        let config = self.config
        let report = try await reportWorker.run { [store] in try store.report(from: from, to: to) }
        return report.arranged(services: config.services.map { ($0.id, $0.name) },
                               counters: config.counters.map { ($0.id, $0.name) })
    }

    /// Rollover's second half: history older than `[storage] retention_days`
    /// goes. A failure is logged and retried at the next rollover; it never
    /// stops the day from starting.
    func pruneHistory(keepDays: Int) {
        do {
            let pruned = try store.pruneHistory(now: now(), keepDays: keepDays)
            if pruned.tickets > 0 || pruned.missedPresses > 0 {
                logger.info("pruned history older than \(keepDays) days", metadata: [
                    "tickets": "\(pruned.tickets)", "events": "\(pruned.events)",
                    "missed_presses": "\(pruned.missedPresses)"])
            }
        } catch {
            logger.error("pruning old history failed; retrying at the next rollover",
                         metadata: ["error": "\(error)"])
        }
    }
}
