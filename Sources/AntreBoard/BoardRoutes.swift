import AntreCore
import AntreWire
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The board's HTTP routes. Pages and scripts are embedded (`BoardPages`), so the
/// board works with no internet; the audio comes from the voice cache.
struct BoardRoutes: Sendable {
    let config: AntreConfig
    let hub: BoardHub
    let lookup: TicketLookup
    let audioDirectory: String

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.html(BoardPages.tv) }
        router.get("/static/board.js") { _, _ in Self.text(BoardPages.tvScript, type: "text/javascript; charset=utf-8") }
        router.get("/static/phone.js") { _, _ in Self.text(BoardPages.phoneScript, type: "text/javascript; charset=utf-8") }
        router.get("/static/board.css") { _, _ in Self.text(BoardPages.style, type: "text/css; charset=utf-8") }
        router.get("/api/board") { _, _ in Self.json(hub.view) }
        router.get("/events") { _, _ in events() }
        router.get("/t/:number") { _, context in await phonePage(context.parameters.get("number") ?? "") }
        router.get("/api/ticket/:number") { _, context in await ticketJSON(context.parameters.get("number") ?? "") }
        router.get("/audio/:file") { _, context in audio(context.parameters.get("file") ?? "") }
    }

    /// Server-Sent Events: the whole board first, then every change. Ends at shutdown.
    private func events() -> Response {
        let stream = hub.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // A quick retry after a drop or a board restart.
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            for await text in stream.cancelOnGracefulShutdown() {
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        })
    }

    /// The phone page of one of today's tickets; a friendly 404 for any other number.
    private func phonePage(_ raw: String) async -> Response {
        guard let number = TicketNumber(parsing: raw) else { return Self.html(BoardPages.notFound(nil), status: .notFound) }
        switch await lookup.ticket(number.description) {
        case .success, .failure(.unavailable):
            // antred away: the page shows "reconnecting" and finds the ticket when it is back.
            return Self.html(BoardPages.phone(number: number.description))
        case .failure(.notFound):
            return Self.html(BoardPages.notFound(number.description), status: .notFound)
        }
    }

    private func ticketJSON(_ raw: String) async -> Response {
        guard let number = TicketNumber(parsing: raw) else {
            return Self.json(["error": "not_found"], status: .notFound)
        }
        switch await lookup.ticket(number.description) {
        case let .success(ticket):
            return Self.json(PhoneTicket(ticket, config: config))
        case .failure(.notFound):
            return Self.json(["error": "not_found"], status: .notFound)
        case let .failure(.unavailable(detail)):
            return Self.json(["error": "reconnecting", "detail": detail], status: .serviceUnavailable)
        }
    }

    /// A cached call-out WAV; only plain file names from the cache folder.
    private func audio(_ file: String) -> Response {
        let allowed = file.hasSuffix(".wav") && !file.hasPrefix(".")
            && file.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        guard allowed, let data = FileManager.default.contents(atPath: (audioDirectory as NSString).appendingPathComponent(file))
        else { return Self.text("no such audio\n", type: "text/plain; charset=utf-8", status: .notFound) }
        var headers = HTTPFields()
        headers[.contentType] = "audio/wav"
        headers[.cacheControl] = "max-age=86400"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        self.text(text, type: "text/html; charset=utf-8", status: status)
    }

    static func text(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// What a phone page shows of its ticket: no names, no times beyond the call.
struct PhoneTicket: Encodable {
    var number: String
    var service: String
    var serviceName: String
    var state: String
    var ahead: Int?
    var counter: String?
    var counterName: String?
    var callCount: Int
    var requirements: [String]

    enum CodingKeys: String, CodingKey {
        case number, service, state, ahead, counter, requirements
        case serviceName = "service_name", counterName = "counter_name", callCount = "call_count"
    }

    init(_ ticket: TicketInfo, config: AntreConfig) {
        number = ticket.number
        service = ticket.service
        serviceName = ticket.serviceName
        state = ticket.state.rawValue
        ahead = ticket.ahead
        counter = ticket.counter
        counterName = ticket.counter.map { config.counter($0)?.name ?? $0 }
        callCount = ticket.callCount
        requirements = config.service(ticket.service)?.requirements ?? []
    }
}
