import AntreTestSupport
import Foundation
import Testing
@testable import AntreBoard

@Suite struct WAVAudioTests {
    @Test func writtenFileReadsBackTheSame() throws {
        let format = PCMFormat(sampleRate: 16000, channels: 1, bitsPerSample: 16)
        let audio = Chime.audio(format: format)
        let parsed = try WAVAudio(parsing: audio.encoded())
        #expect(parsed == audio)
        #expect(abs(audio.duration - 1.2) < 0.01)
    }

    @Test func streamedDataSizeAndExtraChunksAreHandled() throws {
        let format = PCMFormat(sampleRate: 22050, channels: 2, bitsPerSample: 16)
        let frames: [UInt8] = Array(repeating: 7, count: 40)
        var file = WAVAudio(format: format, frames: frames).encoded()
        // A LIST chunk before the data, and the data size left at 0xFFFFFFFF as streaming writers do.
        let list: [UInt8] = Array("LIST".utf8) + [3, 0, 0, 0, 1, 2, 3, 0]
        file.insert(contentsOf: list, at: 36)
        let dataSize = 36 + list.count + 4
        file.replaceSubrange(dataSize..<(dataSize + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        file.append(9)  // half a frame at the end is dropped
        let parsed = try WAVAudio(parsing: file)
        #expect(parsed.format == format)
        #expect(parsed.frames == frames)
    }

    @Test func floatAndGarbageAreRefusedClearly() {
        var float = WAVAudio(format: PCMFormat(sampleRate: 8000, channels: 1, bitsPerSample: 32)).encoded()
        float[20] = 3  // WAVE_FORMAT_IEEE_FLOAT
        #expect(throws: WAVError("audio format 3 is not integer PCM; convert it, e.g. sox IN.wav -b 16 OUT.wav")) {
            try WAVAudio(parsing: float)
        }
        #expect(throws: WAVError("not a WAV file (no RIFF/WAVE header)")) {
            try WAVAudio(parsing: Array("ID3 mp3 data".utf8))
        }
    }

    @Test(arguments: [8, 16, 24, 32])
    func chimeIsAudibleAndValidForSoxAtEveryDepth(bits: Int) throws {
        let directory = try TemporaryDirectory(prefix: "antre-wav")
        let path = directory.file("chime-\(bits).wav")
        try Chime.audio(format: PCMFormat(sampleRate: 44100, channels: 2, bitsPerSample: bits)).write(to: path)
        let info = try SoxInfo(path)
        #expect(info.sampleRate == 44100)
        #expect(info.channels == 2)
        #expect(abs(info.duration - 1.2) < 0.01)
        #expect(info.rms > 0.05, "chime RMS \(info.rms)")
    }
}
