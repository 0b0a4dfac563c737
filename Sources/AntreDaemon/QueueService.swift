import AntreCore
import AntreDevices
import AntreWire
import Foundation

extension ServiceInfo {
    static let antre = ServiceInfo(vendor: "Antre", product: "antred", version: "0.1.0",
                                   url: "https://varlink.org (io.antre.Queue)")
}

/// io.antre.Queue over the desk: checks who may call what, translates wire
/// parameters to desk calls and domain results to wire replies. No queue logic lives here.
struct QueueService: QueueHandler {
    let desk: QueueDesk
    let gate: AccessGate
    let reload: @Sendable () async throws -> Void

    private func actor(_ caller: Caller) -> String? {
        caller.uid.map { "uid:\($0)" }
    }

    /// Denied calls change nothing, are logged with the uid, and get PermissionDenied.
    func authorize(_ level: AccessPolicy.Level, _ caller: Caller, _ method: String) throws {
        guard gate.allows(level, caller, method: method) else {
            throw VarlinkErrors.permissionDenied("io.antre.Queue.\(method)")
        }
    }

    private func info(_ outcome: TicketOutcome) -> TicketInfo {
        TicketInfo(outcome.ticket, serviceName: outcome.serviceName, ahead: outcome.ahead,
                   timeZone: desk.config.office.timeZone)
    }

    func issue(_ parameters: IssueParameters, caller: Caller) async throws -> IssueReply {
        try authorize(.officer, caller, "Issue")
        let outcome = try await desk.issue(serviceID: parameters.service, dispenserID: parameters.dispenser,
                                           priority: parameters.priority ?? false, force: parameters.force ?? false,
                                           actor: actor(caller))
        return IssueReply(ticket: info(outcome), ahead: outcome.ahead ?? 0, printed: outcome.printed ?? false)
    }

    func callNext(_ parameters: CallNextParameters, caller: Caller) async throws -> CallNextReply {
        try authorize(.officer, caller, "CallNext")
        let outcome = try await desk.callNext(counterID: parameters.counter, serviceIDs: parameters.services ?? [],
                                              actor: actor(caller))
        return CallNextReply(ticket: info(outcome), counterName: outcome.counterName ?? parameters.counter,
                             waiting: outcome.stillWaiting)
    }

    func call(_ parameters: CallParameters, caller: Caller) async throws -> CallNextReply {
        try authorize(.officer, caller, "Call")
        let outcome = try await desk.callNumber(parameters.number, counterID: parameters.counter, actor: actor(caller))
        return CallNextReply(ticket: info(outcome), counterName: outcome.counterName ?? parameters.counter,
                             waiting: outcome.stillWaiting)
    }

