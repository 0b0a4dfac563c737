import AntreCore
import AntreDevices
import AntreTestSupport
import Foundation
import Testing

/// Against the emupos emulator: what a real ESC/POS printer reads off the wire.
@Suite struct EmuposPrinterTests {
    @Test func tcpJobPrintsAndStatusFollowsFaults() throws {
        let emu = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(emu.tcpPort)
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: port))
        defer { printer.close() }

        try printer.send(handJob("ANTRE TCP B-012"), timeout: .seconds(3))
        let receipts = try emu.waitForReceipts(count: 1, timeout: .seconds(5))
        #expect(receipts[0].text.contains("ANTRE TCP B-012"))
        #expect(receipts[0].boundary == "cut")

        // DLE EOT 1..4 on a healthy printer: 0x12 each (only the fixed bits set).
        #expect(printer.queryStatus(timeout: .seconds(2)) == .reply([0x12, 0x12, 0x12, 0x12]))
        try emu.setFault(.paperOut)
        // Paper out: off-line (bit 3 of n=1), paper stop (bit 5 of n=2), roll end (bits 5,6 of n=4) + near end (2,3).
        #expect(printer.queryStatus(timeout: .seconds(2)) == .reply([0x1A, 0x32, 0x12, 0x7E]))
        try emu.clearFault(.paperOut)
        try emu.setFault(.coverOpen)
        // Cover open: off-line (n=1 bit 3), cover open (n=2 bit 2).
        #expect(printer.queryStatus(timeout: .seconds(2)) == .reply([0x1A, 0x16, 0x12, 0x12]))
        try emu.clearFault(.coverOpen)
        #expect(printer.queryStatus(timeout: .seconds(2)) == .reply([0x12, 0x12, 0x12, 0x12]))
        #expect(emu.complaints().isEmpty, "emupos complained: \(emu.complaints())")
    }

    @Test func serialJobPrintsOnTheEmulatedPty() throws {
        let emu = try Emupos(profile: .pos58, tcp: false, serial: true)
        let path = try #require(emu.serialPath)
        let printer = DescriptorPrinter(.serial(path: path, baud: 9600))
        defer { printer.close() }
        try printer.send(handJob("ANTRE SERIAL A-001"), timeout: .seconds(3))
        let receipts = try emu.waitForReceipts(count: 1, timeout: .seconds(5))
        #expect(receipts[0].text.contains("ANTRE SERIAL A-001"))
        #expect(printer.queryStatus(timeout: .seconds(2)) == .reply([0x12, 0x12, 0x12, 0x12]))
        #expect(emu.complaints().isEmpty, "emupos complained: \(emu.complaints())")
    }
}
