/// Finds the malformed TOML that would crash the TOML parser, so the loader
/// can report it as a config error instead.
///
/// toml++ 3.4.0 (inside TOMLKit 0.6.0) aborts the whole process, through an
/// assertion, instead of reporting a parse error on:
/// - a table header whose name starts with a character that cannot start a
///   key: `[*ktp]`, `[[[1]]]`, `[[=`, a lone `[` at the end of a line (fixed
///   upstream in marzer/tomlplusplus#301, not in the release TOMLKit bundles);
/// - an array with `}` or a Unicode line separator (U+0085, U+2028, U+2029)
///   where a value should be: `x = [1, }]`;
/// - a date followed by a space and a lone digit (`x = 2026-11-28 8`), or by
///   `T` and something other than the time (`x = 2026-11-28Tx8:00`).
/// (Built with NDEBUG the assertions become undefined behaviour instead.) A
/// typo must be reported, not take down `antred --check-config` or a running
/// daemon on reload. Both cases are invalid TOML anyway, so refusing them
/// loses nothing. Found by Fuzz/FuzzConfig.
///
/// The scan follows TOML's structure just far enough to know where a
/// statement starts and which bracket is open: strings (all four kinds,
/// multi-line ones included) and comments are skipped, so a line like
/// `[*] bring KK` inside a multi-line string is not a header.
enum TOMLCrashGuard {
    struct Finding: Equatable {
        /// 1-based line.
        var line: Int
        /// What is wrong, for the technician.
        var message: String
    }

    static func firstCrash(in text: String) -> Finding? {
        var scanner = Scanner(bytes: Array(text.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        /// Open `[` / `{` of the current value, innermost last.
        var open: [UInt8] = []
        /// After the `=` of a key/value pair, until the value ends.
        var inValue = false
        var atStatementStart = true

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() -> Finding? {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\n"):
                    line += 1
                    index += 1
                    if open.isEmpty {
                        inValue = false
                        atStatementStart = true
                    }
                    continue
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                    index += 1
                    continue
                case UInt8(ascii: "#"):
                    skipToEndOfLine()
                    continue
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    atStatementStart = false
                    skipString(quote: byte)
                    continue
                default:
                    break
                }
                if let separator = lineSeparator(at: index) {
                    return Finding(line: line, message: "\(separator) is only allowed inside a string or comment")
                }
                if Self.isDigit(byte) && startsToken(at: index) && isDateWithoutItsTime(at: index) {
                    return Finding(line: line, message: "a date and time needs the time as HH:MM:SS after the date")
                }
                if atStatementStart && !inValue && open.isEmpty {
                    atStatementStart = false
                    if byte == UInt8(ascii: "[") {
                        if let finding = checkHeader() { return finding }
                        skipToEndOfLine()
                        continue
                    }
                }
                if !inValue && open.isEmpty && byte == UInt8(ascii: "=") {
                    inValue = true
                } else if inValue {
                    if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                        open.append(byte)
                    } else if byte == UInt8(ascii: "}") && open.last == UInt8(ascii: "[") {
                        return Finding(line: line, message: "'}' inside an array; close the array with ']'")
                    } else if (byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")) && !open.isEmpty {
                        open.removeLast()
                    }
                }
                index += 1
            }
            return nil
        }

