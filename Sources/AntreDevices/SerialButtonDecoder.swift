import AntreCore

/// Turns the bytes of a serial button box into button keys.
/// Byte framing: each printable ASCII byte is a key ("1"); CR, LF, NUL and other
/// control bytes are ignored. Line framing: each CR/LF-terminated line, trimmed,
/// is a key ("BTN1"); empty lines are ignored and lines over `maxLineLength`
/// are dropped whole (line noise, not a button).
public struct SerialButtonDecoder: Sendable {
    public static let maxLineLength = 64
    public let framing: InputSpec.SerialFraming
    private var line: [UInt8] = []
    private var overlong = false

    public init(framing: InputSpec.SerialFraming) { self.framing = framing }

    /// Feeds received bytes; returns the keys they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var keys: [String] = []
        for b in bytes {
            switch framing {
            case .byte:
                if b >= 0x20 && b < 0x7F { keys.append(String(UnicodeScalar(b))) }
            case .line:
                if b == 0x0D || b == 0x0A {
                    if !overlong, let key = Self.trimmed(line) { keys.append(key) }
                    line.removeAll(keepingCapacity: true)
                    overlong = false
                } else if b != 0 {
                    if line.count >= Self.maxLineLength { overlong = true } else { line.append(b) }
                }
            }
        }
        return keys
    }

    private static func trimmed(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let key = text.trimmingCharactersInWhitespace()
        return key.isEmpty ? nil : key
    }
}

extension String {
    fileprivate func trimmingCharactersInWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace && $0.value >= 0x20 }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace && $0.value >= 0x20 })
        else { return "" }
        return String(scalars[start...end])
    }
}
