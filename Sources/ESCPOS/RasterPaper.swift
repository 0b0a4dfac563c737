/// Paper as dots: what the thermal head would burn, one bit a dot, for the
/// PNG preview. Font A is 12x24 dots, lines are 30 dots apart (ESC 2).
struct RasterPaper: ReceiptPaper {
    let font: RasterFont
    /// Printable width in dots (384 on 58 mm paper, 576 on 80 mm).
    let width: Int
    private(set) var rows: [[Bool]] = []
    /// Dots between text lines beyond the glyphs' height.
    private let lineGap = 6

    init(width: Int, font: RasterFont = .terminus) {
        self.width = width
        self.font = font
    }

    private mutating func grow(to height: Int) {
        while rows.count < height { rows.append(Array(repeating: false, count: width)) }
    }

    private mutating func ink(_ x: Int, _ y: Int) {
        guard x >= 0, x < width, y >= 0 else { return }
        grow(to: y + 1)
        rows[y][x] = true
    }

    mutating func printLine(_ cells: [PrintedCell], padding: Int) {
        let top = rows.count
        let tallest = cells.map(\.heightScale).max() ?? 1
        let lineHeight = font.height * tallest
        grow(to: top + lineHeight + lineGap)
        var x = padding * font.width
        for cell in cells {
            // Taller characters share the line's baseline, as on paper.
            let glyphTop = top + lineHeight - font.height * cell.heightScale
            let glyphWidth = font.width * cell.widthScale
            for dy in 0..<(font.height * cell.heightScale) {
                for dx in 0..<glyphWidth where font.isInk(cell.character, bold: cell.bold,
                                                          x: dx / cell.widthScale, y: dy / cell.heightScale) {
                    ink(x + dx, glyphTop + dy)
                }
            }
            x += font.width * cell.columns
        }
    }

    mutating func printMark(_ mark: PaperMark, alignment: Alignment, padding: Int) {
        switch mark {
        case .cut:
            // A dashed line where the knife cuts.
            let y = rows.count + font.height / 2
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
            let top = rows.count
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
        grow(to: rows.count + advance)
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
        return PNGEncoder.blackAndWhite(interpreter.paper.rows, margin: 16)
    }
}
