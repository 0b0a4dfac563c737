import ESCPOS

// The ESC/POS encoder as it was before the state-tracking rewrite (issue 13),
// kept verbatim as the oracle: what it sends is what tickets printed like, and
// the rewritten encoder must print the same (compared through emupos).

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
struct ReferenceEncoder: Sendable {
    let profile: PrinterProfile

    init(profile: PrinterProfile) { self.profile = profile }

    /// One whole job: ESC @, (FS .), one ESC t, the blocks, feed and cut.
    func encode(_ receipt: Receipt) -> [UInt8] {
        var job = ReferenceJob(profile: profile)
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
private struct ReferenceJob {
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
        max(1, max(1, profile.columns) / Int(referenceClampScale(style.widthScale)))
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
        let left = left.referenceTrimmingSpaces(), right = right.referenceTrimmingSpaces()
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
        (referenceClampScale(style.widthScale) - 1) << 4 | (referenceClampScale(style.heightScale) - 1)
    }
}

private func referenceClampScale(_ scale: UInt8) -> UInt8 { min(max(scale, 1), 8) }

extension String {
    fileprivate func referenceTrimmingSpaces() -> String {
        let characters = Array(self)
        guard let start = characters.firstIndex(where: { $0 != " " }),
              let end = characters.lastIndex(where: { $0 != " " }) else { return "" }
        return String(characters[start...end])
    }
}

