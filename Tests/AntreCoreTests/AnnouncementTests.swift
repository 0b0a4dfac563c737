import Testing
@testable import AntreCore

@Suite struct AnnouncementTests {
    @Test func callOutSentenceAndClipsForT012AtLoket1() {
        let announcement = Announcement(number: TicketNumber(prefix: "T", sequence: 12),
                                        counter: Counter(id: "1", name: "Loket 1"))
        #expect(announcement.sentence == "Nomor antrean, T, dua belas. Silakan menuju, loket satu.")
        #expect(announcement.clipWords == ["nomor-antrean", "te", "dua", "belas", "silakan-menuju", "loket", "satu"])
        #expect(announcement.clipPhrases == [["nomor-antrean"], ["te"], ["dua", "belas"], ["silakan-menuju"],
                                             ["loket", "satu"]])
    }

    @Test(arguments: [
        (1, "B", "Nomor antrean, B, satu. Silakan menuju, loket dua.", "be"),
        (115, "Q", "Nomor antrean, Q, seratus lima belas. Silakan menuju, loket dua.", "ki"),
        (1000, "K", "Nomor antrean, K, seribu. Silakan menuju, loket dua.", "ka"),
        (2010, "A", "Nomor antrean, A, dua ribu sepuluh. Silakan menuju, loket dua.", "a"),
    ])
    func numbersAreReadAsIndonesianWords(sequence: Int, prefix: String, sentence: String, letter: String) {
        let announcement = Announcement(number: TicketNumber(prefix: prefix, sequence: sequence),
                                        counter: Counter(id: "2", name: "Loket 2"))
        #expect(announcement.sentence == sentence)
        #expect(announcement.clipWords[1] == letter)
    }

    @Test func configuredSpokenNameWinsAndItsDigitsAreWords() {
        let counter = Counter(id: "3", name: "Loket 3 (Akta)", spokenName: "Meja Pelayanan 3")
        #expect(counter.spoken == "Meja Pelayanan 3")
        let announcement = Announcement(number: TicketNumber(prefix: "A", sequence: 7), counter: counter)
        #expect(announcement.sentence == "Nomor antrean, A, tujuh. Silakan menuju, meja pelayanan tiga.")
        #expect(announcement.clipWords.suffix(3) == ["meja", "pelayanan", "tiga"])
    }

    @Test(arguments: [
        ("Loket 1", ["loket", "satu"]),
        ("Loket 12", ["loket", "dua", "belas"]),
        ("LOKET-3B", ["loket", "tiga", "b"]),
        ("Loket 2, lantai 1", ["loket", "dua", "lantai", "satu"]),
        ("Ruang 1000000", ["ruang", "satu", "nol", "nol", "nol", "nol", "nol", "nol"]),
        ("...", []),
    ])
    func counterNamesBecomeSpokenWords(name: String, words: [String]) {
        #expect(SpokenText.words(name) == words)
        #expect(Counter(id: "x", name: name).spoken == words.joined(separator: " "))
    }

    @Test func everyNumberUpTo9999NeedsOnlyTheDocumentedNumberClips() {
        let documented = Set(Announcement.numberClipWords)
        for value in 1...9999 {
            let words = Announcement(number: TicketNumber(prefix: "T", sequence: value), counterWords: ["loket"])
                .numberWords
            #expect(Set(words).isSubset(of: documented), "\(value): \(words)")
        }
    }
}
