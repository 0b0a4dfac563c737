import AntreWire
import Testing

@Suite struct FramerTests {
    @Test func messageSplitAcrossFeedsComesOutWhole() throws {
        var framer = VarlinkFramer()
        #expect(try framer.feed(Array(#"{"method":"#.utf8)).isEmpty)
        #expect(framer.bufferedByteCount == 10)
        #expect(try framer.feed(Array(#""a.B"}"#.utf8)).isEmpty)
        let out = try framer.feed([0])
        #expect(out == [Array(#"{"method":"a.B"}"#.utf8)])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func severalMessagesInOneFeedKeepTheirOrderAndTheTailWaits() throws {
        var framer = VarlinkFramer()
        let out = try framer.feed(Array("{\"a\":1}\0{\"b\":2}\0{\"c\"".utf8))
        #expect(out == [Array(#"{"a":1}"#.utf8), Array(#"{"b":2}"#.utf8)])
        #expect(framer.bufferedByteCount == 4)
        #expect(try framer.feed(Array(":3}\0".utf8)) == [Array(#"{"c":3}"#.utf8)])
    }

    @Test func emptyMessagesAreSkipped() throws {
        var framer = VarlinkFramer()
        #expect(try framer.feed([0, 0]).isEmpty)
        #expect(try framer.feed(Array("\0x\0\0".utf8)) == [[UInt8(ascii: "x")]])
    }

    @Test func messageAtTheLimitPassesOneByteMoreFails() throws {
        var framer = VarlinkFramer(maxMessageSize: 8)
        #expect(try framer.feed(Array("12345678\0".utf8)) == [Array("12345678".utf8)])
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 8)) {
            try framer.feed(Array("123456789".utf8))
        }
        // The stream cannot be resynchronised: it stays failed.
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 8)) { try framer.feed([0]) }
    }

    @Test func oversizeIsDetectedAcrossFeedsWithoutWaitingForTheNul() throws {
        var framer = VarlinkFramer()
        #expect(framer.maxMessageSize == 65536)
        #expect(try framer.feed([UInt8](repeating: 0x20, count: 40_000)).isEmpty)
        #expect(throws: VarlinkFramingError.self) { try framer.feed([UInt8](repeating: 0x20, count: 40_000)) }
    }
}
