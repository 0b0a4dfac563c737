import AntreCore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

/// Reloads while the office is busy: they answer at once, lose no press, and
/// never make waiting tickets vanish.
@Suite(.serialized)
struct ReloadTests {
    /// Runs the CLI and says how long it took.
    func timed(_ harness: DaemonHarness, _ arguments: String...) throws -> (CommandResult, Duration) {
        let start = ContinuousClock.now
        let result = try harness.antre(arguments)
        return (result, ContinuousClock.now - start)
    }

    @Test func reloadsAnswerPromptlyWhileASlowPrinterWorksThroughItsQueue() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        // About a second per ticket at 9600 baud: five presses keep it busy ~5 s.
        let harness = try DaemonHarness(printer: "serial:\(try #require(emupos.serialPath))?baud=9600")
        try harness.start()
        defer { harness.stop() }
        let key = try harness.button(for: "ktp")
        for _ in 0..<5 {
            try harness.press(key)
            usleep(20_000)
        }
        usleep(300_000)

        // Two reloads in a row, each changing the dispenser (its spooler is replaced).
        for cooldown in [1, 2] {
            harness.configText = harness.configText.replacing(
                #/cooldown_ms = \d+/#, with: "cooldown_ms = \(cooldown)")
            let (reload, took) = try timed(harness, "reload")
            #expect(reload.status == 0, "\(reload)")
            #expect(took < .seconds(1), "reload took \(took) while the printer was busy")
        }
        let (status, took) = try timed(harness, "status")
        #expect(status.status == 0, "\(status)")
        #expect(took < .seconds(1), "status took \(took) while the printer was busy")

        // The presses queued before the reloads all print, then a new press
        // prints on the new spooler after them.
        try harness.press(key)
        let receipts = try emupos.waitForReceipts(count: 6, timeout: .seconds(20))
        let numbers = receipts.compactMap { receipt in
            (1...6).map { String(format: "T-%03d", $0) }.first { collapsed(receipt.text).contains($0) }
        }
        #expect(numbers == (1...6).map { String(format: "T-%03d", $0) }, "\(numbers)")
        #expect(harness.log.contains("configuration reloaded"))
    }

    @Test func reloadRefusesToDropAServiceThatStillHasPeopleWaiting() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "domisili").status == 0)
        #expect(try harness.antre("issue", "domisili").status == 0)
        let original = harness.configText
        let domisili = try harness.service("domisili")

        // Drop the service (and its button) from the file.
        var lines = original.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "id = \"domisili\"")) - 1
        let end = try #require(lines[start...].firstIndex(of: ""))
        lines.removeSubrange(start...end)
        lines.removeAll { $0.hasSuffix("= \"domisili\"") }
        lines = lines.map { $0.replacingOccurrences(of: ", \"domisili\"", with: "")
            .replacingOccurrences(of: "\"domisili\", ", with: "") }
        harness.configText = lines.joined(separator: "\n")

        let refused = try harness.antre("reload")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("domisili") && refused.stderr.contains("2 waiting"), "\(refused)")
        let status = try json(try harness.antre("status", "--json"))
        let services = status["services"] as? [[String: Any]] ?? []
        #expect(services.first { $0["service"] as? String == "domisili" }?["waiting"] as? Int == 2,
                "the waiting tickets vanished: \(services)")

        // Once nobody waits for it any more, the same file is accepted.
        let counter = try #require(harness.shipped.counters.first { $0.services.isEmpty || $0.services.contains("domisili") })
        let first = try harness.antre("call", "--counter", counter.id)
        #expect(first.status == 0 && first.stdout.contains("\(domisili.prefix)-001"), "\(first)")
        #expect(try harness.antre("finish", "--counter", counter.id).status == 0)
        #expect(try harness.antre("transfer", "\(domisili.prefix)-002", "--to", "ktp").status == 0)
        let accepted = try harness.antre("reload")
        #expect(accepted.status == 0, "\(accepted)")
    }
}
