import Testing
@testable import AntreCore

/// Table headers that made toml++ abort the process (found by Fuzz/FuzzConfig):
/// `antred --check-config` died with SIGABRT and a reload would have killed the
/// daemon. Each must now be a config error naming the line.
@Suite struct ConfigMalformedHeaderTests {
    private static let office = "[office]\nname = \"Kantor Desa Uji\"\n"

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
    func headerThatCrashedTheParserIsAConfigError(header: String, found: String) {
        let text = Self.office + "\n" + header
        do {
            _ = try ConfigLoader.parse(text, file: "t.toml")
            Issue.record("config with header \(header.debugDescription) was accepted")
        } catch {
            #expect(error.issues.map(\.description) == [
                "t.toml:4: TOML syntax: a table header needs a name after '[' (letters, digits, '-', '_' "
                    + "or a quoted name), found \(found)",
            ])
        }
    }

    /// Lines that look like bad headers inside strings, comments or values are
    /// not headers: valid configs still load.
    @Test func lookalikesInStringsAndValuesAreNotHeaders() throws {
        let text = """
            [ "office" ]
            name = "Kantor Desa Uji"
            address = \"\"\"
            [*] Jl. Raya \\\"1\\\" \\
            [=]\"\"\"\"
            # [*] not a header either
            header = [
              '''
            [*] literal''',
              "[[=",
            ]

            [[ "service" ]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            requirements = ["a # b", 'c " d', "e ' f"]
            """
        let config = try ConfigLoader.parse(text, file: "t.toml")
        #expect(config.office.address == "[*] Jl. Raya \"1\" [=]\"")
        #expect(config.office.headerLines == ["[*] literal", "[[="])
        #expect(config.services.map(\.requirements) == [["a # b", "c \" d", "e ' f"]])
    }

    /// After a well-formed part the scan still finds a bad header further down,
    /// at its own line.
    @Test func badHeaderAfterMultiLineValuesIsFoundAtItsLine() {
        let text = Self.office + "footer = [\n  \"\"\"x\n]\"\"\",\n]\n[*kk]\n"
        #expect(TOMLHeaderCheck.firstUnsafeHeader(in: text) == .init(line: 7, found: "'*'"))
    }
}
