// Where a press goes, in one pass:
//
//   button box --(input thread: AntreDevices ButtonSource)--> ButtonDispatch (key -> service, cooldown)
//     --> DispenserPipeline.press (queued on this dispenser's own thread)
//     --> readiness: is the printer known down? then no number: a missed press, streamed to monitors
//     --> commit: QueueStore.issue, carrying the print results still pending (one commit per ticket)
//     --> print: ESC/POS bytes to the PrinterTransport (tcp, serial, usb, file, preview)
//     --> result: "printed"/"print_failed" queued in PendingPrintResults (the next commit or the
//         timer writes it), a reprint owed on failure, events out through the PipelineSink.
//
// `antre issue SERVICE` (QueueDesk.issue) takes the same path from the readiness step on.

import AntreCore
import AntreDevices
import AntreStore
import ESCPOS
import Foundation
import Logging
import Synchronization

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
    var failedAt: Date
}

/// What officers see about one dispenser's printer.
struct PrinterHealth: Sendable, Equatable {
    var readiness: PrinterReadiness
    var pendingReprints: Int
}

/// Where a pipeline's events go; the runtime wires it to the event hub and
/// `antre status`. Called on the pipeline thread, never under its lock.
struct PipelineSink: Sendable {
    /// Rows were written to the journal: monitors should read them.
    var journalChanged: @Sendable () -> Void
    /// A missed press or a printer change, for monitors.
    var publish: @Sendable (MonitorItem) -> Void
    /// The database refused a write (for `antre status`); with the dispenser when a press was lost.
    var storageFailed: @Sendable (_ reason: String, _ at: Date, _ dispenserID: String?) -> Void
}

/// One dispenser: its own thread runs presses, print jobs and status polls one
/// at a time, in order, so a hung printer stalls only its own dispenser, and a
/// press that comes while a ticket prints waits its turn instead of being dropped.
/// It owns the printer's state, the reprints it owes and its timers.
///
/// The rule: no number is taken while the printer is known down. A printer that
/// answers status (DLE EOT) is asked before each press; one that cannot is
/// judged by its last write or open, and once down it stays down until a probe
/// (`queryStatus`, which reopens the connection) succeeds.
final class DispenserPipeline: Sendable {
    /// What every pipeline shares.
    struct Context: Sendable {
        let store: QueueStore
        let clock: DaemonClock
        let results: PendingPrintResults
        let sink: PipelineSink
        let logger: Logger
        /// The configuration in force (services, office), read at each step.
        let config: @Sendable () -> AntreConfig
    }

    private struct State {
        var readiness: PrinterReadiness = .unknown("not checked yet")
        /// nil until the printer first answers a status query or not.
        var answersStatus: Bool?
        var owed: [PendingReprint] = []
        /// A job was cut short mid-way: the printer holds a stub to feed and cut off.
        var stubToCut = false
        var unreachableStreak = 0
        var lastPoll: Date
        /// When this pipeline writes pending print results that no commit took.
        var flushDue: Date?
    }

    let dispenser: Dispenser
    let transport: any PrinterTransport
    private let context: Context
    private let logger: Logger
    private let thread: SerialWorker
    private let state: Mutex<State>

    /// `replacing`: the pipeline this one takes over from (a reload changed the
    /// dispenser). This one's first job waits, on its own thread, until the old
    /// one has finished its jobs and closed the device, so the two never share a
    /// printer and nobody else waits for a slow print.
    init(dispenser: Dispenser, transport: any PrinterTransport, context: Context,
         replacing previous: DispenserPipeline? = nil) {
        self.dispenser = dispenser
        self.transport = transport
        self.context = context
        var logger = context.logger
        logger[metadataKey: "dispenser"] = "\(dispenser.id)"
        logger[metadataKey: "printer"] = "\(dispenser.printer)"
        self.logger = logger
        self.thread = SerialWorker(name: "antre.dispenser.\(dispenser.id)", clock: context.clock)
        self.state = Mutex(State(lastPoll: context.clock.now()))
        if let previous { thread.submit { previous.stop() } }
        // Learn the printer's state at start, before the first resident comes.
        thread.submit { [self] in _ = refreshStatus() }
        thread.start { [self] in fireTimers() }
    }

