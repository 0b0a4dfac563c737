import AntreCore
import Foundation
import Logging
import ServiceLifecycle

/// Expires yesterday's leftovers at each local midnight. Checks for a new local
/// day every second rather than sleeping until midnight, so clock corrections
/// (NTP on a Raspberry Pi without RTC) are safe.
struct DayRolloverService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime
    let logger: Logger

    func run() async {
        // A graceful stop cancels the wait at once instead of after the next tick.
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var today = runtime.today()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let day = runtime.today()
            guard day != today else { continue }
            do {
                let expired = try await runtime.rollover()
                logger.notice("new day", metadata: ["day": "\(day)", "expired": "\(expired)"])
                today = day
            } catch {
                logger.error("day rollover failed; retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}
