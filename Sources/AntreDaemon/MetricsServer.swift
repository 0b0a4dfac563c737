import AntreCore
import AntreWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The optional Prometheus endpoint (`[metrics] listen`): answers `GET
/// /metrics` with `MetricsText`, anything else with 404. Minimal HTTP/1.0:
/// one request per connection, then close. Bounded: a request head larger
/// than 8 KiB or slower than 5 s is dropped; at most 16 connections at once.
final class MetricsServer: Sendable {
    let host: String
    let port: Int
    private let desk: QueueDesk
    private let group: any EventLoopGroup
    private let logger: Logger
    private static let maxHead = 8 * 1024
    private static let maxConnections = 16

    init(settings: MetricsSettings, desk: QueueDesk, group: any EventLoopGroup, logger: Logger) {
        self.host = settings.host ?? "127.0.0.1"
        self.port = settings.port
        self.desk = desk
        self.group = group
        self.logger = logger
    }

    /// Serves until cancelled.
    func run() async throws {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        logger.info("metrics endpoint listening", metadata: ["address": "http://\(host):\(port)/metrics"])
        let open = Counter()
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    guard open.increment(limit: Self.maxConnections) else {
                        try? await connection.channel.close()
                        continue
                    }
                    tasks.addTask {
                        defer { open.decrement() }
                        await self.serve(connection)
                    }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                let head = try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        var text = ""
                        for try await buffer in inbound {
                            text += String(buffer: buffer)
                            if text.contains("\r\n\r\n") || text.contains("\n\n") { return text }
                            if text.utf8.count > Self.maxHead { return nil }
                        }
                        return text
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(5))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
                guard let head else { return }
                let requestLine = head.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).first ?? ""
                let parts = requestLine.split(separator: " ")
                let response: String
                if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?") {
                    do {
                        response = Self.response(200, "OK", body: try await body(),
                                                 type: "text/plain; version=0.0.4; charset=utf-8")
                    } catch {
                        logger.error("metrics failed", metadata: ["error": "\(error)"])
                        response = Self.response(500, "Internal Server Error", body: "metrics failed: \(error)\n")
                    }
                } else {
                    response = Self.response(404, "Not Found", body: "antred serves only GET /metrics\n")
                }
                try await outbound.write(ByteBuffer(string: response))
            }
        } catch {
            logger.debug("metrics connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func body() async throws -> String {
        let status = try await desk.status()
        let config = status.config
        let day = status.snapshot.day
        let waits = try await desk.reportWorker.run { [desk] in
            try desk.store.waitTimes(from: day, to: day)
        }
        let lines = Dictionary(status.snapshot.services.map { ($0.serviceID, $0) }, uniquingKeysWith: { a, _ in a })
        let services = config.services.map { service in
            let line = lines[service.id]
            return ServiceStatus(service: service.id, name: service.name, prefix: service.prefix,
                                 waiting: line?.waiting ?? 0, issued: line?.issuedToday ?? 0,
                                 served: line?.served ?? 0, skipped: line?.skipped ?? 0)
        }
        let printers = status.printers.map { line in
            PrinterStatus(dispenser: line.dispenserID, connection: line.connection, state: line.health.readiness.state,
                          detail: line.health.readiness.detail, missedPresses: line.missedPresses,
                          unrecordedPresses: line.unrecordedPresses, pendingReprints: line.health.pendingReprints)
        }
        return MetricsText.render(MetricsText.Input(office: config.office.name, day: day.description,
                                                    services: services, printers: printers, waits: waits))
    }

    private static func response(_ code: Int, _ reason: String, body: String,
                                 type: String = "text/plain; charset=utf-8") -> String {
        "HTTP/1.0 \(code) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
    }
}

/// Open connections, bounded.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment(limit: Int) -> Bool {
        value.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }
    func decrement() { value.withLock { $0 -= 1 } }
}