    var dispenserID: String { dispenser.id }

    var health: PrinterHealth {
        state.withLock { PrinterHealth(readiness: $0.readiness, pendingReprints: $0.owed.count) }
    }

    // MARK: - Entry points

    /// A button press, on the input thread: queued, never waited for.
    func press(serviceID: String, priority: Bool = false) {
        thread.submit { [self] in
            // A refusal or failure is logged and recorded where it happens.
            _ = try? pressStep(serviceID: serviceID, priority: priority, force: false, byResident: true,
                               actor: "dispenser:\(dispenser.id)")
        }
    }

    /// `antre issue`: a press on this dispenser, answered with the outcome.
    /// `force`: an officer issues outside the opening hours or past the quota.
    func issue(serviceID: String, priority: Bool = false, force: Bool = false,
               actor: String?) async throws -> TicketOutcome {
        try await thread.run { [self] in
            try pressStep(serviceID: serviceID, priority: priority, force: force, byResident: false, actor: actor)
        }
    }

    /// An officer's reprint of `number` (one of today's tickets, `existing`).
    func reprint(_ existing: Ticket, actor: String?) async throws -> TicketOutcome {
        try await thread.run { [self] in try reprintStep(existing, actor: actor) }
    }

    /// No automatic reprint for a ticket the resident holds (or an officer reprinted).
    func forgive(ticketID: Int64) {
        state.withLock { $0.owed.removeAll { $0.ticketID == ticketID } }
    }

    /// Runs the timers that are due on `clock` now (polling, writing pending
    /// results, reprint window expiry), on the pipeline thread. The thread does
    /// this by itself; tests call it after moving their clock.
    func runTimers() async {
        _ = try? await thread.run { [self] in _ = fireTimers() }
    }

    /// Stops taking jobs; those queued finish first, up to the print timeout
    /// + 2 s; then the printer is closed. Blocks: call on a dedicated thread.
    @discardableResult
    func stop() -> Bool {
        thread.stop()
        let drained = thread.waitUntilStopped(timeout: dispenser.printTimeout + .seconds(2))
        transport.close()
        if !drained { logger.warning("printer did not finish in time") }
        return drained
    }

