import AntreCore
import AntreWire
import CLinuxShims
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Limits that keep one misbehaving client from hurting the others.
struct ControlServerLimits: Sendable {
    /// A message larger than this gets the connection closed.
    var maxMessageBytes: Int = 64 * 1024
    /// Connections beyond this are closed at once.
    var maxConnections: Int = 64
    /// A client that has not sent a whole message for this long (and is not
    /// following a Monitor stream) is disconnected.
    var idleTimeout: Duration = .seconds(60)

    init(maxMessageBytes: Int = 64 * 1024, maxConnections: Int = 64, idleTimeout: Duration = .seconds(60)) {
        self.maxMessageBytes = maxMessageBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }

    init(_ settings: SocketSettings) {
        self.init(maxMessageBytes: settings.maxMessageBytes, maxConnections: settings.maxConnections,
                  idleTimeout: settings.idleTimeout)
    }
}

/// When a connection last finished a message, and whether it is streaming.
private final class ConnectionActivity: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now
    private var streaming = false

    func touch() { lock.withLock { last = .now } }
    func setStreaming(_ value: Bool) { lock.withLock { streaming = value; last = .now } }
    func idle(longerThan limit: Duration) -> Bool {
        lock.withLock { !streaming && ContinuousClock.now - last > limit }
    }
}

/// The Varlink socket: NUL-terminated JSON messages on a Unix stream socket,
/// answered by the transport-independent `VarlinkDispatcher`.
final class ControlServer: @unchecked Sendable {
    let path: String
    private let dispatcher: VarlinkDispatcher
    private let limits: ControlServerLimits
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let lock = NSLock()
    private var connections = 0
    private var serverChannel: (any Channel)?

    init(path: String, dispatcher: VarlinkDispatcher, limits: ControlServerLimits = ControlServerLimits(),
         group: MultiThreadedEventLoopGroup, logger: Logger) {
        self.path = path
        self.dispatcher = dispatcher
        self.limits = limits
        self.group = group
        self.logger = logger
    }

    /// Binds the socket (refusing to steal it from a running daemon), sets its
    /// mode, and serves until `close()`.
    func run(socketGroup: String?, onListening: @Sendable () -> Void) async throws {
        try prepareSocketPath()
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        lock.withLock { serverChannel = server.channel }
        try applyPermissions(group: socketGroup)
        logger.info("listening", metadata: ["socket": "\(path)"])
        onListening()
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    let admitted = lock.withLock { () -> Bool in
                        guard connections < limits.maxConnections else { return false }
                        connections += 1
                        return true
                    }
                    guard admitted else {
                        logger.warning("too many connections; closing a new one", metadata: ["limit": "\(limits.maxConnections)"])
                        try? await connection.channel.close()
                        continue
                    }
                    tasks.addTask {
                        await self.serve(connection)
                        self.lock.withLock { self.connections -= 1 }
                    }
                }
            }
        }
    }

    func close() {
        let channel = lock.withLock { serverChannel }
        channel?.close(promise: nil)
        unlink(path)
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let caller = await peerCredentials(of: connection.channel)
        let activity = ConnectionActivity()
        let limits = self.limits
        let logger = self.logger
        // Closes connections that never finish a message (slowloris) so they
        // cannot hold a slot forever; Monitor streams are exempt.
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: min(limits.idleTimeout, .seconds(1)))
                if activity.idle(longerThan: limits.idleTimeout) {
                    logger.info("closing idle connection", metadata: ["pid": "\(caller.pid ?? 0)"])
                    connection.channel.close(promise: nil)
                    return
                }
            }
        }
        defer { watchdog.cancel() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var framer = VarlinkFramer(maxMessageSize: limits.maxMessageBytes)
                for try await var buffer in inbound {
                    let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                    let messages: [[UInt8]]
                    do {
                        messages = try framer.feed(bytes)
                    } catch {
                        logger.warning("oversized message; closing connection",
                                       metadata: ["pid": "\(caller.pid ?? 0)", "uid": "\(caller.uid ?? 0)",
                                                  "limit": "\(limits.maxMessageBytes)"])
                        return
                    }
                    for message in messages {
                        activity.touch()
                        switch await dispatcher.handle(message, caller: caller) {
                        case let .reply(reply):
                            try await outbound.write(ByteBuffer(bytes: reply))
                        case let .stream(stream):
                            activity.setStreaming(true)
                            for await reply in stream {
                                try await outbound.write(ByteBuffer(bytes: reply))
                            }
                            // The service has no more to say (daemon stopping): close.
                            return
                        case .none:
                            break
                        case .close:
                            logger.warning("unreadable message; closing connection",
                                           metadata: ["pid": "\(caller.pid ?? 0)", "uid": "\(caller.uid ?? 0)"])
                            return
                        }
                        activity.touch()
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
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
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { Glibc.close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard path.utf8.count < capacity else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    return result == 0
}
