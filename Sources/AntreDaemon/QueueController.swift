import AntreCore
import AntreDevices
import AntreStore
import ESCPOS
import Foundation
import Logging

/// A ticket as an officer or the CLI sees it after an action.
public struct TicketOutcome: Sendable {
    public var ticket: Ticket
    public var serviceName: String
    public var counterName: String?
    public var ahead: Int?
    /// For issue/reprint: nil when nothing was printed, else whether it printed.
    public var printed: Bool?
    public var printError: String?
}

/// Everything `antre status` shows.
public struct DaemonStatus: Sendable {
    public struct PrinterLine: Sendable {
        public var dispenserID: String
        public var connection: String
        public var health: PrinterHealth
        public var backlog: Int
    }
    public var snapshot: QueueSnapshot
    public var config: AntreConfig
    public var printers: [PrinterLine]
}

/// The queue's rules applied to the configured office: validates services and
/// counters against the config, runs store operations on one worker thread (so
/// blocking fsyncs never sit on the async executor), prints through spoolers and
/// publishes the journal to monitors.
public final class QueueController: @unchecked Sendable {
    let store: QueueStore
    let events: EventHub
    private let worker = SerialWorker(name: "antre.queue")
    private let lock = NSLock()
    private var _config: AntreConfig
    private var spoolers: [String: Spooler] = [:]
    private let logger: Logger
    /// Injected clock: tests and the demo never need it, but day rollover logic does.
    let now: @Sendable () -> Date

    init(config: AntreConfig, store: QueueStore, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) throws {
        self._config = config
        self.store = store
        self.logger = logger
        self.now = now
        self.events = try EventHub(store: store, logger: logger)
    }

    public var config: AntreConfig { lock.withLock { _config } }

    func attach(_ spooler: Spooler) {
        lock.withLock { spoolers[spooler.dispenserID] = spooler }
    }

    func spooler(_ id: String) -> Spooler? { lock.withLock { spoolers[id] } }

    var allSpoolers: [Spooler] { lock.withLock { Array(spoolers.values) }.sorted { $0.dispenserID < $1.dispenserID } }

    // MARK: - Issuing

    /// A button press (on an input thread): commit a ticket, then queue its print.
    /// Returns once the ticket is committed; printing continues on the spooler.
    func issueFromButton(dispenserID: String, serviceID: String) {
        do {
            let issued = try worker.sync { [self] in
                try commitTicket(serviceID: serviceID, dispenserID: dispenserID, actor: "dispenser:\(dispenserID)")
            }
            printTicket(issued.ticket, ahead: issued.ahead, dispenserID: dispenserID, isReprint: false) { _ in }
        } catch {
            logger.error("press not turned into a ticket", metadata: [
                "dispenser": "\(dispenserID)", "service": "\(serviceID)", "error": "\(error)",
            ])
        }
    }

