import Foundation
import Testing
@testable import AntreCore

private let base = """
    [office]
    name = "Kantor Desa Uji"

    [[service]]
    id = "ktp"
    name = "KTP-el"
    prefix = "T"

    [[service]]
    id = "kk"
    name = "Kartu Keluarga"
    prefix = "K"

    [[counter]]
    id = "1"
    name = "Loket 1"

    [[counter]]
    id = "2"
    name = "Loket 2"
    spoken_name = "loket dua, dekat pintu"

    """

/// Issue lines for a config that must fail.
private func issues(_ toml: String) -> [String] {
    do {
        _ = try ConfigLoader.parse(toml, file: "t.toml")
        Issue.record("expected the config to be rejected")
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

@Suite struct BoardConfigTests {
    @Test func withoutABoardSectionTheDefaultsApplyAndTicketsHaveNoQR() throws {
        let config = try ConfigLoader.parse(base, file: "t.toml")
        #expect(config.board == BoardSettings())
        #expect(config.board.listen.description == "0.0.0.0:8080")
        #expect(config.board.voice.enabled)
        #expect(config.board.voice.espeakVoice == "id")
        #expect(config.board.voice.clips == nil)
        #expect(config.board.voice.playCommand == nil)
        #expect(config.board.voice.cache == "/var/cache/antre-board")
        #expect(config.office.boardURL == nil)
        #expect(config.counters[0].spoken == "loket satu")
        #expect(config.counters[1].spoken == "loket dua, dekat pintu")
    }

    @Test func everyBoardKeyIsRead() throws {
        let config = try ConfigLoader.parse(base + """
            [board]
            listen = "192.168.1.10:9000"
            url = "HTTP://192.168.1.10:9000/"
            title = "Antrean Desa Uji"
            running_text = "Bawa KK asli"
            services = ["kk"]
            counters = ["2"]

            [board.voice]
            enabled = false
            clips = "/srv/antre/clips"
            espeak_voice = "id+f3"
            play_command = ["aplay", "-q"]
            cache = "demo-state/voice"
            """, file: "t.toml")
        let board = config.board
        #expect(board.listen == BoardListen(host: "192.168.1.10", port: 9000))
        #expect(config.office.boardURL == "http://192.168.1.10:9000")
        #expect(config.office.ticketPageURL(TicketNumber(prefix: "T", sequence: 12)) == "http://192.168.1.10:9000/t/T-012")
        #expect(board.title == "Antrean Desa Uji")
        #expect(board.runningText == "Bawa KK asli")
        #expect(board.services == ["kk"])
        #expect(board.counters == ["2"])
        #expect(board.shows(counter: "2") && !board.shows(counter: "1"))
        #expect(board.voice == VoiceSettings(enabled: false, clips: "/srv/antre/clips", espeakVoice: "id+f3",
                                             playCommand: ["aplay", "-q"], cache: "demo-state/voice"))
    }

    @Test(arguments: ["[::]:8080", "127.0.0.1:1", "board.local:65535"])
    func listenAcceptsHostAndPort(text: String) throws {
        let config = try ConfigLoader.parse(base + "[board]\nlisten = \"\(text)\"\n", file: "t.toml")
        #expect(config.board.listen.description == text)
    }

    @Test func badValuesAreReportedWithFileLineAndKey() {
        let found = issues(base + """
            [board]
            listen = "8080"
            url = "192.168.1.10:8080"
            services = ["ktp", "akta"]
            counters = ["lobi"]
            refresh = 5

            [board.voice]
            enabled = "ya"
            espeak_voice = "id id"
            play_command = []
            clips = ""
            """)
        #expect(found == [
            "t.toml:23: board.listen: bad listen address '8080': expected HOST:PORT, e.g. 0.0.0.0:8080",
            "t.toml:24: board.url: bad board address '192.168.1.10:8080': must start with http:// or https://",
            "t.toml:25: board.services[1]: unknown service 'akta' (services: ktp, kk)",
            "t.toml:26: board.counters[0]: unknown counter 'lobi' (counters: 1, 2)",
            "t.toml:27: board.refresh: unknown key 'refresh' (known keys: listen, url, title, running_text, "
                + "services, counters, voice)",
            "t.toml:30: board.voice.enabled: expected true or false, found a string",
            "t.toml:31: board.voice.espeak_voice: 'id id' is not an espeak-ng voice name (like \"id\" or "
                + "\"id+f3\"; see espeak-ng --voices)",
            "t.toml:32: board.voice.play_command: needs a program, e.g. [\"aplay\", \"-q\"] (the WAV file is "
                + "added at the end)",
            "t.toml:33: board.voice.clips: must not be empty (leave it out instead)",
        ])
    }

    @Test(arguments: [
        ("ftp://desa.local", "must start with http:// or https://"),
        ("http://", "the host is missing: http://192.168.1.10:8080"),
        ("http://admin:rahasia@desa.local", "must not carry a user name or password (it is printed on every ticket)"),
        ("http://desa.local/?a=1", "must not have ?query or #fragment; tickets add /t/<number> to it"),
        ("http://desa .local", "spaces and control characters are not allowed"),
    ])
    func boardURLMustBeAPlainHTTPAddress(url: String, message: String) {
        #expect(issues(base + "[board]\nurl = \"\(url)\"\n")
            == ["t.toml:23: board.url: bad board address '\(url)': \(message)"])
    }

    @Test func listenPortOutOfRangeAndUnknownVoiceKey() {
        #expect(issues(base + "[board]\nlisten = \"0.0.0.0:70000\"\n[board.voice]\nvolume = 3\n") == [
            "t.toml:23: board.listen: bad listen address '0.0.0.0:70000': port '70000' must be a number 1-65535",
            "t.toml:25: board.voice.volume: unknown key 'volume' (known keys: enabled, clips, espeak_voice, "
                + "play_command, cache)",
        ])
    }

    @Test func spokenNameWithoutWordsIsAnError() {
        #expect(issues(base.replacingOccurrences(of: "\"loket dua, dekat pintu\"", with: "\" - \""))
            == ["t.toml:21: counter[1].spoken_name: has no words to say (leave it out to say the name)"])
    }

    @Test func summaryMentionsTheBoardAndTheVoice() throws {
        let config = try ConfigLoader.parse(base + """
            [board]
            url = "http://192.168.1.10:8080"
            counters = ["2"]
            [board.voice]
            clips = "/srv/clips"
            play_command = ["aplay", "-q"]
            """, file: "t.toml")
        let lines = ConfigLoader.summary(of: config).split(separator: "\n").map(String.init)
        #expect(lines.contains("Board:      listen 0.0.0.0:8080, phone address http://192.168.1.10:8080 (QR on tickets)"))
        #expect(lines.contains("            services: all; counters: 2"))
        #expect(lines.contains("Voice:      clips in /srv/clips, cache /var/cache/antre-board; played with aplay -q"))
        #expect(lines.contains("            counters said as: 2 \"loket dua, dekat pintu\""))

        let plain = ConfigLoader.summary(of: try ConfigLoader.parse(base, file: "t.toml"))
        #expect(plain.contains("Board:      listen 0.0.0.0:8080, phone address not set (no QR on tickets)"))
        #expect(plain.contains("Voice:      espeak-ng voice id, cache /var/cache/antre-board"))
    }
}
