import AntreSystemd
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// WATCHDOG=1 only after a round trip through the socket's event loop and the
/// queue, so a wedged daemon stops pinging and systemd restarts it; STATUS=
/// tells `systemctl status` how the office is doing.
struct SystemdKeepAliveService: ServiceLifecycle.Service {
    let notifier: SystemdNotifier
    let runtime: DaemonRuntime
    let eventLoop: any EventLoop
    let logger: Logger

    func run() async {
        guard notifier.isEnabled else { return }
        // A graceful stop cancels the wait (up to the watchdog interval) at once.
        await cancelWhenGracefulShutdown { await keepAlive() }
    }

    private func keepAlive() async {
        let interval = notifier.watchdogInterval ?? .seconds(10)
        var lastStatus = ""
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            do {
                try await eventLoop.submit {}.get()
                let line = try await runtime.fullStatusLine()
                if notifier.watchdogInterval != nil { try? notifier.watchdog() }
                if line != lastStatus {
                    try? notifier.status(line)
                    lastStatus = line
                }
            } catch {
                logger.error("health check failed; not pinging the watchdog", metadata: ["error": "\(error)"])
            }
        }
    }
}
