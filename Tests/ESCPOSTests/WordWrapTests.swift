import Testing
import ESCPOS

@Suite struct WordWrapTests {
    @Test func breaksAtWordBoundaries() {
        let lines = WordWrap.wrap("Fotokopi Kartu Keluarga yang masih berlaku", width: 16)
        #expect(lines == ["Fotokopi Kartu", "Keluarga yang", "masih berlaku"])
    }

    @Test func noLineExceedsTheWidth() {
        let text = "Surat pengantar RT/RW dan Kepala Desa/Lurah, fotokopi KTP-el kedua orang tua, "
            + "buku nikah atau akta perkawinan, surat keterangan lahir dari bidan atau rumah sakit"
        for width in [8, 16, 21, 32, 48] {
            for indent in [0, 3, 5] {
                let lines = WordWrap.wrap(text, width: width, hangingIndent: indent)
                #expect(lines.allSatisfy { $0.count <= width }, "width \(width) indent \(indent)")
                // Where every word fits on a line, no word is split.
                guard width >= 16 else { continue }
                let rejoined = lines.map { $0.trimmingLeadingSpaces }.joined(separator: " ")
                #expect(rejoined == text, "width \(width) indent \(indent)")
            }
        }
    }

    @Test func hangingIndentLinesUpContinuations() {
        let lines = WordWrap.wrap("1. Fotokopi Kartu Keluarga terbaru", width: 16, hangingIndent: 3)
        #expect(lines == ["1. Fotokopi", "   Kartu", "   Keluarga", "   terbaru"])
    }

    @Test func longWordIsSplitHard() {
        let lines = WordWrap.wrap("lihat https://disdukcapil.example.go.id/syarat", width: 16)
        #expect(lines == ["lihat", "https://disdukca", "pil.example.go.i", "d/syarat"])
        let indented = WordWrap.wrap("1. ABCDEFGHIJKLMNOPQRSTUVWXYZ", width: 10, hangingIndent: 3)
        // The word does not fit after "1.": it starts on the next line, split at 10 - 3.
        #expect(indented == ["1.", "   ABCDEFG", "   HIJKLMN", "   OPQRSTU", "   VWXYZ"])
    }

    /// The byte wrap the encoder uses gives exactly the String wrap's lines.
    @Test func byteWrapMatchesTheStringWrap() {
        var generator = SplitMix64(seed: 0x5EED)
        let pieces = ["a", "KTP-el", "Fotokopi", "https://disdukcapil.example.go.id/syarat", "1.", "(asli)", " ", "  ",
                      "x"]
        let encoder = CodePageEncoder(codePage: .pc858)
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int(generator.next() % 14) {
                text += pieces[Int(generator.next() % UInt64(pieces.count))]
                if generator.next() % 3 != 0 { text += " " }
            }
            let width = Int(generator.next() % 50), indent = Int(generator.next() % 14)
            let expected = WordWrap.wrap(text, width: width, hangingIndent: indent)
            let wrapped = WordWrap.wrap(bytes: encoder.bytes(for: text), width: width, hangingIndent: indent)
            let lines = wrapped.lines.enumerated().map { number, range in
                String(repeating: " ", count: number == 0 ? 0 : wrapped.indent)
                    + String(decoding: wrapped.text[range], as: UTF8.self)
            }
            #expect(lines == expected, "\(text.debugDescription) width \(width) indent \(indent)")
        }
    }

    @Test func whitespaceCollapsesAndEmptyTextIsOneBlankLine() {
        #expect(WordWrap.wrap("  a \t b\n c  ", width: 10) == ["a b c"])
        #expect(WordWrap.wrap("", width: 10) == [""])
        #expect(WordWrap.wrap("   ", width: 10) == [""])
    }

    @Test func degenerateWidthsStillTerminate() {
        #expect(WordWrap.wrap("abc", width: 0) == ["a", "b", "c"])
        #expect(WordWrap.wrap("ab cd", width: 2, hangingIndent: 9) == ["ab", " c", " d"])
    }
}

extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
