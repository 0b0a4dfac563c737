import AntreCore
import AntreStore
import Foundation
import Logging

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

/// Fans the queue journal out to Monitor subscribers. The journal in SQLite is
/// the single source: after any change, `pump` reads the rows it has not sent yet,
/// so subscribers see every event once, in journal order, whoever made the change.
/// Missed presses and printer changes are published as they happen.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var lastSent: Int64
    private var subscribers: [UUID: AsyncStream<MonitorItem>.Continuation] = [:]
    private let store: QueueStore
    private let logger: Logger

    init(store: QueueStore, logger: Logger) throws {
        self.store = store
        self.logger = logger
        self.lastSent = try store.lastEventID()
    }

    var subscriberCount: Int { lock.withLock { subscribers.count } }

    func subscribe() -> AsyncStream<MonitorItem> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<MonitorItem>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        lock.withLock { subscribers[id] = continuation }
        return stream
    }

    /// Sends journal rows written since the last pump to every subscriber.
    func pump() {
        lock.lock()
        defer { lock.unlock() }
        do {
            while true {
                let events = try store.events(after: lastSent, limit: 500)
                guard let last = events.last else { return }
                for event in events {
                    for continuation in subscribers.values { continuation.yield(.journal(event)) }
                }
                lastSent = last.id
            }
        } catch {
            logger.error("cannot read the event journal", metadata: ["error": "\(error)"])
        }
    }

    /// Sends an item that is not a journal row.
    func publish(_ item: MonitorItem) {
        lock.withLock {
            for continuation in subscribers.values { continuation.yield(item) }
        }
    }

    func finishAll() {
        let all = lock.withLock { subscribers.values }
        for continuation in all { continuation.finish() }
    }
}
