import Foundation

/// UTF-8 text -> the bytes of one single-byte code page, one byte per printed column.
///
/// What the page has is mapped exactly (é -> 0x82 on CP850). What it lacks is
/// transliterated (é -> "e" on a page without é, curly quotes -> straight quotes,
/// dashes -> "-", "…" -> "...", "€" -> "EUR"), whitespace becomes a plain space,
/// and control and format characters are dropped: a stray ESC in config text must
/// never reach the printer as a command. Anything else prints as "?", one per
/// user-perceived character.
public struct CodePageEncoder: Sendable {
    public let codePage: CodePage

    public init(codePage: CodePage) { self.codePage = codePage }

    /// The bytes that print `text` on this page. Never contains a byte below 0x20
    /// or 0x7F, so the result is safe to put between commands.
    public func bytes(for text: String) -> [UInt8] {
        // Printable ASCII (nearly all ticket text) is its own bytes on every page.
        var text = text
        if let ascii = text.withUTF8({ utf8 in
            utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? Array(utf8) : nil
        }) {
            return ascii
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for character in text { append(character, to: &out) }
        return out
    }

    /// The text as it will print, in Unicode: every Character is exactly one byte
    /// (one column) on this page. Wrap and pad this, then encode it with `bytes(for:)`.
    public func printable(_ text: String) -> String {
        string(from: bytes(for: text))
    }

    /// Decodes bytes of this page back to Unicode. Control bytes are skipped and
    /// bytes the page leaves undefined decode as "?".
    public func string(from bytes: [UInt8]) -> String {
        let table = codePage.highHalf
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F {
                scalars.append(Unicode.Scalar(byte))
            } else if byte >= 0x80 {
                let value = table[Int(byte - 0x80)]
                scalars.append(value == 0 ? "?" : Unicode.Scalar(value) ?? "?")
            }
        }
        return String(scalars)
    }

    // MARK: - Mapping one character

    private func append(_ character: Character, to out: inout [UInt8]) {
        var scalars = character.unicodeScalars
        if scalars.count > 1 {
            // Decomposed input ("e" + U+0301): recompose so it can hit the table.
            scalars = String(character).precomposedStringWithCanonicalMapping.unicodeScalars
        }
        // Further scalars of a cluster (combining marks left over, emoji modifiers,
        // ZWJ sequences) add nothing: one character prints as one column at most.
        guard let scalar = scalars.first else { return }
        append(scalar, to: &out)
    }

    private func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F {
            out.append(UInt8(value))
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            // Tabs, newlines, NBSP, thin spaces...: the layout decides where lines break.
            out.append(0x20)
            return
        }
        switch properties.generalCategory {
        case .control, .format, .nonspacingMark, .spacingMark, .enclosingMark, .surrogate:
            return  // ESC, DEL, C1, soft hyphen, zero-width, bidi marks, lone accents
        default:
            break
        }
        if let byte = CodePageEncoder.forward[codePage]?[value] {
            out.append(byte)
            return
        }
        if let ascii = CodePageEncoder.transliterations[value] {
            out.append(contentsOf: ascii.utf8)
            return
        }
        if let ascii = CodePageEncoder.asciiFolding(scalar) {
            out.append(contentsOf: ascii.utf8)
            return
        }
        out.append(UInt8(ascii: "?"))
    }

    /// Compatibility decomposition with the accents dropped, when that leaves only
    /// ASCII: "é" -> "e", "ṭ" -> "t", "ﬁ" -> "fi", full-width "Ａ" -> "A".
    private static func asciiFolding(_ scalar: Unicode.Scalar) -> String? {
        let decomposed = String(scalar).decomposedStringWithCompatibilityMapping.unicodeScalars
        var result = ""
        for part in decomposed {
            if part.value >= 0x20 && part.value < 0x7F {
                result.unicodeScalars.append(part)
            } else if part.properties.generalCategory == .nonspacingMark {
                continue
            } else {
                return nil
            }
        }
        return result.isEmpty ? nil : result
    }

    /// Unicode scalar -> byte, per page, built once from the decoding tables.
    private static let forward: [CodePage: [UInt32: UInt8]] = {
        var all: [CodePage: [UInt32: UInt8]] = [:]
        for page in CodePage.allCases {
            var map: [UInt32: UInt8] = [:]
            for (index, value) in page.highHalf.enumerated() where value != 0 {
                map[value] = UInt8(0x80 + index)
            }
            all[page] = map
        }
        return all
    }()

    /// Readable ASCII for characters a page may lack and that do not fold by
    /// decomposition. Looked up only after the page's own table.
    private static let transliterations: [UInt32: String] = [
        // Quotes and apostrophes.
        0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x02BC: "'",
        0x201C: "\"", 0x201D: "\"", 0x201E: "\"", 0x201F: "\"", 0x2033: "\"",
        0x00AB: "<<", 0x00BB: ">>", 0x2039: "<", 0x203A: ">",
        // Dashes and minus.
        0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-", 0x2212: "-",
        0x2043: "-",
        // Punctuation and symbols.
        0x2026: "...", 0x2022: "*", 0x2023: ">", 0x25E6: "o", 0x2219: ".", 0x00B7: ".",
        0x20AC: "EUR", 0x2122: "TM", 0x00A9: "(C)", 0x00AE: "(R)", 0x00A7: "S", 0x00B6: "P",
        0x00A6: "|", 0x00D7: "x", 0x00F7: "/", 0x00B1: "+/-", 0x00B0: "o", 0x00BA: "o", 0x00AA: "a",
        0x00BC: "1/4", 0x00BD: "1/2", 0x00BE: "3/4", 0x2030: "o/oo", 0x00A2: "c", 0x00A3: "GBP",
        0x00A5: "JPY", 0x00A4: "?", 0x00A1: "!", 0x00BF: "?", 0x00AC: "-", 0x00B5: "u",
        0x2020: "+", 0x2021: "+", 0x2190: "<-", 0x2192: "->", 0x2264: "<=", 0x2265: ">=",
        0x2260: "!=", 0x2248: "~", 0x02C6: "^", 0x02DC: "~", 0x00B4: "'", 0x00A8: "\"", 0x00B8: ",",
        0x00AF: "-", 0x2017: "_",
        // Letters without a decomposition.
        0x00C6: "AE", 0x00E6: "ae", 0x00D8: "O", 0x00F8: "o", 0x00DF: "ss", 0x1E9E: "SS",
        0x0152: "OE", 0x0153: "oe", 0x0110: "D", 0x0111: "d", 0x00D0: "D", 0x00F0: "d",
        0x0141: "L", 0x0142: "l", 0x00DE: "TH", 0x00FE: "th", 0x0131: "i", 0x0126: "H", 0x0127: "h",
        0x0166: "T", 0x0167: "t", 0x014A: "N", 0x014B: "n", 0x0138: "k", 0x017F: "s", 0x0192: "f",
        // Box drawing, for rules on pages without it.
        0x2500: "-", 0x2501: "-", 0x2550: "=", 0x2502: "|", 0x2503: "|", 0x2551: "|",
        0x250C: "+", 0x2510: "+", 0x2514: "+", 0x2518: "+", 0x251C: "+", 0x2524: "+",
        0x252C: "+", 0x2534: "+", 0x253C: "+", 0x2588: "#", 0x25A0: "#",
    ]
}
