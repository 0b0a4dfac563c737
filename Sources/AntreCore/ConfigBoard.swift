import Foundation
import TOMLKit

/// `[board]` and `[board.voice]`: the waiting-room board and its call-out voice.
extension ConfigDecoder {
    static let boardKeys = ["listen", "url", "title", "running_text", "services", "counters", "voice"]
    static let voiceKeys = ["enabled", "clips", "espeak_voice", "play_command", "cache"]

    /// The board settings and the phone address (`url`), which tickets print.
    func decodeBoard(_ root: TOMLTable, serviceIDs: [String], counterIDs: [String]) -> (BoardSettings, String?) {
        let path: ConfigPath = "board"
        guard let table = reader.table(root, "board", at: ConfigPath(), section: "[board]") else {
            return (BoardSettings(), nil)
        }
        reader.checkKeys(table, at: path, allowed: Self.boardKeys)
        var board = BoardSettings()
        if let text = reader.string(table, "listen", at: path) {
            do {
                board.listen = try BoardListen(parsing: text)
            } catch {
                reader.issue(path / "listen", "bad listen address '\(text)': \(error.message)")
            }
        }
        var url: String?
        if let text = reader.string(table, "url", at: path) {
            do {
                url = try Self.boardURL(text)
            } catch {
                reader.issue(path / "url", "bad board address '\(text)': \(error.message)")
            }
        }
        board.title = reader.string(table, "title", at: path) ?? ""
        board.runningText = reader.string(table, "running_text", at: path) ?? ""
        board.services = reader.strings(table, "services", at: path) ?? []
        for (index, service) in board.services.enumerated() where !knowsService(service, among: serviceIDs) {
            reader.issue(path / "services" / index, unknownService(service, known: serviceIDs))
        }
        board.counters = reader.strings(table, "counters", at: path) ?? []
        for (index, counter) in board.counters.enumerated() where !counterIDs.contains(counter) {
            let hint = closestMatch(to: counter, among: counterIDs).map { "; did you mean '\($0)'?" }
                ?? (counterIDs.isEmpty ? " (no [[counter]] is configured)"
                    : " (counters: \(counterIDs.joined(separator: ", ")))")
            reader.issue(path / "counters" / index, "unknown counter '\(counter)'\(hint)")
        }
        board.voice = decodeVoice(table, at: path)
        return (board, url)
    }

    func decodeVoice(_ board: TOMLTable, at boardPath: ConfigPath) -> VoiceSettings {
        let path = boardPath / "voice"
        guard let table = reader.table(board, "voice", at: boardPath, section: "[board.voice]") else {
            return VoiceSettings()
        }
        reader.checkKeys(table, at: path, allowed: Self.voiceKeys)
        var voice = VoiceSettings()
        voice.enabled = reader.bool(table, "enabled", at: path) ?? true
        for key in ["clips", "cache"] {
            guard let folder = reader.string(table, key, at: path) else { continue }
            if folder.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.issue(path / key, "must not be empty (leave it out instead)")
            } else if key == "clips" {
                voice.clips = folder
            } else {
                voice.cache = folder
            }
        }
        if let name = reader.string(table, "espeak_voice", at: path) {
            if name.range(of: "^[A-Za-z0-9][A-Za-z0-9_+-]*$", options: .regularExpression) == nil {
                reader.issue(path / "espeak_voice",
                             "'\(name)' is not an espeak-ng voice name (like \"id\" or \"id+f3\"; see espeak-ng --voices)")
            } else {
                voice.espeakVoice = name
            }
        }
        if let command = reader.strings(table, "play_command", at: path) {
            if command.first.map({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? true {
                reader.issue(path / "play_command",
                             "needs a program, e.g. [\"aplay\", \"-q\"] (the WAV file is added at the end)")
            } else {
                voice.playCommand = command
            }
        }
        return voice
    }

    /// An http(s) address without query or fragment, trailing slashes removed.
    static func boardURL(_ text: String) throws(ConnectionStringError) -> String {
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw ConnectionStringError("spaces and control characters are not allowed")
        }
        guard text.contains("://") else { throw ConnectionStringError("must start with http:// or https://") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw ConnectionStringError("expected an address like http://192.168.1.10:8080")
        }
        guard scheme == "http" || scheme == "https" else {
            throw ConnectionStringError("must start with http:// or https://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConnectionStringError("the host is missing: http://192.168.1.10:8080")
        }
        guard components.user == nil, components.password == nil else {
            throw ConnectionStringError("must not carry a user name or password (it is printed on every ticket)")
        }
        guard components.query == nil, components.fragment == nil else {
            throw ConnectionStringError("must not have ?query or #fragment; tickets add /t/<number> to it")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ConnectionStringError("port \(port) must be 1-65535")
        }
        var url = text
        url.replaceSubrange(url.startIndex..<url.index(url.startIndex, offsetBy: scheme.count), with: scheme)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

extension ConfigLoader {
    /// The board's lines of the `--check-config` summary.
    static func boardSummary(_ config: AntreConfig) -> [String] {
        let board = config.board, voice = board.voice
        var out = ["Board:      listen \(board.listen), phone address "
            + (config.office.boardURL.map { "\($0) (QR on tickets)" } ?? "not set (no QR on tickets)")]
        let services = board.services.isEmpty ? "all" : board.services.joined(separator: ", ")
        let counters = board.counters.isEmpty ? "all" : board.counters.joined(separator: ", ")
        out.append("            services: \(services); counters: \(counters)")
        if voice.enabled {
            let source = voice.clips.map { "clips in \($0)" } ?? "espeak-ng voice \(voice.espeakVoice)"
            let play = voice.playCommand.map { "; played with \($0.joined(separator: " "))" } ?? ""
            out.append("Voice:      \(source), cache \(voice.cache)\(play)")
            let spoken = config.counters.filter { board.shows(counter: $0.id) }
                .map { "\($0.id) \"\($0.spoken)\"" }
            if !spoken.isEmpty { out.append("            counters said as: \(spoken.joined(separator: ", "))") }
        } else {
            out.append("Voice:      off")
        }
        return out
    }
}
