import AntreCore
import AntrePosix
import AntreWire
import CLinuxShims
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Limits that keep one misbehaving client from hurting the others.
struct ControlServerLimits: Sendable {
    /// A message larger than this gets the connection closed.
    var maxMessageBytes: Int = 64 * 1024
    /// Connections beyond this are refused, unless an idle one can be closed to make room.
    var maxConnections: Int = 64
    /// Connections one uid may hold (root and the daemon's user are exempt).
    var maxConnectionsPerUID: Int = 16
    /// Slots only officers and admins may take.
    var reservedConnections: Int = 8
    /// A client that has not sent a whole message for this long (and is not
    /// following a Monitor stream) is disconnected.
    var idleTimeout: Duration = .seconds(60)
    /// When the server is full, a connection idle this long is closed to make
    /// room (a CLI call sends its request at once; only hogs stay idle).
    var evictIdleAfter: Duration = .seconds(2)
    /// A reply the client has not taken for this long: it stopped reading, close.
    var writeStallTimeout: Duration = .seconds(5)

    init(maxMessageBytes: Int = 64 * 1024, maxConnections: Int = 64, idleTimeout: Duration = .seconds(60)) {
        self.maxMessageBytes = maxMessageBytes
        self.maxConnections = maxConnections
        self.maxConnectionsPerUID = max(1, maxConnections / 4)
        self.reservedConnections = maxConnections / 8
        self.idleTimeout = idleTimeout
    }

    init(_ settings: SocketSettings) {
        self.init(maxMessageBytes: settings.maxMessageBytes, maxConnections: settings.maxConnections,
                  idleTimeout: settings.idleTimeout)
        maxConnectionsPerUID = settings.effectiveMaxConnectionsPerUID
        reservedConnections = settings.effectiveReservedConnections
    }

    var table: ConnectionTable<any Channel>.Limits {
        .init(maxConnections: maxConnections, maxPerUID: maxConnectionsPerUID, reserved: reservedConnections,
              evictAfter: evictIdleAfter, idleTimeout: idleTimeout, writeStall: writeStallTimeout)
    }
}

/// The Varlink socket: NUL-terminated JSON messages on a Unix stream socket,
/// answered by the transport-independent `VarlinkDispatcher`.
final class ControlServer: Sendable {
    let path: String
    private let dispatcher: VarlinkDispatcher
    private let limits: ControlServerLimits
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    /// Who may use the reserved slots; read per connection (reload may change it).
    private let accessPolicy: @Sendable () -> AccessPolicy
    private let table: ConnectionTable<any Channel>
    private let serverChannel = Mutex<(any Channel)?>(nil)
    private let daemonUID = getuid()
    /// Client-triggered warnings, each kind throttled on its own.
    private let refusals = LogThrottle()
    private let unreadable = LogThrottle()
    private let closings = LogThrottle()
    /// The sweep, running only while it has something to watch (see `sweepWhenNeeded`).
    private let sweeper = Mutex<Task<Void, Never>?>(nil)

    init(path: String, dispatcher: VarlinkDispatcher, limits: ControlServerLimits = ControlServerLimits(),
         group: MultiThreadedEventLoopGroup, logger: Logger,
         accessPolicy: @escaping @Sendable () -> AccessPolicy) {
        self.path = path
        self.dispatcher = dispatcher
        self.limits = limits
        self.group = group
        self.logger = logger
        self.accessPolicy = accessPolicy
        self.table = ConnectionTable(limits: limits.table)
    }

