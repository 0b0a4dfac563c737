import Testing
@testable import AntreCore

@Suite struct ConfigLocatorTests {
    private func path(_ parts: ConfigPathComponent...) -> ConfigPath { ConfigPath(parts) }

    @Test func tablesArraysOfTablesAndKeys() {
        let text = """
            # comment [not] = "a table"
            [office]
            name = "Desa"   # trailing [comment]

            [[service]]
            id = "ktp"

            [[service]]
            id = "kk"
            prefix = "K"
            """
        let locator = ConfigLocator(text: text)
        #expect(locator.exactLine(of: "office") == 2)
        #expect(locator.exactLine(of: path(.key("office"), .key("name"))) == 3)
        #expect(locator.exactLine(of: path(.key("service"), .index(0))) == 5)
        #expect(locator.exactLine(of: path(.key("service"), .index(0), .key("id"))) == 6)
        #expect(locator.exactLine(of: path(.key("service"), .index(1))) == 8)
        #expect(locator.exactLine(of: path(.key("service"), .index(1), .key("prefix"))) == 10)
        #expect(locator.exactLine(of: "not") == nil)
        // A key the file lacks points at its table.
        #expect(locator.line(of: path(.key("service"), .index(1), .key("name"))) == 8)
        // A table the file lacks: the top of the file.
        #expect(locator.line(of: path(.key("socket"), .key("path"))) == 1)
    }

    @Test func subtablesOfTheLastArrayElement() {
        let text = """
            [[dispenser]]
            id = "a"
            [dispenser.buttons]
            "1" = "ktp"
            [[dispenser]]
            id = "b"
            [dispenser.buttons]
            "1" = "kk"
            'KEY 2' = "kk"
            """
        let locator = ConfigLocator(text: text)
        #expect(locator.exactLine(of: path(.key("dispenser"), .index(0), .key("buttons"), .key("1"))) == 4)
        #expect(locator.exactLine(of: path(.key("dispenser"), .index(1), .key("buttons"))) == 7)
        #expect(locator.exactLine(of: path(.key("dispenser"), .index(1), .key("buttons"), .key("1"))) == 8)
        let quoted = path(.key("dispenser"), .index(1), .key("buttons"), .key("KEY 2"))
        #expect(quoted.description == "dispenser[1].buttons.\"KEY 2\"")
        #expect(locator.exactLine(of: quoted) == 9)
    }

    @Test func dottedKeysInlineTablesAndMultilineArrays() {
        let text = """
            [office]
            a.b."c.d" = 1
            inline = { x = 1, y = [1,
              2] }
            requirements = [
              "one",  # a comment, with [brackets]
              "two",

              "three, with comma",
            ]
            after = true
            """
        let locator = ConfigLocator(text: text)
        #expect(locator.exactLine(of: path(.key("office"), .key("a"))) == 2)
        #expect(locator.exactLine(of: path(.key("office"), .key("a"), .key("b"), .key("c.d"))) == 2)
        #expect(locator.exactLine(of: path(.key("office"), .key("inline"), .key("y"))) == 3)
        #expect(locator.exactLine(of: path(.key("office"), .key("inline"), .key("y"), .index(1))) == 4)
        #expect(locator.exactLine(of: path(.key("office"), .key("requirements"), .index(0))) == 6)
        #expect(locator.exactLine(of: path(.key("office"), .key("requirements"), .index(1))) == 7)
        #expect(locator.exactLine(of: path(.key("office"), .key("requirements"), .index(2))) == 9)
        #expect(locator.exactLine(of: path(.key("office"), .key("requirements"), .index(3))) == nil)
        #expect(locator.exactLine(of: path(.key("office"), .key("after"))) == 11)
    }

    @Test func multilineStringsHideTheirContent() {
        let text = #"""
            [office]
            address = """
            [fake]
            name = "not a key" \"""
            """
            literal = '''
            [[service]]'''
            last = "x"
            """#
        let locator = ConfigLocator(text: text)
        #expect(locator.exactLine(of: path(.key("office"), .key("address"))) == 2)
        #expect(locator.exactLine(of: "fake") == nil)
        #expect(locator.exactLine(of: path(.key("office"), .key("name"))) == nil)
        #expect(locator.exactLine(of: path(.key("office"), .key("literal"))) == 6)
        #expect(locator.exactLine(of: "service") == nil)
        #expect(locator.exactLine(of: path(.key("office"), .key("last"))) == 8)
    }
}
