/// What the TV and phone pages draw, as sent to them (JSON over `/events` and `/api/board`).
/// Only numbers, services and counters: nothing about residents.
public struct BoardView: Codable, Sendable, Equatable {
    public var office: String
    public var title: String
    public var runningText: String
    /// IANA zone of the office ("Asia/Jakarta"): the page draws the clock in it.
    public var timeZone: String
    /// "2026-11-30", antred's local day (empty until antred answered once).
    public var day: String
    /// "connected", or "reconnecting" while antred is away.
    public var connection: String
    /// Why it is reconnecting, for technicians ("antred is not running ...").
    public var connectionDetail: String?
    public var services: [BoardServiceLine]
    /// Latest first.
    public var calls: [BoardCall]
    /// The counters shown, with the number each has called.
    public var counters: [BoardCounter]
    /// Whether the page should play the call-out audio.
    public var voice: Bool

    enum CodingKeys: String, CodingKey {
        case office, title, day, connection, services, calls, counters, voice
        case runningText = "running_text", timeZone = "time_zone", connectionDetail = "connection_detail"
    }
}

/// Waiting count of one service.
public struct BoardServiceLine: Codable, Sendable, Equatable {
    public var service: String
    public var name: String
    public var prefix: String
    public var waiting: Int

    public init(service: String, name: String, prefix: String, waiting: Int) {
        self.service = service
        self.name = name
        self.prefix = prefix
        self.waiting = waiting
    }
}

/// One counter and what it called last.
public struct BoardCounter: Codable, Sendable, Equatable {
    public var counter: String
    public var name: String
    public var current: String?
}

/// One call (or recall) as the room sees it.
public struct BoardCall: Codable, Sendable, Equatable {
    /// Grows with every call the board shows, so a page tells a new call (or a recall of
    /// the same number) from one it already showed.
    public var sequence: Int
    public var number: String
    public var counter: String
    public var counterName: String
    public var service: String
    public var serviceName: String
    /// ISO 8601 time of the call.
    public var at: String
    public var recall: Bool
    /// Times this ticket was called, recalls included (dedupes a reconnect's Status).
    public var callCount: Int

    enum CodingKeys: String, CodingKey {
        case sequence, number, counter, service, at, recall
        case counterName = "counter_name", serviceName = "service_name", callCount = "call_count"
    }
}
