import AntreTestSupport
import Foundation
import Testing

/// The QR printed on a ticket scans to the ticket's phone page: antred lays it
/// out, the encoder sends it (native GS ( k, or our own raster image), emupos
/// draws the paper as a PNG, and zbarimg reads it like a phone camera would.
@Suite(.serialized)
struct TicketQRTests {
    static let board = ["[board]", "url = \"http://192.168.1.10:8080/\""]

    func printTicket(on printer: Emupos, paper: Int, nativeQR: Bool, boardLines: [String]) throws -> Emupos.Receipt {
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", paper: paper, nativeQR: nativeQR,
                                        extraLines: boardLines)
        try harness.start()
        defer { harness.stop() }
        try harness.press(try harness.button(for: "ktp"))
        let receipts = try printer.waitForReceipts(count: 1, timeout: .seconds(20))
        #expect(printer.complaints().isEmpty, "emupos complained: \(printer.complaints())")
        return receipts[0]
    }

    @Test func rasterQROn58mmScansToTheTicketsPage() throws {
        let printer = try Emupos(profile: .pos58, tcp: true)
        let receipt = try printTicket(on: printer, paper: 58, nativeQR: false, boardLines: Self.board)
        #expect(try ZBar.decode(imageAt: printer.imagePath(of: receipt)) == ["http://192.168.1.10:8080/t/T-001"])
        #expect(receipt.text.contains("Pantau antrean dari HP Anda:"), "\(receipt.text)")
        #expect(receipt.text.contains("[image "), "\(receipt.text)")
    }

    @Test func nativeQROn80mmScansToTheTicketsPage() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let receipt = try printTicket(on: printer, paper: 80, nativeQR: true, boardLines: Self.board)
        #expect(try ZBar.decode(imageAt: printer.imagePath(of: receipt)) == ["http://192.168.1.10:8080/t/T-001"])
        #expect(receipt.text.contains("[qr http://192.168.1.10:8080/t/T-001]"), "\(receipt.text)")
    }

    @Test func noBoardAddressNoQR() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let receipt = try printTicket(on: printer, paper: 80, nativeQR: false, boardLines: [])
        #expect(try ZBar.decode(imageAt: printer.imagePath(of: receipt)) == [])
        #expect(!receipt.text.contains("Pantau antrean"))
    }
}
