import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The database file was deleted or replaced while antred ran.
struct DatabaseLost: Error, CustomStringConvertible {
    let reason: String
    var description: String { "database lost: \(reason)" }
}

/// Does the database path still name the file antred has open? Deleted or
/// replaced, every later commit would be lost (and a restart would hand out
/// today's numbers again), so this service throws, the group stops and antred
/// exits non-zero (systemd restarts it), leaving today's last numbers for the
/// next start. Commits check the same before writing.
///
/// It looks when an entry of the database's directory is created, deleted or
/// renamed (inotify, through the event loop: an idle daemon is not woken), and
/// every `fallbackInterval` for what inotify cannot see (a directory above
/// renamed); every second where inotify is unavailable.
struct DatabaseWatchService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime
    let eventLoop: any EventLoop
    let logger: Logger

    static let fallbackInterval: Duration = .seconds(60)

    func run() async throws {
        // A graceful stop cancels the wait at once instead of after the next tick.
        try await cancelWhenGracefulShutdown { try await watch() }
    }

    private func watch() async throws {
        let directory = (runtime.store.path as NSString).deletingLastPathComponent
        let changes: NIOAsyncChannel<ByteBuffer, Never>?
        do {
            changes = try await DirectoryChanges.open(directory.isEmpty ? "." : directory, on: eventLoop)
        } catch {
            logger.warning("cannot watch the database directory; checking the database file every second",
                           metadata: ["directory": "\(directory)", "error": "\(error)"])
            changes = nil
        }
        let interval = changes == nil ? Duration.seconds(1) : Self.fallbackInterval
        // Both sources only say "look now"; one loop looks, so a loss is handled once.
        let (looks, look) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let changes {
                group.addTask {
                    try await changes.executeThenClose { inbound, _ in
                        for try await _ in inbound { look.yield() }
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    look.yield()
                }
            }
            // Ends the inotify reader too (a closed channel ends its stream).
            defer { changes?.channel.close(promise: nil) }
            for await _ in looks {
                guard !Task.isCancelled, let problem = await runtime.databaseFileProblem() else { continue }
                await stopAfterLoss(problem)
                throw DatabaseLost(reason: problem)
            }
            group.cancelAll()
        }
    }

    private func stopAfterLoss(_ problem: String) async {
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
    }
}
