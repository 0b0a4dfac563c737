import AntreSystemd
import Foundation
import Logging
import ServiceLifecycle

/// The officers' socket as a lifecycle service. It is the last service in the
/// group, so on SIGTERM it stops first: nothing new is accepted, calls in
/// flight are answered (a ticket being printed gets its reply), Monitor
/// streams end, connections close; only then do the other services stop.
struct ControlSocketService: ServiceLifecycle.Service {
    let server: ControlServer
    let socketGroup: String?
    /// How long calls in flight may take to finish (the longest print timeout + 2 s).
    let grace: @Sendable () -> Duration
    let notifier: SystemdNotifier
    let logger: Logger
    /// Runs once the socket answers (the database is open by then): READY=1, the demo banner.
    let onListening: @Sendable () -> Void
    /// Ends every Monitor stream (they get a moment to send what is queued).
    let endStreams: @Sendable () -> Void

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { [self] in
                try await server.run(socketGroup: socketGroup, onListening: onListening)
            }
            tasks.addTask { [self] in
                // Cancelled instead (the group gave up, or the socket failed): nothing to drain.
                guard (try? await gracefulShutdown()) != nil else { return }
                logger.notice("stopping")
                try? notifier.stopping()
                await server.shutdown(grace: grace(), endStreams: endStreams)
            }
            do {
                // `server.run` returns once shutdown has closed every connection.
                // (Not `waitForAll`: it would wait for the other child before rethrowing.)
                while try await tasks.next() != nil {}
            } catch {
                tasks.cancelAll()
                throw error
            }
        }
    }
}
