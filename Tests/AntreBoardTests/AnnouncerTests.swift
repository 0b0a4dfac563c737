import AntreCore
import AntreTestSupport
import Foundation
import Synchronization
import Testing
@testable import AntreBoard

@Suite(.serialized) struct AnnouncerTests {
    /// A player that logs when it starts and ends, and takes `seconds` to "play".
    static func player(log: String, seconds: Double) -> [String] {
        ["/bin/sh", "-c", "echo \"start $1\" >> '\(log)'; sleep \(seconds); echo end >> '\(log)'", "player"]
    }

    static func announcement(_ sequence: Int) -> Announcement {
        Announcement(number: TicketNumber(prefix: "T", sequence: sequence), counterWords: ["loket", "satu"])
    }

    static func clipsFolder(_ directory: TemporaryDirectory) throws -> String {
        let clips = directory.file("clips")
        try makeClips(["nomor-antrean", "silakan-menuju", "te", "loket", "satu", "dua", "tiga"], in: clips)
        return clips
    }

    @Test func callsArePlayedOneAfterAnotherInOrder() async throws {
        let directory = try TemporaryDirectory(prefix: "antre-announcer")
        let log = directory.file("play.log")
        let settings = VoiceSettings(clips: try Self.clipsFolder(directory),
                                     playCommand: Self.player(log: log, seconds: 0.3), cache: directory.file("cache"))
        let announcer = Announcer(settings: settings)
        defer { announcer.stop() }
        // Three calls at once, as when three officers press call together.
        let spoken = try await withThrowingTaskGroup(of: Announcer.Spoken.self) { group in
            for sequence in 1...3 {
                group.addTask { try await announcer.announce(Self.announcement(sequence)) }
                try await Task.sleep(for: .milliseconds(20))
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(spoken.count == 3 && spoken.allSatisfy(\.played))
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        // Never two at once: every start is followed by its end.
        #expect(lines.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element.hasPrefix("start ") : $0.element == "end" },
                "\(lines)")
        let played = lines.filter { $0.hasPrefix("start ") }.map { String($0.dropFirst(6)) }
        #expect(played == (1...3).map { sequence in
            spoken.first { $0.sentence == Self.announcement(sequence).sentence }?.audioPath ?? "?"
        })
    }

    @Test func aFullQueueRefusesTheNewestCallAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "antre-announcer")
        let log = directory.file("play.log")
        let settings = VoiceSettings(clips: try Self.clipsFolder(directory),
                                     playCommand: Self.player(log: log, seconds: 0.8), cache: directory.file("cache"))
        let announcer = Announcer(settings: settings, capacity: 1)
        defer { announcer.stop() }
        let first = Task { try await announcer.announce(Self.announcement(1)) }
        // Wait until the first is playing: the queue is empty again.
        let deadline = ContinuousClock.now + .seconds(10)
        while ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let second = Task { try await announcer.announce(Self.announcement(2)) }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        await #expect(throws: VoiceError("announcement T-003 dropped: 1 are already waiting or the voice is stopping")) {
            try await announcer.announce(Self.announcement(3))
        }
        #expect(ContinuousClock.now - started < .milliseconds(500))
        #expect(try await first.value.played)
        #expect(try await second.value.played)
    }

    @Test func aFailingPlayerIsReportedAndTheNextCallStillPlays() async throws {
        let directory = try TemporaryDirectory(prefix: "antre-announcer")
        let settings = VoiceSettings(clips: try Self.clipsFolder(directory),
                                     playCommand: ["/bin/sh", "-c", "echo 'no sound card' >&2; exit 3", "player"],
                                     cache: directory.file("cache"))
        let announcer = Announcer(settings: settings)
        defer { announcer.stop() }
        await #expect(throws: VoiceError("play_command: /bin/sh exited with status 3: no sound card")) {
            try await announcer.announce(Self.announcement(1))
        }
        await #expect(throws: VoiceError("play_command: /bin/sh exited with status 3: no sound card")) {
            try await announcer.announce(Self.announcement(2))
        }
    }
}
