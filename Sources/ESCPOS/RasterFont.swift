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

    /// The glyph drawing `character`; characters the font lacks draw as "?".
    func glyphIndex(of character: Character) -> Int {
        let scalar = character.unicodeScalars.first.map(\.value) ?? 0x3F
        return glyphOfScalar[scalar] ?? glyphOfScalar[0x3F] ?? 0
    }

    /// Row `y` of `glyph`: `width` bits, the leftmost dot in the highest bit.
    func row(_ glyph: Int, bold isBold: Bool, y: Int) -> UInt32 {
        let bitmap = isBold ? bold : regular
        let rowBytes = (width + 7) / 8
        let offset = glyph * bytesPerGlyph + y * rowBytes
        guard glyph < glyphCount, offset + rowBytes <= bitmap.count else { return 0 }
        var value: UInt32 = 0
        for index in 0..<rowBytes { value = value << 8 | UInt32(bitmap[offset + index]) }
        return value >> UInt32(rowBytes * 8 - width)
    }
}
