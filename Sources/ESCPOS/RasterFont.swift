import Foundation

/// A fixed-size bitmap font: glyph rows of whole bytes, most significant bit left.
struct RasterFont: Sendable {
    let width: Int
    let height: Int
    private let regular: [UInt8]
    private let bold: [UInt8]
    private let bytesPerGlyph: Int
    private let glyphCount: Int
    private let glyphOfScalar: [UInt32: Int]

    init(width: Int, height: Int, glyphCount: Int, bytesPerGlyph: Int, regularBase64: String, boldBase64: String,
         glyphOfScalar: [UInt32: Int]) {
        self.width = width
        self.height = height
        self.glyphCount = glyphCount
        self.bytesPerGlyph = bytesPerGlyph
        self.regular = Data(base64Encoded: regularBase64).map(Array.init) ?? []
        self.bold = Data(base64Encoded: boldBase64).map(Array.init) ?? []
        self.glyphOfScalar = glyphOfScalar
    }

    /// Whether the dot at (`x`, `y`) of `character` is black; characters the
    /// font lacks draw as "?".
    func isInk(_ character: Character, bold isBold: Bool, x: Int, y: Int) -> Bool {
        let scalar = character.unicodeScalars.first.map(\.value) ?? 0x3F
        let glyph = glyphOfScalar[scalar] ?? glyphOfScalar[0x3F] ?? 0
        let bitmap = isBold ? bold : regular
        let rowBytes = (width + 7) / 8
        let offset = glyph * bytesPerGlyph + y * rowBytes + x / 8
        guard glyph < glyphCount, offset < bitmap.count else { return false }
        return bitmap[offset] & (0x80 >> UInt8(x % 8)) != 0
    }
}