    /// Binds the socket (refusing to steal it from a running daemon), sets its
    /// mode, and serves until `shutdown` (or `close`) and every connection ended.
    func run(socketGroup: String?, onListening: @Sendable () -> Void) async throws {
        try prepareSocketPath()
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        serverChannel.withLock { $0 = server.channel }
        try applyPermissions(group: socketGroup)
        logger.info("listening", metadata: ["socket": "\(path)"])
        onListening()
        defer { sweeper.withLock { $0 }?.cancel() }
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    let caller = await peerCredentials(of: connection.channel)
                    switch admit(connection, caller: caller) {
                    case let .serve(id):
                        let who: Logger.Metadata = ["uid": "\(caller.uid.map(String.init) ?? "?")",
                                                    "pid": "\(caller.pid ?? 0)"]
                        logger.debug("connection opened", metadata: who)
                        tasks.addTask {
                            await self.serve(connection, id: id, caller: caller)
                            self.table.release(id)
                            self.logger.debug("connection closed", metadata: who)
                        }
                    case let .refuse(limit):
                        tasks.addTask { await self.refuse(connection, limit: limit) }
                    }
                }
            }
        }
    }

    private enum AdmitOutcome {
        case serve(id: UInt64)
        /// Tell the client TooManyConnections (with this limit) and close.
        case refuse(limit: Int)
    }

    /// A slot for the new connection, perhaps by closing an idle one.
    private func admit(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, caller: Caller) -> AdmitOutcome {
        let peer = ConnectionTable<any Channel>.Peer(
            uid: caller.uid, privileged: accessPolicy().allows(.officer, caller),
            exempt: caller.uid == 0 || caller.uid == daemonUID)
        switch table.admit(peer, handle: connection.channel) {
        case let .admitted(id, evicted):
            sweepWhenNeeded()
            if let evicted {
                if let suppressed = closings.admit() {
                    logger.info("server full: closing idle connection to make room",
                                metadata: ["suppressed": "\(suppressed)"])
                }
                evicted.close(promise: nil)
            }
            return .serve(id: id)
        case let .refused(limit, perUID):
            defer { sweepWhenNeeded() }
            if let suppressed = refusals.admit() {
                logger.warning(perUID ? "too many connections from one user; refusing a new one"
                                      : "too many connections; refusing a new one",
                               metadata: ["limit": "\(limit)", "uid": "\(caller.uid.map(String.init) ?? "?")",
                                          "pid": "\(caller.pid ?? 0)", "suppressed": "\(suppressed)"])
            }
            return .refuse(limit: limit)
        }
    }

    /// Tells a refused client why, then closes. Cheap: a fresh connection's
    /// socket buffer is empty, so the write does not wait for the client.
    private func refuse(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, limit: Int) async {
        try? await connection.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: VarlinkErrors.tooManyConnections(limit: limit).encoded()))
        }
    }

    /// Starts the sweep unless it runs. An idle daemon (no connection, or only
    /// Monitor streams with nothing to write) has nothing that can come due, so
    /// no timer wakes it; a new connection, a write or a suppressed warning does.
    private func sweepWhenNeeded() {
        guard table.claimSweeper() else { return }
        let task = Task { await sweep() }
        sweeper.withLock { $0 = task }
    }

    /// Every half second while needed: closes idle and write-stalled
    /// connections, and sums up warnings that were throttled.
    private func sweep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            for (channel, reason, peer) in table.sweep() {
                if let suppressed = closings.admit() {
                    logger.info(reason == .idle ? "closing idle connection" : "closing a connection that stopped reading",
                                metadata: ["uid": "\(peer.uid.map(String.init) ?? "?")", "suppressed": "\(suppressed)"])
                }
                channel.close(promise: nil)
            }
            for (throttle, what) in [(refusals, "connections refused"), (unreadable, "unreadable messages"),
                                     (closings, "connections closed")] {
                if let count = throttle.summary() {
                    logger.warning("more warnings suppressed", metadata: ["what": "\(what)", "count": "\(count)"])
                }
            }
            let pending = refusals.hasSuppressed || unreadable.hasSuppressed || closings.hasSuppressed
            if table.releaseSweeper(pending: pending) {
                // Quiet now: the burst's freed memory goes back to the kernel (glibc keeps
                // what its per-thread arenas freed otherwise).
                antre_trim_heap()
                return
            }
        }
    }

    /// Closes the listening socket at once (nothing new is accepted). The
    /// socket file is removed only if this server bound it: a daemon that
    /// failed to start must not take the running one's socket away.
    func close() {
        guard let channel = serverChannel.withLock({ channel in defer { channel = nil }; return channel }) else { return }
        channel.close(promise: nil)
        unlink(path)
    }

    /// A graceful stop: stops accepting, lets requests in flight finish and be
    /// answered (at most `grace`), ends Monitor streams through `endStreams`
    /// (they get a moment to send what is queued), then closes every
    /// connection. `run` returns soon after.
    func shutdown(grace: Duration, endStreams: @Sendable () -> Void) async {
        table.beginStopping()
        close()
        await wait(upTo: grace) { table.requestsInFlight == 0 }
        if table.requestsInFlight > 0 {
            logger.warning("stopping with requests still in flight", metadata: ["count": "\(table.requestsInFlight)"])
        }
        endStreams()
        await wait(upTo: .seconds(1)) { table.streamingCount == 0 }
        for channel in table.handles { channel.close(promise: nil) }
        await wait(upTo: .seconds(1)) { table.count == 0 }
    }

    private func wait(upTo limit: Duration, until done: () -> Bool) async {
        let deadline = ContinuousClock.now + limit
        while !done() && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, id: UInt64, caller: Caller) async {
        let limits = self.limits
        do {
            try await connection.executeThenClose { inbound, outbound in
                var framer = VarlinkFramer(maxMessageSize: limits.maxMessageBytes)
                for try await var buffer in inbound {
                    let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                    let messages: [[UInt8]]
                    do {
                        messages = try framer.feed(bytes)
                    } catch {
                        warnUnreadable("oversized message; closing connection", caller,
                                       ["limit": "\(limits.maxMessageBytes)"])
                        return
                    }
                    for message in messages {
                        table.beginRequest(id)
                        let outcome = await dispatcher.handle(message, caller: caller)
                        switch outcome {
                        case let .reply(reply):
                            defer { table.endRequest(id) }
                            try await write(reply, to: outbound, id: id)
                        case let .stream(replies):
                            table.endRequest(id)
                            table.setStreaming(id)
                            // The client hanging up ends the subscription now, not at the next event.
                            connection.channel.closeFuture.whenComplete { _ in replies.cancel() }
                            defer { replies.cancel() }
                            for await reply in replies {
                                try await write(reply, to: outbound, id: id)
                            }
                            // The service has no more to say (daemon stopping, client too slow): close.
                            return
                        case .none:
                            table.endRequest(id)
                        case .close:
                            table.endRequest(id)
                            warnUnreadable("unreadable message; closing connection", caller, [:])
                            return
                        }
                        // Stopping: this answer was the last.
                        if table.isStopping { return }
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Writes one reply; the sweep closes the connection if the client does
    /// not take it in time.
    private func write(_ bytes: [UInt8], to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, id: UInt64) async throws {
        table.beginWrite(id)
        sweepWhenNeeded()
        defer { table.endWrite(id) }
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    private func warnUnreadable(_ message: Logger.Message, _ caller: Caller, _ metadata: Logger.Metadata) {
        guard let suppressed = unreadable.admit() else { return sweepWhenNeeded() }
        var metadata = metadata
        metadata["pid"] = "\(caller.pid ?? 0)"
        metadata["uid"] = "\(caller.uid.map(String.init) ?? "?")"
        metadata["suppressed"] = "\(suppressed)"
        logger.warning(message, metadata: metadata)
    }

    private func prepareSocketPath() throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // An existing socket that still answers belongs to a running daemon.
        if FileManager.default.fileExists(atPath: path), socketAnswers(path) {
            throw DaemonError.socketInUse(path)
        }
    }

    private func applyPermissions(group: String?) throws {
        if chmod(path, 0o660) != 0 {
            throw DaemonError.socket(path, "chmod: \(String(cString: strerror(errno)))")
        }
        guard let group else { return }
        guard let entry = getgrnam(group) else {
            throw DaemonError.socket(path, "group '\(group)' does not exist (create it: groupadd \(group))")
        }
        if chown(path, uid_t.max, entry.pointee.gr_gid) != 0 {
            throw DaemonError.socket(path, "chown to group \(group): \(String(cString: strerror(errno)))")
        }
    }

    /// SO_PEERCRED and SO_PEERGROUPS of the client: who is asking, decided by
    /// the kernel (not by anything the client says).
    private func peerCredentials(of channel: any Channel) async -> Caller {
        guard let provider = channel as? any SocketOptionProvider else { return Caller() }
        let credentials: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        guard let creds = try? await credentials.get() else { return Caller() }
        // Up to 64 supplementary groups; more than that fails (ERANGE) and only
        // the primary group counts. Unused slots stay 0 and are ignored.
        let groupsFuture: EventLoopFuture<SIMD64<UInt32>> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(59 /* SO_PEERGROUPS */))
        var groups: [UInt32] = []
        if let list = try? await groupsFuture.get() {
            groups = (0..<64).map { list[$0] }.filter { $0 != 0 }
        }
        return Caller(uid: creds.uid, gid: creds.gid, pid: creds.pid, groups: groups)
    }
}

/// Layout of Linux `struct ucred` (pid_t, uid_t, gid_t: three 32-bit fields).
private struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// True when something accepts connections on the Unix socket at `path`.
func socketAnswers(_ path: String) -> Bool {
    guard let address = try? UnixSocketAddress(path: path) else { return false }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { Glibc.close(fd) }
    return address.withSockaddr { connect(fd, $0, $1) } == 0
}
