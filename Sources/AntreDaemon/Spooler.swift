import AntreCore
import AntreDevices
import AntreStore
import ESCPOS
import Foundation
import Logging

/// What officers see about one dispenser's printer.
public struct PrinterHealth: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// Nothing printed yet since start.
        case unknown
        /// The last job went out whole.
        case ok
        /// The last job failed; tickets since are marked print_failed.
        case failed
    }
    public var state: State
    public var detail: String?
    public var since: Date?
    public var jobsPrinted: Int
    public var jobsFailed: Int
}

/// One dispenser's print queue: jobs go out one at a time, in the order the
/// tickets were committed, on the spooler's own thread. A press that arrives while
/// a ticket is printing waits its turn; it is never dropped.
final class Spooler: @unchecked Sendable {
    let dispenserID: String
    let transport: any PrinterTransport
    private let worker: SerialWorker
    private let lock = NSLock()
    private var _profile: PrinterProfile
    private var _timeout: Duration
    private var _health = PrinterHealth(state: .unknown, detail: nil, since: nil, jobsPrinted: 0, jobsFailed: 0)
    private let logger: Logger

    init(dispenser: Dispenser, transport: any PrinterTransport, logger: Logger) {
        self.dispenserID = dispenser.id
        self.transport = transport
        self._profile = dispenser.profile
        self._timeout = dispenser.printTimeout
        self.worker = SerialWorker(name: "antre.spool.\(dispenser.id)")
        var logger = logger
        logger[metadataKey: "dispenser"] = "\(dispenser.id)"
        logger[metadataKey: "printer"] = "\(dispenser.printer)"
        self.logger = logger
    }

    var health: PrinterHealth {
        lock.lock()
        defer { lock.unlock() }
        return _health
    }

    var profile: PrinterProfile {
        lock.lock()
        defer { lock.unlock() }
        return _profile
    }

    /// Jobs waiting behind the one printing.
    var backlog: Int { worker.pendingJobs }

    /// Encodes and sends one receipt. `completion` runs on the spooler thread
    /// with nil on success or the failure.
    func print(_ receipt: Receipt, label: String,
               completion: @escaping @Sendable (PrinterError?) -> Void) {
        worker.submit { [self] in
            let (profile, timeout) = lock.withLock { (_profile, _timeout) }
            let bytes = ESCPOSEncoder(profile: profile).encode(receipt)
            let started = ContinuousClock.now
            do throws(PrinterError) {
                try transport.send(bytes, timeout: timeout)
                record(nil)
                logger.info("printed", metadata: [
                    "job": "\(label)", "bytes": "\(bytes.count)",
                    "ms": "\((ContinuousClock.now - started).milliseconds)",
                ])
                completion(nil)
            } catch {
                record(error)
                transport.close()
                logger.error("print failed", metadata: ["job": "\(label)", "error": "\(error)"])
                completion(error)
            }
        }
    }

    /// Waits for the job to finish (for CLI calls that report the outcome).
    func printAndWait(_ receipt: Receipt, label: String) async -> PrinterError? {
        await withCheckedContinuation { continuation in
            print(receipt, label: label) { continuation.resume(returning: $0) }
        }
    }

    func stop() {
        worker.stop()
        transport.close()
    }

    private func record(_ error: PrinterError?) {
        lock.withLock {
            let now = Date()
            if let error {
                if _health.state != .failed { _health.since = now }
                _health.state = .failed
                _health.detail = error.description
                _health.jobsFailed += 1
            } else {
                if _health.state != .ok { _health.since = now }
                _health.state = .ok
                _health.detail = nil
                _health.jobsPrinted += 1
            }
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
