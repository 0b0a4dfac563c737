import AntreCore
import Foundation

/// What the lifecycle services ask of the runtime beyond start, reload and shutdown.
extension DaemonRuntime {
    var databasePath: String { store.path }

    func today() -> LocalDay { LocalDay(containing: now(), in: config.office.timeZone) }
    /// "3 waiting; printers: lobi ready" for systemd's STATUS=.
    func queueStatusLine() async throws -> String { try await fullStatusLine() }
    func endMonitorStreams() { events.finishAll() }
}
