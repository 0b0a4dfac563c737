/// Paper as dots: what the thermal head would burn, one bit a dot, for the
/// PNG preview. Font A is 12x24 dots, lines are 30 dots apart (ESC 2).
struct RasterPaper: ReceiptPaper {
    let font: RasterFont
    /// Printable width in dots (384 on 58 mm paper, 576 on 80 mm), a multiple of 8.
    let width: Int
    /// Packed rows, most significant bit left, 1 = black: `rowBytes` bytes a row.
    private(set) var bits: [UInt8] = []
    let rowBytes: Int
    /// Dots between text lines beyond the glyphs' height.
    private let lineGap = 6

    init(width: Int, font: RasterFont = .terminus) {
        self.width = (width + 7) / 8 * 8
        self.rowBytes = (width + 7) / 8
        self.font = font
    }

    var height: Int { bits.count / rowBytes }

    /// `rows[y][x]`: black dots, for tests.
    var rows: [[Bool]] {
        (0..<height).map { y in (0..<width).map { x in bits[y * rowBytes + x >> 3] & (0x80 >> UInt8(x & 7)) != 0 } }
    }

    private mutating func grow(to newHeight: Int) {
        if newHeight > height { bits += [UInt8](repeating: 0, count: (newHeight - height) * rowBytes) }
    }

    private mutating func ink(_ x: Int, _ y: Int) {
        guard x >= 0, x < width, y >= 0 else { return }
        if y >= height { grow(to: y + 1) }
        bits[y * rowBytes + x >> 3] |= 0x80 >> UInt8(x & 7)
    }

    mutating func printLine(_ cells: [PrintedCell], padding: Int) {
        let top = height
        let tallest = cells.map(\.heightScale).max() ?? 1
        let lineHeight = font.height * tallest
        grow(to: top + lineHeight + lineGap)
        let (font, width, rowBytes) = (self.font, self.width, self.rowBytes)
        bits.withUnsafeMutableBufferPointer { bits in
            var x = padding * font.width
            for cell in cells {
                // Taller characters share the line's baseline, as on paper.
                let glyphTop = top + lineHeight - font.height * cell.heightScale
                let glyph = font.glyphIndex(of: cell.character)
                let (ws, hs) = (cell.widthScale, cell.heightScale)
                for gy in 0..<font.height {
                    let row = font.row(glyph, bold: cell.bold, y: gy)
                    guard row != 0 else { continue }
                    for gx in 0..<font.width where row & (1 << UInt32(font.width - 1 - gx)) != 0 {
                        for sx in 0..<ws {
                            let dotX = x + gx * ws + sx
                            guard dotX < width else { continue }
                            for sy in 0..<hs {
                                bits[(glyphTop + gy * hs + sy) * rowBytes + dotX >> 3] |= 0x80 >> UInt8(dotX & 7)
                            }
                        }
                    }
                }
                x += font.width * cell.columns
            }
        }
    }

    mutating func printMark(_ mark: PaperMark, alignment: Alignment, padding: Int) {
        switch mark {
        case .cut:
            // A dashed line where the knife cuts.
            let y = height + font.height / 2
            for x in stride(from: 0, to: width, by: 12) { for dx in 0..<6 { ink(x + dx, y) } }
            grow(to: y + font.height / 2 + lineGap)
        case let .raster(widthBytes, height, bits):
            let imageWidth = widthBytes * 8
            let left: Int
            switch alignment {
            case .left: left = 0
            case .center: left = max(0, (width - imageWidth) / 2)
            case .right: left = max(0, width - imageWidth)
            }
            let top = self.height
            grow(to: top + height)
            for y in 0..<height {
                for byteIndex in 0..<widthBytes {
                    let byte = bits[y * widthBytes + byteIndex]
                    guard byte != 0 else { continue }
                    for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                        ink(left + byteIndex * 8 + bit, top + y)
                    }
                }
            }
        case let .qr(data):
            // A native QR (GS ( k) is drawn as the printer would, with the encoder's
            // module size; data too long for a QR code keeps its placeholder.
            if let code = QRCode(text: data),
               let image = QRRaster.image(for: code, maxDots: width, moduleDots: ESCPOSCommands.qrModuleSize) {
                printMark(.raster(widthBytes: image.widthBytes, height: image.height, bits: image.bits),
                          alignment: alignment, padding: padding)
            } else {
                printLine(mark.placeholder.map {
                    PrintedCell(character: $0, columns: 1, widthScale: 1, heightScale: 1, bold: false)
                }, padding: padding)
            }
        case .barcode, .image:
            printLine(mark.placeholder.map {
                PrintedCell(character: $0, columns: 1, widthScale: 1, heightScale: 1, bold: false)
            }, padding: padding)
        }
    }

    mutating func feed(dots: Int, afterLine: Bool) {
        let advance = afterLine ? max(0, dots - (font.height + lineGap)) : dots
        grow(to: height + advance)
    }
}

/// ESC/POS bytes -> a picture of the paper: the PNG preview of a ticket.
public enum ESCPOSRasterRenderer {
    /// A PNG of `bytes` printed on paper `profile.paper` wide, with a white
    /// margin so it reads like a slip of paper.
    public static func png(_ bytes: [UInt8], profile: PrinterProfile) -> [UInt8] {
        let dots = profile.paper == .mm58 ? 384 : 576
        let columns = min(profile.columns, dots / RasterFont.terminus.width)
        var interpreter = ESCPOSInterpreter(bytes: bytes, columns: columns, paper: RasterPaper(width: dots))
        interpreter.run()
        let paper = interpreter.paper
        return PNGEncoder.blackAndWhite(packed: paper.bits, rowBytes: paper.rowBytes, marginBytes: 2)
    }
}
