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
public struct ControlServerLimits: Sendable {
    /// A message larger than this gets an error and the connection is closed.
    public var maxMessageBytes: Int = 64 * 1024
    /// Connections beyond this are closed at once.
    public var maxConnections: Int = 64
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
        do {
            try await connection.executeThenClose { inbound, outbound in
                var framer = VarlinkFramer(maxMessageSize: limits.maxMessageBytes)
                for try await var buffer in inbound {
                    let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                    let messages: [[UInt8]]
                    do {
                        messages = try framer.feed(bytes)
                    } catch {
                        logger.warning("oversized message; closing connection", metadata: ["pid": "\(caller?.pid ?? 0)", "limit": "\(limits.maxMessageBytes)"])
                        return
                    }
                    for message in messages {
                        switch await dispatcher.handle(message, caller: caller ?? Caller()) {
                        case let .reply(reply):
                            try await outbound.write(ByteBuffer(bytes: reply))
                        case let .stream(stream):
                            for await reply in stream {
                                try await outbound.write(ByteBuffer(bytes: reply))
                            }
                            // The service has no more to say (daemon stopping): close.
                            return
                        case .none:
                            break
                        case .close:
                            logger.warning("unreadable message; closing connection", metadata: ["pid": "\(caller?.pid ?? 0)"])
                            return
                        }
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

    private func peerCredentials(of channel: any Channel) async -> Caller? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        guard let creds = try? await future.get() else { return nil }
        return Caller(uid: creds.uid, gid: creds.gid, pid: creds.pid)
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
