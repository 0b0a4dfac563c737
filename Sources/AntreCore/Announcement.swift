/// What the waiting room hears when a number is called: "Nomor antrean, T, dua
/// belas. Silakan menuju, loket satu." Pure: the board turns it into audio.
///
/// Recorded clips are one WAV per word, named `<word>.wav` in the clips folder:
/// - `nomor-antrean.wav` ("nomor antrean") and `silakan-menuju.wav` ("silakan menuju");
/// - the letter names of the prefixes in use: `a.wav`, `be.wav`, `ce.wav`, ... `te.wav`
///   (see `IndonesianNumber.letterName`);
/// - the number words: `nol` ... `sembilan`, `sepuluh`, `sebelas`, `belas`, `puluh`,
///   `seratus`, `ratus`, `seribu`, `ribu` (`Announcement.numberClipWords`);
/// - every word of the counters' spoken names (`loket.wav`; the numbers in them
///   are number words).
public struct Announcement: Sendable, Equatable {
    public var number: TicketNumber
    /// The counter as said, in words ("loket satu").
    public var counterWords: [String]

    public init(number: TicketNumber, counterWords: [String]) {
        self.number = number
        self.counterWords = counterWords
    }

    /// The counter's spoken name, or its name with numbers as words.
    public init(number: TicketNumber, counter: Counter) {
        self.init(number: number, counterWords: SpokenText.words(counter.spoken))
    }

    /// Clips that say the fixed parts of every announcement.
    public static let numberAnnouncementClip = "nomor-antrean"
    public static let goToClip = "silakan-menuju"
    /// Every word a number up to 9999 can need (more than enough for a day's tickets).
    public static let numberClipWords = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh",
                                         "delapan", "sembilan", "sepuluh", "sebelas", "belas", "puluh",
                                         "seratus", "ratus", "seribu", "ribu"]

    /// The ticket's sequence as words: 12 -> ["dua", "belas"].
    public var numberWords: [String] { SpokenText.words(String(number.sequence)) }

    /// How the prefix letter is said: "T" -> "te".
    public var letterWord: String {
        number.prefix.first.flatMap(IndonesianNumber.letterName) ?? number.prefix.lowercased()
    }

    /// The sentence for a speech synthesiser; commas make the pauses.
    public var sentence: String {
        "Nomor antrean, \(number.prefix), \(numberWords.joined(separator: " ")). "
            + "Silakan menuju, \(counterWords.joined(separator: " "))."
    }

    /// The clips to play, phrase by phrase (a short pause goes between phrases).
    public var clipPhrases: [[String]] {
        [[Self.numberAnnouncementClip], [letterWord], numberWords, [Self.goToClip], counterWords]
            .filter { !$0.isEmpty }
    }

    /// All clip words in order: ["nomor-antrean", "te", "dua", "belas", "silakan-menuju", "loket", "satu"].
    public var clipWords: [String] { clipPhrases.flatMap { $0 } }
}
