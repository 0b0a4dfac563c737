import AntreCore
import AntreWire

/// The board's state, fed by antred's Status and Monitor: pure, no I/O, so the
/// event -> screen rules are tested without sockets. Bounded: it keeps the last
/// `historySize` calls only.
public struct BoardModel: Sendable {
    public struct Settings: Sendable, Equatable {
        public var office: String
        public var title: String
        public var runningText: String
        public var timeZone: String
        /// Service ids whose waiting counts are shown; empty: all.
        public var services: [String]
        /// Counter ids whose calls are shown; empty: all.
        public var counters: [String]
        public var voice: Bool
        public var historySize: Int

        public init(office: String, title: String = "", runningText: String = "", timeZone: String = "UTC",
                    services: [String] = [], counters: [String] = [], voice: Bool = true, historySize: Int = 7) {
            self.office = office
            self.title = title
            self.runningText = runningText
            self.timeZone = timeZone
            self.services = services
            self.counters = counters
            self.voice = voice
            self.historySize = max(1, historySize)
        }

        public init(config: AntreConfig) {
            self.init(office: config.office.name, title: config.board.title, runningText: config.board.runningText,
                      timeZone: config.office.timeZone.identifier, services: config.board.services,
                      counters: config.board.counters, voice: config.board.voice.enabled)
        }
    }

    public let settings: Settings
    public private(set) var connected = false
    public private(set) var connectionDetail: String? = "connecting to antred"
    public private(set) var day = ""
    public private(set) var services: [BoardServiceLine] = []
    public private(set) var counters: [BoardCounter] = []
    /// Latest first, at most `settings.historySize`.
    public private(set) var calls: [BoardCall] = []
    private var nextSequence = 1
    /// Every service's name (shown or not): Monitor events carry only the id.
    private var serviceNames: [String: String] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// antred went away (or never answered): the pages say "reconnecting".
    public mutating func disconnected(_ detail: String) {
        connected = false
        connectionDetail = detail
    }

    /// A Status reply: at start, after each reconnect, and after events that change counts.
    /// Returns the calls it added (ones made while the board was away), oldest first.
    @discardableResult
    public mutating func apply(status: StatusReply) -> [BoardCall] {
        connected = true
        connectionDetail = nil
        if !day.isEmpty && status.day != day { calls.removeAll() }  // a new day starts blank
        day = status.day
        serviceNames = Dictionary(status.services.map { ($0.service, $0.name) }, uniquingKeysWith: { first, _ in first })
        services = status.services.filter { shows(service: $0.service) }.map {
            BoardServiceLine(service: $0.service, name: $0.name, prefix: $0.prefix, waiting: $0.waiting)
        }
        let shown = status.counters.filter { shows(counter: $0.counter) }
        counters = shown.map { BoardCounter(counter: $0.counter, name: $0.name, current: $0.current?.number) }
        // Events may not say how often a ticket was called: learn it here, so a listed
        // call is recognised below.
        for line in shown {
            guard let ticket = line.current else { continue }
            for index in calls.indices where calls[index].number == ticket.number && calls[index].callCount == 0 {
                calls[index].callCount = ticket.callCount
            }
        }
        // Calls made while the board was away: the counters' current tickets not yet listed.
        let missed = shown.compactMap { line -> (CounterStatus, TicketInfo)? in
            guard let ticket = line.current, ticket.state == .called, !isListed(ticket) else { return nil }
            return (line, ticket)
        }.sorted { ($0.1.calledAt ?? "") < ($1.1.calledAt ?? "") }
        return missed.map { line, ticket in
            add(number: ticket.number, counter: line.counter, counterName: line.name, service: ticket.service,
                serviceName: ticket.serviceName, at: ticket.calledAt ?? "", recall: ticket.callCount > 1,
                callCount: ticket.callCount)
        }
    }

    /// One Monitor event. Returns the call to show (and announce) when it is a call or
    /// recall at a counter the board shows; nil otherwise.
    public mutating func apply(event: QueueEventInfo) -> BoardCall? {
        guard event.kind == "called" || event.kind == "recalled",
              let number = event.number ?? event.ticket?.number,
              let counter = event.counter ?? event.ticket?.counter, shows(counter: counter)
        else { return nil }
        let counterName = event.counterName ?? counters.first { $0.counter == counter }?.name ?? counter
        if let index = counters.firstIndex(where: { $0.counter == counter }) {
            counters[index].current = number
        } else {
            counters.append(BoardCounter(counter: counter, name: counterName, current: number))
        }
        let service = event.service ?? event.ticket?.service ?? ""
        return add(number: number, counter: counter, counterName: counterName, service: service,
                   serviceName: event.ticket?.serviceName ?? serviceNames[service] ?? service,
                   at: event.at, recall: event.kind == "recalled", callCount: event.ticket?.callCount ?? 0)
    }

    /// Whether an event changes what Status says (waiting counts, counters), so the
    /// board asks for a fresh Status.
    public static func changesCounts(_ kind: String) -> Bool {
        ["issued", "called", "skipped", "served", "transferred", "expired", "reloaded"].contains(kind)
    }

    public var view: BoardView {
        BoardView(office: settings.office, title: settings.title.isEmpty ? settings.office : settings.title,
                  runningText: settings.runningText, timeZone: settings.timeZone, day: day,
                  connection: connected ? "connected" : "reconnecting", connectionDetail: connectionDetail,
                  services: services, calls: calls, counters: counters, voice: settings.voice)
    }

    public func shows(service id: String) -> Bool { settings.services.isEmpty || settings.services.contains(id) }

    public func shows(counter id: String) -> Bool { settings.counters.isEmpty || settings.counters.contains(id) }

    private func isListed(_ ticket: TicketInfo) -> Bool {
        calls.contains { $0.number == ticket.number && $0.callCount == ticket.callCount }
    }

    private mutating func add(number: String, counter: String, counterName: String, service: String,
                              serviceName: String, at: String, recall: Bool, callCount: Int) -> BoardCall {
        let call = BoardCall(sequence: nextSequence, number: number, counter: counter, counterName: counterName,
                             service: service, serviceName: serviceName, at: at, recall: recall, callCount: callCount)
        nextSequence += 1
        // A number shows once: its recall moves it back to the top.
        calls.removeAll { $0.number == number }
        calls.insert(call, at: 0)
        if calls.count > settings.historySize { calls.removeLast(calls.count - settings.historySize) }
        return call
    }
}
