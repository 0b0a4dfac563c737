import Testing
@testable import ESCPOS

/// Byte-level behaviour of one job, checked against the command table in escpos.md.
@Suite struct EncoderTests {
    static let centredBold = TextStyle(alignment: .center, bold: true)
    static let big = TextStyle(alignment: .center, bold: true, widthScale: 2, heightScale: 2)

    static let small = Receipt([
        .text("Antre", style: centredBold),
        .text("B-012", style: big),
        .text("Café"),
        .rule(),
        .feed(lines: 1),
    ])

    @Test func smallReceiptOn58mmCP850WithCutter() {
        let profile = PrinterProfile(paper: .mm58, codePage: .cp850, hasCutter: true, feedBeforeCut: 3)
        let bytes = ESCPOSEncoder(profile: profile).encode(Self.small)
        var expected: [UInt8] = [0x1B, 0x40]  // ESC @
        expected += [0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01] + Array("Antre".utf8) + [0x0A]
        expected += [0x1D, 0x21, 0x11] + Array("B-012".utf8) + [0x0A]  // still centred and bold: size only
        expected += [0x1B, 0x61, 0x00, 0x1B, 0x21, 0x00]  // left; bold and size off in one ESC !
        expected += [0x1B, 0x74, 0x02] + Array("Caf".utf8) + [0x82, 0x0A]  // ESC t 2 (CP850) before é (0x82)
        expected += [UInt8](repeating: 0x2D, count: 32)  // 58 mm: 32 columns
        expected += [0x1B, 0x64, 0x02]  // the rule's LF and feed(1) as one ESC d 2
        expected += [0x1B, 0x64, 0x03, 0x1D, 0x56, 0x01]  // feedBeforeCut, partial cut
        #expect(bytes == expected)
    }

    @Test func profileWithoutCutterCancelsKanjiAndNeverCuts() {
        let profile = PrinterProfile(paper: .mm58, codePage: .pc858, hasCutter: false, cancelKanji: true,
                                     feedBeforeCut: 4)
        let bytes = ESCPOSEncoder(profile: profile).encode(Self.small)
        #expect(Array(bytes.prefix(4)) == [0x1B, 0x40, 0x1C, 0x2E])
        #expect(bytes.contains(subsequence: [0x1B, 0x74, 19]))
        #expect(!bytes.contains(subsequence: [0x1D, 0x56]))
        #expect(Array(bytes.suffix(6)) == [0x1B, 0x64, 0x02, 0x1B, 0x64, 0x04])  // LF + feed(1), feedBeforeCut
    }

    @Test(arguments: CodePage.allCases)
    func exactlyOneCodePageSelectionPerJob(page: CodePage) {
        let receipt = Receipt([.text("Ünïcödé “quotes” – dash €"), .text("more", style: Self.big),
                               .columns(left: "a", right: "b"), .qr("https://example.org")])
        let bytes = ESCPOSEncoder(profile: PrinterProfile(codePage: page, nativeQR: true)).encode(receipt)
        #expect(bytes.occurrences(of: [0x1B, 0x74]) == 1)
        #expect(bytes.contains(subsequence: [0x1B, 0x74, page.escTNumber]))
    }

    @Test func styleCommandsOnlyWhenTheyChange() {
        let underlined = TextStyle(underline: true)
        let receipt = Receipt([.text("one", style: underlined), .text("two"), .text("three")])
        let bytes = ESCPOSEncoder(profile: PrinterProfile(hasCutter: false, feedBeforeCut: 0)).encode(receipt)
        let expected: [UInt8] = [0x1B, 0x40]  // ASCII only: no ESC t
            + [0x1B, 0x2D, 0x01] + Array("one".utf8) + [0x0A] + [0x1B, 0x2D, 0x00]
            + Array("two".utf8) + [0x0A] + Array("three".utf8) + [0x0A]
        #expect(bytes == expected)
    }

    @Test func sizeByteHasWidthInHighNibbleAndHeightInLow() {
        let tall = TextStyle(widthScale: 1, heightScale: 3)
        let wide = TextStyle(widthScale: 4, heightScale: 1)
        let bytes = ESCPOSEncoder(profile: PrinterProfile()).encode(Receipt([.text("t", style: tall),
                                                                            .text("w", style: wide)]))
        #expect(bytes.contains(subsequence: [0x1D, 0x21, 0x02, 0x74, 0x0A]))
        #expect(bytes.contains(subsequence: [0x1D, 0x21, 0x30, 0x77]))
    }

