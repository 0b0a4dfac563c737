import AntreCore
import AntreDevices
import AntreTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SerialPrinterTests {
    @Test func bytesArriveOnThePtyAndTheBaudIsSet() throws {
        let dir = try TemporaryDirectory()
        let pty = try PseudoTerminal()
        let link = try pty.symlink(at: dir.file("printer"))
        let printer = DescriptorPrinter(.serial(path: link, baud: 19200))
        // Bytes a terminal would mangle (CR, LF, XON/XOFF, 0xFF) must pass unchanged.
        let job = handJob("Antre serial\r\n") + [0x11, 0x13, 0xFF, 0x00]
        try printer.send(job, timeout: .seconds(2))
        #expect(pty.read(count: job.count, timeout: .seconds(2)) == job)
        let speed = try #require(pty.speed())
        #expect(speed.output == speed_t(B19200))
        #expect(speed.input == speed_t(B19200))
        let t = try #require(pty.attributes())
        #expect(t.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(t.c_cflag & tcflag_t(PARENB) == 0)
        #expect(t.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(t.c_iflag & tcflag_t(IXON) == 0)
        #expect(t.c_oflag & tcflag_t(OPOST) == 0)
        printer.close()
    }

    @Test func reopensAfterTheDeviceWentAwayAndCameBack() throws {
        let dir = try TemporaryDirectory()
        let link = dir.file("printer")
        let first = try PseudoTerminal()
        try first.symlink(at: link)
        let printer = DescriptorPrinter(.serial(path: link, baud: 9600))
        try printer.send(handJob("one"), timeout: .seconds(1))
        #expect(first.read(count: handJob("one").count, timeout: .seconds(1)) == handJob("one"))
        first.closeMaster()  // unplugged
        let second = try PseudoTerminal()
        try second.symlink(at: link)  // plugged back in
        try printer.send(handJob("two"), timeout: .seconds(1))
        #expect(second.read(count: handJob("two").count, timeout: .seconds(1)) == handJob("two"))
    }

    @Test func missingPortIsUnreachableAndSaysSo() throws {
        let dir = try TemporaryDirectory()
        let printer = DescriptorPrinter(.serial(path: dir.file("ttyUSB9"), baud: 9600))
        #expect(throws: PrinterError.unreachable(connection: "serial:\(dir.file("ttyUSB9"))?baud=9600",
                                                 reason: "\(dir.file("ttyUSB9")) does not exist (is the device plugged in and the path right?)")) {
            try printer.send([0x0A], timeout: .seconds(1))
        }
        #expect(printer.queryStatus(timeout: .milliseconds(200))
            == .unreachable("\(dir.file("ttyUSB9")) does not exist (is the device plugged in and the path right?)"))
    }

    @Test func unsupportedBaudIsRejected() throws {
        let pty = try PseudoTerminal()
        let printer = DescriptorPrinter(.serial(path: pty.slavePath, baud: 12345))
        do {
            try printer.send([0x0A], timeout: .seconds(1))
            Issue.record("baud 12345 should be refused")
        } catch {
            guard case let .unreachable(_, reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("unsupported baud rate 12345"))
        }
    }

    @Test func statusQueryReadsOneReplyPerRequest() throws {
        let pty = try PseudoTerminal()
        let printer = DescriptorPrinter(.serial(path: pty.slavePath, baud: 9600))
        // A fake printer on the master: answers each DLE EOT n with a byte of its own.
        let fake = Background { () -> [UInt8] in
            var asked: [UInt8] = []
            for answer: UInt8 in [0x16, 0x12, 0x12, 0x72] {
                let q = pty.read(count: 3, timeout: .seconds(2))
                asked += q
                try? pty.write([answer])
            }
            return asked
        }
        let reading = printer.queryStatus(timeout: .seconds(2))
        #expect(reading == .reply([0x16, 0x12, 0x12, 0x72]))
        #expect(fake.wait() == [0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04])
    }

    @Test func statusWithNoAnswerIsUnknownInTime() throws {
        let pty = try PseudoTerminal()
        try pty.write([0x55, 0x55])  // stale bytes from earlier: must not count as a reply
        let printer = DescriptorPrinter(.serial(path: pty.slavePath, baud: 9600))
        var reading: PrinterStatusReading?
        let took = elapsed { reading = printer.queryStatus(timeout: .milliseconds(300)) }
        #expect(reading == .unknown)
        #expect(took < .milliseconds(800))
    }
}

