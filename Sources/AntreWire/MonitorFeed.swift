/// The events a Monitor call streams, pulled one at a time by the transport as
/// the client's socket accepts them: the only buffer is the service's, and it is
/// bounded (see the daemon's MonitorSubscription).
public protocol MonitorFeed: Sendable {
    /// The next event; nil once the feed has ended. Cancelling the calling task
    /// ends the feed.
    func next() async -> QueueEventInfo?
    /// The next event encoded as a Varlink reply with "continues": true (or
    /// several such replies one after the other, each with its NUL); nil once
    /// the feed has ended. A feed shared by many clients encodes each event
    /// once here; by default each call encodes `next()`.
    func nextReply() async -> [UInt8]?
    /// The client is gone: end the feed and free what it holds.
    func cancel()
    /// Once `next` returned nil: the error the client is told before the
    /// connection closes (e.g. io.antre.Queue.MonitorTooSlow), nil for a plain end.
    var endError: VarlinkError? { get }
}

extension MonitorFeed {
    public func nextReply() async -> [UInt8]? {
        while let event = await next() {
            if let bytes = MonitorReply.encoded(event) { return bytes }
        }
        return nil
    }
}

extension MonitorReply {
    /// `event` as one streamed reply ("continues": true), NUL included.
    public static func encoded(_ event: QueueEventInfo) -> [UInt8]? {
        try? VarlinkReply.encode(MonitorReply(event: event), continues: true)
    }
}

/// The encoded replies of one Monitor call: every event with "continues": true,
/// then the feed's end error if it has one. Ending the iteration (or cancelling
/// the iterating task) cancels the feed.
public struct VarlinkReplyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let feed: any MonitorFeed

    public init(feed: any MonitorFeed) {
        self.feed = feed
    }

    /// The client went away: stop the feed.
    public func cancel() { feed.cancel() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let feed: any MonitorFeed
        var done = false

        public mutating func next() async -> [UInt8]? {
            guard !done else { return nil }
            if let bytes = await feed.nextReply() { return bytes }
            done = true
            return feed.endError?.encoded()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(feed: feed) }
}
