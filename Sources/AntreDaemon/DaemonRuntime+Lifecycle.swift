import AntreCore
import Foundation

/// What the lifecycle services ask of the runtime.
extension DaemonRuntime {
    var config: AntreConfig { controller.config }
    var databasePath: String { controller.store.path }

    func today() -> LocalDay { LocalDay(containing: controller.now(), in: controller.config.office.timeZone) }
    func rollover() async throws -> Int { try await controller.rollover() }
    func databaseFileProblem() async -> String? { await controller.databaseFileProblem() }
    func saveNumbersAfterLoss() async -> Result<[String], any Error> { await controller.saveNumbersAfterLoss() }
    /// "3 waiting; printers: lobi ready" for systemd's STATUS=.
    func queueStatusLine() async throws -> String { try await controller.statusLine() }
    func endMonitorStreams() { controller.events.finishAll() }

    /// Stops inputs, lets the printers finish, closes the database: blocking
    /// work, so it runs on its own thread and the caller only awaits it.
    func shutdown() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                stop()
                done.resume()
            }
            thread.name = "antre.shutdown"
            thread.start()
        }
    }
}
