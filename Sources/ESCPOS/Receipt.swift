/// A printer-neutral receipt: what to print, not how. The encoder turns it into
/// ESC/POS bytes for one `PrinterProfile`; layout code never sees a byte.
public struct Receipt: Sendable, Equatable {
    public var blocks: [ReceiptBlock]
    public init(_ blocks: [ReceiptBlock] = []) { self.blocks = blocks }
}

public enum ReceiptBlock: Sendable, Equatable {
    /// A paragraph, word-wrapped to the profile's columns (divided by the style's
    /// width multiplier). Continuation lines are indented by `hangingIndent`
    /// columns so numbered lists line up ("1. Fotokopi KK" / "   lanjutan").
    case text(String, style: TextStyle = .plain, hangingIndent: Int = 0)
    /// Left text and right text on one line, padded between (e.g. date | time).
    case columns(left: String, right: String, style: TextStyle = .plain)
    /// A full-width line of one character (e.g. "-").
    case rule(Character = "-")
    /// Blank lines.
    case feed(lines: Int)
    /// A QR code (native GS ( k when the profile has it).
    case qr(String)
}

public enum Alignment: UInt8, Sendable, Equatable {
    case left = 0, center = 1, right = 2
}

public struct TextStyle: Sendable, Equatable {
    public var alignment: Alignment
    public var bold: Bool
    public var underline: Bool
    /// Character magnification, 1...8 each (GS ! n).
    public var widthScale: UInt8
    public var heightScale: UInt8

    public init(alignment: Alignment = .left, bold: Bool = false, underline: Bool = false,
                widthScale: UInt8 = 1, heightScale: UInt8 = 1) {
        self.alignment = alignment
        self.bold = bold
        self.underline = underline
        self.widthScale = widthScale
        self.heightScale = heightScale
    }

    public static let plain = TextStyle()
}
