import NIOCore
import Synchronization

/// One Monitor subscriber's bounded queue, the only buffer between the event
/// hub and the client's socket. The hub offers items without ever waiting; the
/// connection takes them one at a time as the socket accepts them. A subscriber
/// that falls `capacity` items behind is dropped (its queue freed at once) with
/// `EndReason.tooSlow`, so a client that never reads costs bounded memory.
/// Continuations are resumed only after the state lock is released.
final class MonitorSubscription<Element: Sendable>: Sendable {
    /// How far a subscriber may fall behind before it is dropped: a busy office
    /// day makes a few hundred events an hour, so a live client never gets near.
    static var defaultCapacity: Int { 512 }

    enum EndReason: Sendable, Equatable {
        /// The daemon is stopping; buffered items are still delivered first.
        case finished
        /// The consumer went away (client closed, connection torn down).
        case cancelled
        /// More than `capacity` items were waiting.
        case tooSlow
    }

    private enum OfferAction {
        case queued
        case deliver(CheckedContinuation<Element?, Never>)
        /// Too slow: dropped. (No consumer was waiting, or it would have taken the item.)
        case drop
    }

    private struct State {
        var buffer = CircularBuffer<Element>()
        var waiter: CheckedContinuation<Element?, Never>?
        var end: EndReason?
    }

    let capacity: Int
    private let state = Mutex(State())
    /// Called once, outside every lock, when the subscription ends for any reason.
    private let onEnd: @Sendable () -> Void
    private let ended = Atomic<Bool>(false)

    init(capacity: Int = MonitorSubscription.defaultCapacity, onEnd: @escaping @Sendable () -> Void = {}) {
        self.capacity = capacity
        self.onEnd = onEnd
    }

    /// Why the subscription ended; nil while it runs.
    var endReason: EndReason? { state.withLock { $0.end } }

    /// Queues `item` (or hands it to a waiting consumer). False when the
    /// subscription has ended, including when this item made it too slow.
    @discardableResult
    func offer(_ item: Element) -> Bool {
        let action = state.withLock { state -> OfferAction? in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return .deliver(waiter)
            }
            guard state.buffer.count < capacity else {
                state.end = .tooSlow
                state.buffer = CircularBuffer()
                return .drop
            }
            state.buffer.append(item)
            return OfferAction.queued
        }
        switch action {
        case nil:
            return false
        case let .deliver(waiter)?:
            waiter.resume(returning: item)
            return true
        case .drop?:
            notifyEnd()
            return false
        case .queued?:
            return true
        }
    }

    /// The next item, or nil once the subscription ended. One consumer at a
    /// time; cancelling the waiting task cancels the subscription.
    func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let ready = state.withLock { state -> Element?? in
                    if !state.buffer.isEmpty { return .some(state.buffer.removeFirst()) }
                    if state.end != nil || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The next item if one is already queued, without waiting.
    func nextIfQueued() -> Element? {
        state.withLock { state in state.buffer.isEmpty ? nil : state.buffer.removeFirst() }
    }

    /// The consumer is gone: drop everything.
    func cancel() { end(.cancelled, keepBuffered: false) }

    /// No more items will come (daemon stopping); what is queued is still delivered.
    func finish() { end(.finished, keepBuffered: true) }

    private func end(_ reason: EndReason, keepBuffered: Bool) {
        let (changed, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Element?, Never>?) in
            guard state.end == nil else { return (false, nil) }
            state.end = reason
            if !keepBuffered { state.buffer = CircularBuffer() }
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(returning: nil)
        if changed { notifyEnd() }
    }

    private func notifyEnd() {
        if !ended.exchange(true, ordering: .acquiringAndReleasing) { onEnd() }
    }
}
