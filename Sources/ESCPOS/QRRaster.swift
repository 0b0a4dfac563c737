/// A QR code as a `GS v 0` raster image, for printers without native QR.
///
/// The image holds the symbol and its four-module quiet zone, so it scans
/// whatever is printed around it. Modules are `preferredModuleDots` wide (4 dots
/// = 0.5 mm at 203 dpi, which phone cameras read easily), fewer when the symbol
/// would not fit the printable width.
public enum QRRaster {
    public static let preferredModuleDots = 4
    public static let quietZone = 4

    /// The GS v 0 command for `code`; nil when even 1-dot modules do not fit `maxDots`.
    public static func command(for code: QRCode, maxDots: Int, moduleDots: Int = preferredModuleDots) -> [UInt8]? {
        guard let image = image(for: code, maxDots: maxDots, moduleDots: moduleDots) else { return nil }
        return ESCPOSCommands.rasterImage(widthBytes: image.widthBytes, height: image.height, data: image.bits)
    }

    /// The symbol and its quiet zone as raster rows: `widthBytes` bytes a row, most
    /// significant bit leftmost, 1 = black.
    static func image(for code: QRCode, maxDots: Int, moduleDots: Int) -> (widthBytes: Int, height: Int, bits: [UInt8])? {
        let modulesWide = code.size + 2 * quietZone
        let scale = min(moduleDots, maxDots / modulesWide)
        guard scale >= 1 else { return nil }
        let dots = modulesWide * scale
        let rowBytes = (dots + 7) / 8
        var data = [UInt8](repeating: 0, count: rowBytes * dots)
        for y in 0..<code.size {
            for x in 0..<code.size where code[x, y] {
                let left = (x + quietZone) * scale, top = (y + quietZone) * scale
                for row in top..<(top + scale) {
                    for column in left..<(left + scale) {
                        data[row * rowBytes + column / 8] |= UInt8(0x80 >> (column % 8))
                    }
                }
            }
        }
        return (rowBytes, dots, data)
    }
}
