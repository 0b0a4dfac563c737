import AntreCore
import AntreDevices
import AntreStore
import AntreWire
import ESCPOS
import Foundation
import Logging
import Synchronization

/// A ticket as an officer or the CLI sees it after an action.
struct TicketOutcome: Sendable {
    var ticket: Ticket
    var serviceName: String
    var counterName: String?
    var ahead: Int?
    /// For issue/reprint: nil when nothing was printed, else whether it printed.
    var printed: Bool?
    var printError: String?
    /// For a call: tickets still waiting for the services called from.
    var stillWaiting: Int?
}

/// Everything `antre status` shows.
struct DaemonStatus: Sendable {
    struct PrinterLine: Sendable {
        var dispenserID: String
        var connection: String
        var health: PrinterHealth
        var missedPresses: Int
        var unrecordedPresses: Int
    }
    var snapshot: QueueSnapshot
    var config: AntreConfig
    var printers: [PrinterLine]
    /// The last failure to write the database, with its time.
    var storageError: String?
}

/// Presses the database could not record, per dispenser, and the last reason:
/// kept in memory because the disk may be full.
struct StorageTrouble: Sendable {
    var unrecordedPresses: [String: Int] = [:]
    var lastError: String?
}

/// The queue's rules applied to the configured office: validates services and
/// counters against the config, runs store operations on one worker thread (so
/// blocking fsyncs never sit on the async executor), prints through spoolers and
/// publishes the journal to monitors.
final class QueueController: @unchecked Sendable {
    let store: QueueStore
    let events: EventHub
    let worker = SerialWorker(name: "antre.queue")
    /// Reports read on their own thread (a WAL snapshot): a year's report
    /// never waits behind, nor holds up, a press on `worker`.
    let reportWorker = SerialWorker(name: "antre.report")
    private let lock = NSLock()
    private var _config: AntreConfig
    private var spoolers: [String: Spooler] = [:]
    /// "printed" results not yet written: they ride along with the next
    /// ticket's commit or a short timer, so a ticket costs one fsync, not two.
    private var deferredPrinted: [PrintStateUpdate] = []
    private var flushScheduled = false
    let logger: Logger
    /// Injected clock: tests and the demo never need it, but day rollover logic does.
    let now: @Sendable () -> Date
    let startedAt = Date()
    private let storageTrouble = Mutex(StorageTrouble())

    init(config: AntreConfig, store: QueueStore, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) throws {
        self._config = config
        self._accessPolicy = try AccessPolicy(settings: config.socket)
        self.store = store
        self.logger = logger
        self.now = now
        self.events = try EventHub(store: store, logger: logger)
    }

    var config: AntreConfig { lock.withLock { _config } }

    private var _accessPolicy: AccessPolicy
    var accessPolicy: AccessPolicy { lock.withLock { _accessPolicy } }

    /// A reader can provoke refusals at will: logged once, then at most one line per 10 s.
    private let deniedThrottle = LogThrottle()

    func logDenied(method: String, level: AccessPolicy.Level, caller: Caller) {
        guard let suppressed = deniedThrottle.admit() else { return }
        var metadata: Logger.Metadata = [
            "method": "\(method)", "needs": "\(level.rawValue)", "uid": "\(caller.uid.map(String.init) ?? "?")",
            "pid": "\(caller.pid.map(String.init) ?? "?")",
        ]
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning("permission denied", metadata: metadata)
    }

    func attach(_ spooler: Spooler) {
        lock.withLock { spoolers[spooler.dispenserID] = spooler }
    }

    func spooler(_ id: String) -> Spooler? { lock.withLock { spoolers[id] } }

    var allSpoolers: [Spooler] { lock.withLock { Array(spoolers.values) }.sorted { $0.dispenserID < $1.dispenserID } }

    // MARK: - Issuing

