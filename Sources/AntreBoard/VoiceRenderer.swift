import AntreCore
import Foundation

/// Announcement -> sound: the chime, a pause, then the sentence spoken from the
/// office's recorded clips (one WAV per word, concatenated) or, without a clips
/// folder, synthesised offline by espeak-ng. Blocking (files, child processes):
/// run it on a dedicated thread (`Announcer`) or in a command-line tool.
public struct VoiceRenderer: Sendable {
    public let settings: VoiceSettings
    /// Silence after the chime and between the sentence's phrases (clips only:
    /// espeak-ng pauses at the commas itself).
    static let chimePause = 0.35
    static let phrasePause = 0.2
    static let espeakTimeout: Duration = .seconds(30)

    public init(settings: VoiceSettings) { self.settings = settings }

    /// Chime and voice as one sound. `workDirectory` holds espeak-ng's output briefly.
    public func render(_ announcement: Announcement, workDirectory: String) throws(VoiceError) -> WAVAudio {
        let voice: WAVAudio
        if let folder = settings.clips {
            voice = try fromClips(announcement, folder: folder)
        } else {
            voice = try fromEspeak(announcement, workDirectory: workDirectory)
        }
        var audio = Chime.audio(format: voice.format)
        audio.append(.silence(Self.chimePause, format: voice.format))
        audio.append(voice)
        return audio
    }

    /// What the sound depends on, for the cache: the sentence or clip words and,
    /// for clips, each file's size and modification time (a re-recorded clip
    /// gives a new key).
    public func cacheKey(_ announcement: Announcement) -> String {
        var parts = ["antre-voice-1"]
        if let folder = settings.clips {
            parts.append("clips:" + folder)
            for word in announcement.clipWords {
                let path = Self.clipPath(folder, word)
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                parts.append("\(word):\(size):\(modified)")
            }
        } else {
            parts += ["espeak:" + settings.espeakVoice, announcement.sentence]
        }
        return fnv1a64(parts.joined(separator: "\n"))
    }

    static func clipPath(_ folder: String, _ word: String) -> String {
        (folder.hasSuffix("/") ? folder : folder + "/") + word + ".wav"
    }

    // MARK: Clips

    func fromClips(_ announcement: Announcement, folder: String) throws(VoiceError) -> WAVAudio {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VoiceError("clips folder \(folder) does not exist; record the clips there or remove "
                + "[board.voice] clips to use espeak-ng")
        }
        let missing = Set(announcement.clipWords).sorted()
            .filter { !FileManager.default.fileExists(atPath: Self.clipPath(folder, $0)) }
        guard missing.isEmpty else {
            throw VoiceError("missing clips in \(folder): " + missing.map { $0 + ".wav" }.joined(separator: ", ")
                + " (one WAV per word; see README, Voice call-out)")
        }
        var result: WAVAudio?
        var firstPath = ""
        for (index, phrase) in announcement.clipPhrases.enumerated() {
            for word in phrase {
                let path = Self.clipPath(folder, word)
                let clip: WAVAudio
                do {
                    clip = try WAVAudio(contentsOf: path)
                } catch {
                    throw VoiceError("clip \(error.message)")
                }
                if var sound = result {
                    guard clip.format == sound.format else {
                        throw VoiceError("clip \(path) is \(clip.format) but \(firstPath) is \(sound.format); "
                            + "record all clips alike or convert them, e.g. sox IN.wav -r \(sound.format.sampleRate) "
                            + "-c \(sound.format.channels) -b \(sound.format.bitsPerSample) OUT.wav")
                    }
                    sound.append(clip)
                    result = sound
                } else {
                    result = clip
                    firstPath = path
                }
            }
            if let sound = result, index < announcement.clipPhrases.count - 1 {
                result?.append(.silence(Self.phrasePause, format: sound.format))
            }
        }
        guard let result else { throw VoiceError("the announcement has no words") }
        return result
    }

    // MARK: espeak-ng

    func fromEspeak(_ announcement: Announcement, workDirectory: String) throws(VoiceError) -> WAVAudio {
        guard ExternalCommand.locate("espeak-ng") != nil else {
            throw VoiceError("espeak-ng is not installed (apt-get install espeak-ng) and [board.voice] has no "
                + "clips folder: nothing can speak the call-out")
        }
        let output = (workDirectory.hasSuffix("/") ? workDirectory : workDirectory + "/")
            + "espeak-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).wav"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try ExternalCommand.run(["espeak-ng", "-v", settings.espeakVoice, "-w", output, announcement.sentence],
                                timeout: Self.espeakTimeout, what: "espeak-ng voice '\(settings.espeakVoice)'")
        let audio: WAVAudio
        do {
            audio = try WAVAudio(contentsOf: output)
        } catch {
            throw VoiceError("espeak-ng wrote an unusable file: \(error.message)")
        }
        guard !audio.frames.isEmpty else {
            throw VoiceError("espeak-ng voice '\(settings.espeakVoice)' produced no sound (is the voice installed? "
                + "espeak-ng --voices)")
        }
        return audio
    }
}

/// FNV-1a, 64 bits, as 16 hex digits: a stable file name for a cache key.
func fnv1a64(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
