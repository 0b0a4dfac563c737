import AntreCore
import AntreTestSupport
import Foundation
import Testing
@testable import AntreBoard

/// A tiny clip set made with sox: one short tone per word, all alike.
func makeClips(_ words: [String], in folder: String, rate: Int = 16000, seconds: Double = 0.15) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (index, word) in words.enumerated() {
        _ = try SoxInfo.run("/usr/bin/sox", ["-n", "-r", "\(rate)", "-b", "16", "-c", "1", "\(folder)/\(word).wav",
                                             "synth", "\(seconds)", "sine", "\(300 + 40 * index)", "vol", "0.5"])
    }
}

let t012AtLoket1 = Announcement(number: TicketNumber(prefix: "T", sequence: 12), counter: Counter(id: "1", name: "Loket 1"))

@Suite(.serialized) struct VoiceRendererTests {
    @Test func espeakVoiceAfterTheChimeIsValidAndNotSilent() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let settings = VoiceSettings(cache: directory.file("cache"))
        let path = try VoiceCache(settings: settings).audioFile(for: t012AtLoket1)
        let info = try SoxInfo(path, from: 1.6)
        #expect(info.sampleRate == 22050)
        #expect(info.channels == 1)
        // Chime 1.2 s + pause 0.35 s + a sentence of a few seconds.
        #expect(info.duration > 3.5 && info.duration < 15, "duration \(info.duration)")
        #expect(info.rms > 0.02, "voice RMS \(info.rms)")
        #expect(try SoxInfo(path).rms > 0.02)
    }

    @Test func clipsAreJoinedPhraseByPhrase() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let clips = directory.file("clips")
        try makeClips(Set(t012AtLoket1.clipWords).sorted(), in: clips)
        let settings = VoiceSettings(clips: clips, cache: directory.file("cache"))
        let path = try VoiceCache(settings: settings).audioFile(for: t012AtLoket1)
        let info = try SoxInfo(path, from: 1.6)
        #expect(info.sampleRate == 16000)
        // chime 1.2 + 0.35 + 7 clips of 0.15 + 4 pauses of 0.2 between the 5 phrases
        #expect(abs(info.duration - 3.4) < 0.01, "duration \(info.duration)")
        #expect(info.rms > 0.1, "clip RMS \(info.rms)")
    }

    @Test func missingClipsAreListedByFileName() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let clips = directory.file("clips")
        try makeClips(["nomor-antrean", "silakan-menuju", "loket", "satu", "dua"], in: clips)
        let renderer = VoiceRenderer(settings: VoiceSettings(clips: clips))
        #expect(throws: VoiceError("missing clips in \(clips): belas.wav, te.wav (one WAV per word; see README, "
                                   + "Voice call-out)")) {
            try renderer.render(t012AtLoket1, workDirectory: directory.path)
        }
    }

    @Test func clipsOfAnotherFormatAreRefusedNamingTheFile() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let clips = directory.file("clips")
        try makeClips(Set(t012AtLoket1.clipWords).sorted(), in: clips)
        try makeClips(["belas"], in: clips, rate: 44100)
        let renderer = VoiceRenderer(settings: VoiceSettings(clips: clips))
        #expect(throws: VoiceError("clip \(clips)/belas.wav is 44100 Hz, 16-bit, mono but \(clips)/nomor-antrean.wav "
                                   + "is 16000 Hz, 16-bit, mono; record all clips alike or convert them, e.g. sox "
                                   + "IN.wav -r 16000 -c 1 -b 16 OUT.wav")) {
            try renderer.render(t012AtLoket1, workDirectory: directory.path)
        }
    }

    @Test func cacheReusesTheFileUntilAClipChanges() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let clips = directory.file("clips")
        try makeClips(Set(t012AtLoket1.clipWords + ["dua"]).sorted(), in: clips)
        let cache = VoiceCache(settings: VoiceSettings(clips: clips, cache: directory.file("cache")))
        let first = try cache.audioFile(for: t012AtLoket1)
        let written = try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date
        usleep(20_000)
        #expect(try cache.audioFile(for: t012AtLoket1) == first)
        #expect(try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date == written)

        let loket2 = Announcement(number: t012AtLoket1.number, counter: Counter(id: "2", name: "Loket 2"))
        #expect(try cache.audioFile(for: loket2) != first)

        try makeClips(["satu"], in: clips, seconds: 0.3)  // re-recorded
        let again = try cache.audioFile(for: t012AtLoket1)
        #expect(again != first)
        #expect(abs(try SoxInfo(again).duration - 3.55) < 0.01)
    }

    @Test func unknownEspeakVoiceIsAClearError() throws {
        let directory = try TemporaryDirectory(prefix: "antre-voice")
        let renderer = VoiceRenderer(settings: VoiceSettings(espeakVoice: "xx-nosuch"))
        do {
            _ = try renderer.render(t012AtLoket1, workDirectory: directory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("espeak-ng voice 'xx-nosuch': espeak-ng"), "\(error)")
        }
        // Nothing left behind in the work folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
