/// ESC/POS bytes -> plain text, the way the paper would read: used by the
/// preview printer and by tests. It decodes the bytes actually sent, so a
/// preview shows what the encoder produced, not what the layout intended.
///
/// Rendering rules: text decodes through the code page chosen by ESC t (CP437
/// after ESC @); ESC a alignment pads lines to `columns`; double-width text is
/// written once but counts twice its width when aligning, as on paper; lines
/// longer than the paper wrap as the printer would wrap them. Cuts print as
/// "--- cut ---" (unaligned), native QR codes as "[QR: data]", barcodes as "[barcode: data]"
/// and images as "[image]". ESC $ moves to a column (12 dots each) and GS L
/// indents the following lines. Other commands are skipped by their length; unknown
/// ones are skipped without output. Any input terminates: every step consumes at
/// least one byte, and a truncated command ends the rendering.
public enum ESCPOSTextRenderer {
    public static func render(_ bytes: [UInt8], columns: Int = 48) -> String {
        var interpreter = ESCPOSInterpreter(bytes: bytes, columns: max(1, columns), paper: TextPaper())
        interpreter.run()
        return interpreter.paper.lines.map { $0 + "\n" }.joined()
    }
}

/// Paper as lines of text.
struct TextPaper: ReceiptPaper {
    var lines: [String] = []

    mutating func printLine(_ cells: [PrintedCell], padding: Int) {
        var text = String(repeating: " ", count: padding) + String(cells.map(\.character))
        while text.last == " " { text.removeLast() }
        lines.append(text)
    }

    mutating func printMark(_ mark: PaperMark, alignment: Alignment, padding: Int) {
        var text = String(repeating: " ", count: padding) + mark.placeholder
        while text.last == " " { text.removeLast() }
        lines.append(text)
    }

    /// A text line is about 30 dots; the line just printed counts as the first.
    mutating func feed(dots: Int, afterLine: Bool) {
        let feedLines = (dots + 15) / 30
        for _ in 0..<max(0, feedLines - (afterLine ? 1 : 0)) { lines.append("") }
    }
}

/// ESC/POS bytes -> what a paper does: interprets the commands (state, line
/// buffer, wrapping at the paper's columns) and tells `paper` to print lines,
/// images, codes, cuts and feeds. The text and raster previews share it.
struct ESCPOSInterpreter<Paper: ReceiptPaper> {
    let bytes: [UInt8]
    let columns: Int
    var paper: Paper

    var index = 0
    var codePage: CodePage? = .cp437
    var kanji = false
    var alignment: Alignment = .left
    /// GS ! and ESC ! both set the width; whichever came last counts.
    var widthScale = 1
    var heightScale = 1
    var bold = false
    /// Data of the last QR stored with GS ( k, printed on its print function.
    var qrData: [UInt8] = []

    var line: [PrintedCell] = []
    var lineWidth = 0
    /// GS L, in columns: lines start this far in and are that much narrower.
    var margin = 0

    /// Columns left of the print area for a line.
    var areaColumns: Int { max(1, columns - margin) }

    init(bytes: [UInt8], columns: Int, paper: Paper) {
        self.bytes = bytes
        self.columns = columns
        self.paper = paper
    }

    // MARK: - Output

    /// `width`: columns the character covers (double width, double-byte glyphs).
    mutating func put(_ character: Character, width: Int) {
        if lineWidth + width > areaColumns && lineWidth > 0 { flush() }
        line.append(PrintedCell(character: character, columns: width, widthScale: widthScale,
                                heightScale: heightScale, bold: bold))
        lineWidth += width
    }

    /// The left padding, in columns, of a line `width` columns wide.
    func padding(for width: Int) -> Int {
        let free = max(0, areaColumns - width)
        switch alignment {
        case .left: return margin
        case .center: return margin + free / 2
        case .right: return margin + free
        }
    }

    /// Prints the line buffer (an empty buffer prints a blank line).
    mutating func flush() {
        paper.printLine(line, padding: padding(for: lineWidth))
        line = []
        lineWidth = 0
    }

    mutating func flushIfPending() {
        if lineWidth > 0 { flush() }
    }

