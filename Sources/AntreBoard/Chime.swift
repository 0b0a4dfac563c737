import Foundation

/// The two-tone "ding-dong" before each call-out, generated rather than shipped
/// so it always matches the voice's sample format.
public enum Chime {
    /// (frequency Hz, seconds) of each tone.
    static let tones: [(Double, Double)] = [(659.25, 0.45), (523.25, 0.75)]  // E5, C5

    public static func audio(format: PCMFormat) -> WAVAudio {
        var samples: [Double] = []
        for (frequency, seconds) in tones {
            let count = Int(seconds * Double(format.sampleRate))
            for index in 0..<count {
                let t = Double(index) / Double(format.sampleRate)
                // A 10 ms attack avoids a click; the decay makes it ring like a bell.
                let envelope = min(1, t / 0.01) * exp(-3.5 * t)
                let tone = sin(2 * .pi * frequency * t) + 0.25 * sin(4 * .pi * frequency * t)
                samples.append(0.55 * envelope * tone / 1.25)
            }
        }
        return WAVAudio(format: format, frames: encode(samples, format: format))
    }

    /// Samples in -1...1 as frames of `format` (every channel the same).
    static func encode(_ samples: [Double], format: PCMFormat) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * format.frameBytes)
        let bytes = format.bitsPerSample / 8
        let peak = Double((1 << (format.bitsPerSample - 1)) - 1)
        for sample in samples {
            let clamped = max(-1, min(1, sample))
            var value = Int((clamped * peak).rounded())
            if format.bitsPerSample == 8 { value += 128 }  // 8-bit WAV is unsigned
            for _ in 0..<format.channels {
                for byte in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * byte))) }
            }
        }
        return out
    }
}
