import AntreCore
import AntreDevices
import ESCPOS
import Foundation
import Logging

/// Why bytes did not all reach paper.
enum PrintFault: Error, Sendable, CustomStringConvertible {
    /// The connection failed or timed out; the job may be partly printed.
    case transport(PrinterError)
    /// The printer reported a fault while the job was being sent; what it got
    /// is held in its buffer, the rest was not sent.
    case faultMidJob(reason: String, sentBytes: Int, totalBytes: Int)
    /// The whole job was sent, then the printer reported a fault: it holds the
    /// job and normally prints it when the fault clears.
    case heldByPrinter(reason: String)

    var description: String {
        switch self {
        case let .transport(error): error.description
        case let .faultMidJob(reason, sent, total): "printer reported \(reason) after \(sent) of \(total) bytes"
        case let .heldByPrinter(reason): "sent, but the printer reported \(reason); it prints when that is fixed"
        }
    }

    /// An automatic reprint makes sense only when the printer did not get the whole job.
    var wantsReprint: Bool {
        if case .heldByPrinter = self { return false }
        return true
    }
}

/// A ticket that failed to print, to be reprinted once when the printer is back.
struct PendingReprint: Sendable, Equatable {
    var ticketID: Int64
    var number: TicketNumber
    var failedAt: ContinuousClock.Instant
}

/// What officers see about one dispenser's printer.
struct PrinterHealth: Sendable, Equatable {
    var readiness: PrinterReadiness
    var pendingReprints: Int
}

/// One dispenser's printer: a dedicated thread runs presses and print jobs one
/// at a time, in order, so a hung printer stalls only its own dispenser, and a
/// press that comes while a ticket prints waits its turn instead of being dropped.
/// It knows the printer's state (DLE EOT status where the connection can answer,
/// else the last write's result) and the tickets owed a reprint.
final class Spooler: @unchecked Sendable {
    let dispenser: Dispenser
    let transport: any PrinterTransport
    private let worker: SerialWorker
    private let logger: Logger
    private let lock = NSLock()
    private var readiness: PrinterReadiness = .unknown("not checked yet")
    private var answersStatus: Bool?
    private var pending: [PendingReprint] = []
    /// A job was cut short mid-way: the printer holds a stub to feed and cut off.
    private var stubToCut = false
    private var pollQueued = false
    private var unreachableStreak = 0
    private var lastPoll = ContinuousClock.now
    private var timer: (any DispatchSourceTimer)?
    /// Called (on the spooler thread) when the readiness changes: old, new.
    private let onChange: @Sendable (Spooler, PrinterReadiness, PrinterReadiness) -> Void

    init(dispenser: Dispenser, transport: any PrinterTransport, logger: Logger,
         onChange: @escaping @Sendable (Spooler, PrinterReadiness, PrinterReadiness) -> Void) {
        self.dispenser = dispenser
        self.transport = transport
        self.worker = SerialWorker(name: "antre.spool.\(dispenser.id)")
        self.onChange = onChange
        var logger = logger
        logger[metadataKey: "dispenser"] = "\(dispenser.id)"
        logger[metadataKey: "printer"] = "\(dispenser.printer)"
        self.logger = logger
    }

    var dispenserID: String { dispenser.id }

    var health: PrinterHealth {
        lock.withLock {
            PrinterHealth(readiness: readiness, pendingReprints: pending.count)
        }
    }

    // MARK: - Scheduling

    /// Runs `job` on the spooler thread after the jobs already queued.
    func perform(_ job: @escaping @Sendable () -> Void) { worker.submit(job) }

