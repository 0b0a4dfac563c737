/// Numbers and letters as an Indonesian voice says them, for the call-out
/// ("Nomor antrean, T, dua belas"). Grammar: "se-" for one ten, hundred and
/// thousand (sepuluh, seratus, seribu), "belas" for 11-19 (sebelas, dua belas),
/// "puluh", "ratus", "ribu" otherwise.
public enum IndonesianNumber {
    private static let units = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]

    /// The words for `value` (0...999_999); nil outside that range.
    public static func words(_ value: Int) -> [String]? {
        guard (0...999_999).contains(value) else { return nil }
        if value == 0 { return ["nol"] }
        return below1000000(value)
    }

    /// The words joined with spaces: 115 -> "seratus lima belas".
    public static func spoken(_ value: Int) -> String? {
        words(value)?.joined(separator: " ")
    }

    private static func below1000000(_ value: Int) -> [String] {
        let thousands = value / 1000, rest = value % 1000
        var out: [String] = []
        switch thousands {
        case 0: break
        case 1: out.append("seribu")
        default: out += below1000(thousands) + ["ribu"]
        }
        if rest > 0 { out += below1000(rest) }
        return out
    }

    private static func below1000(_ value: Int) -> [String] {
        let hundreds = value / 100, rest = value % 100
        var out: [String] = []
        switch hundreds {
        case 0: break
        case 1: out.append("seratus")
        default: out += [units[hundreds], "ratus"]
        }
        if rest > 0 { out += below100(rest) }
        return out
    }

    private static func below100(_ value: Int) -> [String] {
        switch value {
        case 0..<10: return [units[value]]
        case 10: return ["sepuluh"]
        case 11: return ["sebelas"]
        case 12..<20: return [units[value - 10], "belas"]
        default:
            let tens = [units[value / 10], "puluh"]
            return value % 10 == 0 ? tens : tens + [units[value % 10]]
        }
    }

    /// Indonesian names of the Latin letters, as spelled aloud (A = "a", B = "be",
    /// C = "ce", ... Q = "ki", W = "we", Y = "ye", Z = "zet").
    public static func letterName(_ letter: Character) -> String? {
        letterNames[Character(letter.uppercased())]
    }

    private static let letterNames: [Character: String] = [
        "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha", "I": "i",
        "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe", "Q": "ki", "R": "er",
        "S": "es", "T": "te", "U": "u", "V": "fe", "W": "we", "X": "eks", "Y": "ye", "Z": "zet",
    ]
}
