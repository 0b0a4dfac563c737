import AntreCore
import AntreStore
import AntreTestSupport
import Foundation
import Testing

/// kill -9 in the middle of a burst of presses: every ticket that reached paper is
/// in the database, no number repeats, numbering continues after restart.
@Suite(.serialized)
struct DurabilityTests {
    @Test func killDuringBurstLosesNothingAndRepeatsNothing() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", cooldownMs: 0)
        try harness.start()
        let keys = try ["ktp", "kk", "akta-lahir"].map { try harness.button(for: $0) }

        // A burst of presses; the daemon is killed while it is still printing.
        for index in 0..<30 {
            try harness.press(keys[index % keys.count])
            usleep(15_000)
        }
        usleep(150_000)
        harness.kill9()
        let beforeKill = Set(printedNumbers(printer))
        #expect(!beforeKill.isEmpty, "nothing printed before the kill")

        try harness.start()
        for index in 0..<6 {
            try harness.press(keys[index % keys.count])
            usleep(50_000)
        }
        #expect(try eventually(timeout: .seconds(20)) { try issuedTodayCount(harness) >= beforeKill.count + 6 })
        harness.stop()

        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        let day = store.day(of: Date())
        let tickets = try store.tickets(day: day)
        let numbers = tickets.map(\.number.description)
        #expect(Set(numbers).count == numbers.count, "a number was issued twice: \(numbers.sorted())")
        // Every number that reached paper is a committed ticket.
        let committed = Set(numbers)
        #expect(beforeKill.isSubset(of: committed), "printed but not committed: \(beforeKill.subtracting(committed))")
        // Per prefix the sequence has no holes: no number was consumed without a ticket row.
        let byPrefix = Dictionary(grouping: tickets, by: \.number.prefix)
        for (prefix, group) in byPrefix {
            let sequences = group.map(\.number.sequence).sorted()
            #expect(sequences == Array(1...sequences.count), "prefix \(prefix): \(sequences)")
        }
        // Paper copies never show one number twice.
        let allPrinted = printedNumbers(printer)
        #expect(Set(allPrinted).count == allPrinted.count, "a number printed twice: \(allPrinted.sorted())")
    }

    /// kill -9 while a ticket goes out at 9600 baud: after the restart it is
    /// "not confirmed" (not print_failed), listed in status, never reprinted by
    /// itself; `antre confirm` makes it printed.
    @Test func killDuringPrintLeavesTicketUnconfirmedNotReprinted() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        let harness = try DaemonHarness(printer: "serial:\(try #require(emupos.serialPath))?baud=9600")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let number = "\(ktp.prefix)-001"
        try harness.press(try harness.button(for: "ktp"))
        usleep(400_000)  // about a third of the ticket is out
        harness.kill9()
        usleep(2_500_000)  // emupos closes the interrupted job after 2 s idle
        let copiesBefore = emupos.receipts().filter { collapsed($0.text).contains(number) }.count

        try harness.start()
        let status = try json(try harness.antre("status", "--json"))
        let unconfirmed = (status["unconfirmed"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
        #expect(unconfirmed == [number], "\(status)")
        #expect((status["print_failed"] as? [Any])?.isEmpty == true)
        let text = try harness.antre("status")
        #expect(text.stdout.contains("NOT CONFIRMED"), "\(text)")
        #expect(text.stdout.contains(number))
        #expect(harness.log.contains("antre confirm \(number)"), "no hint in the log")
        // Nothing is printed by itself.
        usleep(3_000_000)
        #expect(emupos.receipts().filter { collapsed($0.text).contains(number) }.count == copiesBefore)

        let confirmed = try harness.antre("confirm", "t1")
        #expect(confirmed.status == 0, "\(confirmed)")
        #expect(confirmed.stdout.contains("\(number) confirmed printed"), "\(confirmed)")
        let after = try json(try harness.antre("status", "--json"))
        #expect((after["unconfirmed"] as? [Any])?.isEmpty == true)
        // A ticket being fine cannot be confirmed twice into anything else; a
        // pending one (none here) would be refused; an unknown one is an error.
        let unknown = try harness.antre("confirm", "\(ktp.prefix)-099")
        #expect(unknown.status == 1 && unknown.stderr.contains("not found"), "\(unknown)")
        harness.stop()
        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        #expect(try store.ticket(number: try #require(TicketNumber(parsing: number)), day: store.day(of: Date()))?
            .printState == .printed)
        try store.close()
    }

    private func printedNumbers(_ printer: Emupos) -> [String] {
        let pattern = /[A-Z]-\d{3}/
        return printer.receipts().compactMap { receipt in
            receipt.text.firstMatch(of: pattern).map { String($0.output) }
        }
    }

    private func issuedTodayCount(_ harness: DaemonHarness) throws -> Int {
        let status = try json(try harness.antre("status", "--json"))
        let services = status["services"] as? [[String: Any]] ?? []
        return services.reduce(0) { $0 + ($1["issued"] as? Int ?? 0) }
    }
}
