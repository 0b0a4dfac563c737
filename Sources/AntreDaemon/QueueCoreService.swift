import Foundation
import Logging
import ServiceLifecycle

/// The queue itself (store, dispenser pipelines, button inputs) as the FIRST
/// service of the group, so it is the last to stop: the socket has answered
/// its calls by then. On shutdown the pipelines finish the tickets they are
/// printing (bounded by each printer's timeout), the print results are
/// written and the database closes.
struct QueueCoreService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime

    func run() async {
        // Only graceful shutdown or cancellation ends the wait; either way, drain.
        try? await gracefulShutdown()
        await runtime.shutdown()
    }
}
