/// Text as the call-out voice reads it: lowercase words, numbers as Indonesian
/// words. The words double as clip file names (`<word>.wav`), so they hold only
/// letters and digits' words, never spaces or punctuation.
public enum SpokenText {
    /// "Loket 12" -> ["loket", "dua", "belas"]; "Meja-3B" -> ["meja", "tiga", "b"].
    /// Punctuation separates words; a run of digits is one number (digit by digit
    /// past 999999, like a phone number).
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var word = "", digits = ""
        func flushWord() {
            if !word.isEmpty { out.append(word.lowercased()) }
            word = ""
        }
        func flushDigits() {
            guard !digits.isEmpty else { return }
            if let value = Int(digits), let spoken = IndonesianNumber.words(value) {
                out += spoken
            } else {
                out += digits.compactMap { $0.wholeNumberValue }.compactMap { IndonesianNumber.words($0) }.flatMap { $0 }
            }
            digits = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                flushWord()
                digits.append(character)
            } else if character.isLetter {
                flushDigits()
                word.append(character)
            } else {
                flushWord()
                flushDigits()
            }
        }
        flushWord()
        flushDigits()
        return out
    }
}
