import AntreCore
import Foundation
import Logging
import ServiceLifecycle

/// Expires yesterday's leftovers at each local midnight. Sleeps until the next
/// local midnight, but looks at the clock again at least every `longestSleep`,
/// so a clock correction (NTP on a Raspberry Pi without RTC) delays a rollover
/// by at most that; an idle daemon is not woken every second for it.
struct DayRolloverService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime
    let logger: Logger

    static let longestSleep: TimeInterval = 60

    func run() async {
        // A graceful stop cancels the wait at once instead of after the next tick.
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var today = runtime.today()
        var retryAfterFailure = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let untilMidnight = today.nextMidnight(in: runtime.config.office.timeZone).timeIntervalSince(runtime.now())
            // A little past midnight, so the clock reads the new day on waking.
            let wait = retryAfterFailure ? 1 : min(Self.longestSleep, max(0.01, untilMidnight + 0.01))
            try? await Task.sleep(for: .seconds(wait))
            let day = runtime.today()
            guard day != today else { continue }
            do {
                let expired = try await runtime.rollover()
                logger.notice("new day", metadata: ["day": "\(day)", "expired": "\(expired)"])
                today = day
                retryAfterFailure = false
            } catch {
                logger.error("day rollover failed; retrying", metadata: ["error": "\(error)"])
                retryAfterFailure = true
            }
        }
    }
}