    /// Creates the dispenser's spooler, wired to this controller, and starts
    /// its status polling.
    /// `replacing`: the spooler this one takes over from (a reload changed the
    /// dispenser). The new spooler's first job waits, on its own thread, until
    /// the old one has finished its print jobs and closed the device, so the two
    /// never share a printer and the caller never waits for a slow print.
    func addPrinter(for dispenser: Dispenser, transport: any PrinterTransport, replacing previous: Spooler? = nil) {
        let spooler = Spooler(dispenser: dispenser, transport: transport, logger: logger) { [weak self] spooler, old, new in
            self?.printerChanged(spooler, from: old, to: new)
        }
        if let previous {
            spooler.perform { Self.retire(previous, logger: self.logger) }
        }
        attach(spooler)
        spooler.startPolling { [weak self, weak spooler] in
            guard let self, let spooler else { return }
            self.settleReprints(spooler)
        }
        // Learn the printer's state at start, before the first resident comes.
        spooler.perform { _ = spooler.refreshStatus() }
    }

    /// A button press (on an input thread). The press waits its turn on the
    /// dispenser's spooler: checks the printer, commits a ticket, prints it.
    func issueFromButton(dispenserID: String, serviceID: String) {
        guard let spooler = spooler(dispenserID) else {
            logger.error("press for a dispenser without printer", metadata: ["dispenser": "\(dispenserID)"])
            return
        }
        spooler.perform { [self] in
            do {
                _ = try pressJob(spooler, serviceID: serviceID, actor: "dispenser:\(dispenserID)")
            } catch {
                // Already logged and recorded (missed press) where it happened.
            }
        }
    }

    /// `antre issue SERVICE`: as if the service's button were pressed on a dispenser.
    func issue(serviceID: String, dispenserID: String?, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard config.service(serviceID) != nil else { throw QueueError.serviceNotFound(service: serviceID) }
        guard let dispenser = try dispenserForIssue(serviceID: serviceID, requested: dispenserID, config: config),
              let spooler = spooler(dispenser.id)
        else {
            // No dispenser at all: a number without paper (the officer writes it down).
            let issued: IssuedTicket
            do {
                issued = try await worker.run { [self] in
                    try commitTicket(serviceID: serviceID, dispenserID: nil, actor: actor)
                }
            } catch let QueueError.storageFailed(reason) {
                noteStorageFailure(reason, at: now(), dispenserID: nil)
                logger.error("ticket not recorded: the queue database cannot be written", metadata: [
                    "service": "\(serviceID)", "reason": "\(reason)",
                ])
                throw QueueError.storageFailed(reason: reason)
            }
            return TicketOutcome(ticket: issued.ticket, serviceName: config.service(serviceID)?.name ?? serviceID,
                                 ahead: issued.ahead)
        }
        return try await spooler.perform { [self] in try pressJob(spooler, serviceID: serviceID, actor: actor) }
    }

    private func dispenserForIssue(serviceID: String, requested: String?, config: AntreConfig) throws -> Dispenser? {
        if let requested {
            guard let dispenser = config.dispensers.first(where: { $0.id == requested }) else {
                throw QueueError.notPrintable(number: serviceID, reason: "no dispenser '\(requested)'")
            }
            return dispenser
        }
        return config.dispensers.first { $0.buttons.values.contains(serviceID) } ?? config.dispensers.first
    }

