import AntreBoard
import AntreCore
import ArgumentParser
import Foundation
import Synchronization

@main
struct AntreBoardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "antre-board",
        abstract: "Antre waiting-room board: TV and phone pages, and the spoken call-out.",
        discussion: """
            Serve the board:  antre-board --config /etc/antre/antre.toml
                              (TV page at http://HOST:8080/, phone pages at /t/T-012)
            Check the voice:  antre-board say T-012 --counter 1 --wav /tmp/t012.wav
            """,
        subcommands: [Serve.self, Say.self],
        defaultSubcommand: Serve.self)
}

/// The HTTP board server: TV page, phone pages, live events and call-out audio.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the waiting-room board (the default).",
        discussion: """
            Reads antred (Status, GetTicket, Monitor) over its socket with reader rights and never \
            changes the queue. When antred is away the pages say "reconnecting" and the board \
            retries by itself; it does not exit. Stops on SIGTERM or SIGINT.

            Exit status: 0 stopped, 1 config error or the address is in use, 64 bad arguments.
            """)

    @Option(name: .long, help: "Config file (TOML).")
    var config: String = ConfigLoader.defaultPath

    @Option(name: .long, help: "antred's socket (default: [socket] path from the config).")
    var socket: String?

    @Option(name: .long, help: "HTTP address HOST:PORT (default: [board] listen, 0.0.0.0:8080).")
    var listen: String?

    @Option(name: .long, help: "Voice cache folder (default: [board.voice] cache).")
    var cache: String?

    func run() async throws {
        var listenAddress: BoardListen?
        if let listen {
            do {
                listenAddress = try BoardListen(parsing: listen)
            } catch {
                fail("--listen \(listen): \(error.description)", status: 64)
            }
        }
        var loaded = loadConfigOrExit(config)
        if let cache { loaded.board.voice.cache = cache }
        let socketPath = socket ?? loaded.socket.path
        let server = BoardServer(config: loaded, socketPath: socketPath, listen: listenAddress ?? loaded.board.listen)
        do {
            try await server.run { url in
                print("antre-board: serving the board at \(url)/ (antred at \(socketPath))")
                fflush(nil)  // every stream: the line must reach a pipe at once
            }
        } catch {
            fail("cannot serve on \(listenAddress ?? loaded.board.listen): \(error)", status: 1)
        }
    }
}

/// Prints the sentence a call would say and writes its audio.
struct Say: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say a call-out: print the sentence and write its audio (chime + voice).",
        discussion: """
            Uses [board.voice] from the config: recorded clips when `clips` is set, else espeak-ng.
            Without --wav the audio goes to the voice cache (its path is printed) and is played
            with `play_command` when one is configured.
            Exit status: 0 ok, 1 config or voice error, 64 bad arguments.
            """)

    @Argument(help: "Ticket number, e.g. T-012.")
    var number: String

    @Option(name: .long, help: "Counter id from the config (the loket announced).")
    var counter: String

    @Option(name: .long, help: "Config file (TOML).")
    var config: String = ConfigLoader.defaultPath

    @Option(name: .long, help: "Write the audio (WAV) to this file.")
    var wav: String?

    func run() throws {
        guard let ticket = TicketNumber(parsing: number) else {
            fail("'\(number)' is not a ticket number; write it like T-012", status: 64)
        }
        let loaded = loadConfigOrExit(config)
        guard let desk = loaded.counter(counter) else {
            let known = loaded.counters.map(\.id)
            fail("no counter '\(counter)' in \(config)"
                 + (known.isEmpty ? " (it has no [[counter]])" : "; counters: \(known.joined(separator: ", "))"),
                 status: 64)
        }
        let voice = loaded.board.voice
        let announcement = Announcement(number: ticket, counter: desk)
        print(announcement.sentence)
        if !voice.enabled { warn("[board.voice] enabled = false: the board stays silent; rendering anyway") }

        let cache = VoiceCache(settings: voice)
        do {
            if let wav {
                try writeAudio(announcement, to: wav, cache: cache)
                print("audio: \(wav)")
            } else {
                let path = try cache.audioFile(for: announcement)
                print("audio: \(path)")
                if voice.enabled, voice.playCommand != nil {
                    let announcer = Announcer(settings: voice, capacity: 1)
                    let outcome = Outcome()
                    announcer.submit(announcement) { outcome.set($0) }
                    announcer.stop(timeout: .seconds(120))
                    _ = try outcome.get()
                }
            }
        } catch {
            fail(error.message, status: 1)
        }
    }

    /// Through the cache when it is usable; else rendered straight to the file.
    private func writeAudio(_ announcement: Announcement, to path: String, cache: VoiceCache) throws(VoiceError) {
        let audio: WAVAudio
        do throws(VoiceError) {
            try cache.prepare()
            let cached = try cache.audioFile(for: announcement)
            do {
                audio = try WAVAudio(contentsOf: cached)
            } catch {
                throw VoiceError(error.message)
            }
        } catch {
            guard !cache.isUsable else { throw error }
            warn("\(error.message); writing without the cache")
            let folder = (path as NSString).deletingLastPathComponent
            audio = try cache.renderer.render(announcement, workDirectory: folder.isEmpty ? "." : folder)
        }
        do {
            try audio.write(to: path)
        } catch {
            throw VoiceError(error.message)
        }
    }
}

/// The announcer's result, handed from its thread to this one.
private final class Outcome: Sendable {
    private let result = Mutex<Result<Announcer.Spoken, VoiceError>>(.failure(VoiceError("not voiced")))

    func set(_ value: Result<Announcer.Spoken, VoiceError>) { result.withLock { $0 = value } }

    func get() throws(VoiceError) -> Announcer.Spoken { try result.withLock { $0 }.get() }
}

/// "antre-board: message" on stderr.
private func warn(_ message: String) {
    FileHandle.standardError.write(Data("antre-board: \(message)\n".utf8))
}

/// Says why and exits with `status` (1 config or runtime, 64 usage).
private func fail(_ message: String, status: Int32) -> Never {
    warn(message)
    Foundation.exit(status)
}

/// The config at `path`, or every mistake in it on stderr and exit status 1.
private func loadConfigOrExit(_ path: String) -> AntreConfig {
    do {
        return try ConfigLoader.load(path: path)
    } catch {
        fail(error.description + "\nantre-board: \(error.issues.count) problem(s) in \(path)", status: 1)
    }
}
