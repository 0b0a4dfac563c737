import AntreCore
import AntreWire
import Foundation

/// Shell completion of service ids, counter ids and today's ticket numbers:
/// from antred when it answers (within a second), else from the config file
/// (ANTRE_CONFIG, default /etc/antre/antre.toml). Never fails: no candidates
/// is an answer too.
enum Completions {
    @Sendable static func services(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        Vocabulary.load(words: words).services
    }

    @Sendable static func counters(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        Vocabulary.load(words: words).counters
    }

    @Sendable static func ticketNumbers(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        Vocabulary.load(words: words).numbers
    }
}

/// What the words of an antre command line may be.
struct Vocabulary {
    var services: [String] = []
    var counters: [String] = []
    /// Today's numbers, newest first.
    var numbers: [String] = []

    static func load(words: [String]) -> Vocabulary {
        let environment = ProcessInfo.processInfo.environment
        let socket = value(of: "--socket", in: words) ?? environment["ANTRE_SOCKET"] ?? SocketDefaults.path
        if let live = fromDaemon(socket: socket) { return live }
        return fromConfig(path: environment["ANTRE_CONFIG"] ?? ConfigLoader.defaultPath)
    }

    /// `--socket PATH` or `--socket=PATH` as typed so far.
    static func value(of option: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word == option, index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix(option + "=") { return String(word.dropFirst(option.count + 1)) }
        }
        return nil
    }

    static func fromDaemon(socket: String) -> Vocabulary? {
        guard let client = try? VarlinkClient(path: socket, timeout: 1),
              let reply = try? client.call(QueueInterface.name + ".Status", [:]),
              let status = try? JSONValue.object(reply).decode(as: StatusReply.self) else { return nil }
        var numbers: [String] = []
        for service in status.services {
            guard let last = service.lastNumber.flatMap(TicketNumber.init(parsing:)) else { continue }
            numbers += (1...last.sequence).reversed().map { TicketNumber(prefix: last.prefix, sequence: $0).description }
        }
        return Vocabulary(services: status.services.map(\.service), counters: status.counters.map(\.counter),
                          numbers: numbers)
    }

    static func fromConfig(path: String) -> Vocabulary {
        guard let config = try? ConfigLoader.load(path: path) else { return Vocabulary() }
        return Vocabulary(services: config.services.map(\.id), counters: config.counters.map(\.id))
    }
}
