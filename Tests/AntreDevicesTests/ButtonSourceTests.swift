import AntreCore
import AntreDevices
import AntreTestSupport
import Foundation
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SerialButtonDecoderTests {
    @Test func byteFramingMakesEachPrintableByteAKey() {
        var d = SerialButtonDecoder(framing: .byte)
        #expect(d.feed(Array("1\r\n2\u{0}3".utf8)) == ["1", "2", "3"])
        #expect(d.feed([0x41, 0x07, 0x7F, 0x42]) == ["A", "B"])  // BEL and DEL are not keys
    }

    @Test func lineFramingMakesEachTrimmedLineAKey() {
        var d = SerialButtonDecoder(framing: .line)
        #expect(d.feed(Array("BTN1\r\n\r\n  BTN2  \n".utf8)) == ["BTN1", "BTN2"])
        #expect(d.feed(Array("KT".utf8)).isEmpty)  // a line split across reads
        #expect(d.feed(Array("P\r".utf8)) == ["KTP"])
    }

    @Test func overlongLinesAreDroppedWhole() {
        var d = SerialButtonDecoder(framing: .line)
        let noise = String(repeating: "x", count: 100)
        #expect(d.feed(Array("\(noise)\nOK\n".utf8)) == ["OK"])
        let max = String(repeating: "y", count: SerialButtonDecoder.maxLineLength)
        #expect(d.feed(Array("\(max)\n".utf8)) == [max])
    }
}

/// Keeps log messages so tests can check what a technician would read.
final class LogCapture: Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])
    func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }
    var all: [(Logger.Level, String)] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "capture") { _ in CaptureHandler(capture: self) }
    }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { capture.append(event.level, "\(event.message)") }
    }
}

@Suite struct SerialButtonSourceTests {
    @Test func eachByteFromTheBoxIsAPressInOrder() throws {
        let dir = try TemporaryDirectory()
        let pty = try PseudoTerminal()
        let link = try pty.symlink(at: dir.file("buttons"))
        let source = SerialButtonSource(path: link, baud: 9600, framing: .byte)
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        // Stop before the pty goes: a freed /dev/pts/N is soon reused by a parallel test.
        defer { source.stop(); pty.closeMaster() }
        try pty.write("1")
        #expect(keys.waitFor(count: 1) == ["1"])
        try pty.write("2\r\n")
        #expect(keys.waitFor(count: 2) == ["1", "2"])
        usleep(50_000)
        #expect(keys.all == ["1", "2"])  // CR/LF are not presses
        #expect(pty.speed()?.output == speed_t(B9600))
    }

    @Test func lineFramingReportsWholeLines() throws {
        let pty = try PseudoTerminal()
        let source = SerialButtonSource(path: pty.slavePath, baud: 115200, framing: .line)
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        defer { source.stop(); pty.closeMaster() }
        try pty.write("BTN1\r\n")
        try pty.write("BT")
        try pty.write("N2\n\n")
        #expect(keys.waitFor(count: 2) == ["BTN1", "BTN2"])
        #expect(pty.speed()?.output == speed_t(B115200))
    }

    @Test func presssesFlowAgainAfterTheBoxIsUnpluggedAndPluggedBackIn() throws {
        let dir = try TemporaryDirectory()
        let link = dir.file("buttons")
        let first = try PseudoTerminal()
        try first.symlink(at: link)
        let log = LogCapture()
        let source = SerialButtonSource(path: link, baud: 9600, framing: .byte, logger: log.logger)
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        try first.write("1")
        #expect(keys.waitFor(count: 1) == ["1"])

        first.closeMaster()  // unplugged: hang-up, and the device node goes away
        unlink(link)  // (else the link names a /dev/pts/N that a parallel test may get next)
        usleep(300_000)  // a few reconnect attempts fail meanwhile
        let second = try PseudoTerminal()
        defer { source.stop(); second.closeMaster() }
        try second.symlink(at: link)
        let replugged = ContinuousClock.now
        try second.write("2")
        #expect(keys.waitFor(count: 2, timeout: .seconds(2)) == ["1", "2"])
        #expect(ContinuousClock.now - replugged < .milliseconds(1200))

        let warnings = log.all.filter { $0.0 == .warning }.map(\.1)
        #expect(warnings.count == 1, "one warning per outage, got \(warnings)")
        #expect(warnings.first?.contains("disconnected") == true)
        #expect(log.all.contains { $0.1.contains("reconnected") })
    }

