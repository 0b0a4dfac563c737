import Testing
@testable import AntreCore

/// Config text that made toml++ abort the process (found by Fuzz/FuzzConfig):
/// `antred --check-config` died with SIGABRT and a reload would have killed
/// the daemon. Each must now be a config error naming the line.
@Suite struct TOMLCrashGuardTests {
    private static let office = "[office]\nname = \"Kantor Desa Uji\"\n"

    private func issues(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text, file: "t.toml")
            Issue.record("config was accepted: \(text.debugDescription)")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test(arguments: [
        ("[*service]]\n", "'*'"),
        ("[[[1]]]\n", "'['"),
        ("[[=\n", "'='"),
        ("[[[]]\n", "'['"),
        ("[\n", "end of line"),
        ("[[\r\n", "end of line"),
        ("[é]\n", "'é'"),
        ("[ .a]\n", "'.'"),
    ])
    func headerWithoutAName(header: String, found: String) {
        #expect(issues(Self.office + "\n" + header) == [
            "t.toml:4: TOML syntax: a table header needs a name after '[' (letters, digits, '-', '_' "
                + "or a quoted name), found \(found)",
        ])
    }

    @Test func closingBraceInsideAnArray() {
        #expect(issues(Self.office + "footer = [\"a\", 1, }..5]\n") == [
            "t.toml:3: TOML syntax: '}' inside an array; close the array with ']'",
        ])
        #expect(issues(Self.office + "footer = [\n  \"a\",\n  { x = [ } ],\n]\n") == [
            "t.toml:5: TOML syntax: '}' inside an array; close the array with ']'",
        ])
    }

    @Test(arguments: ["x = 1979-05-27 1\n", "x = [1979-05-27 1]\n", "x = 1_979-05-27 8,\n", "x = 2026-11-28 9",
                      "x = 1979-05-27tx:\n", "x = [1979-05-27Tgg07:30:00Z]\n", "x = 1979-05-27T",
                      "x = [1$79-05-27 1, 2]\n", "x = 1é79-05-27 1\n", "x = 1a79-05-27 1#\n"])
    func dateFollowedByALoneDigit(line: String) {
        #expect(issues(Self.office + line) == [
            "t.toml:3: TOML syntax: a date and time needs the time as HH:MM:SS after the date",
        ])
    }

    @Test(arguments: ["\u{2028}", "\u{2029}", "\u{85}"])
    func lineSeparatorOutsideAString(separator: String) {
        let found = issues(Self.office + "footer = [\"a\",\(separator)]\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("t.toml:3: TOML syntax: U+") == true)
        #expect(found.first?.hasSuffix("is only allowed inside a string or comment") == true)
    }

    /// Lookalikes inside strings, comments or values are not flagged: valid
    /// configs still load, with the text as written.
    @Test func lookalikesInStringsAndCommentsStillLoad() throws {
        let text = """
            [ "office" ]
            name = "Kantor Desa Uji\u{2028}"
            address = \"\"\"
            [*] Jl. Raya \\\"1\\\" \\
            [=]\"\"\"\"
            # [*] not a header either, } nor \u{2029}
            header = [
              '''
            [*] literal''',
              "[[= }",
              { a = 1 }, [ { b = [2] } ],
            ]

            [[ "service" ]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            requirements = ["a # b", 'c " d', "e ' f", "2026-11-28 8"]
            contact = "x" # 2026-11-28 8
            """
        // header mixes strings with an inline table and an array: the loader
        // refuses that shape, but not as a syntax error.
        let found = issues(text)
        #expect(!found.isEmpty)
        #expect(!found.contains { $0.contains("TOML syntax") })
        let valid = text.replacingOccurrences(of: "  { a = 1 }, [ { b = [2] } ],\n", with: "")
        let config = try ConfigLoader.parse(valid, file: "t.toml")
        #expect(config.office.address == "[*] Jl. Raya \"1\" [=]\"")
        #expect(config.office.headerLines == ["[*] literal", "[[= }"])
        #expect(config.services.map(\.requirements) == [["a # b", "c \" d", "e ' f", "2026-11-28 8"]])
    }

    @Test func validDatesAndTimesAreNotFlagged() {
        let text = "a = 1979-05-27 07:32:00\nb = 1979-05-27\nc = [1979-05-27 , 1979-05-27T07:32:00Z]\n"
            + "d = 07:32:00\ne = -1_000\nf = 1979-05-27 07:32:00.5+07:00\ng = 1979-05-27t07:32:00z\n"
        #expect(TOMLCrashGuard.firstCrash(in: text) == nil)
    }

    /// After multi-line values the scan still finds a bad header, at its own line.
    @Test func findingAfterMultiLineValuesHasItsOwnLine() {
        let text = Self.office + "footer = [\n  \"\"\"x\n]\"\"\",\n]\n[*kk]\n"
        #expect(TOMLCrashGuard.firstCrash(in: text)?.line == 7)
    }
}