    /// `stop` for async code: waits on a thread of its own.
    func retire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let retiring = Thread { [self] in
                stop()
                continuation.resume()
            }
            retiring.name = "antre.retire.\(dispenser.id)"
            retiring.start()
        }
    }

    // MARK: - The steps (on the pipeline thread)

    /// Reprints owed go first; then readiness; then the office's rules (hours,
    /// quota); then the commit; then paper.
    /// `byResident`: a button press (a refusal prints a notice slip for the
    /// resident at the machine); an officer's issue only gets the error.
    private func pressStep(serviceID: String, priority: Bool, force: Bool, byResident: Bool,
                           actor: String?) throws -> TicketOutcome {
        settleReprints()
        let config = context.config()
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        let readiness = preflight()
        if !readiness.isDown {
            try admit(service, office: config.office, force: force, printNotice: byResident, actor: actor)
        }
        switch PressPolicy.decide(printer: readiness) {
        case let .refuse(reason):
            recordMissedPress(serviceID: service.id, reason: reason)
            throw QueueError.printerDown(dispenser: dispenser.id, reason: readiness.detail ?? reason)
        case let .printNotice(notice):
            _ = transmit(ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: notice)),
                         label: "notice")
            throw QueueError.notPrintable(number: service.id, reason: notice.title)
        case let .issueTicket(warning):
            if let warning { logger.warning("printer needs attention", metadata: ["detail": "\(warning)"]) }
        }
        // A quota is checked inside the commit: another dispenser or an officer
        // may take a number at the same moment.
        let now = context.clock.now()
        let quota = service.hours.dailyQuota == nil ? nil
            : IssueRules.CheckInTransaction(service: service, office: config.office, now: now, force: force)
        let issued: IssuedTicket
        do {
            issued = try context.results.riding { riding in
                try context.store.issue(serviceID: service.id, prefix: service.prefix, dispenserID: dispenser.id,
                                        printState: .pending, now: now, actor: actor,
                                        applying: riding, priority: priority, counters: config.counters,
                                        priorityRatio: config.office.priorityRatio, admit: quota?.check)
            }
        } catch let QueueError.storageFailed(reason) {
            pressNotRecorded(serviceID: service.id, reason: reason, office: config.office)
            throw QueueError.storageFailed(reason: reason)
        } catch {
            if case let .refuse(refusal)? = quota?.outcome {
                IssueRules.log(.refuse(refusal), service: service, actor: actor, logger: logger)
                if byResident { printNotice(refusal.notice) }
            }
            throw error
        }
        context.sink.journalChanged()
        logger.notice("ticket issued", metadata: [
            "ticket": "\(issued.ticket.number)", "service": "\(service.id)", "ahead": "\(issued.ahead)",
        ])
        let fault = printTicket(issued.ticket, ahead: issued.ahead, waitEstimate: issued.waitEstimate, isReprint: false,
                                oweReprintOnFailure: true)
        var outcome = TicketOutcome(ticket: issued.ticket, serviceName: service.name, ahead: issued.ahead)
        // The result's row rides with the next commit: tell the client what is true now.
        outcome.ticket.printState = fault == nil ? .printed : .failed
        outcome.printed = fault == nil
        outcome.printError = fault?.description
        return outcome
    }

    private func reprintStep(_ existing: Ticket, actor: String?) throws -> TicketOutcome {
        let readiness = preflight()
        if readiness.isDown {
            throw QueueError.printerDown(dispenser: dispenser.id, reason: readiness.detail ?? "down")
        }
        // An officer's reprint replaces the automatic one.
        forgive(ticketID: existing.id)
        // Its earlier result must be written before the reprint request.
        try context.results.flush(to: context.store)
        let ticket = try context.store.markReprintRequested(number: existing.number, now: context.clock.now(),
                                                            actor: actor)
        context.sink.journalChanged()
        let config = context.config()
        let position = try context.store.position(of: ticket, counters: config.counters,
                                                  priorityRatio: config.office.priorityRatio)
        let ahead = position.ahead
        let fault = printTicket(ticket, ahead: ahead, waitEstimate: position.waitEstimate, isReprint: true,
                                oweReprintOnFailure: false, note: "reprint by officer")
        var result = TicketOutcome(ticket, config: context.config())
        result.ticket.printState = fault == nil ? .printed : .failed
        result.ahead = ahead
        result.printed = fault == nil
        result.printError = fault?.description
        return result
    }

    /// Outside the opening hours the resident gets a notice slip (when it
    /// reopens, the schedule) and no number. (Past today's quota too, but that
    /// is decided inside the commit: see `pressStep`.)
    private func admit(_ service: Service, office: Office, force: Bool, printNotice: Bool, actor: String?) throws {
        guard let refusal = try IssueRules.hoursRefusal(for: service, office: office, now: context.clock.now(),
                                                        force: force, actor: actor, logger: logger) else { return }
        if printNotice { self.printNotice(refusal.notice) }
        throw refusal.error
    }

    private func printNotice(_ notice: NoticeSlip) {
        if let fault = transmit(ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: notice)),
                                label: "notice") {
            logger.error("cannot print the notice", metadata: ["error": "\(fault)"])
        }
    }

    /// Lays out, encodes and sends a ticket; its result waits in
    /// `PendingPrintResults`. A failure never loses the ticket: it keeps its
    /// place, is marked print_failed, and (unless this was already a reprint)
    /// is owed one reprint when the printer is back.
    @discardableResult
    private func printTicket(_ ticket: Ticket, ahead: Int, waitEstimate: WaitEstimate?, isReprint: Bool,
                             oweReprintOnFailure: Bool, note: String? = nil) -> PrintFault? {
        let config = context.config()
        let service = config.service(ticket.issuedServiceID) ?? config.service(ticket.serviceID)
            ?? Service(id: ticket.serviceID, name: ticket.serviceID, prefix: ticket.number.prefix)
        let now = context.clock.now()
        // A reprint shows the place in line as of now, and none once the ticket left the line.
        let slip = TicketSlip(ticket: ticket, service: service, office: config.office,
                              ahead: isReprint && ticket.state != .waiting ? nil : ahead, isReprint: isReprint,
                              reprintedAt: isReprint ? now : nil,
                              counterNames: config.counters(serving: service.id).map(\.name),
                              waitEstimate: isReprint && ticket.state != .waiting ? nil : waitEstimate)
        let fault = transmit(ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: slip)),
                             label: "\(ticket.number)")
        let actor = "dispenser:\(dispenser.id)"
        if let fault {
            context.results.add(PrintStateUpdate(ticketID: ticket.id, state: .failed, detail: fault.description,
                                                 at: now, actor: actor))
            if fault.wantsReprint && oweReprintOnFailure {
                state.withLock { state in
                    guard !state.owed.contains(where: { $0.ticketID == ticket.id }) else { return }
                    state.owed.append(PendingReprint(ticketID: ticket.id, number: ticket.number, failedAt: now))
                }
                logger.warning("ticket will be reprinted when the printer is back", metadata: [
                    "ticket": "\(ticket.number)", "window_s": "\(dispenser.autoReprintWindow.components.seconds)",
                ])
            }
        } else {
            context.results.add(PrintStateUpdate(ticketID: ticket.id, state: .printed, detail: note, at: now,
                                                 actor: actor))
        }
        // Written by the timer only if no commit comes to carry it first: each
        // result moves the deadline, so a busy dispenser never pays an extra commit.
        state.withLock { $0.flushDue = now.addingTimeInterval(PendingPrintResults.flushDelay.seconds) }
        return fault
    }

    /// A press the database could not take (disk full, read-only, I/O error,
    /// file gone): never silent. Logged with the reason, counted, written as a
    /// missed press if the database still takes that, streamed to monitors, and
    /// the resident gets a notice on paper to ask an officer.
    private func pressNotRecorded(serviceID: String, reason: String, office: Office) {
        let at = context.clock.now()
        context.sink.storageFailed(reason, at, dispenser.id)
        logger.error("press not recorded: the queue database cannot be written; no number taken", metadata: [
            "service": "\(serviceID)", "reason": "\(reason)",
        ])
        let why = "database cannot be written: \(reason)"
        let missed = (try? context.store.recordMissedPress(dispenserID: dispenser.id, serviceID: serviceID,
                                                           reason: why, now: at))
            ?? MissedPress(id: 0, day: context.store.day(of: at), at: at, dispenserID: dispenser.id,
                           serviceID: serviceID, reason: why)
        context.sink.publish(.missedPress(missed))
        let notice = PressPolicy.storageFailureNotice(office: office, at: at)
        if let fault = transmit(ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: notice)),
                                label: "notice") {
            logger.error("cannot print the notice either", metadata: ["error": "\(fault)"])
        }
    }

    private func recordMissedPress(serviceID: String, reason: String) {
        let at = context.clock.now()
        let missed: MissedPress
        do {
            missed = try context.store.recordMissedPress(dispenserID: dispenser.id, serviceID: serviceID,
                                                         reason: reason, now: at)
        } catch {
            // Counted in memory instead, and still streamed: never silent.
            if case let QueueError.storageFailed(why) = error {
                context.sink.storageFailed(why, at, dispenser.id)
            } else {
                context.sink.storageFailed("\(error)", at, dispenser.id)
            }
            logger.error("cannot record a missed press", metadata: ["error": "\(error)"])
            missed = MissedPress(id: 0, day: context.store.day(of: at), at: at, dispenserID: dispenser.id,
                                 serviceID: serviceID, reason: reason)
        }
        context.sink.publish(.missedPress(missed))
        logger.error("press refused: no number taken", metadata: ["service": "\(serviceID)", "reason": "\(reason)"])
    }

    // MARK: - Reprints owed

    /// When the printer is not down: cut off a stub left by an interrupted job
    /// and reprint, once, the tickets owed one within the window.
    private func settleReprints() {
        let now = context.clock.now()
        let window = dispenser.autoReprintWindow.seconds
        let (due, expired) = state.withLock { state -> ([PendingReprint], [PendingReprint]) in
            let expired = state.owed.filter { now.timeIntervalSince($0.failedAt) > window }
            state.owed.removeAll { now.timeIntervalSince($0.failedAt) > window }
            guard !state.readiness.isDown, !state.owed.isEmpty else { return ([], expired) }
            defer { state.owed = [] }
            return (state.owed, expired)
        }
        for reprint in expired {
            logger.warning("automatic reprint window passed; an officer can reprint", metadata: [
                "ticket": "\(reprint.number)", "hint": "antre reprint \(reprint.number)",
            ])
        }
        guard !due.isEmpty else { return }
        cutStubIfNeeded()
        do {
            // The failures must be in the database before they are read back.
            if try context.results.flush(to: context.store) { context.sink.journalChanged() }
        } catch {
            logger.error("cannot record print results", metadata: ["error": "\(error)"])
        }
        for reprint in due {
            guard let ticket = try? context.store.ticket(id: reprint.ticketID), ticket.printState == .failed else {
                continue
            }
            let config = context.config()
            let position = try? context.store.position(of: ticket, counters: config.counters,
                                                       priorityRatio: config.office.priorityRatio)
            logger.notice("reprinting automatically", metadata: ["ticket": "\(ticket.number)"])
            printTicket(ticket, ahead: position?.ahead ?? 0, waitEstimate: position?.waitEstimate, isReprint: true,
                        oweReprintOnFailure: false, note: "automatic reprint")
        }
    }

    // MARK: - Timers (on the pipeline thread)

    /// Does what is due now and returns when to look again.
    private func fireTimers() -> Date? {
        let now = context.clock.now()
        let flushNow = state.withLock { state -> Bool in
            guard let due = state.flushDue, due <= now else { return false }
            state.flushDue = nil
            return true
        }
        if flushNow {
            do {
                if try context.results.flush(to: context.store) { context.sink.journalChanged() }
            } catch {
                logger.error("cannot record print results", metadata: ["error": "\(error)"])
                state.withLock { $0.flushDue = now.addingTimeInterval(1) }
            }
        }
        if let poll = nextPoll(), poll <= now {
            refreshStatus()
        }
        // Reprints when the printer is back, and the window's expiry.
        settleReprints()
        let window = dispenser.autoReprintWindow.seconds
        let expiry = state.withLock { $0.owed.map { $0.failedAt.addingTimeInterval(window + 0.001) }.min() }
        let flush = state.withLock { $0.flushDue }
        return [nextPoll(), expiry, flush].compactMap { $0 }.min()
    }

    /// Polls status while the printer is down or owes reprints (every
    /// `statusPollInterval`, backing off up to 4x while unreachable: a cable left
    /// out overnight), and every 30 s otherwise when it can answer.
    private func nextPoll() -> Date? {
        let interval = dispenser.statusPollInterval.seconds
        return state.withLock { state -> Date? in
            let urgent = state.readiness.isDown || !state.owed.isEmpty
            if urgent {
                let backoff = Double(1 << min(2, max(0, state.unreachableStreak - 1)))
                return state.lastPoll.addingTimeInterval(max(0.1, interval) * backoff)
            }
            return state.answersStatus == true ? state.lastPoll.addingTimeInterval(30) : nil
        }
    }

    // MARK: - The printer (on the pipeline thread)

    /// Asks the printer how it is (DLE EOT 1-4, or a reopen where it cannot
    /// answer) and records the answer.
    @discardableResult
    private func refreshStatus() -> PrinterReadiness {
        let reading = transport.queryStatus(timeout: dispenser.statusTimeout)
        let now = context.clock.now()
        let next = state.withLock { state -> PrinterReadiness in
            state.lastPoll = now
            if case .unreachable = reading { state.unreachableStreak += 1 } else { state.unreachableStreak = 0 }
            switch reading {
            case let .reply(bytes):
                state.answersStatus = true
                if let status = PrinterStatus.parse(dleEot: bytes) { return PrinterReadiness(status) }
                return .unknown("unreadable status reply " + bytes.map { String($0, radix: 16) }.joined(separator: " "))
            case .unknown:
                if state.answersStatus == true {
                    // It used to answer: let the next write decide rather than refuse presses.
                    return .unknown("status reply timed out")
                }
                state.answersStatus = false
                // It never answers, but the probe reached it: judge by the writes.
                return .unknown(state.readiness.isDown ? "connection is back; no status" : "printer does not report status")
            case let .unreachable(reason):
                return .down(reason)
            }
        }
        update(next)
        return next
    }

    /// The printer's state before a press takes a number: asked afresh where
    /// the printer answers status or is down, else the last write's verdict.
    private func preflight() -> PrinterReadiness {
        let (answers, current) = state.withLock { ($0.answersStatus, $0.readiness) }
        if answers == false && !current.isDown { return current }
        return refreshStatus()
    }

    /// Sends one job. Serial printers get it in paced chunks with a status check
    /// between them, so a fault mid-ticket stops the job instead of filling the
    /// printer's buffer; every job ends with a status check where possible.
    private func transmit(_ bytes: [UInt8], label: String) -> PrintFault? {
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
                if wait > .zero { Thread.sleep(forTimeInterval: wait.seconds) }
            }
            let last = index == chunks.count - 1
            let answers = state.withLock { $0.answersStatus }
            // Between chunks only where the printer answers; after the job also
            // while that is not known yet (the first job teaches it).
            if answers == true || (last && answers == nil) {
                if case let .down(reason) = refreshStatus() {
                    if last { return fail(.heldByPrinter(reason: reason), label: label) }
                    state.withLock { $0.stubToCut = true }
                    return fail(.faultMidJob(reason: reason, sentBytes: sent, totalBytes: bytes.count), label: label)
                }
            }
        }
        if state.withLock({ $0.answersStatus }) != true { update(.unknown("no status; last print ok")) }
        logger.info("printed", metadata: [
            "job": "\(label)", "bytes": "\(bytes.count)", "ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        return nil
    }

    /// After a job was cut short: feed and cut off the stub the printer holds,
    /// so the reprint starts on a fresh ticket.
    private func cutStubIfNeeded() {
        guard state.withLock({ $0.stubToCut }) else { return }
        let finish = ESCPOSCommands.initialize + [0x1B, 0x64, UInt8(dispenser.profile.feedBeforeCut)]
            + (dispenser.profile.hasCutter ? ESCPOSCommands.partialCut : [])
        do throws(PrinterError) {
            try transport.send(finish, timeout: dispenser.printTimeout)
            state.withLock { $0.stubToCut = false }
        } catch {
            transport.close()
        }
    }

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
        // A failed write or open: down until a probe succeeds.
        if case let .transport(error) = fault { update(.down(error.description)) }
        logger.error("print failed", metadata: ["job": "\(label)", "error": "\(fault)"])
        return fault
    }

    /// Records the new state; a change is logged and streamed (outside the lock).
    private func update(_ next: PrinterReadiness) {
        let previous = state.withLock { state -> PrinterReadiness? in
            guard next != state.readiness else { return nil }
            defer { state.readiness = next }
            return state.readiness
        }
        guard let old = previous else { return }
        var metadata: Logger.Metadata = ["state": "\(next.state)", "was": "\(old.state)"]
        if let detail = next.detail { metadata["detail"] = "\(detail)" }
        switch next {
        case .down: logger.error("printer down", metadata: metadata)
        case .warning: logger.warning("printer needs attention", metadata: metadata)
        case .ready, .unknown:
            if old.state != next.state { logger.notice("printer state", metadata: metadata) }
        }
        guard old.state != next.state || next.isDown else { return }
        context.sink.publish(.printer(dispenserID: dispenser.id, readiness: next, at: context.clock.now()))
    }
}
