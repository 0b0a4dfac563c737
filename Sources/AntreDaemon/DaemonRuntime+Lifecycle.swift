import AntreCore
import Foundation

/// What the day-rollover service asks of the runtime.
extension DaemonRuntime {
    func today() -> LocalDay { LocalDay(containing: now(), in: config.office.timeZone) }
}
