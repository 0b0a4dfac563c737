import Testing
import ESCPOS

/// Replies observed from emupos (hardware-testing.md) and the bit layout of escpos.md.
@Suite struct StatusTests {
    @Test func normalPrinter() throws {
        let status = try #require(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x12, 0x12]))
        #expect(status == PrinterStatus())
        #expect(status.online && status.canPrint)
    }

    @Test func paperOut() throws {
        let status = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x32, 0x12, 0x7E]))
        #expect(status.offline)
        #expect(status.paperOut)
        #expect(status.paperNearEnd)
        #expect(!status.coverOpen)
        #expect(!status.canPrint)
    }

    @Test func coverOpen() throws {
        let status = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x16, 0x12, 0x12]))
        #expect(status.offline && status.coverOpen)
        #expect(!status.paperOut && !status.paperNearEnd)
    }

    @Test func paperNearEndOnlyStillPrints() throws {
        let status = try #require(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x12, 0x1E]))
        #expect(status.paperNearEnd && !status.paperOut && status.canPrint)
    }

    @Test func errorCauses() throws {
        let cutter = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x52, 0x1A, 0x12]))
        #expect(cutter.cutterError && !cutter.unrecoverableError)
        let fatal = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x52, 0x32, 0x12]))
        #expect(fatal.unrecoverableError && !fatal.cutterError)
        let heat = try #require(PrinterStatus.parse(dleEot: [0x1A, 0x52, 0x52, 0x12]))
        #expect(heat.recoverableError && !heat.canPrint)
    }

    @Test func junkIsRejected() {
        #expect(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x12]) == nil)  // short
        #expect(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x12, 0x12, 0x12]) == nil)
        #expect(PrinterStatus.parse(dleEot: [0x00, 0x12, 0x12, 0x12]) == nil)  // bit 1/4 missing
        #expect(PrinterStatus.parse(dleEot: [0x12, 0x13, 0x12, 0x12]) == nil)  // bit 0 set
        #expect(PrinterStatus.parse(dleEot: [0x12, 0x12, 0x92, 0x12]) == nil)  // bit 7 set
        #expect(PrinterStatus.parse(dleEot: [0x10, 0x00, 0x00, 0x00]) == nil)  // an ASB, not replies
        #expect(PrinterStatus.parse(dleEot: Array("OK\r\n".utf8)) == nil)
        #expect(PrinterStatus.parse(asb: [0x12, 0x12, 0x12, 0x12]) == nil)  // DLE EOT replies, not ASB
        #expect(PrinterStatus.parse(asb: [0x10, 0x00, 0x00]) == nil)
        #expect(PrinterStatus.parse(asb: [0x10, 0x80, 0x00, 0x00]) == nil)
        #expect(PrinterStatus.parse(asb: [0x00, 0x00, 0x00, 0x00]) == nil)
    }

    @Test func automaticStatusBack() throws {
        let normal = try #require(PrinterStatus.parse(asb: [0x10, 0x00, 0x00, 0x00]))
        #expect(normal == PrinterStatus())
        let cover = try #require(PrinterStatus.parse(asb: [0x38, 0x00, 0x00, 0x00]))
        #expect(cover.offline && cover.coverOpen && !cover.paperOut)
        // emupos paper-out: offline, near end (bits 0-1) and paper not present (bits 2-3).
        let paper = try #require(PrinterStatus.parse(asb: [0x18, 0x00, 0x0F, 0x00]))
        #expect(paper.offline && paper.paperOut && paper.paperNearEnd)
    }

    @Test func queryBytes() {
        #expect(ESCPOSCommands.statusQuery(1) == [0x10, 0x04, 0x01])
        #expect(ESCPOSCommands.statusQuery(4) == [0x10, 0x04, 0x04])
        #expect(ESCPOSCommands.automaticStatusBack(0xFF) == [0x1D, 0x61, 0xFF])
    }
}
