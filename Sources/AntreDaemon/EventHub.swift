import AntreCore
import AntreStore
import Foundation
import Logging
import Synchronization

/// One thing a Monitor subscriber is told.
enum MonitorItem: Sendable {
    /// A row of the ticket journal.
    case journal(QueueEvent)
    /// A press that took no number.
    case missedPress(MissedPress)
    /// A printer changed state.
    case printer(dispenserID: String, readiness: PrinterReadiness, at: Date)
    /// The configuration was reloaded.
    case reloaded(at: Date)
}

/// One item as every subscriber gets it: the same object for all, so the
/// connection that sends it first encodes it for the wire and the others
/// reuse those bytes (50 monitors: one encoding per event, not 50).
struct HubEvent: Sendable {
    let item: MonitorItem
    let wire = EncodedOnce()
}

/// Bytes computed once and shared. Two connections racing for the first
/// encoding may both encode (identical bytes); the encoding runs outside the lock.
final class EncodedOnce: Sendable {
    private let bytes = Mutex<[UInt8]?>(nil)

    func get(orMake make: () -> [UInt8]?) -> [UInt8]? {
        if let cached = bytes.withLock({ $0 }) { return cached }
        guard let made = make() else { return nil }
        bytes.withLock { if $0 == nil { $0 = made } }
        return made
    }
}

/// Fans the queue journal out to Monitor subscribers. The journal in SQLite is
/// the single source: after any change, `pump` reads the rows it has not sent yet,
/// so subscribers see every event once, in journal order, whoever made the change.
/// Missed presses and printer changes are published as they happen.
///
/// The lock guards only the subscriber table and the pump's bookkeeping; items
/// are offered to subscribers after it is released (a subscription ending calls
/// back into `remove`, which takes the lock: never the other way round).
final class EventHub: Sendable {
    typealias Subscription = MonitorSubscription<HubEvent>

    private struct State {
        var subscribers: [UInt64: Subscription] = [:]
        var nextID: UInt64 = 0
        var lastSent: Int64
        /// One caller pumps at a time (journal order); others leave a note.
        var pumping = false
        var pumpAgain = false
        var finished = false
        /// Journal rows may have been written while nobody listened: `lastSent`
        /// is behind and must catch up before a new subscriber is added.
        var stale = false
    }

    private let state: Mutex<State>
    private let readJournal: @Sendable (_ after: Int64, _ limit: Int) throws -> [QueueEvent]
    private let logger: Logger
    let capacity: Int

    convenience init(store: QueueStore, logger: Logger, capacity: Int = Subscription.defaultCapacity) throws {
        try self.init(lastEventID: store.lastEventID(), capacity: capacity, logger: logger) { after, limit in
            try store.events(after: after, limit: limit)
        }
    }

    /// `readJournal` returns journal rows with an id above `after`, oldest first.
    init(lastEventID: Int64, capacity: Int = Subscription.defaultCapacity, logger: Logger,
         readJournal: @escaping @Sendable (_ after: Int64, _ limit: Int) throws -> [QueueEvent]) {
        self.state = Mutex(State(lastSent: lastEventID))
        self.readJournal = readJournal
        self.logger = logger
        self.capacity = capacity
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// A new subscriber without touching the journal, or nil when rows were
    /// written while nobody listened (then `subscribe` must skip them first).
    func subscribeIfCurrent() -> Subscription? {
        guard !state.withLock({ $0.stale }) else { return nil }
        return subscribe(catchingUp: false)
    }

    /// A new subscriber, told everything from the next pump or publish on.
    /// May read the journal (after a time without subscribers): call it where
    /// pumps run, on the queue worker, not on the async executor.
    func subscribe() -> Subscription { subscribe(catchingUp: true) }

    private func subscribe(catchingUp: Bool) -> Subscription {
        if catchingUp { catchUpIfStale() }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let subscription = Subscription(capacity: capacity) { [weak self] in self?.remove(id) }
        let finished = state.withLock { state -> Bool in
            guard !state.finished else { return true }
            state.subscribers[id] = subscription
            return false
        }
        if finished { subscription.finish() }
        return subscription
    }

    private func remove(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    private var currentSubscribers: [Subscription] { state.withLock { Array($0.subscribers.values) } }

    /// Whether a change of the journal must be pumped now: false while
    /// nobody listens (the rows are then skipped when someone subscribes), so
    /// a quiet office's writes cost no journal read and no thread hand-off.
    func needsPump() -> Bool {
        state.withLock { state in
            if state.subscribers.isEmpty && !state.pumping {
                state.stale = true
                return false
            }
            return true
        }
    }

    /// Skips the journal rows written while nobody listened.
    private func catchUpIfStale() {
        guard var lastSent = state.withLock({ state -> Int64? in
            guard state.stale, !state.pumping, state.subscribers.isEmpty else { return nil }
            state.pumping = true
            return state.lastSent
        }) else { return }
        var caughtUp = true
        do {
            while let last = try readJournal(lastSent, 500).last { lastSent = last.id }
        } catch {
            caughtUp = false
            logger.error("cannot read the event journal", metadata: ["error": "\(error)"])
        }
        state.withLock { state in
            state.lastSent = lastSent
            state.pumping = false
            if caughtUp { state.stale = false }
        }
    }

    /// Sends journal rows written since the last pump to every subscriber. If
    /// another thread is pumping, it is asked to read once more and this returns.
    func pump() {
        let start = state.withLock { state -> Int64? in
            guard !state.pumping else {
                state.pumpAgain = true
                return nil
            }
            // Nobody listens: nothing to read now. The next subscriber is told
            // from its subscription on (`subscribe` catches up first).
            guard !state.subscribers.isEmpty else {
                state.stale = true
                return nil
            }
            state.pumping = true
            state.pumpAgain = false
            return state.lastSent
        }
        guard var lastSent = start else { return }
        var failure: (any Error)?
        while true {
            var events: [QueueEvent] = []
            do {
                events = try readJournal(lastSent, 500)
            } catch {
                failure = error
            }
            if let last = events.last {
                let subscribers = currentSubscribers
                for event in events {
                    let shared = HubEvent(item: .journal(event))
                    for subscriber in subscribers { subscriber.offer(shared) }
                }
                lastSent = last.id
                continue
            }
            let again = state.withLock { state -> Bool in
                state.lastSent = lastSent
                if state.pumpAgain && failure == nil {
                    state.pumpAgain = false
                    return true
                }
                state.pumping = false
                return false
            }
            if !again { break }
        }
        if let failure {
            logger.error("cannot read the event journal", metadata: ["error": "\(failure)"])
        }
    }

    /// Sends an item that is not a journal row.
    func publish(_ item: MonitorItem) {
        let shared = HubEvent(item: item)
        for subscriber in currentSubscribers { subscriber.offer(shared) }
    }

    /// Ends every subscription (they still get what is queued); later
    /// subscribers end at once.
    func finishAll() {
        let all = state.withLock { state -> [Subscription] in
            state.finished = true
            return Array(state.subscribers.values)
        }
        for subscription in all { subscription.finish() }
    }
}
