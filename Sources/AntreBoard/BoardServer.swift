import AntreCore
import AntreWire
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// antre-board's HTTP server: the TV page, the phone pages, their live events and
/// the call-out audio, all served from here (no CDN: the office LAN may have no
/// internet). Reads antred through `QueueFeed` and `TicketLookup`; never changes
/// the queue.
public struct BoardServer: Sendable {
    public let config: AntreConfig
    public let socketPath: String
    public let listen: BoardListen

    public init(config: AntreConfig, socketPath: String, listen: BoardListen) {
        self.config = config
        self.socketPath = socketPath
        self.listen = listen
    }

    /// Serves until SIGTERM/SIGINT. `ready` gets the bound address once listening.
    public func run(ready: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        var logger = Logger(label: "antre-board")
        logger.logLevel = .notice
        let hub = BoardHub(model: BoardModel(settings: BoardModel.Settings(config: config)))
        let feed = QueueFeed(socketPath: socketPath)
        let lookup = TicketLookup(socketPath: socketPath)
        let voice = config.board.voice
        let announcer = voice.enabled ? Announcer(settings: voice, capacity: 8) : nil
        if voice.enabled, let problem = Self.voiceCacheProblem(voice) {
            logger.warning("\(problem); the board shows calls without the voice")
        }
        let router = Router()
        BoardRoutes(config: config, hub: hub, lookup: lookup, audioDirectory: voice.cache).add(to: router)
        let service = BoardFeedService(config: config, hub: hub, feed: feed, announcer: announcer, logger: logger)
        let host = listen.host
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [SendBufferLimit()])),
            configuration: .init(address: .hostname(host, port: listen.port), serverName: "antre-board"),
            services: [service],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                ready(host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)")
            },
            logger: logger)
        // The voice thread is not waited for: waiting would block this task, and a
        // call-out cut short at shutdown loses nothing.
        try await app.runService()
    }

    private static func voiceCacheProblem(_ voice: VoiceSettings) -> String? {
        do {
            try VoiceCache(settings: voice).prepare()
            return nil
        } catch {
            return error.message
        }
    }
}

/// Feeds the hub from antred, voices live calls, and pings pages; ends the pages'
/// streams at shutdown so the HTTP server can stop.
struct BoardFeedService: ServiceLifecycle.Service {
    let config: AntreConfig
    let hub: BoardHub
    let feed: QueueFeed
    let announcer: Announcer?
    let logger: Logger

    func run() async throws {
        feed.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in feed.messages.cancelOnGracefulShutdown() {
                    for callOut in hub.apply(message) { announce(callOut.call) }
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .seconds(15))
                    hub.ping()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        feed.stop()
        hub.closeAll()
    }

    private func announce(_ call: BoardCall) {
        guard let announcer, let number = TicketNumber(parsing: call.number) else { return }
        let announcement = config.counter(call.counter).map { Announcement(number: number, counter: $0) }
            ?? Announcement(number: number, counterWords: SpokenText.words(call.counterName))
        let hub = hub, logger = logger
        announcer.submit(announcement) { result in
            switch result {
            case let .success(spoken):
                hub.announce(call, audioURL: "/audio/" + (spoken.audioPath as NSString).lastPathComponent)
            case let .failure(error):
                logger.warning("call-out not voiced", metadata: ["ticket": "\(call.number)", "error": "\(error.message)"])
            }
        }
    }
}
