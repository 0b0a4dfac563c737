/// Plain sentences for the TOML parser's messages, which speak of "control
/// characters" when a technician forgot a closing quote. The parser's own text
/// is kept after the sentence, for whoever knows TOML.
enum TOMLSyntaxHint {
    static func sentence(for parserMessage: String) -> String? {
        let text = parserMessage
        func has(_ part: String) -> Bool { text.contains(part) }
        if has("parsing literal string"), has("control characters") {
            return "a text value is not closed: add the closing ' on this line"
        }
        if has("parsing string"), has("control characters") || has("end-of-file") {
            return "a text value is not closed: add the closing \" on this line"
        }
        if has("parsing array"), has("end-of-file") || has("expected comma") {
            return "a list is not closed: add the closing ] after its last item"
        }
        if has("parsing inline table") {
            return "a { ... } table is not closed: add the closing } on this line"
        }
        if has("parsing table header"), has("expected ']'") {
            return "a section header is not closed: add the closing ] on this line"
        }
        if let name = quoted(after: "cannot redefine existing table", in: text) {
            return "the section [\(name)] appears twice: keep one and merge their keys"
        }
        if let name = quoted(after: "cannot redefine existing", in: text) {
            return "'\(name)' is set twice in this section: keep one"
        }
        if has("expected value") {
            return "nothing after '=': write a value, e.g. name = \"Kantor Desa\""
        }
        if has("expected '='") {
            return "a key must be followed by = and a value; a key has no spaces (use _ or put it in quotes)"
        }
        if has("expected a comment or whitespace") {
            return "one value per line: put the text inside one pair of quotes, or write a list [\"...\", \"...\"]"
        }
        return nil
    }

    /// `'office'` in "... cannot redefine existing table 'office'".
    private static func quoted(after marker: String, in text: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        let rest = text[range.upperBound...]
        guard let open = rest.firstIndex(of: "'") else { return nil }
        let afterOpen = rest[rest.index(after: open)...]
        guard let close = afterOpen.firstIndex(of: "'") else { return nil }
        return String(afterOpen[..<close])
    }
}