    /// One press, on the spooler thread: reprints owed go first, then the
    /// printer is checked before any number is taken; a refused press is
    /// recorded as missed and takes no number.
    private func pressJob(_ spooler: Spooler, serviceID: String, actor: String?) throws -> TicketOutcome {
        settleReprints(spooler)
        let config = self.config
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        switch PressPolicy.decide(printer: spooler.preflight()) {
        case let .refuse(reason):
            recordMissedPress(spooler.dispenserID, serviceID: service.id, reason: reason)
            throw QueueError.printerDown(dispenser: spooler.dispenserID,
                                         reason: spooler.health.readiness.detail ?? reason)
        case let .printNotice(notice):
            _ = spooler.transmit(ESCPOSEncoder(profile: spooler.dispenser.profile).encode(TicketLayout.receipt(for: notice)),
                                 label: "notice")
            throw QueueError.notPrintable(number: service.id, reason: notice.title)
        case let .issueTicket(warning):
            if let warning {
                logger.warning("printer needs attention", metadata: ["dispenser": "\(spooler.dispenserID)", "detail": "\(warning)"])
            }
        }
        // Committed right here on the spooler thread: one thread hop less on the
        // press-to-paper path; SQLite serialises the writers anyway.
        let issued: IssuedTicket
        do {
            issued = try commitTicket(serviceID: service.id, dispenserID: spooler.dispenserID, actor: actor)
        } catch let QueueError.storageFailed(reason) {
            pressNotRecorded(spooler, serviceID: service.id, reason: reason)
            throw QueueError.storageFailed(reason: reason)
        }
        var outcome = TicketOutcome(ticket: issued.ticket, serviceName: service.name, ahead: issued.ahead)
        let fault = printNow(spooler, ticket: issued.ticket, ahead: issued.ahead, isReprint: false, oweReprintOnFailure: true)
        outcome.printed = fault == nil
        outcome.printError = fault?.description
        if let fresh = try? store.ticket(id: issued.ticket.id) { outcome.ticket = fresh }
        // The "printed" row rides with the next commit: tell the client what
        // is true now, not the row not yet written.
        if fault == nil { outcome.ticket.printState = .printed }
        return outcome
    }

    /// A press the database could not take (disk full, read-only, I/O error,
    /// file gone): never silent. Logged with the reason, counted in memory,
    /// written as a missed press if the database still takes that, streamed
    /// to monitors, and the resident gets a notice on paper to ask an officer.
    private func pressNotRecorded(_ spooler: Spooler, serviceID: String, reason: String) {
        let dispenserID = spooler.dispenserID
        let at = now()
        noteStorageFailure(reason, at: at, dispenserID: dispenserID)
        logger.error("press not recorded: the queue database cannot be written; no number taken", metadata: [
            "dispenser": "\(dispenserID)", "service": "\(serviceID)", "reason": "\(reason)",
        ])
        let missed: MissedPress
        do {
            missed = try store.recordMissedPress(dispenserID: dispenserID, serviceID: serviceID,
                                                 reason: "database cannot be written: \(reason)", now: at)
        } catch {
            missed = MissedPress(id: 0, day: store.day(of: at), at: at, dispenserID: dispenserID, serviceID: serviceID,
                                 reason: "database cannot be written: \(reason)")
        }
        events.publish(.missedPress(missed))
        let notice = PressPolicy.storageFailureNotice(office: config.office, at: at)
        if let fault = spooler.transmit(ESCPOSEncoder(profile: spooler.dispenser.profile).encode(TicketLayout.receipt(for: notice)),
                                        label: "notice") {
            logger.error("cannot print the notice either", metadata: ["dispenser": "\(dispenserID)", "error": "\(fault)"])
        }
    }

    /// Remembers a failed write for `antre status` (per dispenser when a press was lost).
    private func noteStorageFailure(_ reason: String, at: Date, dispenserID: String?) {
        let when = WireTime.clock(WireTime.string(at, in: config.office.timeZone))
        storageTrouble.withLock { trouble in
            if let dispenserID { trouble.unrecordedPresses[dispenserID, default: 0] += 1 }
            trouble.lastError = "\(when) \(reason)"
        }
    }

