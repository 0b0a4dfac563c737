import Foundation

/// A waiting ticket as the call order sees it.
public struct QueueEntry: Sendable, Hashable {
    public var id: Int64
    public var serviceID: String
    public var priority: Bool
    /// Queue position: original issue time (kept across transfer and requeue), then id.
    public var issuedAt: Date

    public init(id: Int64, serviceID: String, priority: Bool, issuedAt: Date) {
        self.id = id
        self.serviceID = serviceID
        self.priority = priority
        self.issuedAt = issuedAt
    }

    /// Queue order among tickets of the same kind (priority or regular).
    public static func inLine(_ a: QueueEntry, _ b: QueueEntry) -> Bool {
        (a.issuedAt, a.id) < (b.issuedAt, b.id)
    }
}

/// A counter as the call order sees it: what it serves and how many priority
/// tickets it called in a row since its last regular call today.
public struct CallingCounter: Sendable, Equatable {
    public var id: String
    /// Service ids it calls; empty means all services (as `Counter.services`).
    public var serviceIDs: [String]
    public var priorityStreak: Int

    public init(id: String, serviceIDs: [String], priorityStreak: Int) {
        self.id = id
        self.serviceIDs = serviceIDs
        self.priorityStreak = priorityStreak
    }

    public func serves(_ serviceID: String) -> Bool { serviceIDs.isEmpty || serviceIDs.contains(serviceID) }
}

/// Which waiting ticket a counter calls next. Priority tickets (lansia,
/// difabel, ibu hamil) go first, but a counter calls at most `priorityRatio`
/// of them in a row while a regular ticket waits, so regular tickets never
/// starve. Within each kind: oldest first by (issue time, id).
public struct CallOrder: Sendable, Equatable {
    public static let defaultPriorityRatio = 2
    /// `[office] priority_ratio`: at least 1 (0 would let priority tickets starve).
    public static let priorityRatioRange = 1...20

    public var priorityRatio: Int

    public init(priorityRatio: Int = CallOrder.defaultPriorityRatio) {
        self.priorityRatio = max(1, priorityRatio)
    }

    /// The ticket a counter calls next among `waiting` (already limited to the
    /// counter's services, any order), given the priority calls it made since
    /// its last regular call today. Nil when nothing waits.
    public func next(from waiting: [QueueEntry], priorityStreak: Int) -> QueueEntry? {
        var oldestPriority: QueueEntry?
        var oldestRegular: QueueEntry?
        for entry in waiting {
            if entry.priority {
                if oldestPriority.map({ QueueEntry.inLine(entry, $0) }) ?? true { oldestPriority = entry }
            } else {
                if oldestRegular.map({ QueueEntry.inLine(entry, $0) }) ?? true { oldestRegular = entry }
            }
        }
        return choose(priority: oldestPriority, regular: oldestRegular, priorityStreak: priorityStreak)
    }

    /// The rule itself, on the oldest waiting ticket of each kind.
    public func choose(priority: QueueEntry?, regular: QueueEntry?, priorityStreak: Int) -> QueueEntry? {
        guard let priority else { return regular }
        guard let regular else { return priority }
        return priorityStreak < priorityRatio ? priority : regular
    }

    /// The streak after calling `entry`: a regular call resets it.
    public static func streak(after entry: QueueEntry, from streak: Int) -> Int {
        entry.priority ? streak + 1 : 0
    }

    /// The counters that call `serviceID` (`own`), and those taking part in
    /// what they call (`related`, `own` included): every counter sharing a
    /// service with them takes tickets that would otherwise come first.
    public static func counters(calling serviceID: String, among counters: [CallingCounter])
        -> (own: [CallingCounter], related: [CallingCounter]) {
        let own = counters.filter { $0.serves(serviceID) }
        let allServices = own.contains { $0.serviceIDs.isEmpty }
        let shared = Set(own.flatMap(\.serviceIDs))
        let related = own.isEmpty ? [] : counters.filter { counter in
            allServices || counter.serviceIDs.isEmpty || counter.serviceIDs.contains { shared.contains($0) }
        }
        return (own, related)
    }

    /// How many tickets the counters serving ticket `id`'s service will call
    /// before it, by playing the call order forward: every counter that could
    /// take part (one sharing a service with those counters) takes its turn, in
    /// the order given, calling by this rule among the waiting tickets it
    /// serves; calls at the ticket's own counters are counted. Exact for one
    /// counter; for several it assumes they call at the same pace. Tickets
    /// issued later are not foreseen (a later priority ticket may still go first).
    ///
    /// `waiting`: today's waiting tickets (others than the relevant ones are
    /// ignored); `counters`: all counters with their streaks.
    /// Nil when `id` is not in `waiting` or no counter serves its service.
    public func ahead(of id: Int64, waiting: [QueueEntry], counters: [CallingCounter]) -> Int? {
        guard let target = waiting.first(where: { $0.id == id }) else { return nil }
        let (own, related) = Self.counters(calling: target.serviceID, among: counters)
        guard !own.isEmpty else { return nil }
        let ownIDs = Set(own.map(\.id))
        let relevant = waiting.filter { entry in related.contains { $0.serves(entry.serviceID) } }
        var line = QueueLine(relevant)
        var streaks = related.map(\.priorityStreak)
        var calls = 0
        while true {
            var calledAny = false
            for (index, counter) in related.enumerated() {
                guard let entry = line.next(for: counter, order: self, priorityStreak: streaks[index]) else { continue }
                if entry.id == id { return calls }
                line.take(entry)
                streaks[index] = Self.streak(after: entry, from: streaks[index])
                if ownIDs.contains(counter.id) { calls += 1 }
                calledAny = true
            }
            // Cannot happen while the target waits and a counter serves it; guards the loop.
            if !calledAny { return calls }
        }
    }
}

/// The waiting tickets split by kind, each in queue order, with what was
/// already taken in a simulation. Each counter's scan only moves forward.
private struct QueueLine {
    private var priority: [QueueEntry]
    private var regular: [QueueEntry]
    private var taken: Set<Int64> = []
    /// Per counter id: first index in `priority` / `regular` it still has to look at.
    private var cursors: [String: (priority: Int, regular: Int)] = [:]

    init(_ entries: [QueueEntry]) {
        priority = entries.filter(\.priority).sorted(by: QueueEntry.inLine)
        regular = entries.filter { !$0.priority }.sorted(by: QueueEntry.inLine)
    }

    mutating func next(for counter: CallingCounter, order: CallOrder, priorityStreak: Int) -> QueueEntry? {
        var cursor = cursors[counter.id] ?? (0, 0)
        cursor.priority = advance(cursor.priority, in: priority, for: counter)
        cursor.regular = advance(cursor.regular, in: regular, for: counter)
        cursors[counter.id] = cursor
        return order.choose(priority: cursor.priority < priority.count ? priority[cursor.priority] : nil,
                            regular: cursor.regular < regular.count ? regular[cursor.regular] : nil,
                            priorityStreak: priorityStreak)
    }

    mutating func take(_ entry: QueueEntry) { taken.insert(entry.id) }

    /// Skips tickets already called or of services this counter does not serve.
    private func advance(_ start: Int, in entries: [QueueEntry], for counter: CallingCounter) -> Int {
        var index = start
        while index < entries.count,
              taken.contains(entries[index].id) || !counter.serves(entries[index].serviceID) {
            index += 1
        }
        return index
    }
}
