@testable import AntreWire
import Foundation
import Testing

/// The byte parser every Varlink message goes through: it must read what
/// Foundation's JSON reader reads, refuse what it refuses, and decode call
/// parameters with the same errors naming the parameter.
@Suite struct JSONParserTests {
    /// Foundation's reading of the same text, as the old parser did it.
    static func foundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let valid = [
        #"{"method":"io.antre.Queue.Issue","parameters":{"service":"kk","priority":true}}"#,
        #"  { "a" : [1, -2, 3.5, -0.25e2, 1E3, 0, null, true, false, "x"] , "b": {} , "c": [] }  "#,
        #""caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t""#,
        #"{"nomor":"Ibu Sri — Loket 1","emoji":"😀","id":"kantor desa"}"#,
        #"9223372036854775807"#, #"-9223372036854775808"#, #"9223372036854775808"#, #"1.5e300"#,
        #"[[[[[]]]]]"#, #"{"dup":1,"dup":2}"#,
    ]

    static let invalid = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "-", "1.", ".5", "1e", "+1", "tru", "nul",
        "\"unterminated", "\"tab\there\"", "\"\\x\"", "\"\\ud83d\"", "\"\\ude00\"", "{\"a\" 1}", "[1 2]",
        "{} {}", "1e999", "NaN", "\u{feff}{}",
    ]

    @Test(arguments: valid) func readsWhatFoundationReads(_ text: String) throws {
        let ours = try JSONValue.parse(Array(text.utf8))
        #expect(ours == Self.foundation(text))
    }

    @Test(arguments: invalid) func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: (any Error).self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: (any Error).self) { try JSONValue.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(Array(fine.utf8))) != nil)
    }

    struct Parameters: Decodable, Equatable {
        var service: String
        var count: Int?
        var ratio: Double
        var tags: [String]
        var priority: Bool
        var extra: JSONValue?
    }

    @Test func decodesParametersAndNamesTheOneThatIsWrong() throws {
        let good = try JSONValue.parse(Array(#"{"service":"kk","count":3,"ratio":2,"tags":["a"],"priority":false,"extra":{"x":[1]}}"#.utf8))
        #expect(try good.decode(as: Parameters.self) == Parameters(
            service: "kk", count: 3, ratio: 2, tags: ["a"], priority: false, extra: .object(["x": .array([.int(1)])])))
        let cases: [(String, String)] = [
            (#"{"count":3,"ratio":2,"tags":[],"priority":false}"#, "service"),
            (#"{"service":1,"ratio":2,"tags":[],"priority":false}"#, "service"),
            (#"{"service":"kk","count":3.5,"ratio":2,"tags":[],"priority":false}"#, "count"),
            (#"{"service":"kk","ratio":"2","tags":[],"priority":false}"#, "ratio"),
            (#"{"service":"kk","ratio":2,"tags":[1],"priority":false}"#, "tags"),
            (#"{"service":"kk","ratio":2,"tags":[],"priority":null}"#, "priority"),
        ]
        for (text, parameter) in cases {
            let value = try JSONValue.parse(Array(text.utf8))
            do {
                _ = try value.decode(as: Parameters.self)
                Issue.record("\(text) decoded")
            } catch let error as DecodingError {
                #expect(VarlinkDispatcher.parameterName(error) == parameter, "\(text)")
            }
        }
    }
}
