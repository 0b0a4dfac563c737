import Synchronization

/// Keeps a warning that a client can trigger at will from flooding the log:
/// the first occurrence is logged, then at most one line per `interval`,
/// carrying how many were suppressed in between.
final class LogThrottle: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var suppressed = 0
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// nil: stay quiet (counted). Otherwise log now; the value is how many
    /// occurrences were suppressed since the last line.
    func admit(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            if let last = state.lastLogged, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer {
                state.lastLogged = now
                state.suppressed = 0
            }
            return state.suppressed
        }
    }

    /// Occurrences are waiting for `summary` to report them.
    var hasSuppressed: Bool { state.withLock { $0.suppressed > 0 } }

    /// Suppressed occurrences not yet reported once `interval` has passed
    /// since the last line (called periodically, so a flood that stopped is
    /// still summed up); nil when there is nothing to say yet.
    func summary(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            guard state.suppressed > 0, let last = state.lastLogged, now - last >= interval else { return nil }
            defer {
                state.lastLogged = now
                state.suppressed = 0
            }
            return state.suppressed
        }
    }
}
