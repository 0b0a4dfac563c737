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

    init(ticket: Ticket, serviceName: String, counterName: String? = nil, ahead: Int?) {
        self.ticket = ticket
        self.serviceName = serviceName
        self.counterName = counterName
        self.ahead = ahead
    }

    /// With the names the configuration gives its service and counter.
    init(_ ticket: Ticket, config: AntreConfig) {
        self.init(ticket: ticket, serviceName: config.service(ticket.serviceID)?.name ?? ticket.serviceID,
                  counterName: ticket.counterID.flatMap { config.counter($0)?.name }, ahead: nil)
    }
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

/// The officers' side of the queue: call, recall, skip, finish, transfer,
/// reprint, confirm, look up, status, report. Validates names against the
/// configuration in force and runs store operations on its own worker thread
/// (blocking fsyncs never sit on the async executor). Presses and printing
/// belong to the dispensers' pipelines; who may call what is decided at the
/// socket (QueueService), swapping the configuration by the runtime.
final class QueueDesk: Sendable {
    let store: QueueStore
    let events: EventHub
    let worker = SerialWorker.started(name: "antre.queue")
    /// Reports read on their own thread (a WAL snapshot): a year's report
    /// never waits behind, nor holds up, a press.
    let reportWorker = SerialWorker.started(name: "antre.report")
    let running: RunningConfig
    let results: PendingPrintResults
    let clock: DaemonClock
    let logger: Logger
    let startedAt: Date
    private let storageTrouble = Mutex(StorageTrouble())

    init(store: QueueStore, running: RunningConfig, results: PendingPrintResults, clock: DaemonClock,
         logger: Logger) throws {
        self.store = store
        self.running = running
        self.results = results
        self.clock = clock
        self.logger = logger
        self.startedAt = clock.now()
        self.events = try EventHub(store: store, logger: logger)
    }

    var config: AntreConfig { running.config }

    func now() -> Date { clock.now() }

    /// Where the pipelines send their events.
    var pipelineSink: PipelineSink {
        PipelineSink(
            // Monitors hear of it from the queue worker, off the press-to-paper path.
            journalChanged: { [worker, events] in if events.needsPump() { _ = worker.submit { events.pump() } } },
            publish: { [events] in events.publish($0) },
            storageFailed: { [self] reason, at, dispenserID in noteStorageFailure(reason, at: at, dispenserID: dispenserID) })
    }

    // MARK: - Issuing

