import Foundation
import Logging

/// Why a button device could not be opened, for the log.
struct InputProblem: Error {
    let text: String
}

/// The loop every button input shares: open the device, read presses until it
/// goes away, log one warning per outage, back off (doubling up to a maximum),
/// reopen, and log "reconnected". Unplugging a box never needs a restart.
struct ReconnectingInput: Sendable {
    let path: String
    let logger: Logger
    let initialBackoff: Duration
    let maxBackoff: Duration

    /// - Parameters:
    ///   - open: opens and configures the device; its fd and what to log about it.
    ///   - read: reads presses until the device goes away (returns why) or `stop` (nil).
    ///   - release: undoes `open` (ungrab, close).
    func run(stop: StopSignal,
             open: () -> Result<(fd: Int32, metadata: Logger.Metadata), InputProblem>,
             read: (Int32) -> String?,
             release: (Int32) -> Void) {
        var backoff = initialBackoff
        var inOutage = false
        var everOpened = false
        while !stop.isSignalled {
            let opened: (fd: Int32, metadata: Logger.Metadata)
            switch open() {
            case let .failure(problem):
                if !inOutage {
                    logger.warning("button input unavailable: \(problem.text); retrying", metadata: ["input": "\(path)"])
                    inOutage = true
                }
                if stop.wait(backoff) { return }
                backoff = min(backoff * 2, maxBackoff)
                continue
            case let .success(device):
                opened = device
            }
            let metadata = opened.metadata.merging(["input": "\(path)"]) { _, new in new }
            logger.info(everOpened ? "reconnected" : "button input available", metadata: metadata)
            inOutage = false
            everOpened = true
            backoff = initialBackoff
            let reason = read(opened.fd)
            release(opened.fd)
            guard let reason else { return }  // stopped
            logger.warning("button input disconnected: \(reason); reconnecting", metadata: ["input": "\(path)"])
            inOutage = true
            if stop.wait(backoff) { return }
            backoff = min(backoff * 2, maxBackoff)
        }
    }
}