    @Test func doubleWidthTextWrapsAtHalfTheColumns() {
        let profile = PrinterProfile(paper: .mm58, hasCutter: false)  // 32 columns -> 16 at 2x
        let text = String(repeating: "abcd ", count: 8)  // 40 characters
        let lines = textLines(ESCPOSEncoder(profile: profile).encode(
            Receipt([.text(text, style: TextStyle(widthScale: 2, heightScale: 2))])))
        #expect(lines == ["abcd abcd abcd", "abcd abcd abcd", "abcd abcd"])
    }

    @Test func columnsFillTheWidth() {
        let profile = PrinterProfile(paper: .mm80, hasCutter: false)
        let lines = textLines(ESCPOSEncoder(profile: profile).encode(
            Receipt([.columns(left: "Sabtu, 28 Nov 2026", right: "23.40")])))
        #expect(lines == ["Sabtu, 28 Nov 2026" + String(repeating: " ", count: 48 - 18 - 5) + "23.40"])
    }

    @Test func columnsTooLongPutTheRightTextOnItsOwnLine() {
        let profile = PrinterProfile(paper: .mm58, hasCutter: false)
        let left = "A rather long left side that needs wrapping"
        let lines = textLines(ESCPOSEncoder(profile: profile).encode(
            Receipt([.columns(left: left, right: "12:00")])))
        #expect(lines.allSatisfy { $0.count <= 32 })
        #expect(lines.last == String(repeating: " ", count: 27) + "12:00")
        #expect(lines.dropLast().joined(separator: " ") == left)
    }

    @Test func nativeQRWhenTheProfileHasIt() {
        let bytes = ESCPOSEncoder(profile: PrinterProfile(nativeQR: true)).encode(Receipt([.qr("ABC")]))
        // model 2, module size 6, error correction M, store 3+3 bytes, print
        #expect(bytes.contains(subsequence: [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]))
        #expect(bytes.contains(subsequence: [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]))
        #expect(bytes.contains(subsequence: [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]))
        #expect(bytes.contains(subsequence: [0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, 0x41, 0x42, 0x43]))
        #expect(bytes.contains(subsequence: [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]))
    }

    @Test func qrWithoutNativeSupportIsARasterImage() {
        let bytes = ESCPOSEncoder(profile: PrinterProfile(nativeQR: false)).encode(Receipt([.qr("ABC-123")]))
        #expect(!bytes.contains(subsequence: [0x1D, 0x28, 0x6B]))
        // Version 1 (21 modules) + 4-module quiet zones, 4 dots a module: 116 dots = 15 bytes by 116 rows.
        #expect(bytes.contains(subsequence: [0x1B, 0x61, 0x01, 0x1D, 0x76, 0x30, 0x00, 15, 0, 116, 0]))
        #expect(!bytes.contains(subsequence: Array("ABC-123".utf8)))
    }

    @Test func qrTooLongForAnySymbolPrintsAsText() {
        let long = String(repeating: "a", count: 2400)
        let bytes = ESCPOSEncoder(profile: PrinterProfile(nativeQR: false)).encode(Receipt([.qr(long)]))
        #expect(!bytes.contains(subsequence: [0x1D, 0x76, 0x30]))
        #expect(bytes.contains(subsequence: Array(String(repeating: "a", count: 48).utf8)))
    }

    @Test func controlCharactersInTextNeverReachThePrinter() {
        // A config line carrying ESC @ / GS V / DLE EOT must print as text, not act.
        let hostile = "Loket\u{1B}@1\u{1D}V\u{01} \u{10}\u{04}\u{01}ok\u{7F}\u{9B}"
        let profile = PrinterProfile(hasCutter: false, feedBeforeCut: 0)
        let bytes = ESCPOSEncoder(profile: profile).encode(Receipt([.text(hostile)]))
        let body = Array(bytes.dropFirst(2))  // after ESC @ (ASCII only: no ESC t)
        #expect(body == Array("Loket@1V ok".utf8) + [0x0A])
    }

    @Test func feedAboveTwoHundredFiftyFiveIsSplit() {
        let profile = PrinterProfile(hasCutter: false, feedBeforeCut: 0)
        let bytes = ESCPOSEncoder(profile: profile).encode(Receipt([.feed(lines: 300)]))
        #expect(Array(bytes.dropFirst(2)) == [0x1B, 0x64, 0xFF, 0x1B, 0x64, 45])
    }
}

/// The printed lines of a left-aligned job, without the blank feed at its end.
func textLines(_ bytes: [UInt8]) -> [String] {
    var lines = ESCPOSTextRenderer.render(bytes, columns: 1000)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while lines.last == "" { lines.removeLast() }
    return lines
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool { occurrences(of: needle) > 0 }

    func occurrences(of needle: [UInt8]) -> Int {
        guard !needle.isEmpty, needle.count <= count else { return 0 }
        var found = 0
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) {
            found += 1
        }
        return found
    }
}
