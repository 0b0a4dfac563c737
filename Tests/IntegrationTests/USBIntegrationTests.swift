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
        let ahead = try store.waitingAhead(of: ticket)
        let slip = TicketSlip(ticket: ticket, service: service, office: config.office, ahead: ahead)
        return ESCPOSEncoder(profile: dispenser.profile).encode(TicketLayout.receipt(for: slip))
    }

    /// The captured stream without DLE EOT status queries (the daemon may ask before a job).
    func withoutStatusQueries(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count, bytes[i] == 0x10, bytes[i + 1] == 0x04, (1...4).contains(bytes[i + 2]),
               out.isEmpty || out.last == 0x00 {  // only at job boundaries (a job ends with GS V 0 / cut)
                i += 3
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

    @Test func unpluggedPrinterFailsTheJobAndReplugResumesWithoutRestart() throws {
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
        #expect(eventually { harness.log.contains("print failed") }, "\(harness.log)")
        #expect(harness.log.contains("no USB device 0416:5011 found"))
        // The daemon keeps serving.
        #expect(harness.daemon?.isRunning == true)
        #expect(try harness.antre("status").status == 0)
        #expect(fake.captured.count == firstBytes)

        try fake.control.send("replug")
        let printedBefore = harness.log.components(separatedBy: "printed").count
        try harness.press(key)
        #expect(eventually { harness.log.components(separatedBy: "printed").count > printedBefore }, "\(harness.log)")
        let last = try #require(try tickets(harness).last)
        let expected = try expectedBytes(for: last, harness: harness)
        let after = withoutStatusQueries(Array(fake.captured.dropFirst(firstBytes)))
        #expect(after == expected)
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
