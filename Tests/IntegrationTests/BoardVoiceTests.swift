import AntreTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `antre-board say` as a technician runs it: the sentence on stdout, a WAV that
/// sox accepts, clear errors for bad input. Audio is checked with soxi/sox.
@Suite(.serialized)
struct BoardVoiceTests {
    static let board = Repo.executable("antre-board")

    static func config(in directory: TemporaryDirectory, voice: [String] = [], board: [String] = [],
                       name: String = "antre.toml") throws -> String {
        let path = directory.file(name)
        try ("""
            [office]
            name = "Kantor Desa Uji"

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"

            [[counter]]
            id = "1"
            name = "Loket 1"

            [[counter]]
            id = "2"
            name = "Loket 2"
            spoken_name = "meja dua"

            [board]
            """ + "\n" + board.joined(separator: "\n") + "\n[board.voice]\ncache = \"\(directory.file("cache"))\"\n"
            + voice.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// soxi's sample rate and duration, and sox's RMS amplitude from `from` seconds on.
    static func sox(_ path: String, from: Double = 0) throws -> (rate: Int, seconds: Double, rms: Double) {
        let rate = try run("/usr/bin/soxi", ["-r", path])
        let seconds = try run("/usr/bin/soxi", ["-D", path])
        let stat = try run("/usr/bin/sox", [path, "-n", "trim", String(from), "stat"])
        #expect(rate.status == 0 && seconds.status == 0 && stat.status == 0, "\(rate)\n\(seconds)\n\(stat)")
        let rms = stat.stderr.split(separator: "\n").first { $0.hasPrefix("RMS     amplitude:") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        return (Int(rate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
                Double(seconds.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, rms)
    }

    @Test func sayWithEspeakPrintsTheSentenceAndWritesAudibleAudio() throws {
        let directory = try TemporaryDirectory(prefix: "antre-say")
        let config = try Self.config(in: directory)
        let wav = directory.file("t012.wav")
        let result = try run(Self.board, ["say", "T-012", "--counter", "1", "--config", config, "--wav", wav])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "Nomor antrean, T, dua belas. Silakan menuju, loket satu.\naudio: \(wav)\n")
        let audio = try Self.sox(wav, from: 1.6)
        #expect(audio.rate == 22050)
        #expect(audio.seconds > 3.5 && audio.seconds < 15, "\(audio)")
        #expect(audio.rms > 0.02, "voice RMS \(audio.rms)")

        // Without --wav the audio lands in the cache, and the same call reuses it.
        let cached = try run(Self.board, ["say", "t12", "--counter", "2", "--config", config])
        #expect(cached.status == 0, "\(cached)")
        let lines = cached.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Nomor antrean, T, dua belas. Silakan menuju, meja dua.")
        let path = try #require(lines.last?.split(separator: " ").last.map(String.init))
        #expect(path.hasPrefix(directory.file("cache") + "/") && path.hasSuffix(".wav"))
        #expect(try Self.sox(path).rms > 0.02)
        let again = try run(Self.board, ["say", "T-012", "--counter", "2", "--config", config])
        #expect(again.stdout == cached.stdout)
    }

    @Test func sayWithRecordedClipsJoinsThem() throws {
        let directory = try TemporaryDirectory(prefix: "antre-say")
        let clips = directory.file("clips")
        try FileManager.default.createDirectory(atPath: clips, withIntermediateDirectories: true)
        for (index, word) in ["nomor-antrean", "te", "seratus", "lima", "belas", "silakan-menuju", "loket", "satu"]
            .enumerated() {
            let made = try run("/usr/bin/sox", ["-n", "-r", "24000", "-b", "16", "-c", "1", "\(clips)/\(word).wav",
                                                "synth", "0.25", "sine", "\(350 + 50 * index)", "vol", "0.4"])
            #expect(made.status == 0, "\(made)")
        }
        let config = try Self.config(in: directory, voice: ["clips = \"\(clips)\""])
        let wav = directory.file("t115.wav")
        let result = try run(Self.board, ["say", "T-115", "--counter", "1", "--config", config, "--wav", wav])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("Nomor antrean, T, seratus lima belas. Silakan menuju, loket satu.\n"))
        let audio = try Self.sox(wav, from: 1.6)
        #expect(audio.rate == 24000)
        // chime 1.2 + 0.35, 8 clips of 0.25, 4 pauses of 0.2
        #expect(abs(audio.seconds - 4.35) < 0.01, "\(audio)")
        #expect(audio.rms > 0.1)

        // Without --wav, play_command plays the cached file here (rooms with speakers but no TV).
        let log = directory.file("played.log")
        let playing = try Self.config(in: directory, voice: [
            "clips = \"\(clips)\"", "play_command = [\"/bin/sh\", \"-c\", \"soxi -D \\\"$1\\\" > '\(log)'\", \"player\"]",
        ], name: "playing.toml")
        let played = try run(Self.board, ["say", "T-115", "--counter", "1", "--config", playing])
        #expect(played.status == 0, "\(played)")
        let seconds = try String(contentsOfFile: log, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(abs((Double(seconds) ?? 0) - 4.35) < 0.01, "player saw \(seconds)")

        // A clip missing: the technician is told which file to record.
        try FileManager.default.removeItem(atPath: "\(clips)/lima.wav")
        let missing = try run(Self.board, ["say", "T-115", "--counter", "1", "--config", config, "--wav", wav])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("missing clips in \(clips): lima.wav"), "\(missing)")
    }

    @Test func badInputGetsAClearError() throws {
        let directory = try TemporaryDirectory(prefix: "antre-say")
        let config = try Self.config(in: directory)
        let counter = try run(Self.board, ["say", "T-012", "--counter", "9", "--config", config])
        #expect(counter.status == 64)
        #expect(counter.stderr == "antre-board: no counter '9' in \(config); counters: 1, 2\n")
        let number = try run(Self.board, ["say", "12", "--counter", "1", "--config", config])
        #expect(number.status == 64)
        #expect(number.stderr.contains("'12' is not a ticket number; write it like T-012"))

        let bad = try Self.config(in: directory, board: ["listen = \"0.0.0.0\""], name: "bad.toml")
        let rejected = try run(Self.board, ["say", "T-012", "--counter", "1", "--config", bad])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("\(bad):19: board.listen: bad listen address '0.0.0.0': expected HOST:PORT"),
                "\(rejected)")

        // The server: a bad address or a bad config is refused at once, naming the problem.
        let address = try run(Self.board, ["--config", config, "--listen", "127.0.0.1:99999"])
        #expect(address.status == 64)
        #expect(address.stderr.contains("--listen 127.0.0.1:99999: port '99999' must be a number 1-65535"), "\(address)")
        let serveBad = try run(Self.board, ["--config", bad])
        #expect(serveBad.status == 1)
        #expect(serveBad.stderr.contains("board.listen: bad listen address"), "\(serveBad)")
    }

    @Test func aSecondBoardOnTheSamePortSaysTheAddressIsTaken() throws {
        let directory = try TemporaryDirectory(prefix: "antre-serve")
        let config = try Self.config(in: directory)
        let port = try FreePort.tcp()
        let first = try ChildProcess(executable: Self.board,
                                     arguments: ["--config", config, "--socket", directory.file("none.sock"),
                                                 "--listen", "127.0.0.1:\(port)"],
                                     outputDirectory: directory.path, name: "first")
        defer { first.kill(SIGTERM) }
        #expect(first.waitForLine(containing: "serving the board at http://127.0.0.1:\(port)/", timeout: .seconds(20)) != nil,
                "\(first.stderr)")
        let second = try run(Self.board, ["--config", config, "--socket", directory.file("none.sock"),
                                          "--listen", "127.0.0.1:\(port)"])
        #expect(second.status == 1, "\(second)")
        #expect(second.stderr.contains("cannot serve on 127.0.0.1:\(port)"), "\(second)")
        #expect(first.isRunning)
    }

    @Test func checkConfigSummaryMentionsTheBoard() throws {
        let result = try run(Repo.executable("antred"), ["--check-config", "--config", Repo.shippedConfig])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\nBoard:      listen 0.0.0.0:8080, phone address "), "\(result.stdout)")
        #expect(result.stdout.contains("\nVoice:      "), "\(result.stdout)")
    }
}
