/// Receipt -> ESC/POS bytes for one printer profile.
///
/// The encoder wraps text itself (never relying on the printer's own wrapping)
/// and tracks the printer's state through the job: it selects the code page once
/// and sends an alignment, emphasis, underline or size command only when the next
/// line needs a different one (ESC ! when it changes several at once). Every
/// block sets what it needs, so none inherits a style it did not ask for. With
/// `profile.absolutePosition` the right-hand text of a two-column line and
/// hanging indents are placed with ESC $ where that is shorter than spaces; with
/// `profile.leftMargin` long hanging-indented paragraphs use GS L. What prints is
/// the same as a plain encoding's (see the emupos comparison tests).
///
/// It works on code-page bytes from the start (`CodePageEncoder.bytes(for:)`,
/// `WordWrap.wrap(bytes:...)`): a ticket is encoded in a few microseconds.
///
/// QR codes: with `profile.nativeQR` they are sent as `GS ( k` (model 2, module
/// size 6, error correction M). Without it the encoder builds the symbol itself
/// (`QRCode`) and sends it as a centred `GS v 0` raster image (about 3 KB for a
/// board address: 3 s at 9600 baud, so prefer native where the printer has it).
/// Data too long for any QR code prints as a centred text line.
public struct ESCPOSEncoder: Sendable {
    public let profile: PrinterProfile

    public init(profile: PrinterProfile) { self.profile = profile }

    /// One whole job: ESC @, (FS .), the blocks (with one ESC t before the first
    /// character outside ASCII, which is the same on every page), feed and cut.
    public func encode(_ receipt: Receipt) -> [UInt8] {
        var job = Job(profile: profile)
        job.out.reserveCapacity(1024)
        job.out += ESCPOSCommands.initialize
        if profile.cancelKanji { job.out += ESCPOSCommands.cancelKanji }
        for block in receipt.blocks { job.encode(block) }
        // No return to the plain style: feeding blank lines does not depend on
        // it, and the next job starts with ESC @.
        job.feed(profile.feedBeforeCut)
        if profile.hasCutter { job.out += ESCPOSCommands.partialCut }
        return job.out
    }
}

/// One job being written: the bytes so far and the printer's current state.
private struct Job {
    let profile: PrinterProfile
    let text: CodePageEncoder
    var out: [UInt8] = []
    /// What the printer is set to now; ESC @ leaves it plain, margin 0.
    var current = TextStyle.plain
    var margin = 0
    /// The last byte is the LF that ended a text line.
    var endedTextLine = false
    var codePageSelected = false

    /// ESC $ nL nH / GS L nL nH.
    static let positionCost = 4, marginCost = 4

    init(profile: PrinterProfile) {
        self.profile = profile
        self.text = CodePageEncoder(codePage: profile.codePage)
    }

    /// Columns for text at a style's width multiplier.
    func width(for style: TextStyle) -> Int {
        max(1, max(1, profile.columns) / Int(clampScale(style.widthScale)))
    }

    /// Whether a line of `profile.columns` characters spans the print area, so
    /// that its alignment cannot move it.
    var ruleFillsPrintArea: Bool { profile.columns * PrinterProfile.columnDots == profile.printableDots }

    mutating func encode(_ block: ReceiptBlock) {
        switch block {
        case let .text(string, style, hangingIndent):
            paragraph(text.bytes(for: string), style: style, hangingIndent: hangingIndent)

        case let .columns(left, right, style):
            // A two-column line fills the width itself: alignment would shift it.
            var style = style
            style.alignment = .left
            columns(left: trimmingSpaces(text.bytes(for: left)), right: trimmingSpaces(text.bytes(for: right)),
                    style: style)

        case let .rule(character):
            let mapped = text.bytes(for: String(character)).first ?? 0x2D
            // Only the character style matters to a line as wide as the print area.
            var style = TextStyle.plain
            if ruleFillsPrintArea { style.alignment = current.alignment }
            lineStart(style, margin: 0)
            put([mapped == 0x20 ? 0x2D : mapped])
            out += repeatElement(mapped == 0x20 ? 0x2D : mapped, count: max(1, profile.columns) - 1)
            endLine()

        case let .feed(lines):
            feed(lines)

        case let .qr(data):
            qr(data)
        }
    }

    /// How continuation lines of a paragraph are indented.
    enum Indent { case spaces, position, margin }

