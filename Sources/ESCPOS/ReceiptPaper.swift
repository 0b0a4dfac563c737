/// One printed character and how it was printed.
struct PrintedCell: Sendable, Equatable {
    var character: Character
    /// Columns of font A it covers (its width scale, twice for a double-byte glyph).
    var columns: Int
    var widthScale: Int
    var heightScale: Int
    var bold: Bool
}

/// Things on paper that are not text.
enum PaperMark: Sendable, Equatable {
    case cut
    case qr(String)
    case barcode(String)
    /// A GS v 0 raster image: rows of `widthBytes` bytes, most significant bit left, 1 = black.
    case raster(widthBytes: Int, height: Int, bits: [UInt8])
    /// An image in a format the previews do not draw.
    case image

    /// How a text preview shows it.
    var placeholder: String {
        switch self {
        case .cut: "--- cut ---"
        case let .qr(data): "[QR: \(data)]"
        case let .barcode(data): "[barcode: \(data)]"
        case .raster, .image: "[image]"
        }
    }
}

/// What `ESCPOSInterpreter` prints on: text lines (TextPaper) or dots (RasterPaper).
protocol ReceiptPaper {
    /// Prints one line of the buffer, `padding` columns in from the left.
    mutating func printLine(_ cells: [PrintedCell], padding: Int)
    /// Prints a mark on a line of its own, aligned as ESC a says; `padding`
    /// places its text placeholder.
    mutating func printMark(_ mark: PaperMark, alignment: Alignment, padding: Int)
    /// ESC J: feeds `dots`; `afterLine` when a line was printed just before.
    mutating func feed(dots: Int, afterLine: Bool)
}
