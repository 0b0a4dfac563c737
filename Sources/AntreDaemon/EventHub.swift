import AntreCore
import AntreStore
import Foundation
import Logging

/// Fans the queue journal out to Monitor subscribers. The journal in SQLite is
/// the single source: after any change, `pump` reads the rows it has not sent yet,
/// so subscribers see every event once, in journal order, whoever made the change.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var lastSent: Int64
    private var subscribers: [UUID: AsyncStream<QueueEvent>.Continuation] = [:]
    private let store: QueueStore
    private let logger: Logger

    init(store: QueueStore, logger: Logger) throws {
        self.store = store
        self.logger = logger
        self.lastSent = try store.lastEventID()
    }

    var subscriberCount: Int { lock.withLock { subscribers.count } }

    func subscribe() -> AsyncStream<QueueEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<QueueEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
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
                    for continuation in subscribers.values { continuation.yield(event) }
                }
                lastSent = last.id
            }
        } catch {
            logger.error("cannot read the event journal", metadata: ["error": "\(error)"])
        }
    }

    func finishAll() {
        let all = lock.withLock { subscribers.values }
        for continuation in all { continuation.finish() }
    }
}
