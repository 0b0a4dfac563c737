/// Queue failures an officer can act on. The wire layer maps each to a Varlink
/// error of the same name in io.antre.Queue.
public enum QueueError: Error, Equatable, Sendable, CustomStringConvertible {
    case noTicketWaiting(counter: String, services: [String])
    case ticketNotFound(number: String)
    case serviceNotFound(service: String)
    case counterNotFound(counter: String)
    /// The action does not apply in the ticket's current state (e.g. finish a waiting ticket).
    case invalidState(number: String, state: TicketState, action: String)
    /// No ticket is called at this counter (recall/skip/finish without a number).
    case nothingCalled(counter: String)
    /// The ticket belongs to another dispenser-less path and cannot be printed.
    case notPrintable(number: String, reason: String)
    /// The dispenser's printer is down (paper out, cover open, unreachable):
    /// no number was taken.
    case printerDown(dispenser: String, reason: String)
    /// The queue database cannot be written (disk full, read-only, I/O error,
    /// file deleted): nothing was recorded.
    case storageFailed(reason: String)
    /// Only a ticket whose printing is not confirmed (or failed) can be
    /// confirmed as printed.
    case notConfirmable(number: String, printState: PrintState)
    /// A ticket called by number at a counter that does not serve its service.
    case notServedAtCounter(number: String, service: String, counter: String)
    /// Outside the service's opening hours (or a closed date, or past the last
    /// ticket time): no number was taken. `reason` says when it reopens.
    case serviceClosed(service: String, reason: String)
    /// Today's `daily_quota` of the service is used up: no number was taken.
    case dailyQuotaReached(service: String, quota: Int, reason: String)

    public var description: String {
        switch self {
        case let .noTicketWaiting(counter, services):
            services.isEmpty
                ? "no ticket waiting for counter \(counter)"
                : "no ticket waiting for counter \(counter) (services: \(services.joined(separator: ", ")))"
        case let .ticketNotFound(number): "ticket \(number) not found today"
        case let .serviceNotFound(service): "unknown service '\(service)'"
        case let .counterNotFound(counter): "unknown counter '\(counter)'"
        case let .invalidState(number, state, action): "cannot \(action) \(number): it is \(state.rawValue)"
        case let .nothingCalled(counter): "no ticket is called at counter \(counter)"
        case let .notPrintable(number, reason): "cannot print \(number): \(reason)"
        case let .printerDown(dispenser, reason): "printer of dispenser \(dispenser) is down (\(reason)); no number was taken"
        case let .storageFailed(reason):
            "the queue database cannot be written (\(reason)); nothing was recorded: tell the technician"
        case let .notConfirmable(number, printState):
            printState == .pending
                ? "cannot confirm \(number): it is being printed now"
                : "cannot confirm \(number): its print state is \(printState.rawValue), not unconfirmed"
        case let .notServedAtCounter(number, service, counter):
            "counter \(counter) does not serve \(service): call \(number) at a counter that does, or transfer it"
        case let .serviceClosed(service, reason): "\(service): \(reason); no number was taken (officers: --force)"
        case let .dailyQuotaReached(service, _, reason): "\(service): \(reason); no number was taken (officers: --force)"
        }
    }
}
