import Testing
import ESCPOS

/// Text -> code page bytes; expected values from the IBM/Microsoft code page charts.
@Suite struct CodePageTests {
    func bytes(_ text: String, _ page: CodePage) -> [UInt8] {
        CodePageEncoder(codePage: page).bytes(for: text)
    }

    @Test func accentedLettersUseThePageTable() {
        #expect(bytes("é", .cp850) == [0x82])
        #expect(bytes("é", .cp437) == [0x82])
        #expect(bytes("é", .wpc1252) == [0xE9])
        #expect(bytes("ü", .cp850) == [0x81])
        #expect(bytes("ñ", .pc858) == [0xA4])
        #expect(bytes("Ç", .cp437) == [0x80])
        #expect(bytes("Á", .cp850) == [0xB5])
        #expect(bytes("ß", .cp437) == [0xE1])
    }

    @Test func decomposedInputMapsLikePrecomposed() {
        #expect(bytes("e\u{0301}", .cp850) == [0x82])
    }

    @Test func euroSign() {
        #expect(bytes("€", .pc858) == [0xD5])
        #expect(bytes("€", .wpc1252) == [0x80])
        #expect(bytes("€", .cp437) == Array("EUR".utf8))
        #expect(bytes("€", .cp850) == Array("EUR".utf8))
    }

    @Test func lettersThePageLacksLoseTheirAccent() {
        // CP437 has no Á, Ã or õ; CP850 has no ő or ş.
        #expect(bytes("Á", .cp437) == Array("A".utf8))
        #expect(bytes("São Tomé", .cp437) == Array("Sao Tom".utf8) + [0x82])
        #expect(bytes("Erdoğan Şahin ő", .cp850) == Array("Erdogan Sahin o".utf8))
        #expect(bytes("Ærø", .cp437) == [0x92, 0x72, 0x6F])  // Æ is in CP437, ø is not
    }

    @Test func typographyBecomesASCII() {
        let text = "“Jadwal” ‘buka’ – 08.00—15.00…\u{00A0}selesai"
        #expect(bytes(text, .cp850) == Array("\"Jadwal\" 'buka' - 08.00-15.00... selesai".utf8))
        #expect(bytes("™", .cp437) == Array("TM".utf8))
        #expect(bytes("™", .wpc1252) == [0x99])
        #expect(bytes("“x”", .wpc1252) == [0x93, 0x78, 0x94])  // CP1252 has curly quotes
    }

    @Test func otherScriptsPrintOneQuestionMarkPerCharacter() {
        #expect(bytes("Привет", .cp850) == Array("??????".utf8))
        #expect(bytes("👍🏽 ok", .pc858) == Array("? ok".utf8))
        #expect(bytes("日本", .cp437) == Array("??".utf8))
    }

    @Test func controlAndInvisibleCharactersAreDropped() {
        let text = "A\u{1B}@B\u{00}C\u{7F}D\u{85}E\u{200B}F\u{00AD}G\u{FEFF}H\u{202E}I"
        for page in CodePage.allCases {
            let out = bytes(text, page)
            #expect(out.allSatisfy { $0 >= 0x20 && $0 != 0x7F }, "\(page)")
            #expect(out == Array("A@BCD EFGHI".utf8), "\(page)")
        }
        #expect(bytes("a\tb\nc\r\nd", .cp850) == Array("a b c d".utf8))
    }

    @Test func printableIsOneCharacterPerByte() {
        for page in CodePage.allCases {
            let encoder = CodePageEncoder(codePage: page)
            let text = "Café “Ñandú” € … 日本 e\u{0301} ⎯ Ø"
            #expect(encoder.printable(text).count == encoder.bytes(for: text).count, "\(page)")
            #expect(encoder.bytes(for: encoder.printable(text)) == encoder.bytes(for: text), "\(page)")
        }
    }

    @Test func decodingUsesThePage() {
        #expect(CodePageEncoder(codePage: .pc858).string(from: [0x43, 0xD5]) == "C€")
        #expect(CodePageEncoder(codePage: .cp850).string(from: [0xD5]) == "ı")
        #expect(CodePageEncoder(codePage: .cp437).string(from: [0xC4, 0x82]) == "─é")
        #expect(CodePageEncoder(codePage: .wpc1252).string(from: [0x81]) == "?")  // undefined in 1252
    }

    @Test func escTNumbers() {
        #expect(CodePage.cp437.escTNumber == 0)
        #expect(CodePage.cp850.escTNumber == 2)
        #expect(CodePage.wpc1252.escTNumber == 16)
        #expect(CodePage.pc858.escTNumber == 19)
    }
}
