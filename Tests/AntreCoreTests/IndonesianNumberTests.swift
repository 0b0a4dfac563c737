import Testing
@testable import AntreCore

@Suite struct IndonesianNumberTests {
    @Test(arguments: [
        (0, "nol"), (1, "satu"), (9, "sembilan"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"),
        (19, "sembilan belas"), (20, "dua puluh"), (21, "dua puluh satu"), (99, "sembilan puluh sembilan"),
        (100, "seratus"), (101, "seratus satu"), (110, "seratus sepuluh"), (111, "seratus sebelas"),
        (115, "seratus lima belas"), (200, "dua ratus"), (210, "dua ratus sepuluh"),
        (999, "sembilan ratus sembilan puluh sembilan"), (1000, "seribu"), (1001, "seribu satu"),
        (1100, "seribu seratus"), (1234, "seribu dua ratus tiga puluh empat"), (2000, "dua ribu"),
        (9999, "sembilan ribu sembilan ratus sembilan puluh sembilan"), (11_000, "sebelas ribu"),
        (100_000, "seratus ribu"),
    ])
    func numberWords(value: Int, expected: String) {
        #expect(IndonesianNumber.spoken(value) == expected)
    }

    @Test func outOfRangeHasNoWords() {
        #expect(IndonesianNumber.words(-1) == nil)
        #expect(IndonesianNumber.words(1_000_000) == nil)
    }

    @Test func everyNumberUpTo9999IsSpokenWithoutGaps() {
        for value in 0...9999 {
            let words = IndonesianNumber.words(value) ?? []
            #expect(!words.isEmpty && !words.contains(""), "\(value)")
            // "satu" never directly before puluh/ratus/ribu/belas: that is se-.
            for (a, b) in zip(words, words.dropFirst()) where a == "satu" {
                #expect(!["puluh", "ratus", "ribu", "belas"].contains(b), "\(value): \(words)")
            }
        }
    }

    @Test func letterNames() {
        #expect(IndonesianNumber.letterName("T") == "te")
        #expect(IndonesianNumber.letterName("k") == "ka")
        #expect(IndonesianNumber.letterName("Q") == "ki")
        #expect(IndonesianNumber.letterName("1") == nil)
    }
}
