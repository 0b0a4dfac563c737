import Foundation
import Logging
import ServiceLifecycle

/// The database file was deleted or replaced while antred ran.
struct DatabaseLost: Error, CustomStringConvertible {
    let reason: String
    var description: String { "database lost: \(reason)" }
}

/// Every second: does the database path still name the file antred has open?
/// Deleted or replaced, every later commit would be lost (and a restart would
/// hand out today's numbers again), so this service throws, the group stops
/// and antred exits non-zero (systemd restarts it), leaving today's last numbers
/// for the next start. Commits check the same before writing.
struct DatabaseWatchService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime
    let logger: Logger

    func run() async throws {
        // A graceful stop cancels the wait at once instead of after the next tick.
        try await cancelWhenGracefulShutdown { try await watch() }
    }

    private func watch() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled, let problem = await runtime.databaseFileProblem() else { continue }
            logger.critical("database lost; stopping so that no press is recorded where nobody reads it", metadata: [
                "reason": "\(problem)", "database": "\(runtime.store.path)",
            ])
            switch await runtime.saveNumbersAfterLoss() {
            case let .success(paths):
                logger.critical("today's last numbers saved; the next start continues after them", metadata: [
                    "files": "\(paths.joined(separator: ", "))",
                ])
            case let .failure(error):
                logger.critical("cannot save today's last numbers: a restart may hand out today's numbers again",
                                metadata: ["error": "\(error)"])
            }
            throw DatabaseLost(reason: problem)
        }
    }
}