    /// Runs `job` on the spooler thread and returns its result without
    /// blocking the caller's executor.
    func perform<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await worker.run(job)
    }

    /// Polls status while the printer is down or owes reprints (every
    /// `statusPollInterval`), and every 30 s otherwise when it can answer.
    /// `recover` runs on the spooler thread after each poll.
    func startPolling(recover: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let interval = dispenser.statusPollInterval
        timer.schedule(deadline: .now() + .milliseconds(Int(interval.milliseconds)),
                       repeating: .milliseconds(Int(max(100, interval.milliseconds))))
        timer.setEventHandler { [weak self] in
            guard let self, self.shouldPoll() else { return }
            self.perform {
                self.lock.withLock { self.pollQueued = false }
                _ = self.refreshStatus()
                recover()
            }
        }
        lock.withLock { self.timer = timer }
        timer.resume()
    }

    private func shouldPoll() -> Bool {
        lock.withLock {
            guard !pollQueued, worker.pendingJobs == 0 else { return false }
            let idle = ContinuousClock.now - lastPoll
            // Unreachable printers are retried with backoff: every poll
            // interval at first, doubling up to 4x (a cable left out overnight).
            let backoff = dispenser.statusPollInterval * (1 << min(2, max(0, unreachableStreak - 1)))
            if unreachableStreak > 0 && idle < backoff { return false }
            let urgent = readiness.isDown || !pending.isEmpty
            let routine = answersStatus == true && idle >= .seconds(30)
            guard urgent || routine else { return false }
            pollQueued = true
            return true
        }
    }

    /// Stops polling and taking jobs; the job printing now (and those already
    /// queued) finish first, up to `timeout`. Returns false if it had to give up.
    @discardableResult
    func stop(timeout: Duration) -> Bool {
        lock.withLock { timer }?.cancel()
        worker.stop()
        let drained = worker.waitUntilStopped(timeout: timeout)
        transport.close()
        return drained
    }

    // MARK: - On the spooler thread

    /// Asks the printer how it is (DLE EOT 1-4) and records the answer.
    @discardableResult
    func refreshStatus() -> PrinterReadiness {
        let reading = transport.queryStatus(timeout: dispenser.statusTimeout)
        lock.withLock { lastPoll = .now }
        let next: PrinterReadiness
        switch reading {
        case let .reply(bytes):
            lock.withLock { answersStatus = true }
            if let status = PrinterStatus.parse(dleEot: bytes) {
                next = PrinterReadiness(status)
            } else {
                next = .unknown("unreadable status reply " + bytes.map { String($0, radix: 16) }.joined(separator: " "))
            }
        case .unknown:
            let answered = lock.withLock { answersStatus }
            if answered == nil { lock.withLock { answersStatus = false } }
            if answered == true {
                // It used to answer: let the next write decide rather than refuse presses.
                next = .unknown("status reply timed out")
            } else {
                // It never answers; the query did reach it, so judge by the writes.
                next = .unknown(lock.withLock { readiness }.isDown ? "connection is back; no status" : "printer does not report status")
            }
        case let .unreachable(reason):
            next = .down(reason)
        }
        lock.withLock {
            if case .unreachable = reading { unreachableStreak += 1 } else { unreachableStreak = 0 }
        }
        update(next)
        return next
    }

    /// The printer's state before a press takes a number: asked afresh where
    /// the printer answers status, else the last known state.
    func preflight() -> PrinterReadiness {
        let (answered, current) = lock.withLock { (answersStatus, readiness) }
        if answered == false && !current.isDown { return current }
        return refreshStatus()
    }

    /// Sends one job. Serial printers get it in paced chunks with a status check
    /// between them, so a fault mid-ticket stops the job instead of filling the
    /// printer's buffer; every job ends with a status check where possible.
    func transmit(_ bytes: [UInt8], label: String) -> PrintFault? {
        let started = ContinuousClock.now
        let deadline = started + dispenser.printTimeout
        let chunks = chunked(bytes)
        var sent = 0
        for (index, chunk) in chunks.enumerated() {
            let remaining = max(.milliseconds(1), deadline - .now)
            do throws(PrinterError) {
                try transport.send(chunk, timeout: remaining)
            } catch {
                transport.close()
                return fail(.transport(error), label: label)
            }
            sent += chunk.count
            if let rate = bytesPerSecond {
                // Pace at the line rate: the printer really receives this slowly.
                let due = started + .milliseconds(Int64(sent) * 1000 / Int64(rate))
                let wait = due - .now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.milliseconds) / 1000) }
            }
            let last = index == chunks.count - 1
            let answers = lock.withLock { answersStatus }
            // Between chunks only where the printer answers; after the job also
            // while that is not known yet (the first job teaches it).
            if answers == true || (last && answers == nil) {
                let state = refreshStatus()
                if case let .down(reason) = state {
                    if last { return fail(.heldByPrinter(reason: reason), label: label) }
                    lock.withLock { stubToCut = true }
                    return fail(.faultMidJob(reason: reason, sentBytes: sent, totalBytes: bytes.count), label: label)
                }
            }
        }
        let answered = lock.withLock { answersStatus }
        if answered != true { update(.unknown("no status; last print ok")) }
        logger.info("printed", metadata: [
            "job": "\(label)", "bytes": "\(bytes.count)", "ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        return nil
    }

    /// After a job was cut short: feed and cut off the stub the printer holds,
    /// so the reprint starts on a fresh ticket.
    func cutStubIfNeeded() {
        guard lock.withLock({ stubToCut }) else { return }
        let finish = ESCPOSCommands.initialize + [0x1B, 0x64, UInt8(dispenser.profile.feedBeforeCut)]
            + (dispenser.profile.hasCutter ? ESCPOSCommands.partialCut : [])
        do throws(PrinterError) {
            try transport.send(finish, timeout: dispenser.printTimeout)
            lock.withLock { stubToCut = false }
        } catch {
            transport.close()
        }
    }

    // MARK: - Reprints owed

    func owe(_ reprint: PendingReprint) {
        lock.withLock {
            guard !pending.contains(where: { $0.ticketID == reprint.ticketID }) else { return }
            pending.append(reprint)
        }
    }

    func forgive(ticketID: Int64) {
        lock.withLock { pending.removeAll { $0.ticketID == ticketID } }
    }

    /// Reprints due now (oldest first); those past the window are dropped and
    /// returned separately so the caller can log them.
    func takeDueReprints() -> (due: [PendingReprint], expired: [PendingReprint]) {
        lock.withLock {
            guard !readiness.isDown, !pending.isEmpty else { return ([], []) }
            let window = dispenser.autoReprintWindow
            let now = ContinuousClock.now
            let expired = pending.filter { now - $0.failedAt > window }
            let due = pending.filter { now - $0.failedAt <= window }
            pending = []
            return (due, expired)
        }
    }

    // MARK: - Internals

    private var bytesPerSecond: Int? {
        if case let .serial(_, baud) = dispenser.printer { return max(1, baud / 10) }
        return nil
    }

    /// Serial: about a quarter second of data per chunk; others: one chunk.
    private func chunked(_ bytes: [UInt8]) -> [[UInt8]] {
        guard let rate = bytesPerSecond else { return [bytes] }
        let size = max(64, rate / 4)
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min(bytes.count, $0 + size)]) }
    }

    private func fail(_ fault: PrintFault, label: String) -> PrintFault {
        switch fault {
        case let .transport(error): update(.down(error.description))
        case .faultMidJob, .heldByPrinter: break  // readiness already says why
        }
        logger.error("print failed", metadata: ["job": "\(label)", "error": "\(fault)"])
        return fault
    }

    private func update(_ next: PrinterReadiness) {
        let previous: PrinterReadiness? = lock.withLock {
            guard next != readiness else { return nil }
            let old = readiness
            readiness = next
            return old
        }
        if let previous { onChange(self, previous, next) }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