    @Test func missingDeviceIsRetriedUntilItAppears() throws {
        let dir = try TemporaryDirectory()
        let link = dir.file("buttons")
        let log = LogCapture()
        let source = SerialButtonSource(path: link, baud: 9600, framing: .byte, logger: log.logger)
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        usleep(250_000)
        let pty = try PseudoTerminal()
        defer { source.stop(); pty.closeMaster() }
        try pty.symlink(at: link)
        try pty.write("7")
        #expect(keys.waitFor(count: 1, timeout: .seconds(2)) == ["7"])
        let warnings = log.all.filter { $0.0 == .warning }.map(\.1)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("does not exist") == true)
    }

    @Test func stopReturnsPromptlyWhileWaitingOrReading() throws {
        let dir = try TemporaryDirectory()
        let waiting = SerialButtonSource(path: dir.file("absent"), baud: 9600, framing: .byte,
                                         initialBackoff: .seconds(5))
        waiting.start { _ in }
        usleep(50_000)
        #expect(elapsed { waiting.stop() } < .milliseconds(300))

        let pty = try PseudoTerminal()
        let reading = SerialButtonSource(path: pty.slavePath, baud: 9600, framing: .byte)
        let keys = KeyCollector()
        reading.start(onPress: keys.onPress)
        try pty.write("1")
        keys.waitFor(count: 1)
        #expect(elapsed { reading.stop() } < .milliseconds(300))
        try pty.write("2")
        usleep(100_000)
        #expect(keys.all == ["1"])  // no presses after stop
        pty.closeMaster()
    }

    /// The daemon stops sources from async code: the wait for the reader happens without
    /// blocking a cooperative thread, and the source can be started again afterwards.
    @Test func stopAndWaitFromAsyncCodeEndsTheReaderAndAllowsARestart() async throws {
        let pty = try PseudoTerminal()
        let source = SerialButtonSource(path: pty.slavePath, baud: 9600, framing: .byte)
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        try pty.write("1")
        keys.waitFor(count: 1)
        let started = ContinuousClock.now
        await source.stopAndWait()
        #expect(ContinuousClock.now - started < .milliseconds(300))
        try pty.write("2")
        try await Task.sleep(for: .milliseconds(100))
        #expect(keys.all == ["1"])  // no presses after stopAndWait returned
        source.start(onPress: keys.onPress)
        try await Task.sleep(for: .milliseconds(50))
        try pty.write("3")
        // The port kept "2" while nobody read it: the new reader delivers it, then "3".
        #expect(keys.waitFor(count: 3) == ["1", "2", "3"])
        await source.stopAndWait()
        pty.closeMaster()
    }

    /// A press handler that stops its own source must not wait for itself.
    @Test func stopFromThePressHandlerDoesNotDeadlock() throws {
        let pty = try PseudoTerminal()
        let source = SerialButtonSource(path: pty.slavePath, baud: 9600, framing: .byte)
        let keys = KeyCollector()
        source.start { key in
            keys.onPress(key)
            source.stop()
        }
        try pty.write("1")
        #expect(keys.waitFor(count: 1, timeout: .seconds(2)) == ["1"])
        try pty.write("2")
        usleep(100_000)
        #expect(keys.all == ["1"])
        pty.closeMaster()
    }
}

@Suite struct KeyboardButtonSourceTests {
    @Test func keysFromAPipeArePressesAndEndOfInputStopsQuietly() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let source = KeyboardButtonSource(fd: fds[0])
        let keys = KeyCollector()
        source.start(onPress: keys.onPress)
        _ = write(fds[1], "12\n3", 4)
        #expect(keys.waitFor(count: 3) == ["1", "2", "3"])
        close(fds[1])  // end of input
        usleep(100_000)
        #expect(elapsed { source.stop() } < .milliseconds(200))
        #expect(keys.all == ["1", "2", "3"])
    }
}
