import Foundation

/// What the office did over a range of local days: the figures of `antre report`.
/// Times are seconds. Codable with the wire (snake_case) names of
/// `io.antre.Queue.Report`, so the daemon sends it as it is.
public struct QueueReport: Codable, Sendable, Equatable {
    /// First and last local day, both included ("YYYY-MM-DD").
    public var from: String
    public var to: String
    /// All services together.
    public var total: ReportFigures
    /// Per service: issued where the number was taken, the rest where it ended.
    public var services: [ReportFigures]
    /// Per counter: the tickets it called last (a transferred ticket counts
    /// at the counter that finished it).
    public var counters: [ReportFigures]
    /// Presses that took no number, per service and reason.
    public var missed: [MissedFigure]
    /// Arrivals and mean wait per local hour of day; `service` nil = all services.
    public var hours: [HourFigures]

    enum CodingKeys: String, CodingKey { case from, to, total, services, counters, missed, hours }

    public init(from: String, to: String, total: ReportFigures, services: [ReportFigures],
                counters: [ReportFigures], missed: [MissedFigure], hours: [HourFigures]) {
        self.from = from
        self.to = to
        self.total = total
        self.services = services
        self.counters = counters
        self.missed = missed
        self.hours = hours
    }

    /// Services and counters in the configuration's order, every configured one
    /// listed (zero figures when it had no ticket) with its name; ids no longer
    /// configured (history) follow, sorted.
    public func arranged(services configured: [(id: String, name: String)],
                         counters configuredCounters: [(id: String, name: String)]) -> QueueReport {
        func arrange(_ rows: [ReportFigures], _ config: [(id: String, name: String)]) -> [ReportFigures] {
            var byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var out: [ReportFigures] = []
            for entry in config {
                var row = byID.removeValue(forKey: entry.id) ?? ReportFigures(id: entry.id)
                row.name = entry.name
                out.append(row)
            }
            return out + byID.values.sorted { $0.id < $1.id }
        }
        var copy = self
        copy.services = arrange(services, configured)
        copy.counters = arrange(counters, configuredCounters)
        let order = Dictionary(configured.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        copy.hours.sort { a, b in
            let ka = a.service.map { order[$0] ?? configured.count } ?? -1
            let kb = b.service.map { order[$0] ?? configured.count } ?? -1
            return (ka, a.service ?? "", a.hour) < (kb, b.service ?? "", b.hour)
        }
        return copy
    }
}

/// The figures of one service, one counter, or all services (`id` "").
public struct ReportFigures: Codable, Sendable, Equatable {
    public var id: String
    /// Name from the configuration, when known.
    public var name: String?
    /// Numbers handed out (counters: 0, a counter issues nothing).
    public var issued: Int
    /// Tickets called at least once.
    public var called: Int
    public var served: Int
    /// Called, resident did not come.
    public var skipped: Int
    /// Still waiting or called when the day ended.
    public var expired: Int
    /// Services: tickets taken here and moved to another service.
    /// Counters: tickets this counter sent to another service.
    public var transferred: Int
    /// Presses that took no number (printer down...).
    public var missed: Int
    /// Share of priority tickets (elderly, disabled, pregnant), 0...1; 0 until
    /// priority tickets exist.
    public var priorityShare: Double
    /// Issue -> first call.
    public var wait: DurationStats
    /// Last call -> served.
    public var service: DurationStats

    enum CodingKeys: String, CodingKey {
        case id, name, issued, called, served, skipped, expired, transferred, missed, wait, service
        case priorityShare = "priority_share"
    }

    public init(id: String, name: String? = nil, issued: Int = 0, called: Int = 0, served: Int = 0,
                skipped: Int = 0, expired: Int = 0, transferred: Int = 0, missed: Int = 0,
                priorityShare: Double = 0, wait: DurationStats = DurationStats(),
                service: DurationStats = DurationStats()) {
        self.id = id
        self.name = name
        self.issued = issued
        self.called = called
        self.served = served
        self.skipped = skipped
        self.expired = expired
        self.transferred = transferred
        self.missed = missed
        self.priorityShare = priorityShare
        self.wait = wait
        self.service = service
    }
}

/// Mean, median, 90th percentile and maximum of some durations, in seconds.
/// The median of an even count is the mean of the two middle values; p90 is
/// the nearest-rank value (the smallest one with at least 90% at or below it).
/// All 0 when `count` is 0.
public struct DurationStats: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var p90: Double
    public var max: Double

    public init(count: Int = 0, mean: Double = 0, median: Double = 0, p90: Double = 0, max: Double = 0) {
        self.count = count
        self.mean = mean
        self.median = median
        self.p90 = p90
        self.max = max
    }

    public init(samples: [Double]) {
        guard !samples.isEmpty else {
            self.init()
            return
        }
        let sorted = samples.sorted()
        let n = sorted.count
        let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let rank = Int((Double(n) * 0.9).rounded(.up))
        self.init(count: n, mean: sorted.reduce(0, +) / Double(n), median: median,
                  p90: sorted[Swift.max(0, Swift.min(n, rank) - 1)], max: sorted[n - 1])
    }
}

/// Presses of one service refused for one reason.
public struct MissedFigure: Codable, Sendable, Equatable {
    public var service: String
    public var reason: String
    public var count: Int
    public init(service: String, reason: String, count: Int) {
        self.service = service
        self.reason = reason
        self.count = count
    }
}

/// One local hour of day (0-23) over the whole range.
public struct HourFigures: Codable, Sendable, Equatable {
    /// Nil: all services.
    public var service: String?
    public var hour: Int
    /// Tickets issued in that hour.
    public var arrivals: Int
    /// Mean issue -> first call of those arrivals that were called, seconds.
    public var meanWait: Double

    enum CodingKeys: String, CodingKey {
        case service, hour, arrivals
        case meanWait = "mean_wait"
    }

    public init(service: String?, hour: Int, arrivals: Int, meanWait: Double) {
        self.service = service
        self.hour = hour
        self.arrivals = arrivals
        self.meanWait = meanWait
    }
}