@Suite struct DeviceFilePrinterTests {
    @Test func appendsJobsToARegularFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lp0")
        _ = FileManager.default.createFile(atPath: path, contents: Data([0x99]))
        let printer = DescriptorPrinter(.deviceFile(path: path))
        try printer.send(handJob("one"), timeout: .seconds(1))
        try printer.send(handJob("two"), timeout: .seconds(1))
        printer.close()
        let content = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(content == [0x99] + handJob("one") + handJob("two"))
        #expect(printer.queryStatus(timeout: .milliseconds(100)) == .unknown)
    }

    @Test func fifoWithoutReaderIsUnreachableAtOnce() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        let printer = DescriptorPrinter(.deviceFile(path: path))
        let (caught, took) = timedAttempt { () throws(PrinterError) in try printer.send(handJob("x"), timeout: .seconds(2)) }
        guard case let .unreachable(_, reason) = caught else {
            Issue.record("expected unreachable, got \(String(describing: caught))")
            return
        }
        #expect(reason.contains("nothing is reading"))
        #expect(took < .milliseconds(500))
    }

    @Test func stalledReaderMakesTheJobTimeOutNotHang() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK)  // opens, never reads: a stuck printer
        defer { close(reader) }
        let printer = DescriptorPrinter(.deviceFile(path: path))
        let job = [UInt8](repeating: 0x20, count: 1 << 20)
        let (caught, took) = timedAttempt { () throws(PrinterError) in try printer.send(job, timeout: .milliseconds(300)) }
        guard case let .timedOut(_, sent, total) = caught else {
            Issue.record("expected timedOut, got \(String(describing: caught))")
            return
        }
        #expect(sent > 0 && sent < total)
        #expect(took < .milliseconds(900))
    }

    @Test func missingDeviceIsUnreachable() throws {
        let dir = try TemporaryDirectory()
        let printer = DescriptorPrinter(.deviceFile(path: dir.file("nope/lp0")))
        #expect(throws: PrinterError.self) { try printer.send([1], timeout: .seconds(1)) }
    }

    /// The probe the daemon uses to tell a "down" file printer is back: status tries to open it.
    @Test func statusProbeSaysUnreachableWhileTheDeviceIsMissingAndUnknownOnceItAppears() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lp0")
        let printer = DescriptorPrinter(.deviceFile(path: path))
        #expect(throws: PrinterError.self) { try printer.send(handJob("lost"), timeout: .seconds(1)) }
        #expect(printer.queryStatus(timeout: .milliseconds(100))
            == .unreachable("\(path) does not exist (is the device plugged in and the path right?)"))
        _ = FileManager.default.createFile(atPath: path, contents: nil)  // plugged in
        #expect(printer.queryStatus(timeout: .milliseconds(100)) == .unknown)
        try printer.send(handJob("back"), timeout: .seconds(1))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == handJob("back"))
    }

    @Test func statusProbeOfAFifoFollowsItsReader() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        let printer = DescriptorPrinter(.deviceFile(path: path))
        guard case let .unreachable(reason) = printer.queryStatus(timeout: .milliseconds(100)) else {
            Issue.record("a FIFO nobody reads should be unreachable")
            return
        }
        #expect(reason.contains("nothing is reading"))
        let reader = open(path, O_RDONLY | O_NONBLOCK)  // the printer is switched on
        #expect(printer.queryStatus(timeout: .milliseconds(100)) == .unknown)
        try printer.send(handJob("on"), timeout: .seconds(1))
        var got = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &got, got.count)
        #expect(Array(got.prefix(max(n, 0))) == handJob("on"))
        close(reader)  // switched off: the write end now reports an error and is dropped
        guard case let .unreachable(gone) = printer.queryStatus(timeout: .milliseconds(100)) else {
            Issue.record("a FIFO whose reader left should be unreachable")
            return
        }
        #expect(gone.contains("nothing is reading"))
    }
}

