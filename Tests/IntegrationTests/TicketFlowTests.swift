import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// End to end with real parts: a pty as the serial button box, emupos as the
/// printer, antred and antre as processes, SQLite on disk.
@Suite(.serialized)
struct TicketFlowTests {
    /// Every requirement of the service appears on the paper (wrapped lines rejoined).
    func expectFullTicket(_ receipt: Emupos.Receipt, number: String, service: Service) {
        let text = collapsed(receipt.text)
        #expect(text.contains(number), "number \(number) missing from:\n\(receipt.text)")
        #expect(text.contains(collapsed(service.name)), "service name missing from:\n\(receipt.text)")
        for requirement in service.requirements {
            #expect(text.contains(collapsed(requirement)), "requirement '\(requirement)' missing from:\n\(receipt.text)")
        }
        for line in service.schedule {
            #expect(text.contains(collapsed(line)), "schedule '\(line)' missing")
        }
    }

    @Test func buttonPressPrintsTicketOverTCPAndOfficerCallsIt() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", paper: 80)
        try harness.start()
        defer { harness.stop() }

        let ktp = try harness.service("ktp")
        try harness.press(try harness.button(for: "ktp"))
        let receipts = try printer.waitForReceipts(count: 1, timeout: .seconds(15))
        let number = "\(ktp.prefix)-001"
        expectFullTicket(receipts[0], number: number, service: ktp)
        #expect(printer.complaints().isEmpty, "emupos complained: \(printer.complaints())")

        let call = try harness.antre("call", "--counter", "1")
        #expect(call.status == 0, "\(call)")
        #expect(call.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(number) \(ktp.name) -> Loket 1 (0 menunggu)")

        // The ticket was committed and marked printed.
        let status = try json(try harness.antre("status", "--json"))
        let failed = status["print_failed"] as? [Any]
        #expect(failed?.isEmpty == true)
    }

    @Test func buttonPressPrintsTicketOverSerialOn58mm() throws {
        let printer = try Emupos(profile: .pos58, tcp: false, serial: true)
        let path = try #require(printer.serialPath)
        let harness = try DaemonHarness(printer: "serial:\(path)?baud=9600", paper: 58)
        try harness.start()
        defer { harness.stop() }

        let kk = try harness.service("kk")
        try harness.press(try harness.button(for: "kk"))
        let receipts = try printer.waitForReceipts(count: 1, timeout: .seconds(15))
        expectFullTicket(receipts[0], number: "\(kk.prefix)-001", service: kk)
        #expect(printer.complaints().isEmpty, "emupos complained: \(printer.complaints())")
        // 58 mm paper: no printed line is wider than 32 columns.
        for line in receipts[0].text.split(separator: "\n") {
            #expect(line.count <= 32, "line wider than 58 mm paper: '\(line)'")
        }
    }

    @Test func mashingOneButtonWithinCooldownGivesOneTicket() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", cooldownMs: 1500)
        try harness.start()
        defer { harness.stop() }
        let key = try harness.button(for: "ktp")
        for _ in 0..<5 { try harness.press(key) }
        try harness.press(try harness.button(for: "kk"))
        _ = try printer.waitForReceipts(count: 2, timeout: .seconds(15))
        usleep(1_000_000)
        let status = try json(try harness.antre("status", "--json"))
        let services = try #require(status["services"] as? [[String: Any]])
        let issued = Dictionary(uniqueKeysWithValues: services.map { ($0["service"] as? String ?? "", $0["issued"] as? Int ?? -1) })
        #expect(issued["ktp"] == 1)
        #expect(issued["kk"] == 1)
        #expect(printer.receipts().count == 2)
    }
}