    mutating func paragraph(_ bytes: [UInt8], style: TextStyle, hangingIndent: Int) {
        let wrapped = WordWrap.wrap(bytes: bytes, width: width(for: style), hangingIndent: hangingIndent)
        let indent = wrapped.indent
        let indentDots = indent * PrinterProfile.columnDots * Int(clampScale(style.widthScale))
        let continuation = wrapped.lines.count - 1
        // The cheapest way that prints the same; positions are only used on
        // left-aligned text, where they mean the same column as the spaces.
        var how = Indent.spaces
        if indent > 0 && continuation > 0 && style.alignment == .left {
            var cost = indent * continuation
            if profile.absolutePosition && Self.positionCost * continuation < cost {
                how = .position
                cost = Self.positionCost * continuation
            }
            if profile.leftMargin && 2 * Self.marginCost < cost { how = .margin }
        }
        for (number, line) in wrapped.lines.enumerated() {
            if number == 0 || how != .margin {
                lineStart(style, margin: 0)
            } else {
                lineStart(style, margin: indentDots)
            }
            if number > 0 && indent > 0 {
                switch how {
                case .spaces: out += repeatElement(0x20, count: indent)
                case .position: out += ESCPOSCommands.absolutePosition(dots: indentDots)
                case .margin: break
                }
            }
            put(wrapped.text[line])
            endLine()
        }
    }

    /// Left text, then right text ending at the last column; when both do not
    /// fit, the left text wraps and the right text goes right-aligned after it.
    mutating func columns(left: ArraySlice<UInt8>, right: ArraySlice<UInt8>, style: TextStyle) {
        let width = width(for: style)
        if right.isEmpty {
            paragraph(Array(left), style: style, hangingIndent: 0)
            return
        }
        let dots = PrinterProfile.columnDots * Int(clampScale(style.widthScale))
        lineStart(style, margin: 0)
        if left.count + 1 + right.count <= width {
            put(left)
            skip(from: left.count, to: width - right.count, columnDots: dots)
            put(right)
            endLine()
            return
        }
        if !left.isEmpty { paragraph(Array(left), style: style, hangingIndent: 0) }
        let parts = WordWrap.wrap(bytes: Array(right), width: width)
        for part in parts.lines {
            lineStart(style, margin: 0)
            skip(from: 0, to: width - part.count, columnDots: dots)
            put(parts.text[part])
            endLine()
        }
    }

    /// Moves from column `from` to column `to` of the line: spaces, or ESC $ when shorter.
    mutating func skip(from: Int, to: Int, columnDots: Int) {
        let gap = to - from
        guard gap > 0 else { return }
        if profile.absolutePosition && gap > Self.positionCost {
            out += ESCPOSCommands.absolutePosition(dots: to * columnDots)
        } else {
            out += repeatElement(0x20, count: gap)
        }
    }

    /// Text bytes; the code page is selected before the first byte that needs it.
    mutating func put<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        if !codePageSelected && bytes.contains(where: { $0 >= 0x80 }) {
            out += ESCPOSCommands.selectCodePage(profile.codePage)
            codePageSelected = true
        }
        out += bytes
    }

    /// LF, remembering that a text line just ended (see `feed`).
    mutating func endLine() {
        out.append(ESCPOSCommands.lineFeed)
        endedTextLine = true
    }

    mutating func feed(_ lines: Int) {
        var remaining = max(0, lines)
        // ESC d prints the line buffer first: a text line's LF then ESC d n feeds
        // the same as ESC d n+1, when the line is no taller than the line spacing.
        if remaining > 0 && remaining < 255 && endedTextLine && clampScale(current.heightScale) == 1 {
            out.removeLast()
            remaining += 1
        }
        endedTextLine = false
        while remaining > 0 {
            let n = min(remaining, 255)
            out += [0x1B, 0x64, UInt8(n)]
            remaining -= n
        }
    }

    mutating func qr(_ data: String) {
        // QR payloads are UTF-8 (what phone scanners expect), minus control characters.
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: data.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
        let payload = Array(String(kept).utf8)
        guard !payload.isEmpty else { return }
        // Character styles do not touch codes and images: only the alignment.
        var centred = current
        centred.alignment = .center
        if profile.nativeQR, payload.count <= ESCPOSCommands.qrMaxBytes {
            lineStart(centred, margin: 0)
            out += ESCPOSCommands.qrCode(payload)
            endedTextLine = false
        } else if let code = QRCode(bytes: payload),
                  let image = QRRaster.command(for: code, maxDots: profile.printableDots) {
            lineStart(centred, margin: 0)
            out += image
            endedTextLine = false
        } else {
            encode(.text(data, style: TextStyle(alignment: .center)))
        }
    }

    /// Brings the printer to `style` and `margin` at the start of a line,
    /// sending only what differs from its current state.
    mutating func lineStart(_ style: TextStyle, margin dots: Int) {
        endedTextLine = false
        if dots != margin {
            out += ESCPOSCommands.leftMargin(dots: dots)
            margin = dots
        }
        if style.alignment != current.alignment { out += [0x1B, 0x61, style.alignment.rawValue] }
        let size = sizeByte(style), currentSize = sizeByte(current)
        let boldChanges = style.bold != current.bold, underlineChanges = style.underline != current.underline
        let changes = (boldChanges ? 1 : 0) + (underlineChanges ? 1 : 0) + (size != currentSize ? 1 : 0)
        if changes >= 2 && size & 0xEE == 0 {
            // ESC ! sets emphasis, underline and double width/height in one command.
            let mode = (style.bold ? 0x08 : 0) | (size & 0x01 != 0 ? 0x10 : 0) | (size & 0x10 != 0 ? 0x20 : 0)
                | (style.underline ? 0x80 : 0)
            out += [0x1B, 0x21, UInt8(mode)]
        } else {
            if boldChanges { out += [0x1B, 0x45, style.bold ? 1 : 0] }
            if underlineChanges { out += [0x1B, 0x2D, style.underline ? 1 : 0] }
            if size != currentSize { out += [0x1D, 0x21, size] }
        }
        current = style
    }

    func sizeByte(_ style: TextStyle) -> UInt8 {
        (clampScale(style.widthScale) - 1) << 4 | (clampScale(style.heightScale) - 1)
    }
}

