import AntreWire
import Testing

@Suite struct VarlinkIDLTests {
    @Test func parsesTheServiceInterface() throws {
        let idl = try VarlinkIDL(parsing: VarlinkServiceInterface.idl)
        #expect(idl.name == "org.varlink.service")
        #expect(idl.types.isEmpty)
        #expect(idl.methods.map(\.name) == ["GetInfo", "GetInterfaceDescription"])
        #expect(idl.method(named: "GetInfo")?.input == [])
        #expect(idl.method(named: "GetInfo")?.output.map(\.name) == ["vendor", "product", "version", "url", "interfaces"])
        #expect(idl.method(named: "GetInfo")?.output.last?.type == .array(.string))
        #expect(idl.errors.map(\.name) == ["InterfaceNotFound", "MethodNotFound", "MethodNotImplemented",
                                           "InvalidParameter", "ExpectedMore"])
        #expect(idl.error(named: "ExpectedMore")?.parameters == [])
    }

    @Test func parsesEveryKindOfType() throws {
        let idl = try VarlinkIDL(parsing: """
        # A comment before the interface.
        interface org.example.Shapes

        type Mood (happy, sad) # a trailing comment
        type Thing (
          # comment inside
          name: string,
          size: ?int,
          ratio: float,
          on: bool,
          tags: []string,
          maybe_tags: ?[]string,
          labels: [string]int,
          extra: object,
          mood: Mood,
          kind: (round, square),
          inner: ?(x: int, y: []?float)
        )
        method Make(mood: ?Mood) -> (thing: Thing, all: []Thing)
        method Nothing() -> ()
        # A method may have a type's name (io.antre.Queue: type Report, method Report).
        method Mood() -> (mood: Mood)
        error Broken (why: string)
        """)
        #expect(idl.name == "org.example.Shapes")
        #expect(idl.type(named: "Mood") == .enumeration(["happy", "sad"]))
        typealias F = VarlinkIDL.Field
        #expect(idl.type(named: "Thing") == .structure([
            F(name: "name", type: .string), F(name: "size", type: .optional(.int)), F(name: "ratio", type: .float),
            F(name: "on", type: .bool), F(name: "tags", type: .array(.string)),
            F(name: "maybe_tags", type: .optional(.array(.string))), F(name: "labels", type: .dictionary(.int)),
            F(name: "extra", type: .object), F(name: "mood", type: .named("Mood")),
            F(name: "kind", type: .enumeration(["round", "square"])),
            F(name: "inner", type: .optional(.structure([F(name: "x", type: .int),
                                                          F(name: "y", type: .array(.optional(.float)))]))),
        ]))
        #expect(idl.method(named: "Make")?.input == [F(name: "mood", type: .optional(.named("Mood")))])
        #expect(idl.method(named: "Make")?.output == [F(name: "thing", type: .named("Thing")),
                                                       F(name: "all", type: .array(.named("Thing")))])
        #expect(idl.method(named: "Nothing").map { $0.input.isEmpty && $0.output.isEmpty } == true)
        #expect(idl.errors == [.init(name: "Broken", parameters: [F(name: "why", type: .string)])])
        #expect(idl.type(named: "Thing")?.description.hasPrefix("(name: string, size: ?int,") == true)
    }

    @Test(arguments: [
        ("type X (a: int)", "line 1: the text must start with 'interface NAME'"),
        ("interface a.b\ntype X (a: int", "line 2: expected ')'"),
        ("interface a.b\n\nmethod M(a: integer) -> ()", "line 3: unknown type 'integer'"),
        ("interface a.b\nmethod M() - > ()", "line 2: '-' not followed by '>'"),
        ("interface a.b\nmethod M() => ()", "line 2: unexpected character '='"),
        ("interface a.b\nmethod M() ()", "line 2: expected '->'"),
        ("interface a.b\ntype X (a: int)\ntype X (b: int)", "line 3: type 'X' is declared twice"),
        ("interface a.b\ntype X (a: int, a: string)", "line 2: field 'a' appears twice"),
        ("interface a.b\ntype X (a: int, b)", "line 2: 'b' has no type (expected ':')"),
        ("interface a.b\ntype X (a, b: int)", "line 2: 'b': an enum cannot have typed fields"),
        ("interface a.b\nmethod M(a, b) -> ()", "line 2: expected fields 'name: type', found an enum"),
        ("interface a.b\n\ntype X (t: Y)", "line 3: X.t uses type Y, which is not declared"),
        ("interface a.b\nerror Bad (r: [int]string)", "line 2: dictionary keys are 'string'"),
        ("interface a.b\nfunction F() -> ()", "line 2: expected 'type', 'method' or 'error', found 'function'"),
        ("interface a.b\ntype lower (a: int)", "line 2: type name 'lower' must start with a capital letter"),
        ("interface a.b\ntype X (a: ??int)", "line 2: '??' is not a type"),
        ("interface a.b\ntype X (a: int) !", "line 2: unexpected character '!'"),
    ])
    func mistakesNameTheirLine(text: String, message: String) {
        #expect(throws: VarlinkIDLError.self) { try VarlinkIDL(parsing: text) }
        do {
            _ = try VarlinkIDL(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }
}
