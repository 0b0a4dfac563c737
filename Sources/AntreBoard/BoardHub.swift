import AntreCore
import AntreWire
import Foundation
import Synchronization

/// The board's live state and its page subscribers (Server-Sent Events). Feed
/// messages update the model; every change goes to each subscriber's bounded
/// buffer. A page that does not read is dropped when its buffer is full (it
/// reconnects and starts from a fresh snapshot). Sends happen outside the lock.
public final class BoardHub: Sendable {
    /// A call to announce (chime + voice); the hub's owner voices it.
    public struct CallOut: Sendable, Equatable {
        public var call: BoardCall
    }

    private struct State {
        var model: BoardModel
        var clients: [Int: AsyncStream<String>.Continuation] = [:]
        var nextClient = 1
    }

    /// Messages a subscriber may have unread before it is dropped.
    public let clientBuffer: Int
    private let state: Mutex<State>

    public init(model: BoardModel, clientBuffer: Int = 64) {
        self.clientBuffer = max(4, clientBuffer)
        state = Mutex(State(model: model))
    }

    public var view: BoardView { state.withLock { $0.model.view } }

    public var subscriberCount: Int { state.withLock { $0.clients.count } }

    /// A new page: its stream starts with the whole board, then every change.
    public func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self,
                                                            bufferingPolicy: .bufferingOldest(clientBuffer))
        let (id, view) = state.withLock { state -> (Int, BoardView) in
            let id = state.nextClient
            state.nextClient += 1
            state.clients[id] = continuation
            return (id, state.model.view)
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        continuation.yield(ServerSentEvent(name: "board", json: view).text)
        return stream
    }

    /// Applies one feed message; returns the calls to announce (live calls only: calls
    /// made while antred was away are listed, not flashed or voiced again).
    @discardableResult
    public func apply(_ message: FeedMessage) -> [CallOut] {
        var events: [ServerSentEvent] = []
        let (view, call) = state.withLock { state -> (BoardView, BoardCall?) in
            switch message {
            case let .status(status):
                state.model.apply(status: status)
                return (state.model.view, nil)
            case let .event(event):
                let call = state.model.apply(event: event)
                return (state.model.view, call)
            case let .disconnected(detail):
                state.model.disconnected(detail)
                return (state.model.view, nil)
            }
        }
        switch message {
        case let .event(event):
            // Lets phone pages refresh their place in line; numbers and services only.
            events.append(ServerSentEvent(name: "queue", json: QueueChange(kind: event.kind, number: event.number,
                                                                          service: event.service)))
            if let call {
                events.append(ServerSentEvent(name: "call", json: call))
                events.append(ServerSentEvent(name: "board", json: view))
            }
        case .status, .disconnected:
            events.append(ServerSentEvent(name: "board", json: view))
        }
        send(events)
        return call.map { [CallOut(call: $0)] } ?? []
    }

    /// The call's audio is ready: pages queue it.
    public func announce(_ call: BoardCall, audioURL: String) {
        send([ServerSentEvent(name: "announce", json: Announced(sequence: call.sequence, number: call.number,
                                                                counter: call.counter, audio: audioURL))])
    }

    /// Keeps idle connections alive and finds pages that stopped reading.
    public func ping() { send(raw: [ServerSentEvent.keepAlive]) }

    /// Ends every page's stream (shutdown).
    public func closeAll() {
        let clients = state.withLock { state -> [AsyncStream<String>.Continuation] in
            defer { state.clients.removeAll() }
            return Array(state.clients.values)
        }
        for client in clients { client.finish() }
    }

    private func send(_ events: [ServerSentEvent]) { send(raw: events.map(\.text)) }

    private func send(raw texts: [String]) {
        guard !texts.isEmpty else { return }
        let clients = state.withLock { Array($0.clients) }
        var slow: [Int] = []
        for (id, client) in clients {
            for text in texts {
                if case .dropped = client.yield(text) {
                    slow.append(id)
                    break
                }
            }
        }
        for id in slow {
            let client = state.withLock { $0.clients.removeValue(forKey: id) }
            client?.finish()
        }
    }

    private func remove(_ id: Int) {
        _ = state.withLock { $0.clients.removeValue(forKey: id) }
    }

    private struct QueueChange: Encodable {
        var kind: String
        var number: String?
        var service: String?
    }

    private struct Announced: Encodable {
        var sequence: Int
        var number: String
        var counter: String
        var audio: String
    }
}
