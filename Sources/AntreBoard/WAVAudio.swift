import Foundation

/// Integer PCM layout of a WAV file.
public struct PCMFormat: Sendable, Equatable, CustomStringConvertible {
    public var sampleRate: Int
    public var channels: Int
    /// 8 (unsigned), 16, 24 or 32 (signed, little-endian).
    public var bitsPerSample: Int

    public init(sampleRate: Int, channels: Int, bitsPerSample: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitsPerSample = bitsPerSample
    }

    /// Bytes of one frame (one sample per channel).
    public var frameBytes: Int { channels * bitsPerSample / 8 }

    public var description: String {
        "\(sampleRate) Hz, \(bitsPerSample)-bit, " + (channels == 1 ? "mono" : "\(channels) channels")
    }
}

/// Why a WAV file could not be used.
public struct WAVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A PCM WAV sound: its format and its frames as stored (little-endian bytes).
/// Enough of RIFF/WAVE to read what recorders, sox and espeak-ng write and to
/// write plain 44-byte-header files that every player accepts.
public struct WAVAudio: Sendable, Equatable {
    public var format: PCMFormat
    public var frames: [UInt8]

    public init(format: PCMFormat, frames: [UInt8] = []) {
        self.format = format
        self.frames = frames
    }

    public var duration: Double {
        Double(frames.count) / Double(max(1, format.frameBytes * format.sampleRate))
    }

    /// `seconds` of silence in `format`.
    public static func silence(_ seconds: Double, format: PCMFormat) -> WAVAudio {
        let count = Int(seconds * Double(format.sampleRate)) * format.frameBytes
        // 8-bit WAV samples are unsigned: silence is the middle value.
        return WAVAudio(format: format, frames: [UInt8](repeating: format.bitsPerSample == 8 ? 0x80 : 0, count: count))
    }

    /// Appends another sound of the same format.
    public mutating func append(_ other: WAVAudio) {
        frames += other.frames
    }

    // MARK: Reading

    /// Parses a RIFF/WAVE file holding integer PCM.
    public init(parsing bytes: [UInt8]) throws(WAVError) {
        guard bytes.count >= 12, Self.tag(bytes, 0) == "RIFF", Self.tag(bytes, 8) == "WAVE" else {
            throw WAVError("not a WAV file (no RIFF/WAVE header)")
        }
        var format: PCMFormat?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = Self.tag(bytes, offset)
            let declared = Self.uint32(bytes, offset + 4)
            let start = offset + 8
            // Streamed writers leave the size at 0 or 0xFFFFFFFF: the chunk runs to the end.
            let size = min(declared, bytes.count - start)
            switch id {
            case "fmt ":
                format = try Self.parseFormat(Array(bytes[start..<(start + size)]))
            case "data":
                guard let format else { throw WAVError("the data chunk comes before the fmt chunk") }
                let usable = (declared == 0 ? bytes.count - start : size) / format.frameBytes * format.frameBytes
                self.init(format: format, frames: Array(bytes[start..<(start + usable)]))
                return
            default:
                break
            }
            offset = start + size + (size % 2)
        }
        throw WAVError(format == nil ? "no fmt chunk" : "no data chunk")
    }

    /// Reads and parses a WAV file; errors name the file.
    public init(contentsOf path: String) throws(WAVError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WAVError("\(path): cannot read the file")
        }
        do {
            try self.init(parsing: Array(data))
        } catch {
            throw WAVError("\(path): \(error.message)")
        }
    }

    private static func parseFormat(_ chunk: [UInt8]) throws(WAVError) -> PCMFormat {
        guard chunk.count >= 16 else { throw WAVError("fmt chunk too short") }
        var tag = uint16(chunk, 0)
        if tag == 0xFFFE, chunk.count >= 26 { tag = uint16(chunk, 24) }  // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
        let channels = uint16(chunk, 2), rate = uint32(chunk, 4), bits = uint16(chunk, 14)
        guard tag == 1 else {
            throw WAVError("audio format \(tag) is not integer PCM; convert it, e.g. sox IN.wav -b 16 OUT.wav")
        }
        guard [8, 16, 24, 32].contains(bits) else { throw WAVError("\(bits)-bit samples are not supported") }
        guard (1...8).contains(channels), (4000...192_000).contains(rate) else {
            throw WAVError("implausible format: \(channels) channels at \(rate) Hz")
        }
        return PCMFormat(sampleRate: rate, channels: channels, bitsPerSample: bits)
    }

    private static func tag(_ bytes: [UInt8], _ at: Int) -> String {
        String(decoding: bytes[at..<min(bytes.count, at + 4)], as: UTF8.self)
    }

    private static func uint16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }

    private static func uint32(_ bytes: [UInt8], _ at: Int) -> Int { uint16(bytes, at) | uint16(bytes, at + 2) << 16 }

    // MARK: Writing

    /// The whole file: 44-byte PCM header, then the frames.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(44 + frames.count)
        func put32(_ value: Int) { out += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func put16(_ value: Int) { out += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        out += Array("RIFF".utf8)
        put32(36 + frames.count)
        out += Array("WAVEfmt ".utf8)
        put32(16)
        put16(1)
        put16(format.channels)
        put32(format.sampleRate)
        put32(format.sampleRate * format.frameBytes)
        put16(format.frameBytes)
        put16(format.bitsPerSample)
        out += Array("data".utf8)
        put32(frames.count)
        out += frames
        return out
    }

    /// Writes the file atomically (a reader never sees half of it).
    public func write(to path: String) throws(WAVError) {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw WAVError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}
