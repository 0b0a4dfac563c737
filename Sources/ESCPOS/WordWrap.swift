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
