import Testing
import ESCPOS

@Suite struct RendererTests {
    static let requirements = [
        "Surat pengantar RT/RW yang diketahui Kepala Desa atau Lurah setempat",
        "Fotokopi Kartu Keluarga",
        "Akta kelahiran atau surat keterangan lahir dari bidan/rumah sakit",
        "Pas foto berwarna ukuran 3x4 sebanyak dua lembar (latar merah/biru)",
    ]

    static func ticket() -> Receipt {
        var blocks: [ReceiptBlock] = [
            .text("KANTOR DESA SUKAMAJU", style: TextStyle(alignment: .center, bold: true)),
            .rule(),
            .text("B-012", style: TextStyle(alignment: .center, bold: true, widthScale: 2, heightScale: 2)),
            .columns(left: "Sabtu, 28 Nov 2026", right: "23.40"),
            .text("Persyaratan:"),
        ]
        for (i, requirement) in requirements.enumerated() {
            blocks.append(.text("\(i + 1). \(requirement)", hangingIndent: 3))
        }
        blocks.append(.qr("https://example.go.id/antre"))
        return Receipt(blocks)
    }

    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func roundTripShowsEveryRequirement(paper: PrinterProfile.PaperWidth) {
        let profile = PrinterProfile(paper: paper, codePage: .cp850, nativeQR: true)
        let text = ESCPOSTextRenderer.render(ESCPOSEncoder(profile: profile).encode(Self.ticket()),
                                             columns: profile.columns)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Paper lines fit; only the renderer's own markers may be longer.
        #expect(lines.filter { !$0.hasPrefix("[") }.allSatisfy { $0.count <= profile.columns })
        // Wrapped requirement lines rejoin into the configured text.
        let flowing = lines.map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: " ")
        for (i, requirement) in Self.requirements.enumerated() {
            #expect(flowing.contains("\(i + 1). \(requirement)"), "\(requirement)")
        }
        #expect(lines.contains { $0.hasPrefix("Sabtu, 28 Nov 2026") && $0.hasSuffix("23.40") })
        #expect(lines.contains("[QR: https://example.go.id/antre]".centred(in: profile.columns)))
        #expect(lines.contains("--- cut ---"))
        #expect(lines.contains(String(repeating: "-", count: profile.columns)))
    }

    @Test func alignmentPadsToTheColumns() {
        let receipt = Receipt([
            .text("Desa", style: TextStyle(alignment: .center)),
            .text("kanan", style: TextStyle(alignment: .right)),
            .text("B-012", style: TextStyle(alignment: .center, widthScale: 2, heightScale: 2)),
        ])
        let bytes = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58, hasCutter: false, feedBeforeCut: 0))
            .encode(receipt)
        let expected = String(repeating: " ", count: 14) + "Desa\n"
            + String(repeating: " ", count: 27) + "kanan\n"
            + String(repeating: " ", count: 11) + "B-012\n"  // 5 double-width = 10 of 32 columns
        #expect(ESCPOSTextRenderer.render(bytes, columns: 32) == expected)
    }

    @Test func absolutePositionAndLeftMarginMoveTheText() {
        // ESC $ 120 dots = column 10; GS L 36 dots = 3 columns in, from the next line on.
        let bytes: [UInt8] = Array("Senin".utf8) + [0x1B, 0x24, 120, 0] + Array("10.40".utf8) + [0x0A]
            + [0x1D, 0x4C, 36, 0] + Array("lanjutan".utf8) + [0x0A]
            + [0x1B, 0x61, 1] + Array("ab".utf8) + [0x0A]
        #expect(ESCPOSTextRenderer.render(bytes, columns: 16) == "Senin     10.40\n   lanjutan\n        ab\n")
    }

    @Test func decodesThroughTheSelectedCodePage() {
        #expect(ESCPOSTextRenderer.render([0x1B, 0x74, 19, 0x41, 0xD5, 0x0A]) == "A€\n")
        #expect(ESCPOSTextRenderer.render([0x1B, 0x74, 2, 0x41, 0xD5, 0x0A]) == "Aı\n")
        #expect(ESCPOSTextRenderer.render([0x41, 0x82, 0x0A]) == "Aé\n")  // CP437 by default
        #expect(ESCPOSTextRenderer.render([0x1B, 0x74, 16, 0x80, 0x0A]) == "€\n")
        #expect(ESCPOSTextRenderer.render([0x1B, 0x74, 99, 0x41, 0x82, 0x0A]) == "A?\n")
    }

    @Test func kanjiModeEatsAccentsUntilCancelled() {
        // What a clone printer does without FS .: é and the next byte become one glyph.
        #expect(ESCPOSTextRenderer.render([0x1C, 0x26] + Array("Caf".utf8) + [0x82, 0x65, 0x0A]) == "Caf?\n")
        #expect(ESCPOSTextRenderer.render([0x1C, 0x26, 0x1C, 0x2E, 0x82, 0x0A]) == "é\n")
    }

    @Test func statusAndSettingsCommandsPrintNothing() {
        let bytes: [UInt8] = [0x1B, 0x40, 0x10, 0x04, 0x01, 0x1D, 0x61, 0xFF, 0x1B, 0x45, 0x01, 0x1B, 0x2D, 0x02,
                              0x1B, 0x33, 0x20, 0x0D, 0x41, 0x1B, 0x64, 0x02, 0x42, 0x1B, 0x4A, 0x1E, 0x1D, 0x56, 0x42,
                              0x00]
        #expect(ESCPOSTextRenderer.render(bytes) == "A\n\nB\n--- cut ---\n")
    }

    @Test func unknownSequencesAreSkipped() {
        #expect(ESCPOSTextRenderer.render([0x41, 0x1B, 0x01, 0x42, 0x1D, 0x02, 0x43, 0x1C, 0x03, 0x44, 0x0A])
                == "ABCD\n")
        // An image prints as a marker, its data never as text.
        let image: [UInt8] = [0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x41, 0x41, 0x41, 0x41]
        #expect(ESCPOSTextRenderer.render(image + [0x5A, 0x0A]) == "[image]\nZ\n")
    }

    @Test func linesLongerThanThePaperWrapLikeThePrinter() {
        #expect(ESCPOSTextRenderer.render(Array("abcdefgh".utf8) + [0x0A], columns: 5) == "abcde\nfgh\n")
    }

    @Test func truncatedSequencesEndQuietly() {
        #expect(ESCPOSTextRenderer.render(Array("Halo".utf8) + [0x0A, 0x1B]) == "Halo\n")
        #expect(ESCPOSTextRenderer.render(Array("Halo".utf8) + [0x1D, 0x28, 0x6B, 0xFF, 0xFF, 0x31]) == "Halo\n")
        #expect(ESCPOSTextRenderer.render([0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]) == "[image]\n")
        let job = ESCPOSEncoder(profile: PrinterProfile(nativeQR: true)).encode(Self.ticket())
        for end in 0...job.count {
            _ = ESCPOSTextRenderer.render(Array(job.prefix(end)))
        }
    }

    @Test func randomBytesNeverCrashOrLeakControls() {
        var generator = SplitMix64(seed: 0xA17E)
        let interesting: [UInt8] = [0x0A, 0x09, 0x10, 0x1B, 0x1C, 0x1D, 0x28, 0x6B, 0x56, 0x21, 0x40, 0x74, 0x61,
                                    0x76, 0x30, 0x2A, 0x00, 0xFF]
        for _ in 0..<300 {
            let count = Int(generator.next() % 600)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                let r = generator.next()
                bytes.append(r % 3 == 0 ? interesting[Int((r >> 8) % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: r >> 16))
            }
            let text = ESCPOSTextRenderer.render(bytes, columns: 32)
            #expect(text.unicodeScalars.allSatisfy { $0 == "\n" || $0.value >= 0x20 })
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    func centred(in columns: Int) -> String {
        String(repeating: " ", count: max(0, (columns - count) / 2)) + self
    }
}