    /// `antre issue SERVICE`: as if the service's button were pressed on a dispenser.
    public func issue(serviceID: String, dispenserID: String?, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        let dispenser = try dispenserForIssue(serviceID: serviceID, requested: dispenserID, config: config)
        let issued = try await worker.run { [self] in
            try commitTicket(serviceID: service.id, dispenserID: dispenser?.id, actor: actor)
        }
        var outcome = TicketOutcome(ticket: issued.ticket, serviceName: service.name, ahead: issued.ahead)
        if let dispenser {
            let error = await withCheckedContinuation { continuation in
                printTicket(issued.ticket, ahead: issued.ahead, dispenserID: dispenser.id, isReprint: false) {
                    continuation.resume(returning: $0)
                }
            }
            outcome.printed = error == nil
            outcome.printError = error?.description
            if let fresh = try? await worker.run({ [self] in try store.ticket(id: issued.ticket.id) }) {
                outcome.ticket = fresh
            }
        }
        return outcome
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

    /// Runs on the queue worker.
    private func commitTicket(serviceID: String, dispenserID: String?, actor: String?) throws -> IssuedTicket {
        guard let service = config.service(serviceID) else { throw QueueError.serviceNotFound(service: serviceID) }
        let issued = try store.issue(serviceID: service.id, prefix: service.prefix, dispenserID: dispenserID,
                                     printState: dispenserID == nil ? .none : .pending, now: now(), actor: actor)
        events.pump()
        logger.notice("ticket issued", metadata: [
            "ticket": "\(issued.ticket.number)", "service": "\(service.id)",
            "ahead": "\(issued.ahead)", "dispenser": "\(dispenserID ?? "-")",
        ])
        return issued
    }

    /// Lays out, encodes and sends a ticket on its dispenser's printer; records
    /// printed / print_failed in the journal. Never loses the ticket: a failure
    /// leaves it waiting in the queue, marked print_failed and reprintable.
    private func printTicket(_ ticket: Ticket, ahead: Int, dispenserID: String, isReprint: Bool,
                             completion: @escaping @Sendable (PrinterError?) -> Void) {
        let config = self.config
        guard let spooler = spooler(dispenserID) else {
            logger.error("no printer for dispenser", metadata: ["dispenser": "\(dispenserID)", "ticket": "\(ticket.number)"])
            completion(.unreachable(connection: dispenserID, reason: "dispenser has no printer"))
            return
        }
        let service = config.service(ticket.issuedServiceID) ?? config.service(ticket.serviceID)
            ?? Service(id: ticket.serviceID, name: ticket.serviceID, prefix: ticket.number.prefix)
        let slip = TicketSlip(ticket: ticket, service: service, office: config.office, ahead: ahead, isReprint: isReprint)
        spooler.print(TicketLayout.receipt(for: slip), label: "\(ticket.number)") { [self] error in
            do {
                _ = try store.setPrintState(ticketID: ticket.id, error == nil ? .printed : .failed,
                                            detail: error?.description, now: now(), actor: "dispenser:\(dispenserID)")
                events.pump()
            } catch {
                logger.error("cannot record print result", metadata: ["ticket": "\(ticket.number)", "error": "\(error)"])
            }
            completion(error)
        }
    }

    // MARK: - Officer actions

    public func callNext(counterID: String, serviceIDs: [String], actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let counter = config.counter(counterID) else { throw QueueError.counterNotFound(counter: counterID) }
        for id in serviceIDs where config.service(id) == nil { throw QueueError.serviceNotFound(service: id) }
        let services = serviceIDs.isEmpty ? counter.services : serviceIDs
        let ticket = try await worker.run { [self] in
            let ticket = try store.callNext(counterID: counter.id, serviceIDs: services, now: now(), actor: actor)
            events.pump()
            return ticket
        }
        logger.notice("ticket called", metadata: ["ticket": "\(ticket.number)", "counter": "\(counter.id)", "service": "\(ticket.serviceID)"])
        return outcome(ticket, config: config)
    }

    public enum CalledAction: String, Sendable { case recall, skip, finish }

    public func act(_ action: CalledAction, counterID: String?, number: String?, actor: String?) async throws -> TicketOutcome {
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

    public func transfer(number: String, toServiceID: String, actor: String?) async throws -> TicketOutcome {
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

    public func reprint(number: String, actor: String?) async throws -> TicketOutcome {
        let config = self.config
        guard let parsed = TicketNumber(parsing: number) else { throw QueueError.ticketNotFound(number: number) }
        let (ticket, ahead) = try await worker.run { [self] in
            let ticket = try store.markReprintRequested(number: parsed, now: now(), actor: actor)
            events.pump()
            return (ticket, try store.waitingAhead(of: ticket))
        }
        guard let dispenserID = ticket.dispenserID ?? config.dispensers.first?.id else {
            throw QueueError.notPrintable(number: number, reason: "no dispenser is configured")
        }
        let error = await withCheckedContinuation { continuation in
            printTicket(ticket, ahead: ahead, dispenserID: dispenserID, isReprint: true) { continuation.resume(returning: $0) }
        }
        var result = outcome(ticket, config: config)
        result.ahead = ahead
        result.printed = error == nil
        result.printError = error?.description
        if let fresh = try? await worker.run({ [self] in try store.ticket(id: ticket.id) }) {
            result.ticket = fresh
        }
        return result
    }

    public func status() async throws -> DaemonStatus {
        let config = self.config
        let snapshot = try await worker.run { [self] in try store.snapshot(now: now()) }
        let printers = config.dispensers.map { dispenser in
            let spooler = spooler(dispenser.id)
            return DaemonStatus.PrinterLine(
                dispenserID: dispenser.id, connection: dispenser.printer.description,
                health: spooler?.health ?? PrinterHealth(state: .unknown, detail: "not started", since: nil, jobsPrinted: 0, jobsFailed: 0),
                backlog: spooler?.backlog ?? 0)
        }
        return DaemonStatus(snapshot: snapshot, config: config, printers: printers)
    }

    /// Expires yesterday's leftovers; called at start and at each local midnight.
    func rollover() async throws -> Int {
        try await worker.run { [self] in
            let expired = try store.rollover(now: now())
            events.pump()
            return expired
        }
    }

    func outcome(_ ticket: Ticket, config: AntreConfig) -> TicketOutcome {
        TicketOutcome(ticket: ticket, serviceName: config.service(ticket.serviceID)?.name ?? ticket.serviceID,
                      counterName: ticket.counterID.flatMap { config.counter($0)?.name }, ahead: nil)
    }

    func shutdown() {
        for spooler in allSpoolers { spooler.stop() }
        worker.stop()
        events.finishAll()
    }
}
