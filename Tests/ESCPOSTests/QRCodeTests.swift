import AntreTestSupport
import Foundation
import Testing
@testable import ESCPOS

/// The Swift QR encoder, checked the way a phone would: the printed raster image
/// is written as a PNG and must scan (zbarimg) back to the exact payload.
@Suite(.serialized) struct QRCodeTests {
    /// Deterministic printable-ASCII payload of `length` bytes.
    static func payload(_ length: Int, seed: UInt64) -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;= ")
        let prefix = Array("http://192.168.1.10:8080/t/T-012")
        return String((0..<length).map { index -> Character in
            if index < prefix.count, length < 60 { return prefix[index] }
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return alphabet[Int(state % UInt64(alphabet.count))]
        })
    }

    /// The raster command's image, decoded with zbarimg.
    static func scan(_ command: [UInt8], in directory: TemporaryDirectory, name: String) throws -> [String] {
        #expect(Array(command.prefix(4)) == [0x1D, 0x76, 0x30, 0x00])
        let widthBytes = Int(command[4]) | Int(command[5]) << 8
        let height = Int(command[6]) | Int(command[7]) << 8
        #expect(command.count == 8 + widthBytes * height)
        let bitmap = Bitmap(raster: Array(command.dropFirst(8)), widthBytes: widthBytes, height: height)
        let path = directory.file(name + ".png")
        try bitmap.writePNG(to: path)
        return try ZBar.decode(imageAt: path)
    }

    // Lengths either side of level-M byte capacities (v1 14, v2 26, v3 42, v9 180, v10 213)
    // and up to version 40's 2331 bytes.
    static let lengths = [1, 7, 14, 15, 26, 27, 42, 43, 62, 63, 84, 106, 122, 123, 152, 180, 181, 213, 214,
                          287, 412, 666, 1000, 1500, 2331]

    @Test func everyLengthScansBackToItsPayload() throws {
        let directory = try TemporaryDirectory(prefix: "antre-qr")
        var masks = Set<Int>()
        for (index, length) in Self.lengths.enumerated() {
            let text = Self.payload(length, seed: UInt64(index + 1))
            let code = try #require(QRCode(text: text), "\(length) bytes must fit")
            masks.insert(code.mask)
            #expect(code.size == 17 + 4 * code.version)
            let command = try #require(QRRaster.command(for: code, maxDots: 576, moduleDots: 3))
            let decoded = try Self.scan(command, in: directory, name: "qr-\(length)")
            #expect(decoded == [text], "\(length) bytes, version \(code.version), mask \(code.mask)")
        }
        // The penalty scoring really chooses among masks (and each chosen one scans).
        #expect(masks.count >= 4, "masks chosen: \(masks.sorted())")
    }

    @Test func smallestVersionIsChosen() throws {
        let expected = [1: 1, 14: 1, 15: 2, 26: 2, 27: 3, 42: 3, 43: 4, 180: 9, 181: 10, 213: 10, 214: 11, 2331: 40]
        for (length, version) in expected {
            #expect(QRCode(text: Self.payload(length, seed: 9))?.version == version, "\(length) bytes")
        }
        #expect(QRCode(text: String(repeating: "x", count: QRCode.maxBytes + 1)) == nil)
    }

    @Test func utf8PayloadScans() throws {
        let directory = try TemporaryDirectory(prefix: "antre-qr")
        let text = "Antrean Desa Sukamaju: nomor T-012 (loket 1)"
        let code = try #require(QRCode(text: text))
        let command = try #require(QRRaster.command(for: code, maxDots: 384))
        #expect(try Self.scan(command, in: directory, name: "utf8") == [text])
    }

    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func ticketQRFitsThePaperAndScans(paper: PrinterProfile.PaperWidth) throws {
        let directory = try TemporaryDirectory(prefix: "antre-qr")
        let url = "http://192.168.100.200:8080/t/T-012"
        let profile = PrinterProfile(paper: paper, nativeQR: false)
        let bytes = ESCPOSEncoder(profile: profile).encode(Receipt([.qr(url)]))
        let start = try #require(bytes.firstRange(of: [0x1D, 0x76, 0x30, 0x00])?.lowerBound)
        let widthBytes = Int(bytes[start + 4]) | Int(bytes[start + 5]) << 8
        let height = Int(bytes[start + 6]) | Int(bytes[start + 7]) << 8
        #expect(widthBytes * 8 <= profile.printableDots)
        // Centred, as the text around it.
        #expect(bytes[..<start].suffix(3) == [0x1B, 0x61, 0x01])
        let command = Array(bytes[start..<(start + 8 + widthBytes * height)])
        #expect(try Self.scan(command, in: directory, name: "ticket-\(paper.rawValue)") == [url])
        // A board address needs a small symbol: 4-dot modules, a few KB even on slow serial lines.
        #expect(command.count < 4000)
    }

    @Test func largeSymbolsShrinkTheirModulesToFit58mm() throws {
        let code = try #require(QRCode(text: Self.payload(2000, seed: 3)))
        let command = try #require(QRRaster.command(for: code, maxDots: 384))
        let widthBytes = Int(command[4]) | Int(command[5]) << 8
        #expect(widthBytes * 8 <= 384 + 7)
        #expect(widthBytes * 8 >= (code.size + 8) * 2)
    }

    @Test func reedSolomonMatchesAKnownCodeword() {
        // ISO/IEC 18004 Annex I example: "01234567" at version 1-M.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
                             0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    /// The PNG preview (preview printers, the demo) shows a QR that scans, whether
    /// the job carries it natively or as our raster image.
    @Test(arguments: [(PrinterProfile.PaperWidth.mm58, false), (.mm58, true), (.mm80, false), (.mm80, true)])
    func previewPNGShowsAScannableQR(paper: PrinterProfile.PaperWidth, native: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "antre-qr")
        let url = "http://192.168.1.10:8080/t/T-012"
        let profile = PrinterProfile(paper: paper, nativeQR: native)
        let job = ESCPOSEncoder(profile: profile).encode(Receipt([.text("Pantau antrean dari HP Anda:"), .qr(url),
                                                                  .text("Terima kasih")]))
        let path = directory.file("preview.png")
        try Data(ESCPOSRasterRenderer.png(job, profile: profile)).write(to: URL(fileURLWithPath: path))
        #expect(try ZBar.decode(imageAt: path) == [url])
    }
}
