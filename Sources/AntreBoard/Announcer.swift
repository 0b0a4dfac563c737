import AntreCore
import Foundation
import Synchronization

/// Voices announcements one at a time, in call order, on a dedicated thread:
/// renders (or reuses) the WAV, then plays it with `play_command` if one is set
/// and waits for it to finish, so two calls never talk over each other. espeak-ng
/// and the player are child processes waited for on that thread, never on the
/// async pool. At most `capacity` announcements wait; beyond that the newest is
/// refused (a room can't follow a backlog of stale calls anyway).
/// The thread keeps the announcer alive: call `stop()` when done with it.
public final class Announcer: Sendable {
    /// What became of one announcement.
    public struct Spoken: Sendable, Equatable {
        public var sentence: String
        /// The WAV file (in the cache), for the board page to play.
        public var audioPath: String
        public var duration: Double
        /// True when `play_command` played it here.
        public var played: Bool
    }

    private struct Job: Sendable {
        var announcement: Announcement
        var done: @Sendable (Result<Spoken, VoiceError>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopping = false
    }

    public let capacity: Int
    private let cache: VoiceCache
    private let playCommand: [String]?
    private let state = Mutex(State())
    /// Counts queued jobs (plus one wake-up on stop); the worker thread waits on it.
    private let signal = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    public init(settings: VoiceSettings, capacity: Int = 8) {
        self.capacity = max(1, capacity)
        cache = VoiceCache(settings: settings)
        playCommand = settings.playCommand
        let thread = Thread { [self] in loop() }
        thread.name = "antre-voice"
        thread.start()
    }

    /// Queues an announcement and returns once it has been rendered and played.
    public func announce(_ announcement: Announcement) async throws(VoiceError) -> Spoken {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Spoken, VoiceError>, Never>) in
            submit(announcement) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Queues an announcement; `done` runs on the voice thread (or at once when refused).
    public func submit(_ announcement: Announcement, done: @escaping @Sendable (Result<Spoken, VoiceError>) -> Void) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping, state.jobs.count < capacity else { return false }
            state.jobs.append(Job(announcement: announcement, done: done))
            return true
        }
        guard accepted else {
            done(.failure(VoiceError("announcement \(announcement.number) dropped: \(capacity) are already waiting "
                + "or the voice is stopping")))
            return
        }
        signal.signal()
    }

    /// Announcements already queued are still voiced; then the thread ends.
    /// Waits up to `timeout` for that; true when it ended.
    @discardableResult
    public func stop(timeout: Duration = .seconds(30)) -> Bool {
        state.withLock { $0.stopping = true }
        signal.signal()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return stopped.wait(timeout: .now() + seconds) == .success
    }

    private func loop() {
        while true {
            signal.wait()
            let next = state.withLock { state -> Next in
                if !state.jobs.isEmpty { return .job(state.jobs.removeFirst()) }
                return state.stopping ? .stop : .idle
            }
            switch next {
            case let .job(job):
                // Called outside the lock: `done` may resume a task or submit again.
                job.done(Result { () throws(VoiceError) -> Spoken in try voice(job.announcement) })
            case .idle:
                continue
            case .stop:
                stopped.signal()
                return
            }
        }
    }

    private enum Next {
        case job(Job), idle, stop
    }

    private func voice(_ announcement: Announcement) throws(VoiceError) -> Spoken {
        let path = try cache.audioFile(for: announcement)
        let duration = (try? WAVAudio(contentsOf: path))?.duration ?? 0
        var played = false
        if let playCommand {
            try ExternalCommand.run(playCommand + [path], timeout: .seconds(Int64(duration.rounded(.up)) + 15),
                                    what: "play_command")
            played = true
        }
        return Spoken(sentence: announcement.sentence, audioPath: path, duration: duration, played: played)
    }
}