    func requeue(_ parameters: RequeueParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "Requeue")
        return TicketReply(ticket: info(try await desk.requeue(number: parameters.number, actor: actor(caller))))
    }

    private func requireSelector(_ parameters: TicketSelector) throws {
        if parameters.counter == nil && parameters.number == nil {
            throw VarlinkErrors.invalidParameter("counter")
        }
    }

    func recall(_ parameters: RecallParameters, caller: Caller) async throws -> RecallReply {
        try authorize(.officer, caller, "Recall")
        try requireSelector(parameters)
        let outcome = try await desk.act(.recall, counterID: parameters.counter, number: parameters.number,
                                         actor: actor(caller))
        return RecallReply(ticket: info(outcome), counterName: outcome.counterName)
    }

    func skip(_ parameters: SkipParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "Skip")
        try requireSelector(parameters)
        return TicketReply(ticket: info(try await desk.act(.skip, counterID: parameters.counter,
                                                           number: parameters.number, actor: actor(caller))))
    }

    func finish(_ parameters: FinishParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "Finish")
        try requireSelector(parameters)
        return TicketReply(ticket: info(try await desk.act(.finish, counterID: parameters.counter,
                                                           number: parameters.number, actor: actor(caller))))
    }

    func transfer(_ parameters: TransferParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "Transfer")
        return TicketReply(ticket: info(try await desk.transfer(number: parameters.number, toServiceID: parameters.service,
                                                                actor: actor(caller))))
    }

    func reprint(_ parameters: ReprintParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "Reprint")
        return TicketReply(ticket: info(try await desk.reprint(number: parameters.number, actor: actor(caller))))
    }

    func confirmPrinted(_ parameters: ConfirmPrintedParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.officer, caller, "ConfirmPrinted")
        return TicketReply(ticket: info(try await desk.confirmPrinted(number: parameters.number,
                                                                      actor: actor(caller))))
    }

    func getTicket(_ parameters: GetTicketParameters, caller: Caller) async throws -> TicketReply {
        try authorize(.read, caller, "GetTicket")
        return TicketReply(ticket: info(try await desk.ticket(number: parameters.number)))
    }

    func status(caller: Caller) async throws -> StatusReply {
        try authorize(.read, caller, "Status")
        let status = try await desk.status()
        let config = status.config
        let zone = config.office.timeZone
        let lines = Dictionary(status.snapshot.services.map { ($0.serviceID, $0) }, uniquingKeysWith: { a, _ in a })
        let now = desk.now()
        let services = config.services.map { service in
            let line = lines[service.id]
            let admission = IssueAdmission.decide(service: service, at: now, issuedToday: line?.issuedToday ?? 0,
                                                  office: config.office)
            return ServiceStatus(service: service.id, name: service.name, prefix: service.prefix,
                                 waiting: line?.waiting ?? 0, issued: line?.issuedToday ?? 0,
                                 served: line?.served ?? 0, skipped: line?.skipped ?? 0,
                                 lastNumber: line?.lastNumber?.description,
                                 priorityWaiting: line?.priorityWaiting ?? 0, priorityIssued: line?.priorityIssued ?? 0,
                                 dailyQuota: service.hours.dailyQuota,
                                 notIssuing: admission.reason(in: config.office.language))
        }
        let counters = config.counters.map { counter in
            let current = status.snapshot.called.first { $0.counterID == counter.id }
            return CounterStatus(
                counter: counter.id, name: counter.name, services: counter.services,
                current: current.map {
                    TicketInfo($0, serviceName: config.service($0.serviceID)?.name ?? $0.serviceID, timeZone: zone)
                })
        }
        let printers = status.printers.map { line in
            PrinterStatus(dispenser: line.dispenserID, connection: line.connection, state: line.health.readiness.state,
                          detail: line.health.readiness.detail, missedPresses: line.missedPresses,
                          unrecordedPresses: line.unrecordedPresses, pendingReprints: line.health.pendingReprints)
        }
        let failed = status.snapshot.printFailed.map {
            TicketInfo($0, serviceName: config.service($0.serviceID)?.name ?? $0.serviceID, timeZone: zone)
        }
        let unconfirmed = status.snapshot.unconfirmed.map {
            TicketInfo($0, serviceName: config.service($0.serviceID)?.name ?? $0.serviceID, timeZone: zone)
        }
        return StatusReply(day: status.snapshot.day.description, office: config.office.name, services: services,
                           counters: counters, printers: printers, printFailed: failed, unconfirmed: unconfirmed,
                           daemon: DaemonInfo(version: ServiceInfo.antre.version,
                                              startedAt: WireTime.string(desk.startedAt, in: zone),
                                              dbCommits: desk.store.commitCount,
                                              storageError: status.storageError))
    }

    func monitor(caller: Caller) async throws -> any MonitorFeed {
        try authorize(.read, caller, "Monitor")
        // At once when the hub is current; else on the queue worker, where pumps
        // run: subscribing then reads past the rows written while nobody listened.
        let events = desk.events
        let subscription = if let now = events.subscribeIfCurrent() { now }
            else { try await desk.worker.run { events.subscribe() } }
        return SubscriptionFeed(subscription: subscription, desk: desk)
    }

    /// A hub subscription as wire events, converted as the client takes them
    /// (with the configuration current then): no second buffer. Each event is
    /// encoded once, by the first connection to send it.
    private struct SubscriptionFeed: MonitorFeed {
        let subscription: EventHub.Subscription
        let desk: QueueDesk

        func next() async -> QueueEventInfo? {
            guard let event = await subscription.next() else { return nil }
            return QueueService.info(event.item, config: desk.config)
        }

        /// The next event's reply, followed by those already queued behind it
        /// (up to 64): a burst reaches a client in one write, not one each.
        func nextReply() async -> [UInt8]? {
            guard let first = await subscription.next() else { return nil }
            var bytes = encoded(first) ?? []
            var taken = 1
            while taken < 64, let queued = subscription.nextIfQueued() {
                bytes += encoded(queued) ?? []
                taken += 1
            }
            return bytes
        }

        private func encoded(_ event: HubEvent) -> [UInt8]? {
            event.wire.get { MonitorReply.encoded(QueueService.info(event.item, config: desk.config)) }
        }

        func cancel() { subscription.cancel() }

        var endError: VarlinkError? {
            subscription.endReason == .tooSlow ? VarlinkErrors.monitorTooSlow(limit: subscription.capacity) : nil
        }
    }

    static func info(_ item: MonitorItem, config: AntreConfig) -> QueueEventInfo {
        let zone = config.office.timeZone
        switch item {
        case let .journal(event):
            return QueueEventInfo(event, counterName: event.counterID.flatMap { config.counter($0)?.name }, timeZone: zone)
        case let .missedPress(missed):
            return QueueEventInfo(kind: "missed_press", at: WireTime.string(missed.at, in: zone), service: missed.serviceID,
                                  detail: missed.reason, dispenser: missed.dispenserID)
        case let .printer(dispenserID, readiness, at):
            return QueueEventInfo(kind: "printer", at: WireTime.string(at, in: zone),
                                  detail: readiness.description, dispenser: dispenserID)
        case let .reloaded(at):
            return QueueEventInfo(kind: "reloaded", at: WireTime.string(at, in: zone))
        }
    }

    func listPrinters(caller: Caller) async throws -> ListPrintersReply {
        try authorize(.read, caller, "ListPrinters")
        let dispensers = desk.config.dispensers
        // libusb enumeration blocks; keep it off the async executor.
        let found = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: USBPrinterDiscovery.list()) }
        }
        return ListPrintersReply(usb: found.map { info in
            let users = dispensers.filter { dispenser in
                guard case let .usb(vendor, product, serial, _) = dispenser.printer else { return false }
                return vendor == info.vendor && product == info.product && (serial == nil || serial == info.serial)
            }.map(\.id)
            func hex(_ value: UInt8) -> String { "0x" + (value < 16 ? "0" : "") + String(value, radix: 16) }
            func hex4(_ value: UInt16) -> String {
                let text = String(value, radix: 16)
                return String(repeating: "0", count: 4 - text.count) + text
            }
            return UsbPrinterInfo(connection: info.connectionString, id: hex4(info.vendor) + ":" + hex4(info.product),
                                  bus: info.bus, address: info.address, serial: info.serial,
                                  manufacturer: info.manufacturer, product: info.productName, interface: info.interface,
                                  outEndpoint: hex(info.outEndpoint), inEndpoint: info.inEndpoint.map(hex),
                                  usedBy: users)
        })
    }

    func reload(caller: Caller) async throws {
        try authorize(.admin, caller, "Reload")
        try await reload()
    }
}