    /// `antre issue SERVICE`: as if the service's button were pressed on a
    /// dispenser (the one given, else one with that button, else the first).
    func issue(serviceID: String, dispenserID: String?, priority: Bool = false, force: Bool = false,
               actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        if let dispenser = try dispenserForIssue(serviceID: serviceID, requested: dispenserID, config: config),
           let pipeline = running.pipeline(dispenser.id) {
            return try await pipeline.issue(serviceID: serviceID, priority: priority, force: force, actor: actor)
        }
        // No dispenser at all: a number without paper (the officer writes it down).
        // The store's committer thread does the write; this task only waits, so
        // concurrent calls share one commit. The rules are checked in the same
        // transaction (the quota cannot be passed by two calls at once).
        let now = self.now()
        let rules = IssueRules.apply(to: service, office: config.office)
            ? IssueRules.CheckInTransaction(service: service, office: config.office, now: now, force: force) : nil
        let issued: IssuedTicket
        do {
            let riding = results.take()
            do {
                issued = try await store.issue(serviceID: service.id, prefix: service.prefix, dispenserID: nil,
                                               printState: .none, now: now, actor: actor, applying: riding,
                                               priority: priority, counters: config.counters,
                                               priorityRatio: config.office.priorityRatio, admit: rules?.check)
            } catch {
                results.giveBack(riding)
                throw error
            }
            if let decision = rules?.outcome { IssueRules.log(decision, service: service, actor: actor, logger: logger) }
            // Monitors hear of it from the queue worker, as for presses.
            if events.needsPump() { _ = worker.submit { [events] in events.pump() } }
        } catch let QueueError.storageFailed(reason) {
            noteStorageFailure(reason, at: now, dispenserID: nil)
            logger.error("ticket not recorded: the queue database cannot be written", metadata: [
                "service": "\(serviceID)", "reason": "\(reason)",
            ])
            throw QueueError.storageFailed(reason: reason)
        } catch {
            if let decision = rules?.outcome { IssueRules.log(decision, service: service, actor: actor, logger: logger) }
            throw error
        }
        logger.notice("ticket issued", metadata: [
            "ticket": "\(issued.ticket.number)", "service": "\(service.id)", "ahead": "\(issued.ahead)", "dispenser": "-",
        ])
        return TicketOutcome(ticket: issued.ticket, serviceName: service.name, ahead: issued.ahead)
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

    /// Remembers a failed write for `antre status` (per dispenser when a press was lost).
    func noteStorageFailure(_ reason: String, at: Date, dispenserID: String?) {
        let when = WireTime.clock(WireTime.string(at, in: config.office.timeZone))
        storageTrouble.withLock { trouble in
            if let dispenserID { trouble.unrecordedPresses[dispenserID, default: 0] += 1 }
            trouble.lastError = "\(when) \(reason)"
        }
    }

    // MARK: - Officer actions

    func callNext(counterID: String, serviceIDs: [String], actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let counter = config.counter(counterID) else { throw QueueError.counterNotFound(counter: counterID) }
        for id in serviceIDs where config.service(id) == nil { throw QueueError.serviceNotFound(service: id) }
        let services = serviceIDs.isEmpty ? counter.services : serviceIDs
        let (ticket, stillWaiting) = try await worker.run { [self] in
            let ticket = try store.callNext(counterID: counter.id, serviceIDs: services, now: now(), actor: actor,
                                            priorityRatio: config.office.priorityRatio)
            events.pump()
            return (ticket, try store.waitingCount(serviceIDs: services, now: now()))
        }
        logger.notice("ticket called", metadata: ["ticket": "\(ticket.number)", "counter": "\(counter.id)", "service": "\(ticket.serviceID)"])
        var result = TicketOutcome(ticket, config: config)
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
            case .recall:
                ticket = try store.recall(counterID: counterID, number: parsed, now: now(), actor: actor,
                                          recallsBeforeSkip: config.office.recallsBeforeSkip)
            case .skip: ticket = try store.skip(counterID: counterID, number: parsed, now: now(), actor: actor)
            case .finish: ticket = try store.finish(counterID: counterID, number: parsed, now: now(), actor: actor)
            }
            events.pump()
            return ticket
        }
        logger.notice("ticket \(action.rawValue)", metadata: ["ticket": "\(ticket.number)", "counter": "\(ticket.counterID ?? counterID ?? "-")"])
        return TicketOutcome(ticket, config: config)
    }

    /// `antre call T-012 --counter 1`: that waiting ticket, now, at that counter
    /// (which must serve its service).
    func callNumber(_ number: String, counterID: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let counter = config.counter(counterID) else { throw QueueError.counterNotFound(counter: counterID) }
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let (ticket, stillWaiting) = try await worker.run { [self] in
            let ticket = try store.callNumber(parsed, counterID: counter.id, serviceIDs: counter.services, now: now(),
                                              actor: actor)
            events.pump()
            return (ticket, try store.waitingCount(serviceIDs: counter.services, now: now()))
        }
        logger.notice("ticket called by number", metadata: [
            "ticket": "\(ticket.number)", "counter": "\(counter.id)", "service": "\(ticket.serviceID)",
        ])
        var result = TicketOutcome(ticket, config: config)
        result.stillWaiting = stillWaiting
        return result
    }

    /// `antre requeue T-012`: a skipped resident came back; back in line by
    /// the ticket's issue time.
    func requeue(number: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let (ticket, ahead) = try await worker.run { [self] in
            let ticket = try store.requeue(parsed, now: now(), actor: actor)
            events.pump()
            return (ticket, try store.waitingAhead(of: ticket, counters: config.counters,
                                                   priorityRatio: config.office.priorityRatio))
        }
        logger.notice("ticket back in line", metadata: ["ticket": "\(ticket.number)", "actor": "\(actor ?? "-")"])
        var result = TicketOutcome(ticket, config: config)
        result.ahead = ahead
        return result
    }

    func transfer(number: String, toServiceID: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard config.service(toServiceID) != nil else { throw QueueError.serviceNotFound(service: toServiceID) }
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let (ticket, ahead) = try await worker.run { [self] in
            let ticket = try store.transfer(number: parsed, toServiceID: toServiceID, now: now(), actor: actor)
            events.pump()
            return (ticket, try store.waitingAhead(of: ticket, counters: config.counters,
                                                   priorityRatio: config.office.priorityRatio))
        }
        logger.notice("ticket transferred", metadata: ["ticket": "\(ticket.number)", "service": "\(toServiceID)"])
        var result = TicketOutcome(ticket, config: config)
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
        guard let dispenserID = existing.dispenserID ?? config.dispensers.first?.id,
              let pipeline = running.pipeline(dispenserID)
        else {
            throw QueueError.notPrintable(number: parsed.description, reason: "no dispenser is configured")
        }
        return try await pipeline.reprint(existing, actor: actor)
    }

    /// One of today's tickets and, while it waits, how many wait before it.
    func ticket(number: String) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let day = LocalDay(containing: now(), in: config.office.timeZone)
        let found = try await worker.run { [self] () throws -> (Ticket, Int)? in
            guard let ticket = try store.ticket(number: parsed, day: day) else { return nil }
            return (ticket, try store.waitingAhead(of: ticket, counters: config.counters,
                                                   priorityRatio: config.office.priorityRatio))
        }
        guard let (ticket, ahead) = found else { throw QueueError.ticketNotFound(number: parsed.description) }
        var result = TicketOutcome(ticket, config: config)
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
            DaemonStatus.PrinterLine(
                dispenserID: dispenser.id, connection: dispenser.printer.description,
                health: running.pipeline(dispenser.id)?.health ?? PrinterHealth(readiness: .unknown("not started"), pendingReprints: 0),
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
            // A result still pending must not overwrite the officer's word.
            try results.flush(to: store)
            let ticket = try store.confirmPrinted(number: parsed, now: now(), actor: actor)
            events.pump()
            return ticket
        }
        // No automatic reprint for a ticket the resident holds.
        if let dispenserID = ticket.dispenserID { running.pipeline(dispenserID)?.forgive(ticketID: ticket.id) }
        logger.notice("print confirmed by an officer", metadata: ["ticket": "\(ticket.number)", "actor": "\(actor ?? "-")"])
        return TicketOutcome(ticket, config: config)
    }

    /// Whether the database path still names the file opened (a stat, on the
    /// queue worker like every other file access); nil when it does.
    func databaseFileProblem() async -> String? {
        // After shutdown there is nothing left to watch.
        (try? await worker.run { [store] in store.fileProblem() }) ?? nil
    }

    /// When the database file was deleted or replaced: writes today's last
    /// numbers (and a copy of the lost data) next to it for the next start.
    func saveNumbersAfterLoss() async -> Result<[String], any Error> {
        do {
            return .success(try await worker.run { [store, clock] in try store.saveNumbersForNextStart(now: clock.now()) })
        } catch {
            return .failure(error)
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
        let printers = running.pipelines.map { "\($0.dispenserID) \($0.health.readiness.state)" }
        return "\(waiting) waiting; printers: " + (printers.isEmpty ? "none" : printers.joined(separator: ", "))
    }

    /// At shutdown, after the pipelines stopped: writes the print results
    /// still pending, then stops the workers. Waits on threads of their own.
    func close() async {
        do {
            try await worker.run { [self] in
                try results.flush(to: store)
                events.pump()
            }
        } catch {
            logger.error("cannot record print results", metadata: ["error": "\(error)"])
        }
        worker.stop()
        reportWorker.stop()
        _ = await worker.stopped(timeout: .seconds(5))
        _ = await reportWorker.stopped(timeout: .seconds(5))
        events.finishAll()
        do {
            try store.close()
        } catch {
            logger.error("closing the database", metadata: ["error": "\(error)"])
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
