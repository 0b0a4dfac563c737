import AntreCore
import ESCPOS
import Testing

struct PrinterReadinessTests {
    /// Status bytes emupos answers to DLE EOT 1..4 (see docs/hardware-testing.md).
    func readiness(_ bytes: [UInt8]) throws -> PrinterReadiness {
        PrinterReadiness(try #require(PrinterStatus.parse(dleEot: bytes)))
    }

    @Test func statusRepliesMapToWhatOfficersSee() throws {
        #expect(try readiness([0x12, 0x12, 0x12, 0x12]) == .ready)
        #expect(try readiness([0x1A, 0x32, 0x12, 0x7E]).isDown)
        #expect(try readiness([0x1A, 0x32, 0x12, 0x7E]).detail?.contains("paper out") == true)
        #expect(try readiness([0x1A, 0x16, 0x12, 0x12]) == .down("cover open"))
        #expect(try readiness([0x12, 0x12, 0x12, 0x1E]) == .warning("paper near end"))
    }

    @Test func pressPolicyRefusesOnlyWhenDown() {
        #expect(PressPolicy.decide(printer: .ready) == .issueTicket(warning: nil))
        #expect(PressPolicy.decide(printer: .unknown("no status")) == .issueTicket(warning: nil))
        #expect(PressPolicy.decide(printer: .warning("paper near end")) == .issueTicket(warning: "paper near end"))
        #expect(PressPolicy.decide(printer: .down("paper out")) == .refuse(reason: "printer down: paper out"))
    }
}
