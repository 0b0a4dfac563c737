import AntreSystemd
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the configuration (as `antre reload` does); systemd hears
/// RELOADING=1 and READY=1 around it. A refused reload keeps the running
/// configuration (the mistakes are logged by the runtime).
struct ReloadOnHangupService: ServiceLifecycle.Service {
    let runtime: DaemonRuntime
    let notifier: SystemdNotifier

    func run() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            try? notifier.reloading()
            do {
                try await runtime.reload()
            } catch {
                // Logged by the runtime; the old configuration stays.
            }
            try? notifier.ready(status: runtime.statusLine())
        }
    }
}