private func clampScale(_ scale: UInt8) -> UInt8 { min(max(scale, 1), 8) }

private func trimmingSpaces(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    guard let start = bytes.firstIndex(where: { $0 != 0x20 }),
          let end = bytes.lastIndex(where: { $0 != 0x20 }) else { return [] }
    return bytes[start...end]
}

/// Raw ESC/POS command bytes, for the encoder and for transports (status queries).
public enum ESCPOSCommands {
    /// ESC @: initialise (clears styles, selects code page 0 on most printers).
    public static let initialize: [UInt8] = [0x1B, 0x40]
    /// FS .: leave Kanji/Chinese double-byte mode (clone printers start in it).
    public static let cancelKanji: [UInt8] = [0x1C, 0x2E]
    /// GS V 1: partial cut, no feed (the encoder feeds `feedBeforeCut` lines first).
    public static let partialCut: [UInt8] = [0x1D, 0x56, 0x01]
    public static let lineFeed: UInt8 = 0x0A
    /// Largest byte-mode payload a model 2 QR holds at error correction M (version 40).
    public static let qrMaxBytes = 2331

    /// ESC $ nL nH: print position `dots` from the left margin (1 dot = 1 motion unit at 203 dpi).
    public static func absolutePosition(dots: Int) -> [UInt8] {
        [0x1B, 0x24, UInt8(dots & 0xFF), UInt8((dots >> 8) & 0xFF)]
    }

    /// GS L nL nH: left margin of `dots`, taking effect from the next line start.
    public static func leftMargin(dots: Int) -> [UInt8] {
        [0x1D, 0x4C, UInt8(dots & 0xFF), UInt8((dots >> 8) & 0xFF)]
    }

    /// ESC t n for a code page.
    public static func selectCodePage(_ page: CodePage) -> [UInt8] { [0x1B, 0x74, page.escTNumber] }

    /// DLE EOT n: real-time status request, answered by one byte (n = 1...4).
    public static func statusQuery(_ n: UInt8) -> [UInt8] { [0x10, 0x04, n] }

    /// GS a n: enable Automatic Status Back for the categories in n (0 disables).
    public static func automaticStatusBack(_ n: UInt8) -> [UInt8] { [0x1D, 0x61, n] }

    /// GS v 0 (normal density): a raster image, `widthBytes` bytes (8 dots each,
    /// most significant bit leftmost) by `height` rows.
    public static func rasterImage(widthBytes: Int, height: Int, data: [UInt8]) -> [UInt8] {
        [0x1D, 0x76, 0x30, 0x00, UInt8(widthBytes & 0xFF), UInt8((widthBytes >> 8) & 0xFF),
         UInt8(height & 0xFF), UInt8((height >> 8) & 0xFF)] + data
    }

    /// Dots per module of a native QR code.
    public static let qrModuleSize = 6

    /// GS ( k: QR model 2, module size, error correction M, store, print.
    public static func qrCode(_ payload: [UInt8], moduleSize: UInt8 = UInt8(qrModuleSize)) -> [UInt8] {
        let storeLength = payload.count + 3
        return [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]  // model 2
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, moduleSize]  // module size
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]  // error correction M
            + [0x1D, 0x28, 0x6B, UInt8(storeLength & 0xFF), UInt8((storeLength >> 8) & 0xFF), 0x31, 0x50, 0x30]
            + payload
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]  // print
    }
}