@Suite struct PreviewPrinterTests {
    @Test func writesEachJobAsBinAndTextInOrder() throws {
        let dir = try TemporaryDirectory()
        let folder = dir.file("preview/nested")  // created on demand
        let echoPath = dir.file("echo.txt")
        _ = FileManager.default.createFile(atPath: echoPath, contents: nil)
        let echo = try #require(FileHandle(forWritingAtPath: echoPath))
        // The real renderer is ESCPOS's; this stand-in keeps printable ASCII, enough to see the plumbing.
        let printer = PreviewPrinter(directory: folder, echo: echo, render: { bytes in
            String(decoding: bytes.filter { $0 == 0x0A || (0x20..<0x7F).contains($0) && $0 != 0x40 }, as: UTF8.self)
        })
        try printer.send(handJob("B-012"), timeout: .seconds(1))
        try printer.send(handJob("B-013"), timeout: .seconds(1))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count == 4)
        #expect(!names.contains { $0.hasPrefix(".") })  // no temporary files left
        let bins = names.filter { $0.hasSuffix(".bin") }
        #expect(bins.count == 2)
        let firstBin = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + bins[0])))
        let secondBin = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + bins[1])))
        #expect(firstBin == handJob("B-012"))
        #expect(secondBin == handJob("B-013"))
        for bin in bins {
            let txt = folder + "/" + bin.dropLast(4) + ".txt"
            #expect(FileManager.default.fileExists(atPath: txt))
        }
        let firstText = try String(contentsOfFile: folder + "/" + bins[0].dropLast(4) + ".txt", encoding: .utf8)
        #expect(firstText.contains("B-012"))
        try echo.close()
        let echoed = try String(contentsOfFile: echoPath, encoding: .utf8)
        #expect(echoed.contains("B-012") && echoed.contains("B-013"))
        #expect(printer.queryStatus(timeout: .milliseconds(10)) == .unknown)
    }

    @Test func unwritableFolderIsUnreachable() throws {
        let dir = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("file"), contents: nil)
        let printer = PreviewPrinter(directory: dir.file("file/sub"), render: { _ in "" })
        #expect(throws: PrinterError.self) { try printer.send([1], timeout: .seconds(1)) }
    }
}

@Suite struct DeviceFactoryTests {
    @Test func buildsTheTransportNamedByTheConnection() {
        let logger = Logger(label: "test")
        #expect((DeviceFactory.printer(for: .tcp(host: "127.0.0.1", port: 9100), logger: logger) as? DescriptorPrinter)?.link == .socket)
        #expect((DeviceFactory.printer(for: .serial(path: "/dev/ttyUSB0", baud: 9600), logger: logger) as? DescriptorPrinter)?.link == .serialPort)
        #expect((DeviceFactory.printer(for: .file(path: "/dev/usb/lp0"), logger: logger) as? DescriptorPrinter)?.link == .writeOnlyFile)
        #expect(DeviceFactory.printer(for: .preview(directory: "/tmp/x"), logger: logger) is PreviewPrinter)
        let tcp = DeviceFactory.printer(for: .tcp(host: "10.0.0.5", port: 9100), logger: logger)
        #expect(tcp.connection == .tcp(host: "10.0.0.5", port: 9100))
    }

    @Test func usbConnectionGetsTheLibusbTransport() {
        let usb = DeviceFactory.printer(for: .usb(vendor: 0x0416, product: 0x5011, serial: "A1", interface: 1),
                                        logger: Logger(label: "test"))
        #expect(usb is USBPrinter)
        #expect(usb.connection == .usb(vendor: 0x0416, product: 0x5011, serial: "A1", interface: 1))
    }

    @Test func buttonsFollowTheInputKind() {
        let logger = Logger(label: "test")
        #expect(DeviceFactory.buttons(for: .none, logger: logger) == nil)
        #expect(DeviceFactory.buttons(for: .evdev(path: "/dev/input/event3"), logger: logger) is EvdevButtonSource)
        #expect(DeviceFactory.buttons(for: .evdev(path: "/dev/input/event3"), logger: logger)?.input == .evdev(path: "/dev/input/event3"))
        let serial = DeviceFactory.buttons(for: .serial(path: "/dev/ttyACM0", baud: 9600, framing: .line), logger: logger)
        #expect(serial?.input == .serial(path: "/dev/ttyACM0", baud: 9600, framing: .line))
        #expect(DeviceFactory.buttons(for: .keyboard, logger: logger)?.input == .keyboard)
    }
}

import Logging
