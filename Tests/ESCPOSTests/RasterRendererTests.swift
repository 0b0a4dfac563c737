import Testing
@testable import ESCPOS

@Suite struct RasterRendererTests {
    /// The dots of `receipt` printed on 80 mm paper.
    static func dots(_ receipt: Receipt, paper: PrinterProfile.PaperWidth = .mm80) -> [[Bool]] {
        let profile = PrinterProfile(paper: paper, hasCutter: false, feedBeforeCut: 0)
        var interpreter = ESCPOSInterpreter(bytes: ESCPOSEncoder(profile: profile).encode(receipt),
                                            columns: profile.columns, paper: RasterPaper(width: paper == .mm58 ? 384 : 576))
        interpreter.run()
        return interpreter.paper.rows
    }

    /// Rows and columns that have ink.
    static func inkBox(_ rows: [[Bool]]) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>)? {
        let inkedRows = rows.indices.filter { rows[$0].contains(true) }
        let inkedColumns = (0..<(rows.first?.count ?? 0)).filter { x in rows.contains { $0[x] } }
        guard let top = inkedRows.first, let bottom = inkedRows.last,
              let left = inkedColumns.first, let right = inkedColumns.last else { return nil }
        return (top...bottom, left...right)
    }

    @Test func doubleSizeTextIsTwiceAsTallAndWide() throws {
        let small = try #require(Self.inkBox(Self.dots(Receipt([.text("B-012")]))))
        let big = try #require(Self.inkBox(Self.dots(Receipt([
            .text("B-012", style: TextStyle(widthScale: 2, heightScale: 2)),
        ]))))
        #expect(big.rows.count >= 2 * small.rows.count - 2)
        #expect(big.columns.count >= 2 * small.columns.count - 2)
    }

    @Test func centredTextSitsInTheMiddleOfThePaper() throws {
        let box = try #require(Self.inkBox(Self.dots(Receipt([.text("Desa", style: TextStyle(alignment: .center))]),
                                                     paper: .mm58)))
        let middle = (box.columns.lowerBound + box.columns.upperBound) / 2
        #expect(abs(middle - 192) <= 12, "\(box.columns)")
    }

    @Test func boldIsHeavier() {
        func ink(_ bold: Bool) -> Int {
            Self.dots(Receipt([.text("Persyaratan", style: TextStyle(bold: bold))])).joined().filter { $0 }.count
        }
        #expect(ink(true) > ink(false))
    }

    @Test func rasterImagesAreDrawnDotForDot() {
        // GS v 0: a 16x2 image, left half black on the first row, right half on the second.
        let bytes: [UInt8] = [0x1B, 0x61, 0x00, 0x1D, 0x76, 0x30, 0x00, 2, 0, 2, 0, 0xFF, 0x00, 0x00, 0xFF]
        var interpreter = ESCPOSInterpreter(bytes: bytes, columns: 48, paper: RasterPaper(width: 576))
        interpreter.run()
        let rows = interpreter.paper.rows
        #expect(rows.count == 2)
        #expect(rows[0][0..<8].allSatisfy { $0 } && !rows[0][8..<16].contains(true))
        #expect(!rows[1][0..<8].contains(true) && rows[1][8..<16].allSatisfy { $0 })
    }

    @Test func pngHasSignatureSizeAndValidChunks() {
        let png = ESCPOSRasterRenderer.png(ESCPOSEncoder(profile: PrinterProfile(paper: .mm58)).encode(Receipt([.text("A")])),
                                           profile: PrinterProfile(paper: .mm58))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width 384 + 2 x 16 margin.
        #expect(Array(png[16..<20]) == [0, 0, 0x01, 0xA0])
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Array(png.suffix(4)) == [0xAE, 0x42, 0x60, 0x82])
    }
}
