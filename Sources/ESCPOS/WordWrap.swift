/// Word wrapping by columns, one Character per column (true for text already
/// mapped by `CodePageEncoder.printable`).
public enum WordWrap {
    /// Breaks `text` into lines of at most `width` characters at spaces.
    ///
    /// - Runs of whitespace (spaces, tabs, newlines) collapse into one space:
    ///   ticket text comes from config lines, not preformatted blocks.
    /// - Continuation lines start with `hangingIndent` spaces so numbered items
    ///   line up ("1. Fotokopi" / "   lanjutan"); the indent is capped so at least
    ///   one column is left for text.
    /// - A word longer than a line is split hard at the line width.
    /// - Text without words gives one empty line.
    public static func wrap(_ text: String, width: Int, hangingIndent: Int = 0) -> [String] {
        let width = max(1, width)
        let indent = min(max(0, hangingIndent), width - 1)
        let pad = String(repeating: " ", count: indent)
        let words = text.split(whereSeparator: { $0.isWhitespace })

        var lines: [String] = []
        var current = ""
        var currentCount = 0
        // Room for text on the line being built: the first line has no indent.
        var capacity = width

        func flush() {
            lines.append(lines.isEmpty ? current : pad + current)
            current = ""
            currentCount = 0
            capacity = width - indent
        }

        for word in words {
            let count = word.count
            if currentCount > 0 && currentCount + 1 + count <= capacity {
                current += " " + word
                currentCount += 1 + count
                continue
            }
            if currentCount > 0 { flush() }
            var rest = Substring(word)
            while rest.count > capacity {
                current = String(rest.prefix(capacity))
                currentCount = capacity
                rest = rest.dropFirst(capacity)
                flush()
            }
            current = String(rest)
            currentCount = rest.count
        }
        if currentCount > 0 || lines.isEmpty { flush() }
        return lines
    }
}

extension WordWrap {
    /// Wrapped code-page bytes: `text` is the input with its words joined by
    /// single spaces, `lines` the slices of it that make each line (indent not
    /// included), `indent` the hanging indent as capped for this width.
    public struct Lines: Sendable, Equatable {
        public var text: [UInt8]
        public var lines: [Range<Int>]
        public var indent: Int
    }

    /// `wrap(_:width:hangingIndent:)` on code-page bytes (one byte, one column;
    /// 0x20 is the only whitespace `CodePageEncoder` emits): the same lines,
    /// without building a String per word and line.
    public static func wrap(bytes input: [UInt8], width: Int, hangingIndent: Int = 0) -> Lines {
        let width = max(1, width)
        let indent = min(max(0, hangingIndent), width - 1)
        // Words joined by one space: every line is then one slice of `text`.
        var text: [UInt8] = []
        text.reserveCapacity(input.count)
        for byte in input {
            if byte == 0x20 {
                if let last = text.last, last != 0x20 { text.append(0x20) }
            } else {
                text.append(byte)
            }
        }
        if text.last == 0x20 { text.removeLast() }

        var lines: [Range<Int>] = []
        var lineStart = 0, lineEnd = 0  // the line being built: text[lineStart..<lineEnd]
        var capacity = width  // the first line has no indent
        var index = 0
        while index < text.count {
            var wordEnd = index
            while wordEnd < text.count && text[wordEnd] != 0x20 { wordEnd += 1 }
            let count = wordEnd - index
            if lineEnd > lineStart && (lineEnd - lineStart) + 1 + count <= capacity {
                lineEnd = wordEnd
            } else {
                if lineEnd > lineStart {
                    lines.append(lineStart..<lineEnd)
                    capacity = width - indent
                }
                var start = index
                while wordEnd - start > capacity {  // a word longer than a line: split hard
                    lines.append(start..<(start + capacity))
                    start += capacity
                    capacity = width - indent
                }
                lineStart = start
                lineEnd = wordEnd
            }
            index = wordEnd + 1
        }
        if lineEnd > lineStart || lines.isEmpty { lines.append(lineStart..<lineEnd) }
        return Lines(text: text, lines: lines, indent: indent)
    }
}