    /// Runs on the queue worker or a spooler thread.
    private func commitTicket(serviceID: String, dispenserID: String?, actor: String?) throws -> IssuedTicket {
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        let riding = lock.withLock { () -> [PrintStateUpdate] in
            defer { deferredPrinted = [] }
            return deferredPrinted
        }
        let issued: IssuedTicket
        do {
            issued = try store.issue(serviceID: service.id, prefix: service.prefix, dispenserID: dispenserID,
                                     printState: dispenserID == nil ? .none : .pending, now: now(), actor: actor,
                                     applying: riding)
        } catch {
            lock.withLock { deferredPrinted = riding + deferredPrinted }
            throw error
        }
        // Monitors hear of it from the queue worker, off the press-to-paper path.
        worker.submit { [events] in events.pump() }
        logger.notice("ticket issued", metadata: [
            "ticket": "\(issued.ticket.number)", "service": "\(service.id)",
            "ahead": "\(issued.ahead)", "dispenser": "\(dispenserID ?? "-")",
        ])
        return issued
    }

    private func recordMissedPress(_ dispenserID: String, serviceID: String, reason: String) {
        let at = now()
        do {
            let missed = try store.recordMissedPress(dispenserID: dispenserID, serviceID: serviceID, reason: reason, now: at)
            events.publish(.missedPress(missed))
        } catch {
            // Counted in memory instead, and still streamed: never silent.
            if case let QueueError.storageFailed(why) = error {
                noteStorageFailure(why, at: at, dispenserID: dispenserID)
            } else {
                noteStorageFailure("\(error)", at: at, dispenserID: dispenserID)
            }
            logger.error("cannot record a missed press", metadata: ["error": "\(error)"])
            events.publish(.missedPress(MissedPress(id: 0, day: store.day(of: at), at: at, dispenserID: dispenserID,
                                                    serviceID: serviceID, reason: reason)))
        }
        logger.error("press refused: no number taken", metadata: [
            "dispenser": "\(dispenserID)", "service": "\(serviceID)", "reason": "\(reason)",
        ])
    }

    /// Lays out, encodes and sends a ticket on the spooler thread; records
    /// printed / print_failed in the journal. A failure never loses the ticket:
    /// it keeps its place, is marked print_failed, and (unless this was already
    /// the automatic reprint) is owed one reprint when the printer is back.
    @discardableResult
    private func printNow(_ spooler: Spooler, ticket: Ticket, ahead: Int, isReprint: Bool, oweReprintOnFailure: Bool,
                          note: String? = nil) -> PrintFault? {
        let config = self.config
        let service = config.service(ticket.issuedServiceID) ?? config.service(ticket.serviceID)
            ?? Service(id: ticket.serviceID, name: ticket.serviceID, prefix: ticket.number.prefix)
        // A reprint shows the place in line as of now, and none once the ticket left the line.
        let slip = TicketSlip(ticket: ticket, service: service, office: config.office,
                              ahead: isReprint && ticket.state != .waiting ? nil : ahead, isReprint: isReprint,
                              reprintedAt: isReprint ? now() : nil)
        let bytes = ESCPOSEncoder(profile: spooler.dispenser.profile).encode(TicketLayout.receipt(for: slip))
        let fault = spooler.transmit(bytes, label: "\(ticket.number)")
        let actor = "dispenser:\(spooler.dispenserID)"
        if let fault {
            // Failures are written at once, after any deferred results (in order).
            let update = PrintStateUpdate(ticketID: ticket.id, state: .failed, detail: fault.description, at: now(),
                                          actor: actor)
            do {
                try worker.sync { [self] in
                    try flushDeferredPrinted()
                    _ = try store.setPrintState(ticketID: update.ticketID, update.state, detail: update.detail,
                                                now: update.at, actor: update.actor)
                    events.pump()
                }
            } catch {
                logger.error("cannot record print result", metadata: ["ticket": "\(ticket.number)", "error": "\(error)"])
            }
            if fault.wantsReprint && oweReprintOnFailure {
                spooler.owe(PendingReprint(ticketID: ticket.id, number: ticket.number, failedAt: .now))
                logger.warning("ticket will be reprinted when the printer is back", metadata: [
                    "ticket": "\(ticket.number)", "window_s": "\(spooler.dispenser.autoReprintWindow.components.seconds)",
                ])
            }
        } else {
            deferPrinted(PrintStateUpdate(ticketID: ticket.id, state: .printed, detail: note, at: now(), actor: actor))
        }
        return fault
    }

