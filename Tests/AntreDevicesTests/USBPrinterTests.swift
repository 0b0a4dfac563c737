import AntreDevices
import AntreTestSupport
import ESCPOS
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The USB transport against a fake printer under umockdev. The transport runs in
/// `antre-devprobe` started by the fake's testbed; each step prints one line.
@Suite(.serialized, .enabled(if: UMockdev.isAvailable, "umockdev is not installed"))
struct USBPrinterTests {
    static let probe = UMockdev.executable("antre-devprobe")

    /// A job larger than one 4096-byte chunk, with no DLE EOT inside.
    static func bigJob(_ seed: UInt8, count: Int = 10_000) -> [UInt8] {
        let text = (0..<count / 40).map { "\(seed) line \($0) of a long ticket job........\n" }.joined()
        return [0x1B, 0x40] + Array(text.utf8.prefix(count)) + [0x1D, 0x56, 0x00]
    }

    static let dleEot: [UInt8] = [0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4]

    func write(_ bytes: [UInt8], _ fake: FakeUSBPrinter, _ name: String) throws -> String {
        let path = fake.directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Result lines of the probe (steps' output), after it exits.
    func runProbe(_ fake: FakeUSBPrinter, _ arguments: [String]) throws -> [String] {
        let child = try fake.run(Self.probe, arguments)
        let status = child.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "probe failed:\n\(child.stderr)")
        return child.stdout.split(separator: "\n").map(String.init)
    }

    @Test func printsAWholeJobAndReadsReadyStatus() throws {
        let fake = try FakeUSBPrinter()
        let job = Self.bigJob(1)
        let jobFile = try write(job, fake, "job.bin")
        let lines = try runProbe(fake, ["usb", "usb:0416:5011", "send:\(jobFile)", "status"])
        #expect(lines == ["send ok", "status reply 12 12 12 12"])
        // Every byte arrived, in order, then the four status queries.
        #expect(fake.captured == job + Self.dleEot)
        #expect(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x12, 0x12])?.canPrint == true)
    }

    @Test func paperOutStatusIsReportedRaw() throws {
        // emupos with paper-out answers 1A 32 12 7E (docs/hardware-testing.md).
        let fake = try FakeUSBPrinter(status: [0x1A, 0x32, 0x12, 0x7E])
        let lines = try runProbe(fake, ["usb", "usb:0416:5011", "status"])
        #expect(lines == ["status reply 1A 32 12 7E"])
        let status = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x32, 0x12, 0x7E]))
        #expect(status.paperOut && !status.canPrint)
    }

    @Test func printerWithoutINEndpointHasUnknownStatusButPrints() throws {
        let fake = try FakeUSBPrinter(description: "printer-no-in.umockdev")
        let job = handJob("one-way printer")
        let jobFile = try write(job, fake, "job.bin")
        let lines = try runProbe(fake, ["usb", "usb:0416:5011", "status", "send:\(jobFile)", "status"])
        #expect(lines == ["status unknown", "send ok", "status unknown"])
        // No status query was sent: the bytes are exactly the job.
        #expect(fake.captured == job)
    }

    @Test func serialPicksThePrinterAndAWrongSerialSaysWhichAreThere() throws {
        let fake = try FakeUSBPrinter()
        let job = handJob("by serial")
        let jobFile = try write(job, fake, "job.bin")
        let good = try runProbe(fake, ["usb", "usb:0416:5011?serial=TEST0001", "send:\(jobFile)"])
        #expect(good == ["send ok"])
        let bad = try runProbe(fake, ["usb", "usb:0416:5011?serial=OTHER", "send:\(jobFile)"])
        #expect(bad.count == 1)
        #expect(bad.first?.hasPrefix("send error: printer usb:0416:5011?serial=OTHER unreachable: no USB device 0416:5011 with serial OTHER found") == true)
        #expect(bad.first?.contains("serial TEST0001") == true)
        #expect(fake.captured == job)
    }

    @Test func notFoundListsThePrintersThatAreThere() throws {
        let fake = try FakeUSBPrinter()
        let jobFile = try write(handJob("x"), fake, "job.bin")
        let lines = try runProbe(fake, ["usb", "usb:1234:5678", "send:\(jobFile)", "status"])
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("send error: printer usb:1234:5678 unreachable: no USB device 1234:5678 found; "
            + "USB printers present: usb:0416:5011?serial=TEST0001 (0416:5011, bus 001 address 005") == true)
        #expect(lines.last?.hasPrefix("status unreachable: no USB device 1234:5678 found") == true)
        #expect(fake.captured.isEmpty)
    }

    @Test func discoveryListsThePrinterWithItsEndpoints() throws {
        let fake = try FakeUSBPrinter()
        let lines = try runProbe(fake, ["usb-list"])
        #expect(lines == ["printer usb:0416:5011?serial=TEST0001 0416:5011, bus 001 address 005, "
            + "\"Fake POS58 Printer\", serial TEST0001, interface 0 OUT 0x01 IN 0x82, no kernel driver"])
        let oneWay = try FakeUSBPrinter(description: "printer-no-in.umockdev")
        let oneWayLines = try runProbe(oneWay, ["usb-list"])
        #expect(oneWayLines.first?.contains("interface 0 OUT 0x01 no IN (status unknown)") == true)
    }

    @Test func unplugMidJobFailsThenReplugPrintsWithoutRestart() throws {
        let fake = try FakeUSBPrinter(unplugAfter: 3000)
        let first = Self.bigJob(1)
        let second = Self.bigJob(2)
        let firstFile = try write(first, fake, "first.bin")
        let secondFile = try write(second, fake, "second.bin")
        let replugged = fake.directory.file("replugged")
        let child = try fake.run(Self.probe, ["usb", "usb:0416:5011", "send:\(firstFile)", "status",
                                              "waitfile:\(replugged)", "send:\(secondFile)", "status"])
        let failed = try #require(child.waitForLine(containing: "status ", timeout: .seconds(15)), "\(child.stderr)")
        let out = child.stdout
        #expect(out.hasPrefix("send error: printer usb:0416:5011 "), "\(out)")
        #expect(failed.hasPrefix("status unreachable:"))
        #expect(child.isRunning)
        // The cable went at byte 3000: that much arrived, nothing after.
        #expect(fake.captured == Array(first.prefix(3000)))
        try fake.control.send("replug")
        _ = FileManager.default.createFile(atPath: replugged, contents: nil)
        #expect(child.waitForExit(timeout: .seconds(20)) == 0, "\(child.stderr)")
        let lines = child.stdout.split(separator: "\n").map(String.init)
        #expect(lines.suffix(3) == ["waited \(replugged)", "send ok", "status reply 12 12 12 12"])
        #expect(fake.captured == Array(first.prefix(3000)) + second + Self.dleEot)
    }

    @Test func unpluggedBetweenJobsIsNotFoundUntilReplugged() throws {
        let fake = try FakeUSBPrinter()
        let job = handJob("before")
        let after = handJob("after")
        let jobFile = try write(job, fake, "job.bin")
        let afterFile = try write(after, fake, "after.bin")
        let gone = fake.directory.file("gone")
        let back = fake.directory.file("back")
        let child = try fake.run(Self.probe, ["usb", "usb:0416:5011", "send:\(jobFile)", "waitfile:\(gone)",
                                              "send:\(afterFile)", "waitfile:\(back)", "send:\(afterFile)"])
        #expect(child.waitForLine(containing: "send ok", timeout: .seconds(15)) != nil, "\(child.stderr)")
        try fake.control.send("unplug")
        _ = FileManager.default.createFile(atPath: gone, contents: nil)
        let error = try #require(child.waitForLine(containing: "send error", timeout: .seconds(15)), "\(child.stderr)")
        #expect(error.contains("no USB device 0416:5011 found; no USB printers are connected"), "\(error)")
        try fake.control.send("replug")
        _ = FileManager.default.createFile(atPath: back, contents: nil)
        #expect(child.waitForExit(timeout: .seconds(20)) == 0)
        #expect(child.stdout.split(separator: "\n").last == "send ok", "\(child.stdout)\n\(child.stderr)")
        #expect(fake.captured == job + after)
    }
}

/// Without a testbed: the real (here empty) bus.
struct USBPrinterWithoutDeviceTests {
    @Test func anAbsentPrinterFailsFastSayingWhatIsThere() {
        let printer = USBPrinter(vendor: 0xFFFF, product: 0xFFFE)
        let (error, took) = timedAttempt { () throws(PrinterError) in try printer.send(handJob("x"), timeout: .seconds(2)) }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("printer usb:ffff:fffe unreachable: "), "\(text)")
        #expect(text.contains("no USB device ffff:fffe found") || text.contains("libusb cannot start"), "\(text)")
        #expect(took < .seconds(2))
        guard case .unreachable = printer.queryStatus(timeout: .milliseconds(500)) else {
            Issue.record("status of an absent printer must be unreachable")
            return
        }
    }
}
