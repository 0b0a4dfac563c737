import Synchronization

/// The control socket's connections and the rules for who gets a slot:
/// a total limit, a limit per uid, and slots reserved for officers and admins.
/// When a caller finds no free slot, the connection idle the longest (not
/// streaming, no request in flight) is closed to make room before anyone is
/// refused. Pure bookkeeping under one lock; the server closes what it is told
/// to after the lock is released. `Handle` is whatever closes a connection.
final class ConnectionTable<Handle: Sendable>: Sendable {
    struct Limits: Sendable {
        var maxConnections: Int
        var maxPerUID: Int
        /// Slots callers without officer rights cannot take.
        var reserved: Int
        /// Idle this long, a connection may be closed to make room.
        var evictAfter: Duration
        /// Idle this long (no whole message), a connection is closed anyway.
        var idleTimeout: Duration
        /// A reply write pending this long means the client stopped reading.
        var writeStall: Duration
    }

    /// Who is connecting, as the admission rules see it.
    struct Peer: Sendable {
        var uid: UInt32?
        /// May act on the queue (officer or admin): may use the reserved slots.
        var privileged: Bool
        /// Root and the daemon's own user: no per-uid limit.
        var exempt: Bool
    }

    enum Admission: Sendable {
        /// `evicted`: close it now, it made room.
        case admitted(id: UInt64, evicted: Handle?)
        /// No slot: tell the client `limit` and close.
        case refused(limit: Int, perUID: Bool)
    }

    /// Why the sweep closes a connection.
    enum Reason: Sendable, Equatable { case idle, writeStalled }

    private struct Entry {
        var handle: Handle
        var peer: Peer
        var lastActivity: ContinuousClock.Instant
        var streaming = false
        var requestsInFlight = 0
        var writingSince: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var stopping = false
        /// A sweeper task is running (started by `claimSweeper`).
        var sweeping = false
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits) {
        self.limits = limits
    }

    var count: Int { state.withLock { $0.entries.count } }
    var requestsInFlight: Int { state.withLock { $0.entries.values.reduce(0) { $0 + $1.requestsInFlight } } }
    var isStopping: Bool { state.withLock { $0.stopping } }
    var streamingCount: Int { state.withLock { $0.entries.values.count(where: \.streaming) } }

    func admit(_ peer: Peer, handle: Handle, now: ContinuousClock.Instant = .now) -> Admission {
        let limits = self.limits
        return state.withLock { state -> Admission in
            guard !state.stopping else { return .refused(limit: limits.maxConnections, perUID: false) }
            if !peer.exempt, let uid = peer.uid,
               state.entries.values.count(where: { $0.peer.uid == uid }) >= limits.maxPerUID {
                return .refused(limit: limits.maxPerUID, perUID: true)
            }
            let unprivileged = state.entries.values.count { !$0.peer.privileged }
            let readerCapacity = limits.maxConnections - limits.reserved
            let totalFull = state.entries.count >= limits.maxConnections
            let readersFull = !peer.privileged && unprivileged >= readerCapacity
            var evicted: Handle?
            if totalFull || readersFull {
                // Only a reader's slot makes room for a reader when readers are at their share.
                let candidates = state.entries.filter { _, entry in
                    !entry.streaming && entry.requestsInFlight == 0 && entry.writingSince == nil
                        && now - entry.lastActivity >= limits.evictAfter && (!readersFull || !entry.peer.privileged)
                }
                guard let oldest = candidates.min(by: { $0.value.lastActivity < $1.value.lastActivity }) else {
                    return .refused(limit: peer.privileged ? limits.maxConnections : readerCapacity, perUID: false)
                }
                evicted = state.entries.removeValue(forKey: oldest.key)?.handle
            }
            state.nextID += 1
            state.entries[state.nextID] = Entry(handle: handle, peer: peer, lastActivity: now)
            return .admitted(id: state.nextID, evicted: evicted)
        }
    }

    func release(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// A whole message arrived: the connection is working until `endRequest`.
    func beginRequest(_ id: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.entries[id]?.requestsInFlight += 1
            state.entries[id]?.lastActivity = now
        }
    }

    func endRequest(_ id: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.entries[id]?.requestsInFlight -= 1
            state.entries[id]?.lastActivity = now
        }
    }

    /// Following a Monitor stream: never idle, never evicted.
    func setStreaming(_ id: UInt64) {
        state.withLock { $0.entries[id]?.streaming = true }
    }

    func beginWrite(_ id: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { $0.entries[id]?.writingSince = now }
    }

    func endWrite(_ id: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.entries[id]?.writingSince = nil
            state.entries[id]?.lastActivity = now
        }
    }

    /// Connections to close now: idle too long, or a write the client has not
    /// taken for too long. They are removed from the table (their slot is free).
    func sweep(now: ContinuousClock.Instant = .now) -> [(handle: Handle, reason: Reason, peer: Peer)] {
        let limits = self.limits
        return state.withLock { state in
            var doomed: [(handle: Handle, reason: Reason, peer: Peer)] = []
            for (id, entry) in state.entries {
                let reason: Reason
                if let since = entry.writingSince, now - since > limits.writeStall {
                    reason = .writeStalled
                } else if !entry.streaming && entry.requestsInFlight == 0 && entry.writingSince == nil
                            && now - entry.lastActivity > limits.idleTimeout {
                    reason = .idle
                } else {
                    continue
                }
                state.entries.removeValue(forKey: id)
                doomed.append((entry.handle, reason, entry.peer))
            }
            return doomed
        }
    }

    /// The sweep has work only while something can come due: a connection that
    /// may go idle (not streaming) or a write in flight. Call after anything that
    /// may make one due (a new connection, a write, a suppressed warning):
    /// true means no sweeper runs and the caller starts one.
    func claimSweeper() -> Bool {
        state.withLock { state in
            guard !state.sweeping else { return false }
            state.sweeping = true
            return true
        }
    }

    /// After a sweep pass: true means nothing can come due any more (only
    /// streaming connections with no write in flight, or none, and `pending`
    /// false), so the sweeper ends and the next `claimSweeper` starts another.
    func releaseSweeper(pending: Bool) -> Bool {
        state.withLock { state in
            let watched = state.entries.values.contains { !$0.streaming || $0.writingSince != nil }
            guard !watched && !pending else { return false }
            state.sweeping = false
            return true
        }
    }

    /// Refuses every new connection from now on.
    func beginStopping() {
        state.withLock { $0.stopping = true }
    }

    /// Every connection still open (to close them at the end of a stop).
    var handles: [Handle] { state.withLock { $0.entries.values.map(\.handle) } }
}
