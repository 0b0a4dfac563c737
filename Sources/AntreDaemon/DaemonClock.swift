import Foundation
import Synchronization

/// The daemon's wall clock (ticket times, days, reprint windows, timers).
/// Injected so that tests can move time and fire timers without sleeping.
struct DaemonClock: Sendable {
    let now: @Sendable () -> Date

    static let system = DaemonClock(now: Date.init)
}