    /// Something that is not text (a cut, a code, an image) on a line of its own.
    mutating func emit(_ mark: PaperMark) {
        flushIfPending()
        if mark == .cut {
            // A cut goes across the paper whatever the alignment.
            paper.printMark(mark, alignment: .left, padding: 0)
            return
        }
        paper.printMark(mark, alignment: alignment, padding: padding(for: min(areaColumns, mark.placeholder.count)))
    }

    // MARK: - Parsing

    /// The byte at `index + offset`, nil past the end.
    func byte(_ offset: Int) -> Int? {
        let position = index + offset
        return position < bytes.count ? Int(bytes[position]) : nil
    }

    /// Skips `count` bytes; false (and the end of input) when fewer remain.
    mutating func skip(_ count: Int) -> Bool {
        if count > bytes.count - index {
            index = bytes.count
            return false
        }
        index += count
        return true
    }

    mutating func run() {
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case 0x20..<0x7F:
                put(Character(Unicode.Scalar(b)), width: widthScale)
                index += 1
            case 0x80...0xFF:
                if kanji {
                    // Double-byte mode: the printer eats two bytes for one Chinese glyph.
                    put("?", width: 2 * widthScale)
                    index += 2
                } else {
                    put(decodeHigh(b), width: widthScale)
                    index += 1
                }
            case 0x0A:
                flush()
                index += 1
            case 0x09:
                let next = min(columns, (lineWidth / 8 + 1) * 8)
                while lineWidth < next { put(" ", width: 1) }
                index += 1
            case 0x0C:
                flushIfPending()
                index += 1
            case 0x10: dle()
            case 0x1B: esc()
            case 0x1C: fs()
            case 0x1D: gs()
            default:
                index += 1  // CR, NUL, other controls: nothing on paper
            }
        }
        flushIfPending()
    }

    func decodeHigh(_ b: UInt8) -> Character {
        guard let page = codePage else { return "?" }
        let value = page.highHalf[Int(b - 0x80)]
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "?" }
        return Character(scalar)
    }

    mutating func dle() {
        guard let c = byte(1) else { index = bytes.count; return }
        switch c {
        case 0x04:  // DLE EOT n [a]
            guard let n = byte(2) else { index = bytes.count; return }
            _ = skip([7, 8, 18].contains(n) ? 4 : 3)
        case 0x05:  // DLE ENQ n
            _ = skip(3)
        case 0x14:  // DLE DC4 fn ...
            guard let fn = byte(2) else { index = bytes.count; return }
            let extra = [1: 2, 2: 2, 3: 5, 7: 1, 8: 7][fn] ?? 0
            _ = skip(3 + extra)
        default:
            _ = skip(2)
        }
    }

    mutating func esc() {
        guard let c = byte(1) else { index = bytes.count; return }
        switch c {
        case 0x40:  // ESC @
            line = []
            lineWidth = 0
            margin = 0
            codePage = .cp437
            alignment = .left
            widthScale = 1
            heightScale = 1
            bold = false
            _ = skip(2)
        case 0x74:  // ESC t n
            guard let n = byte(2) else { index = bytes.count; return }
            codePage = CodePage.allCases.first { Int($0.escTNumber) == n }
            _ = skip(3)
        case 0x61:  // ESC a n
            guard let n = byte(2) else { index = bytes.count; return }
            switch n {
            case 0, 48: alignment = .left
            case 1, 49: alignment = .center
            case 2, 50: alignment = .right
            default: break
            }
            _ = skip(3)
        case 0x21:  // ESC ! n: bit 3 emphasized, bit 4 double height, bit 5 double width
            guard let n = byte(2) else { index = bytes.count; return }
            widthScale = n & 0x20 != 0 ? 2 : 1
            heightScale = n & 0x10 != 0 ? 2 : 1
            bold = n & 0x08 != 0
            _ = skip(3)
        case 0x45:  // ESC E n: emphasized on/off
            guard let n = byte(2) else { index = bytes.count; return }
            bold = n & 1 != 0
            _ = skip(3)
        case 0x64:  // ESC d n: print and feed n lines
            guard let n = byte(2) else { index = bytes.count; return }
            if n == 0 { flushIfPending() } else { for _ in 0..<n { flush() } }
            _ = skip(3)
        case 0x4A:  // ESC J n: print and feed n dots (a text line is ~30 dots)
            guard let n = byte(2) else { index = bytes.count; return }
            let afterLine = lineWidth > 0
            if afterLine { flush() }
            paper.feed(dots: n, afterLine: afterLine)
            _ = skip(3)
        case 0x69, 0x6D:  // ESC i / ESC m: obsolete cuts
            emit(.cut)
            _ = skip(2)
        case 0x32, 0x3C, 0x4C, 0x53, 0x0C, 0x76:  // no parameter
            _ = skip(2)
        case 0x47, 0x2D, 0x4D, 0x7B, 0x72, 0x52, 0x20, 0x55, 0x56, 0x3D, 0x33, 0x54,
             0x75, 0x25, 0x3F:  // one parameter
            _ = skip(3)
        case 0x63:  // ESC c x n
            _ = skip(4)
        case 0x24:  // ESC $ nL nH: absolute position in dots (12 a Font A column)
            guard let nL = byte(2), let nH = byte(3) else { index = bytes.count; return }
            let column = (nL + nH * 256) / 12
            if column <= areaColumns {
                while lineWidth + widthScale <= column { put(" ", width: widthScale) }
            }
            _ = skip(4)
        case 0x5C:  // ESC \ nL nH
            _ = skip(4)
        case 0x70:  // ESC p m t1 t2
            _ = skip(5)
        case 0x57:  // ESC W: 8 parameters
            _ = skip(10)
        case 0x44:  // ESC D n1...nk NUL
            var offset = 2
            var previous = 0
            while let value = byte(offset), offset < 2 + 33 {
                if value == 0 { offset += 1; break }
                if value <= previous { break }
                previous = value
                offset += 1
            }
            _ = skip(offset)
        case 0x2A:  // ESC * m nL nH data
            guard let m = byte(2), let nL = byte(3), let nH = byte(4) else { index = bytes.count; return }
            let perColumn = (m == 32 || m == 33) ? 3 : 1
            emit(.image)
            _ = skip(5 + (nL + nH * 256) * perColumn)
        case 0x28:  // ESC ( fn pL pH data
            guard let pL = byte(3), let pH = byte(4) else { index = bytes.count; return }
            _ = skip(5 + pL + pH * 256)
        default:
            _ = skip(2)
        }
    }

    mutating func fs() {
        guard let c = byte(1) else { index = bytes.count; return }
        switch c {
        case 0x2E:  // FS .
            kanji = false
            _ = skip(2)
        case 0x26:  // FS &
            kanji = true
            _ = skip(2)
        case 0x21, 0x2D, 0x43, 0x57:  // FS ! / FS - / FS C / FS W n
            _ = skip(3)
        case 0x53, 0x70, 0x3F:  // FS S n1 n2, FS p n m, FS ? c1 c2
            _ = skip(4)
        case 0x32:  // FS 2 c1 c2 + 72 bytes of glyph
            _ = skip(4 + 72)
        case 0x28:  // FS ( fn pL pH data
            guard let pL = byte(3), let pH = byte(4) else { index = bytes.count; return }
            _ = skip(5 + pL + pH * 256)
        default:
            _ = skip(2)
        }
    }

    mutating func gs() {
        guard let c = byte(1) else { index = bytes.count; return }
        switch c {
        case 0x21:  // GS ! n
            guard let n = byte(2) else { index = bytes.count; return }
            widthScale = ((n >> 4) & 0x07) + 1
            heightScale = (n & 0x07) + 1
            _ = skip(3)
        case 0x56:  // GS V m [n]
            guard let m = byte(2) else { index = bytes.count; return }
            emit(.cut)
            _ = skip([65, 66, 97, 98, 103, 104].contains(m) ? 4 : 3)
        case 0x28:  // GS ( ...
            guard let fn = byte(2) else { index = bytes.count; return }
            if fn == 0x6B || fn == 0x4C {  // GS ( k / GS ( L: pL pH data
                guard let pL = byte(3), let pH = byte(4) else { index = bytes.count; return }
                let length = pL + pH * 256
                guard index + 5 + length <= bytes.count else { index = bytes.count; return }
                if fn == 0x6B { twoDimensionalCode(Array(bytes[(index + 5)..<(index + 5 + length)])) }
                if fn == 0x4C { emit(.image) }
                index += 5 + length
            } else {  // GS ( fn pL pH data
                guard let pL = byte(3), let pH = byte(4) else { index = bytes.count; return }
                _ = skip(5 + pL + pH * 256)
            }
        case 0x76:  // GS v 0 m xL xH yL yH data
            guard byte(2) == 0x30, let xL = byte(4), let xH = byte(5), let yL = byte(6), let yH = byte(7)
            else { _ = skip(byte(2) == 0x30 ? bytes.count : 2); return }
            let widthBytes = xL + xH * 256, height = yL + yH * 256
            let start = index + 8, end = start + widthBytes * height
            if end <= bytes.count {
                emit(.raster(widthBytes: widthBytes, height: height, bits: Array(bytes[start..<end])))
            } else {
                emit(.image)
            }
            _ = skip(8 + widthBytes * height)
        case 0x38:  // GS 8 L p1 p2 p3 p4 data
            guard byte(2) == 0x4C, let p1 = byte(3), let p2 = byte(4), let p3 = byte(5), let p4 = byte(6)
            else { _ = skip(byte(2) == 0x4C ? bytes.count : 2); return }
            let length = p1 + p2 << 8 + p3 << 16 + p4 << 24
            emit(.image)
            _ = skip(7 + length)
        case 0x2A:  // GS * x y data
            guard let x = byte(2), let y = byte(3) else { index = bytes.count; return }
            _ = skip(4 + x * y * 8)
        case 0x6B:  // GS k m data
            barcode()
        case 0x42, 0x62, 0x54, 0x61, 0x72, 0x49, 0x77, 0x68, 0x48, 0x66, 0x2F, 0x45, 0x6A, 0x7A:
            _ = skip(3)  // one parameter: reverse, smoothing, GS a (ASB), GS r, bar sizes...
        case 0x4C:  // GS L nL nH: left margin in dots, at the start of a line only
            guard let nL = byte(2), let nH = byte(3) else { index = bytes.count; return }
            if lineWidth == 0 { margin = min(columns - 1, (nL + nH * 256) / 12) }
            _ = skip(4)
        case 0x57, 0x50, 0x24, 0x5C:
            _ = skip(4)  // two parameters: area width, motion units, positions
        default:
            _ = skip(2)
        }
    }

    /// GS ( k body: cn fn parameters. QR (cn 49) store keeps the data, print shows it.
    mutating func twoDimensionalCode(_ body: [UInt8]) {
        guard body.count >= 2, body[0] == 0x31 else { return }
        switch body[1] {
        case 0x50 where body.count >= 3:
            qrData = Array(body[3...])
        case 0x51:
            emit(.qr(text(of: qrData)))
        default:
            break
        }
    }

    /// GS k: function A (m 0-6, data up to NUL) or B (m 65-79, length byte).
    mutating func barcode() {
        guard let m = byte(2) else { index = bytes.count; return }
        let start = index + 3
        if m <= 6 {
            guard let end = bytes[start...].firstIndex(of: 0) else { index = bytes.count; return }
            emit(.barcode(text(of: Array(bytes[start..<end]))))
            index = end + 1
        } else if (65...79).contains(m) {
            guard let n = byte(3), start + 1 + n <= bytes.count else { index = bytes.count; return }
            emit(.barcode(text(of: Array(bytes[(start + 1)..<(start + 1 + n)]))))
            index = start + 1 + n
        } else {
            index += 3
        }
    }

    /// Code payloads are UTF-8 when valid (what the encoder sends), else Latin-1.
    func text(of data: [UInt8]) -> String {
        let cleaned = data.filter { $0 >= 0x20 && $0 != 0x7F }
        if let utf8 = String(validating: cleaned, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(cleaned.map { Unicode.Scalar($0) }))
    }
}
