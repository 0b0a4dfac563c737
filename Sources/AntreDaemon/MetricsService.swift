import Foundation
import Logging
import ServiceLifecycle

/// The optional Prometheus endpoint as a lifecycle service. Monitoring is
/// optional: when it fails the queue keeps working, so this service logs and
/// ends without stopping the group.
struct MetricsService: ServiceLifecycle.Service {
    let server: MetricsServer
    let logger: Logger

    func run() async {
        do {
            try await cancelWhenGracefulShutdown { try await server.run() }
        } catch is CancellationError {
        } catch {
            logger.error("metrics endpoint failed; the queue keeps running", metadata: ["error": "\(error)"])
        }
    }
}
