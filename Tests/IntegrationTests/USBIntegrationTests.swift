import AntreCore
import AntreStore
import AntreTestSupport
import ESCPOS
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real antred under umockdev: a USB printer (fake that captures every byte)
/// and an evdev button box. antred runs under the fake's script (DaemonHarness launcher).
@Suite(.serialized, .enabled(if: UMockdev.isAvailable, "umockdev is not installed"))
struct USBIntegrationTests {
    /// The tickets of today, oldest first, read from the daemon's database.
    func tickets(_ harness: DaemonHarness) throws -> [Ticket] {
        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        return try store.tickets(day: store.day(of: Date())).sorted { $0.id < $1.id }
    }

    /// The bytes ESCPOSEncoder makes for `ticket` with the harness's config, as the daemon prints it.
    func expectedBytes(for ticket: Ticket, harness: DaemonHarness) throws -> [UInt8] {
        let config = try ConfigLoader.load(path: harness.configPath)
        let dispenser = try #require(config.dispensers.first)
        let service = try #require(config.service(ticket.serviceID))
        let store = try QueueStore(path: harness.databasePath, timeZone: config.office.timeZone)
        let ahead = try store.waitingAhead(of: ticket, counters: config.counters,
                                           priorityRatio: config.office.priorityRatio)
        let slip = TicketSlip(ticket: ticket, service: service, office: config.office, ahead: ahead,
                              counterNames: config.counters(serving: service.id).map(\.name))
        return ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: slip))
    }

    /// The captured stream without the DLE EOT status queries the daemon sends
    /// between jobs (before a press takes a number, and after each job). A job
    /// runs from ESC @ to its cut (GS V n).
    func withoutStatusQueries(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inJob = false
        var i = 0
        while i < bytes.count {
            if !inJob, i + 2 < bytes.count, bytes[i] == 0x10, bytes[i + 1] == 0x04, (1...4).contains(bytes[i + 2]) {
                i += 3
                continue
            }
            if !inJob, i + 1 < bytes.count, bytes[i] == 0x1B, bytes[i + 1] == 0x40 { inJob = true }
            if inJob, i + 2 < bytes.count, bytes[i] == 0x1D, bytes[i + 1] == 0x56 {
                out += bytes[i...(i + 2)]
                i += 3
                inJob = false
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    @Test func daemonPrintsAWholeTicketOnAUSBPrinter() throws {
        let fake = try FakeUSBPrinter()
        let harness = try DaemonHarness(printer: "usb:0416:5011", paper: 58,
                                        launcher: fake.launcher, launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        try harness.press(try harness.button(for: "ktp"))
        #expect(eventually { harness.log.contains("printed") }, "\(harness.log)")
        let ticket = try #require(try tickets(harness).first)
        #expect(ticket.serviceID == "ktp")
        let expected = try expectedBytes(for: ticket, harness: harness)
        #expect(expected.count > 300)
        #expect(withoutStatusQueries(fake.captured) == expected)
        #expect(harness.log.contains("opened"))
    }

    @Test func unpluggedPrinterRefusesPressesAndReplugResumesWithoutRestart() throws {
        let fake = try FakeUSBPrinter()
        let harness = try DaemonHarness(printer: "usb:0416:5011", paper: 58,
                                        launcher: fake.launcher, launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        let key = try harness.button(for: "ktp")
        try harness.press(key)
        #expect(eventually { harness.log.contains("printed") })
        let firstBytes = fake.captured.count

        try fake.control.send("unplug")
        try harness.press(key)
        // The printer is gone: the press takes no number and is counted as missed.
        #expect(eventually { harness.log.contains("press refused") }, "\(harness.log)")
        #expect(harness.log.contains("unplugged") || harness.log.contains("no USB device 0416:5011 found"))
        #expect(try tickets(harness).count == 1)
        // The daemon keeps serving.
        #expect(harness.daemon?.isRunning == true)
        #expect(try harness.antre("status").status == 0)
        #expect(fake.captured.count == firstBytes)

        try fake.control.send("replug")
        // Polled while down, it is found again without a restart.
        #expect(try eventually(timeout: .seconds(10)) {
            let status = try json(try harness.antre("status", "--json"))
            return ((status["printers"] as? [[String: Any]])?.first?["state"] as? String) == "ready"
        })
        let printedBefore = harness.log.components(separatedBy: "printed").count
        try harness.press(key)
        #expect(eventually { harness.log.components(separatedBy: "printed").count > printedBefore }, "\(harness.log)")
        let last = try #require(try tickets(harness).last)
        let expected = try expectedBytes(for: last, harness: harness)
        let after = withoutStatusQueries(Array(fake.captured.dropFirst(firstBytes)))
        #expect(after == expected)
    }

    func printerLine(_ harness: DaemonHarness) throws -> [String: Any] {
        let status = try json(try harness.antre("status", "--json"))
        return try #require((status["printers"] as? [[String: Any]])?.first)
    }

    @Test func antrePrintersListsTheUSBPrinterAndItsDispenser() throws {
        let fake = try FakeUSBPrinter()
        let harness = try DaemonHarness(printer: "usb:0416:5011", launcher: fake.launcher,
                                        launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        let text = try harness.antre("printers")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("0416:5011"))
        #expect(text.stdout.contains("printer = \"usb:0416:5011"))
        #expect(text.stdout.contains("OUT 0x01, IN 0x82"), "\(text)")
        #expect(text.stdout.contains("used by: test"))
        let reply = try json(try harness.antre("printers", "--json"))
        let first = try #require((reply["usb"] as? [[String: Any]])?.first)
        #expect(first["out_endpoint"] as? String == "0x01")
        #expect(first["in_endpoint"] as? String == "0x82")
    }

    @Test func paperOutOnUSBTakesNoNumber() throws {
        let fake = try FakeUSBPrinter(status: [0x1A, 0x32, 0x12, 0x7E])
        let harness = try DaemonHarness(printer: "usb:0416:5011", launcher: fake.launcher,
                                        launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        try harness.press(try harness.button(for: "ktp"))
        #expect(try eventually { (try printerLine(harness)["missed_presses"] as? Int) == 1 })
        let line = try printerLine(harness)
        #expect(line["state"] as? String == "down")
        #expect((line["detail"] as? String)?.contains("paper out") == true)
        #expect(try tickets(harness).isEmpty, "a number was taken while out of paper")
    }

    @Test func printerWithoutStatusEndpointShowsUnknownAndPrints() throws {
        let fake = try FakeUSBPrinter(description: "printer-no-in.umockdev")
        let harness = try DaemonHarness(printer: "usb:0416:5011", launcher: fake.launcher,
                                        launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        try harness.press(try harness.button(for: "ktp"))
        #expect(eventually { harness.log.contains("printed") }, "\(harness.log)")
        #expect(try printerLine(harness)["state"] as? String == "unknown")
        let ticket = try #require(try tickets(harness).first)
        #expect(withoutStatusQueries(fake.captured) == (try expectedBytes(for: ticket, harness: harness)))
    }

    @Test func unplugMidJobMarksPrintFailedAndReplugReprintsOnce() throws {
        let fake = try FakeUSBPrinter(unplugAfter: 400)
        let harness = try DaemonHarness(printer: "usb:0416:5011", launcher: fake.launcher,
                                        launcherEnvironment: fake.environment)
        try harness.start()
        defer { harness.stop() }
        try harness.press(try harness.button(for: "ktp"))
        #expect(try eventually {
            let status = try json(try harness.antre("status", "--json"))
            return (status["print_failed"] as? [[String: Any]])?.count == 1
        }, "\(harness.log)")
        #expect(harness.daemon?.isRunning == true)
        #expect(try printerLine(harness)["pending_reprints"] as? Int == 1)
        let before = fake.captured.count

        try fake.control.send("replug")
        #expect(try eventually(timeout: .seconds(15)) {
            let status = try json(try harness.antre("status", "--json"))
            return (status["print_failed"] as? [[String: Any]])?.isEmpty == true
        }, "not reprinted: \(harness.log)")
        let ticket = try #require(try tickets(harness).first)
        #expect(ticket.printState == .printed)
        let reprint = String(decoding: fake.captured.dropFirst(before), as: UTF8.self)
        #expect(reprint.contains(ticket.number.description))
        #expect(reprint.components(separatedBy: ticket.number.description).count == 2, "printed more than once")
        #expect(try tickets(harness).count == 1)
    }

    @Test func evdevButtonBoxIssuesTicketsAndMashingWithinCooldownIssuesOne() throws {
        let box = try FakeButtonBox()
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let second = "kk"
        let harness = try DaemonHarness(printer: "preview:\(preview.path)", cooldownMs: 3000,
                                        input: "evdev:\(box.node)", buttonMap: ["KEY_1": "ktp", "KEY_KP2": second],
                                        launcher: box.launcher, launcherEnvironment: box.environment)
        try harness.start()
        defer { harness.stop() }
        #expect(eventually { harness.log.contains("button input available") }, "\(harness.log)")
        // Mash KEY_1 (code 2) five times and hold it (autorepeat); press KEY_KP2 (code 80) once.
        for _ in 0..<5 { try box.press(code: 2) }
        try box.key(code: 2, value: 1)
        for _ in 0..<3 { try box.key(code: 2, value: 2) }
        try box.key(code: 2, value: 0)
        try box.press(code: 80)
        #expect(try eventually { try tickets(harness).count >= 2 }, "\(harness.log)")
        usleep(300_000)
        let issued = try tickets(harness)
        #expect(issued.map(\.serviceID).sorted() == ["kk", "ktp"].sorted(), "\(issued.map(\.number.description))")
        // A key that is not in the map is logged, not ticketed.
        try box.press(code: 30)  // KEY_A
        #expect(eventually { harness.log.contains("button not mapped to a service") })
        #expect(try tickets(harness).count == 2)
    }
}
