/// The waiting-room board (`antre-board`): what the TV and phone pages show and
/// how the call-out is voiced. Read from `[board]` and `[board.voice]`.
///
/// The address residents' phones use (`[board] url`) is kept on `Office.boardURL`
/// instead: every ticket prints it as a QR code, and a ticket only sees the office.
public struct BoardSettings: Sendable, Equatable {
    public static let defaultListen = BoardListen(host: "0.0.0.0", port: 8080)

    /// Where the board's HTTP server listens.
    public var listen: BoardListen
    /// Heading of the TV page; empty: the office name.
    public var title: String
    /// The line that scrolls along the bottom of the TV page; empty: none.
    public var runningText: String
    /// Service ids shown (waiting counts); empty: all services.
    public var services: [String]
    /// Counter ids whose calls are shown and announced; empty: all counters.
    public var counters: [String]
    public var voice: VoiceSettings

    public init(listen: BoardListen = BoardSettings.defaultListen, title: String = "", runningText: String = "",
                services: [String] = [], counters: [String] = [], voice: VoiceSettings = VoiceSettings()) {
        self.listen = listen
        self.title = title
        self.runningText = runningText
        self.services = services
        self.counters = counters
        self.voice = voice
    }

    /// Whether the board shows and announces calls at this counter.
    public func shows(counter id: String) -> Bool { counters.isEmpty || counters.contains(id) }
}

/// `host:port` for the board's HTTP server ("0.0.0.0:8080", "[::]:8080").
public struct BoardListen: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "HOST:PORT"; an IPv6 host is written in brackets ("[::1]:8080").
    public init(parsing text: String) throws(ConnectionStringError) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConnectionStringError("an IPv6 address is written [ADDRESS]:PORT, e.g. [::]:8080")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConnectionStringError("expected HOST:PORT, e.g. 0.0.0.0:8080")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw ConnectionStringError("write an IPv6 address in brackets: [ADDRESS]:PORT")
            }
        }
        guard !host.isEmpty else { throw ConnectionStringError("the host is missing; use 0.0.0.0 for every interface") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:%".contains($0)) }) else {
            throw ConnectionStringError("'\(host)' is not a host name or IP address")
        }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65535).contains(port)
        else { throw ConnectionStringError("port '\(portText)' must be a number 1-65535") }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How the call-out is voiced.
public struct VoiceSettings: Sendable, Equatable {
    public static let defaultCache = "/var/cache/antre-board"

    /// false: the board stays silent (no chime, no voice).
    public var enabled: Bool
    /// A folder of recorded clips, one WAV per word (see `Announcement.clipWords`);
    /// nil: synthesised with espeak-ng.
    public var clips: String?
    /// espeak-ng voice when there are no clips.
    public var espeakVoice: String
    /// Plays each announcement on this machine too (e.g. ["aplay", "-q"]); the WAV
    /// file's path is added as the last argument. nil: only the board page plays it.
    public var playCommand: [String]?
    /// Folder for generated WAVs (reused for the same sentence).
    public var cache: String

    public init(enabled: Bool = true, clips: String? = nil, espeakVoice: String = "id",
                playCommand: [String]? = nil, cache: String = VoiceSettings.defaultCache) {
        self.enabled = enabled
        self.clips = clips
        self.espeakVoice = espeakVoice
        self.playCommand = playCommand
        self.cache = cache
    }
}