    private func deferPrinted(_ update: PrintStateUpdate) {
        let schedule = lock.withLock { () -> Bool in
            deferredPrinted.append(update)
            defer { flushScheduled = true }
            return !flushScheduled
        }
        guard schedule else { return }
        // If no ticket comes to carry it, write it on its own shortly.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { [weak self] in
            guard let self else { return }
            self.worker.submit {
                do {
                    try self.flushDeferredPrinted()
                } catch {
                    self.logger.error("cannot record print results", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// On the queue worker.
    private func flushDeferredPrinted() throws {
        let batch = lock.withLock { () -> [PrintStateUpdate] in
            defer {
                deferredPrinted = []
                flushScheduled = false
            }
            return deferredPrinted
        }
        guard !batch.isEmpty else { return }
        do {
            try store.applyPrintStates(batch)
        } catch {
            lock.withLock { deferredPrinted = batch + deferredPrinted }
            throw error
        }
        events.pump()
    }

    /// On the spooler thread: when the printer is not down, cut off a stub
    /// left by an interrupted job and reprint, once, the tickets owed one.
    private func settleReprints(_ spooler: Spooler) {
        let (due, expired) = spooler.takeDueReprints()
        for reprint in expired {
            logger.warning("automatic reprint window passed; an officer can reprint", metadata: [
                "ticket": "\(reprint.number)", "hint": "antre reprint \(reprint.number)",
            ])
        }
        guard !due.isEmpty else { return }
        spooler.cutStubIfNeeded()
        for reprint in due {
            guard let ticket = try? store.ticket(id: reprint.ticketID), ticket.printState == .failed else { continue }
            let ahead = (try? store.waitingAhead(of: ticket)) ?? 0
            logger.notice("reprinting automatically", metadata: ["ticket": "\(ticket.number)"])
            printNow(spooler, ticket: ticket, ahead: ahead, isReprint: true, oweReprintOnFailure: false,
                     note: "automatic reprint")
        }
    }

    private func printerChanged(_ spooler: Spooler, from old: PrinterReadiness, to new: PrinterReadiness) {
        var metadata: Logger.Metadata = ["dispenser": "\(spooler.dispenserID)", "printer": "\(spooler.dispenser.printer)",
                                         "state": "\(new.state)", "was": "\(old.state)"]
        if let detail = new.detail { metadata["detail"] = "\(detail)" }
        switch new {
        case .down: logger.error("printer down", metadata: metadata)
        case .warning: logger.warning("printer needs attention", metadata: metadata)
        case .ready, .unknown:
            if old.state != new.state { logger.notice("printer state", metadata: metadata) }
        }
        guard old.state != new.state || new.isDown else { return }
        events.publish(.printer(dispenserID: spooler.dispenserID, readiness: new, at: now()))
    }

    // MARK: - Officer actions

    func callNext(counterID: String, serviceIDs: [String], actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let counter = config.counter(counterID) else { throw QueueError.counterNotFound(counter: counterID) }
        for id in serviceIDs where config.service(id) == nil { throw QueueError.serviceNotFound(service: id) }
        let services = serviceIDs.isEmpty ? counter.services : serviceIDs
        let (ticket, stillWaiting) = try await worker.run { [self] in
            let ticket = try store.callNext(counterID: counter.id, serviceIDs: services, now: now(), actor: actor)
            events.pump()
            return (ticket, try store.waitingCount(serviceIDs: services, now: now()))
        }
        logger.notice("ticket called", metadata: ["ticket": "\(ticket.number)", "counter": "\(counter.id)", "service": "\(ticket.serviceID)"])
        var result = outcome(ticket, config: config)
        result.stillWaiting = stillWaiting
        return result
    }

    enum CalledAction: String, Sendable { case recall, skip, finish }

    func act(_ action: CalledAction, counterID: String?, number: String?, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        if let counterID, config.counter(counterID) == nil { throw QueueError.counterNotFound(counter: counterID) }
        let parsed = try number.map { text -> TicketNumber in
            guard let n = TicketNumber(parsing: text) else { throw QueueError.ticketNotFound(number: text) }
            return n
        }
        guard counterID != nil || parsed != nil else { throw QueueError.nothingCalled(counter: "?") }
        let ticket = try await worker.run { [self] in
            let ticket: Ticket
            switch action {
            case .recall: ticket = try store.recall(counterID: counterID, number: parsed, now: now(), actor: actor)
            case .skip: ticket = try store.skip(counterID: counterID, number: parsed, now: now(), actor: actor)
            case .finish: ticket = try store.finish(counterID: counterID, number: parsed, now: now(), actor: actor)
            }
            events.pump()
            return ticket
        }
        logger.notice("ticket \(action.rawValue)", metadata: ["ticket": "\(ticket.number)", "counter": "\(ticket.counterID ?? counterID ?? "-")"])
        return outcome(ticket, config: config)
    }

    func transfer(number: String, toServiceID: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard config.service(toServiceID) != nil else { throw QueueError.serviceNotFound(service: toServiceID) }
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let (ticket, ahead) = try await worker.run { [self] in
            let ticket = try store.transfer(number: parsed, toServiceID: toServiceID, now: now(), actor: actor)
            events.pump()
            return (ticket, try store.waitingAhead(of: ticket))
        }
        logger.notice("ticket transferred", metadata: ["ticket": "\(ticket.number)", "service": "\(toServiceID)"])
        var result = outcome(ticket, config: config)
        result.ahead = ahead
        return result
    }

    func reprint(number: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let day = LocalDay(containing: now(), in: config.office.timeZone)
        guard let existing = try await worker.run({ [self] in try store.ticket(number: parsed, day: day) }) else {
            throw QueueError.ticketNotFound(number: parsed.description)
        }
        guard let dispenserID = existing.dispenserID ?? config.dispensers.first?.id, let spooler = spooler(dispenserID) else {
            throw QueueError.notPrintable(number: parsed.description, reason: "no dispenser is configured")
        }
        return try await spooler.perform { [self] in
            let readiness = spooler.preflight()
            if readiness.isDown {
                throw QueueError.printerDown(dispenser: dispenserID, reason: readiness.detail ?? "down")
            }
            // An officer's reprint replaces the automatic one.
            spooler.forgive(ticketID: existing.id)
            let ticket = try store.markReprintRequested(number: parsed, now: now(), actor: actor)
            events.pump()
            let ahead = try store.waitingAhead(of: ticket)
            let fault = printNow(spooler, ticket: ticket, ahead: ahead, isReprint: true, oweReprintOnFailure: false,
                                 note: "reprint by officer")
            var fresh = (try? store.ticket(id: ticket.id)).flatMap { $0 } ?? ticket
            if fault == nil { fresh.printState = .printed }  // its row rides with the next commit
            var result = outcome(fresh, config: config)
            result.ahead = ahead
            result.printed = fault == nil
            result.printError = fault?.description
            return result
        }
    }

    /// One of today's tickets and, while it waits, how many wait before it.
    func ticket(number: String) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let day = LocalDay(containing: now(), in: config.office.timeZone)
        let found = try await worker.run { [self] () throws -> (Ticket, Int)? in
            guard let ticket = try store.ticket(number: parsed, day: day) else { return nil }
            return (ticket, try store.waitingAhead(of: ticket))
        }
        guard let (ticket, ahead) = found else { throw QueueError.ticketNotFound(number: parsed.description) }
        var result = outcome(ticket, config: config)
        result.ahead = ticket.state == .waiting ? ahead : nil
        return result
    }

    func status() async throws -> DaemonStatus {
        let config = self.config
        let (snapshot, missed) = try await worker.run { [self] in
            (try store.snapshot(now: now()), try store.missedPressCounts(now: now()))
        }
        let trouble = storageTrouble.withLock { $0 }
        let printers = config.dispensers.map { dispenser in
            let spooler = spooler(dispenser.id)
            return DaemonStatus.PrinterLine(
                dispenserID: dispenser.id, connection: dispenser.printer.description,
                health: spooler?.health ?? PrinterHealth(readiness: .unknown("not started"), pendingReprints: 0),
                missedPresses: missed[dispenser.id] ?? 0,
                unrecordedPresses: trouble.unrecordedPresses[dispenser.id] ?? 0)
        }
        return DaemonStatus(snapshot: snapshot, config: config, printers: printers, storageError: trouble.lastError)
    }

    /// An officer saw the paper of a ticket not confirmed (or failed): printed.
    func confirmPrinted(number: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let ticket = try await worker.run { [self] in
            let ticket = try store.confirmPrinted(number: parsed, now: now(), actor: actor)
            events.pump()
            return ticket
        }
        // No automatic reprint for a ticket the resident holds.
        if let dispenserID = ticket.dispenserID { spooler(dispenserID)?.forgive(ticketID: ticket.id) }
        logger.notice("print confirmed by an officer", metadata: ["ticket": "\(ticket.number)", "actor": "\(actor ?? "-")"])
        return outcome(ticket, config: config)
    }

    /// Whether the database path still names the file opened (a stat, on the
    /// queue worker like every other file access); nil when it does.
    func databaseFileProblem() async -> String? {
        await withCheckedContinuation { continuation in
            worker.submit { [store] in continuation.resume(returning: store.fileProblem()) }
        }
    }

    /// When the database file was deleted or replaced: writes today's last
    /// numbers (and a copy of the lost data) next to it for the next start.
    func saveNumbersAfterLoss() async -> Result<[String], any Error> {
        await withCheckedContinuation { continuation in
            worker.submit { [store, now] in
                continuation.resume(returning: Result { try store.saveNumbersForNextStart(now: now()) })
            }
        }
    }

    /// At start: tickets left `pending` by an unclean stop become unconfirmed.
    func markInterruptedPrints() async throws -> [Ticket] {
        try await worker.run { [self] in
            let tickets = try store.markInterruptedPrints(now: now())
            events.pump()
            return tickets
        }
    }

    /// Expires yesterday's leftovers; called at start and at each local midnight.
    func rollover() async throws -> Int {
        let expired = try await worker.run { [self] in
            let expired = try store.rollover(now: now())
            events.pump()
            return expired
        }
        await pruneHistory(keepDays: config.storage.retentionDays)
        return expired
    }

    /// "3 waiting; printers: lobi ready" for systemd's STATUS=.
    func statusLine() async throws -> String {
        let snapshot = try await worker.run { [self] in try store.snapshot(now: now()) }
        let waiting = snapshot.services.reduce(0) { $0 + $1.waiting }
        let printers = allSpoolers.map { "\($0.dispenserID) \($0.health.readiness.state)" }
        return "\(waiting) waiting; printers: " + (printers.isEmpty ? "none" : printers.joined(separator: ", "))
    }

    func outcome(_ ticket: Ticket, config: AntreConfig) -> TicketOutcome {
        TicketOutcome(ticket: ticket, serviceName: config.service(ticket.serviceID)?.name ?? ticket.serviceID,
                      counterName: ticket.counterID.flatMap { config.counter($0)?.name }, ahead: nil)
    }

    /// Graceful stop: the tickets being printed finish (bounded by each
    /// printer's timeout), then the queue worker drains and the database closes.
    func shutdown() {
        for spooler in allSpoolers {
            let limit = spooler.dispenser.printTimeout + .seconds(2)
            if !spooler.stop(timeout: limit) {
                logger.warning("printer did not finish in time", metadata: ["dispenser": "\(spooler.dispenserID)"])
            }
        }
        worker.submit { [self] in
            do {
                try flushDeferredPrinted()
            } catch {
                logger.error("cannot record print results", metadata: ["error": "\(error)"])
            }
        }
        worker.stop()
        reportWorker.stop()
        worker.waitUntilStopped(timeout: .seconds(5))
        reportWorker.waitUntilStopped(timeout: .seconds(5))
        events.finishAll()
        do {
            try store.close()
        } catch {
            logger.error("closing the database", metadata: ["error": "\(error)"])
        }
    }

    /// Swaps in a new configuration (already validated): the access policy,
    /// then the dispensers that changed get new spoolers. Returns at once: old
    /// spoolers finish their jobs in the background (a slow printer must not
    /// hold up a reload, status or the next reload). The queue itself is untouched.
    func apply(_ new: AntreConfig, policy: AccessPolicy, transports: (Dispenser) -> any PrinterTransport) -> [String] {
        let old = config
        var changed: [String] = []
        for dispenser in new.dispensers where old.dispensers.first(where: { $0.id == dispenser.id }) != dispenser {
            addPrinter(for: dispenser, transport: transports(dispenser), replacing: spooler(dispenser.id))
            changed.append(dispenser.id)
        }
        for dispenser in old.dispensers where !new.dispensers.contains(where: { $0.id == dispenser.id }) {
            if let previous = lock.withLock({ spoolers.removeValue(forKey: dispenser.id) }) {
                let logger = self.logger
                let thread = Thread { Self.retire(previous, logger: logger) }
                thread.name = "antre.retire.\(dispenser.id)"
                thread.start()
            }
            changed.append(dispenser.id)
        }
        lock.withLock {
            _config = new
            _accessPolicy = policy
        }
        return changed
    }

    /// Blocks the calling (dedicated) thread until `spooler` has finished its
    /// queued jobs, bounded by its print timeout, and closed its printer.
    private static func retire(_ spooler: Spooler, logger: Logger) {
        if !spooler.stop(timeout: spooler.dispenser.printTimeout + .seconds(2)) {
            logger.warning("replaced printer did not finish in time", metadata: ["dispenser": "\(spooler.dispenserID)"])
        }
    }

    /// Services that `new` drops but that still have people waiting or at a
    /// counter today: a reload must not make their tickets vanish.
    func servicesStillInUse(droppedBy new: AntreConfig) async throws -> [ServiceInUse] {
        let dropped = Set(config.services.map(\.id)).subtracting(new.services.map(\.id))
        guard !dropped.isEmpty else { return [] }
        let snapshot = try await worker.run { [self] in try store.snapshot(now: now()) }
        return dropped.sorted().compactMap { id in
            let waiting = snapshot.services.first { $0.serviceID == id }?.waiting ?? 0
            let called = snapshot.called.filter { $0.serviceID == id }.map(\.number.description)
            return waiting == 0 && called.isEmpty ? nil : ServiceInUse(serviceID: id, waiting: waiting, called: called)
        }
    }

    struct ServiceInUse: Sendable, CustomStringConvertible {
        var serviceID: String
        var waiting: Int
        var called: [String]

        var description: String {
            var parts: [String] = []
            if waiting > 0 { parts.append("\(waiting) waiting") }
            if !called.isEmpty { parts.append(called.joined(separator: ", ") + " at a counter") }
            return "service '\(serviceID)' still has " + parts.joined(separator: " and ")
                + " today; finish, skip or transfer them (antre transfer NUMBER --to OTHER) before removing it"
        }
    }
}
