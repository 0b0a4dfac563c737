/// Receipt -> ESC/POS bytes for one printer profile.
///
/// The encoder wraps text itself (never relying on the printer's own wrapping),
/// selects the code page once per job and emits a style command only when the
/// style changes; every styled block ends back in the plain style, so a block
/// never inherits bold or double size from the one before it.
///
/// QR codes: with `profile.nativeQR` they are sent as `GS ( k` (model 2, module
/// size 6, error correction M). Without it the encoder builds the symbol itself
/// (`QRCode`) and sends it as a centred `GS v 0` raster image (about 3 KB for a
/// board address: 3 s at 9600 baud, so prefer native where the printer has it).
/// Data too long for any QR code prints as a centred text line.
public struct ESCPOSEncoder: Sendable {
    public let profile: PrinterProfile

    public init(profile: PrinterProfile) { self.profile = profile }

    /// One whole job: ESC @, (FS .), one ESC t, the blocks, feed and cut.
    public func encode(_ receipt: Receipt) -> [UInt8] {
        var job = Job(profile: profile)
        job.out += ESCPOSCommands.initialize
        if profile.cancelKanji { job.out += ESCPOSCommands.cancelKanji }
        job.out += ESCPOSCommands.selectCodePage(profile.codePage)
        for block in receipt.blocks { job.encode(block) }
        job.set(.plain)
        job.feed(profile.feedBeforeCut)
        if profile.hasCutter { job.out += ESCPOSCommands.partialCut }
        return job.out
    }
}

/// One job being written: the bytes so far and the printer's current style.
private struct Job {
    let profile: PrinterProfile
    let text: CodePageEncoder
    var out: [UInt8] = []
    /// What the printer is set to now; ESC @ leaves it plain.
    var current = TextStyle.plain

    init(profile: PrinterProfile) {
        self.profile = profile
        self.text = CodePageEncoder(codePage: profile.codePage)
    }

    /// Columns for text at a style's width multiplier.
    func width(for style: TextStyle) -> Int {
        max(1, max(1, profile.columns) / Int(clampScale(style.widthScale)))
    }

    mutating func encode(_ block: ReceiptBlock) {
        switch block {
        case let .text(string, style, hangingIndent):
            set(style)
            let lines = WordWrap.wrap(text.printable(string), width: width(for: style),
                                      hangingIndent: hangingIndent)
            for line in lines { printLine(line) }
            set(.plain)

        case let .columns(left, right, style):
            // A two-column line fills the width itself: alignment would shift it.
            var style = style
            style.alignment = .left
            set(style)
            for line in columnLines(left: text.printable(left), right: text.printable(right),
                                    width: width(for: style)) {
                printLine(line)
            }
            set(.plain)

        case let .rule(character):
            set(.plain)
            let mapped = text.printable(String(character)).first ?? "-"
            printLine(String(repeating: mapped == " " ? "-" : mapped, count: max(1, profile.columns)))

        case let .feed(lines):
            feed(lines)

        case let .qr(data):
            qr(data)
        }
    }

    /// Left text, spaces, right text on one line; when both do not fit, the left
    /// text wraps and the right text goes right-aligned on the line after it.
    func columnLines(left: String, right: String, width: Int) -> [String] {
        let left = left.trimmingSpaces(), right = right.trimmingSpaces()
        if right.isEmpty { return WordWrap.wrap(left, width: width) }
        if left.count + 1 + right.count <= width {
            return [left + String(repeating: " ", count: width - left.count - right.count) + right]
        }
        var lines = left.isEmpty ? [] : WordWrap.wrap(left, width: width)
        for part in WordWrap.wrap(right, width: width) {
            lines.append(String(repeating: " ", count: max(0, width - part.count)) + part)
        }
        return lines
    }

    mutating func printLine(_ line: String) {
        out += text.bytes(for: line)
        out.append(ESCPOSCommands.lineFeed)
    }

    mutating func feed(_ lines: Int) {
        var remaining = max(0, lines)
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
        let centred = TextStyle(alignment: .center)
        if profile.nativeQR, payload.count <= ESCPOSCommands.qrMaxBytes {
            set(centred)
            out += ESCPOSCommands.qrCode(payload)
            set(.plain)
        } else if let code = QRCode(bytes: payload),
                  let image = QRRaster.command(for: code, maxDots: profile.printableDots) {
            set(centred)
            out += image
            set(.plain)
        } else {
            encode(.text(data, style: centred))
        }
    }

    /// Emits only the commands for what differs from the printer's current style.
    mutating func set(_ style: TextStyle) {
        if style.alignment != current.alignment { out += [0x1B, 0x61, style.alignment.rawValue] }
        if style.bold != current.bold { out += [0x1B, 0x45, style.bold ? 1 : 0] }
        if style.underline != current.underline { out += [0x1B, 0x2D, style.underline ? 1 : 0] }
        let size = sizeByte(style), currentSize = sizeByte(current)
        if size != currentSize { out += [0x1D, 0x21, size] }
        current = style
    }

    func sizeByte(_ style: TextStyle) -> UInt8 {
        (clampScale(style.widthScale) - 1) << 4 | (clampScale(style.heightScale) - 1)
    }
}

private func clampScale(_ scale: UInt8) -> UInt8 { min(max(scale, 1), 8) }

extension String {
    fileprivate func trimmingSpaces() -> String {
        let characters = Array(self)
        guard let start = characters.firstIndex(where: { $0 != " " }),
              let end = characters.lastIndex(where: { $0 != " " }) else { return "" }
        return String(characters[start...end])
    }
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
