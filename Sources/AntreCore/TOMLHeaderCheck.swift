/// Finds table headers that would crash the TOML parser.
///
/// toml++ 3.4.0 (inside TOMLKit 0.6.0) aborts the whole process when a table
/// header's name starts with a character that cannot start a key: `[*ktp]`,
/// `[[[1]]]`, `[[=`, a lone `[` at the end of a line. It asserts instead of
/// reporting a parse error (fixed upstream in marzer/tomlplusplus#301, not in
/// the release TOMLKit bundles). A typo must be reported, not take down
/// `antred --check-config` or a running daemon on reload, so the loader looks
/// for such headers before handing the text to TOMLKit.
///
/// The scan follows TOML's structure just far enough to know where a
/// statement starts: strings (all four kinds, multi-line ones included),
/// comments, and arrays or inline tables spanning lines are skipped, so a
/// line like `[*] bring KK` inside a multi-line string is not a header.
enum TOMLHeaderCheck {
    struct Finding: Equatable {
        /// 1-based line of the header.
        var line: Int
        /// What follows the brackets, as the technician should read it.
        var found: String
    }

    static func firstUnsafeHeader(in text: String) -> Finding? {
        var scanner = Scanner(bytes: Array(text.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        /// Open `[` / `{` inside the current value.
        var depth = 0
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
                    if depth == 0 {
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
                if atStatementStart && !inValue && depth == 0 {
                    atStatementStart = false
                    if byte == UInt8(ascii: "[") {
                        if let finding = checkHeader() { return finding }
                        skipToEndOfLine()
                        continue
                    }
                }
                if !inValue && depth == 0 && byte == UInt8(ascii: "=") {
                    inValue = true
                } else if inValue {
                    if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                        depth += 1
                    } else if (byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")) && depth > 0 {
                        depth -= 1
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
            return Finding(line: line, found: found)
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
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\n") { line += 1 }
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
