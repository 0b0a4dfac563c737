import AntreWire
import Foundation
import Synchronization

/// What the feed hands to the board, in order.
public enum FeedMessage: Sendable {
    /// antred answered Status (at start, after a reconnect, after a count-changing event).
    case status(StatusReply)
    /// One Monitor event.
    case event(QueueEventInfo)
    /// antred is away; the feed retries by itself.
    case disconnected(String)
}

/// antred's Status and Monitor, read on a dedicated thread (the Varlink client
/// blocks) and handed over once, as an AsyncStream. When antred is away it
/// retries with backoff (0.25 s doubling to `maxDelay`) and never gives up.
public final class QueueFeed: Sendable {
    public let socketPath: String
    public let maxDelay: Double
    public let messages: AsyncStream<FeedMessage>
    private let continuation: AsyncStream<FeedMessage>.Continuation
    private let stopping = Atomic<Bool>(false)

    public init(socketPath: String, maxDelay: Double = 5) {
        self.socketPath = socketPath
        self.maxDelay = maxDelay
        // Bounded: the consumer only updates memory, so a backlog means it died.
        (messages, continuation) = AsyncStream.makeStream(of: FeedMessage.self, bufferingPolicy: .bufferingNewest(1024))
    }

    /// Starts the thread; it runs until `stop()` (checked between reconnects).
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "antre-board-feed"
        thread.start()
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        continuation.finish()
    }

    private func run() {
        var delay = 0.25
        var lastProblem = ""
        while !stopping.load(ordering: .relaxed) {
            let started = ContinuousClock.now
            let problem = follow()
            if stopping.load(ordering: .relaxed) { break }
            // A connection that lasted resets the backoff; one refused at once grows it.
            if ContinuousClock.now - started > .seconds(10) { delay = 0.25 }
            if problem != lastProblem {
                FileHandle.standardError.write(Data("antre-board: \(problem); retrying\n".utf8))
                lastProblem = problem
            }
            continuation.yield(.disconnected(problem))
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, maxDelay)
        }
    }

    /// One connection's life: subscribe to Monitor first (so no change falls between),
    /// then Status, then events until the connection ends. Returns why it ended.
    private func follow() -> String {
        do {
            let monitor = try VarlinkClient(path: socketPath, timeout: 5)
            let reader = try VarlinkClient(path: socketPath, timeout: 5)
            try monitor.sendRaw(VarlinkCall(method: QueueInterface.name + ".Monitor", more: true).encoded())
            continuation.yield(.status(try status(reader)))
            while true {
                let response = try monitor.receive(deadline: nil)
                if let error = response.error { throw error }
                if let event = try? JSONValue.object(response.parameters).decode(as: MonitorReply.self).event {
                    continuation.yield(.event(event))
                    if BoardModel.changesCounts(event.kind) { continuation.yield(.status(try status(reader))) }
                }
                guard response.continues else { return "antred ended the event stream" }
            }
        } catch let error as VarlinkClientError {
            return error.description
        } catch let error as VarlinkError {
            return "antred refused: \(error.description)"
        } catch {
            return "antred: \(error)"
        }
    }

    private func status(_ client: VarlinkClient) throws -> StatusReply {
        try client.call(QueueInterface.name + ".Status", NoParameters(), as: StatusReply.self)
    }
}