        /// At a header's first `[`: what toml++ does before it reads the name.
        func checkHeader() -> Finding? {
            var next = index + 1
            let hadSpace = skipSpaces(&next)
            if next < bytes.count && bytes[next] == UInt8(ascii: "[") {
                // "[ [" is refused by toml++ itself.
                if hadSpace { return nil }
                next += 1
                _ = skipSpaces(&next)
            }
            guard next < bytes.count else { return nil }
            let byte = bytes[next]
            if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
                || Self.isBareKeyByte(byte) {
                return nil
            }
            let found: String
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): found = "end of line"
            default:
                let end = min(next + 4, bytes.count)
                let character = String(decoding: bytes[next..<end], as: UTF8.self).first.map(String.init) ?? "?"
                found = "'\(character)'"
            }
            return Finding(line: line, message: "a table header needs a name after '[' (letters, digits, '-', '_' "
                                                + "or a quoted name), found \(found)")
        }

        func startsToken(at position: Int) -> Bool {
            guard position > 0 else { return true }
            let before = bytes[position - 1]
            return !(Self.isBareKeyByte(before) || before == UInt8(ascii: ".") || before == UInt8(ascii: ":")
                     || before == UInt8(ascii: "+"))
        }

        /// `YYYY-MM-DD D` then anything but a digit (toml++ reads past the
        /// lone digit looking for a time), or `YYYY-MM-DDT` then anything but a
        /// digit (toml++ asserts the time starts with one). Never valid TOML:
        /// a time is HH:MM. Like toml++ this counts characters, not bytes, skips
        /// underscores and does not look at what the date's characters are.
        func isDateWithoutItsTime(at position: Int) -> Bool {
            var end = position
            while end < bytes.count && !Self.endsValue(bytes[end]) && end - position < 64 { end += 1 }
            let token = Array(String(decoding: bytes[position..<end], as: UTF8.self).unicodeScalars.filter { $0 != "_" })
            guard token.count >= 10, token[4] == "-", token[7] == "-" else { return false }
            func isDigit(at offset: Int) -> Bool { offset < bytes.count && Self.isDigit(bytes[offset]) }
            if token.count == 10 {
                return end + 1 < bytes.count && bytes[end] == UInt8(ascii: " ") && isDigit(at: end + 1)
                    && !isDigit(at: end + 2)
            }
            return (token[10] == "T" || token[10] == "t") && (token.count == 11 || !("0"..."9").contains(token[11]))
        }

        /// What ends a bare value in toml++ (ASCII part).
        static func endsValue(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","),
                 UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#"):
                true
            default:
                false
            }
        }

        static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        /// U+0085 (C2 85), U+2028 (E2 80 A8), U+2029 (E2 80 A9).
        func lineSeparator(at position: Int) -> String? {
            func byte(_ offset: Int) -> UInt8? {
                position + offset < bytes.count ? bytes[position + offset] : nil
            }
            switch (byte(0), byte(1), byte(2)) {
            case (0xC2, 0x85, _): return "U+0085 (next line)"
            case (0xE2, 0x80, 0xA8): return "U+2028 (line separator)"
            case (0xE2, 0x80, 0xA9): return "U+2029 (paragraph separator)"
            default: return nil
            }
        }

        func skipSpaces(_ position: inout Int) -> Bool {
            let start = position
            while position < bytes.count && (bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t")) {
                position += 1
            }
            return position > start
        }

        static func isBareKeyByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }

        /// Leaves `index` on the line's `\n` (or at the end).
        mutating func skipToEndOfLine() {
            while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        }

        /// At an opening quote: moves past the string. Single-line strings stop
        /// at the end of the line (unterminated: toml++ reports it).
        mutating func skipString(quote: UInt8) {
            let escapes = quote == UInt8(ascii: "\"")
            let multiLine = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
            index += multiLine ? 3 : 1
            while index < bytes.count {
                let byte = bytes[index]
                if escapes && byte == UInt8(ascii: "\\") {
                    index += 1
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\n") {
                        if !multiLine { return }
                        line += 1
                    }
                    index += 1
                    continue
                }
                if byte == UInt8(ascii: "\n") {
                    if !multiLine { return }
                    line += 1
                } else if byte == quote {
                    if !multiLine {
                        index += 1
                        return
                    }
                    if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                        index += 3
                        // Up to two more quotes belong to the content ("""a"""").
                        var extra = 0
                        while extra < 2 && index < bytes.count && bytes[index] == quote {
                            index += 1
                            extra += 1
                        }
                        return
                    }
                }
                index += 1
            }
        }
    }
}
