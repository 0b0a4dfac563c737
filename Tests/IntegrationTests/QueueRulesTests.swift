import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// The office's queue rules end to end (issue 11): the real antred (in an
/// office time zone where it is 15.01 now, where the hour matters), a pty
/// button box, emupos as the printer, the real `antre` CLI.
@Suite(.serialized)
struct QueueRulesTests {
    /// A fixed-offset office time zone ("UTC+05:17:30") in which the local time
    /// now is `hour:minute` (+ 30 s): the real clock, the office placed where needed.
    static func zone(whereItIsNow hour: Int, _ minute: Int) -> String {
        let utc = Int(Date().timeIntervalSince1970) % 86_400
        var offset = (hour * 3600 + minute * 60 + 30 - utc) % 86_400
        if offset > 14 * 3600 { offset -= 86_400 }
        if offset < -14 * 3600 { offset += 86_400 }
        let magnitude = abs(offset)
        return String(format: "UTC%@%02d:%02d:%02d", offset < 0 ? "-" : "+", magnitude / 3600,
                      magnitude % 3600 / 60, magnitude % 60)
    }

    @Test func pressAfterClosingPrintsANoticeSlipAndTakesNoNumber() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(
            printer: "tcp://127.0.0.1:\(port)", timezone: Self.zone(whereItIsNow: 15, 1),
            serviceLines: ["ktp": ["hours = [\"mon-sun 08:00-15:00\"]"]])
        try harness.start()
        defer { harness.stop() }

        // A resident presses KTP at 15.01 WIB.
        try harness.press(try harness.button(for: "ktp"))
        let slip = try printer.waitForReceipts(count: 1, timeout: .seconds(15))[0]
        let text = collapsed(slip.text)
        #expect(text.contains("TUTUP"), "no closed notice:\n\(slip.text)")
        #expect(text.contains("layanan dibuka kembali"), "no reopening line:\n\(slip.text)")
        #expect(text.contains("08.00"), "reopening time missing:\n\(slip.text)")
        #expect(!text.contains("T-001"), "a number was printed:\n\(slip.text)")

        // An officer's `antre issue` says why and exits 1; nothing was issued,
        // and no slip is printed for a resident who is not at the machine.
        let refused = try harness.antre("issue", "ktp")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("15") || refused.stderr.lowercased().contains("closed")
                || refused.stderr.contains("tutup"), "\(refused)")
        let refusedJSON = try harness.antre("issue", "ktp", "--json")
        #expect(refusedJSON.stderr.contains("io.antre.Queue.ServiceClosed"), "\(refusedJSON)")
        var status = try json(try harness.antre("status", "--json"))
        #expect(issued(status, "ktp") == 0)
        let notIssuing = service(status, "ktp")?["not_issuing"] as? String ?? ""
        #expect(notIssuing.hasPrefix("tutup sampai") && notIssuing.hasSuffix("08.00"), "\(notIssuing)")
        #expect(printer.receipts().count == 1)

        // Another service without hours still issues.
        #expect(try harness.antre("issue", "kk").status == 0)

        // --force issues anyway, logged with who did it.
        let forced = try harness.antre("issue", "ktp", "--force")
        #expect(forced.status == 0, "\(forced)")
        #expect(forced.stdout.contains("T-001"), "\(forced)")
        status = try json(try harness.antre("status", "--json"))
        #expect(issued(status, "ktp") == 1)
        #expect(try eventually { harness.logLines(containing: "despite the office's rules") == 1 })
    }

    @Test func theThirtyFirstKTPOfAThirtyQuotaGetsTheQuotaSlip() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", serviceLines: ["ktp": ["daily_quota = 30"]])
        try harness.start()
        defer { harness.stop() }

        for index in 1...30 {
            let result = try harness.antre("issue", "ktp")
            #expect(result.status == 0, "ticket \(index): \(result)")
        }
        _ = try printer.waitForReceipts(count: 30, timeout: .seconds(60))
        try harness.press(try harness.button(for: "ktp"))
        let slip = try printer.waitForReceipts(count: 31, timeout: .seconds(15))[30]
        let text = collapsed(slip.text)
        #expect(text.contains("KUOTA HABIS"), "no quota notice:\n\(slip.text)")
        #expect(text.contains("kuota hari ini sudah habis, silakan datang lagi"), "\(slip.text)")
        #expect(!text.contains("T-031"), "a 31st number was printed:\n\(slip.text)")

        let refused = try harness.antre("issue", "ktp", "--json")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("io.antre.Queue.DailyQuotaReached"), "\(refused)")
        let status = try json(try harness.antre("status", "--json"))
        #expect(issued(status, "ktp") == 30)
        let ktp = try #require(service(status, "ktp"))
        #expect(ktp["daily_quota"] as? Int == 30)
    }

    @Test func priorityTicketsComeFirstButAtMostTheRatioPerRegularCall() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", officeLines: ["priority_ratio = 2"],
                                        dispenserLines: ["[dispenser.priority_buttons]", "\"P\" = \"kk\""])
        try harness.start()
        defer { harness.stop() }

        // Six regular KK tickets, then six priority ones: three from the
        // priority button, three from an officer.
        for _ in 0..<6 { #expect(try harness.antre("issue", "kk").status == 0) }
        for _ in 0..<3 {
            try harness.press("P")
            usleep(300_000)
        }
        for _ in 0..<3 { #expect(try harness.antre("issue", "kk", "--priority").status == 0) }
        let receipts = try printer.waitForReceipts(count: 12, timeout: .seconds(30))
        let marked = receipts.filter { collapsed($0.text).contains("PRIORITAS") }
        #expect(marked.count == 6, "priority mark on \(marked.count) of 6 priority tickets")

        var order: [Bool] = []
        for _ in 0..<12 {
            let call = try json(try harness.antre("call", "--counter", "1", "--json"))
            let ticket = try #require(call["ticket"] as? [String: Any])
            order.append(ticket["priority"] as? Bool ?? false)
        }
        // P P R P P R P P R R R R: priority first, never more than 2 in a row
        // while a regular ticket waits, every ticket called.
        #expect(order == [true, true, false, true, true, false, true, true, false, false, false, false], "\(order)")
        let status = try json(try harness.antre("status", "--json"))
        let kk = try #require(service(status, "kk"))
        #expect(kk["priority_issued"] as? Int == 6)
    }

    /// The printed "ahead" equals the calls that happen before the ticket is
    /// called, for every ticket of a mixed run of the four services Loket 1
    /// serves (the shipped config).
    @Test func printedAheadEqualsTheCallsBeforeEachTicket() throws {
        let printer = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(printer.tcpPort)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)")
        try harness.start()
        defer { harness.stop() }

        let services = ["kk", "kk", "kk", "ktp", "pindah", "ktp", "kia", "kk", "pindah", "ktp"]
        // Call index at which each ticket was called (0 = the first call).
        var calledAt: [String: Int] = [:]
        var callsMade = 0
        func callOnce() throws -> Bool {
            let result = try harness.antre("call", "--counter", "1", "--json")
            guard result.status == 0 else { return false }
            let ticket = try #require(try json(result)["ticket"] as? [String: Any])
            calledAt[ticket["number"] as? String ?? "?"] = callsMade
            callsMade += 1
            return true
        }
        for (index, id) in services.enumerated() {
            try harness.press(try harness.button(for: id))
            _ = try printer.waitForReceipts(count: index + 1, timeout: .seconds(15))
            // Calls happen while residents still arrive.
            if index == 3 { #expect(try callOnce()) }
        }
        let receipts = printer.receipts()
        var printedAhead: [String: Int] = [:]
        for receipt in receipts {
            let text = collapsed(receipt.text)
            guard let number = text.split(separator: " ").first(where: { $0.range(of: #"^[A-Z]+-\d{3}$"#, options: .regularExpression) != nil })
            else { Issue.record("no number on:\n\(receipt.text)"); continue }
            if text.contains("Anda berikutnya") {
                printedAhead[String(number)] = 0
            } else if let range = text.range(of: #"Menunggu di depan Anda: (\d+) orang"#, options: .regularExpression) {
                printedAhead[String(number)] = Int(text[range].split(separator: " ")[4])
            }
        }
        #expect(printedAhead.count == services.count, "\(printedAhead)")

        while try callOnce() {}
        #expect(calledAt.count == services.count, "\(calledAt)")
        let issueOrder = receipts.compactMap { receipt in
            collapsed(receipt.text).split(separator: " ").first { $0.range(of: #"^[A-Z]+-\d{3}$"#, options: .regularExpression) != nil }
                .map(String.init)
        }
        for (index, number) in issueOrder.enumerated() {
            // Tickets printed after the first call (index >= 4) count only the calls after it.
            let callsBeforeIssue = index >= 4 ? 1 : 0
            #expect(calledAt[number].map { $0 - callsBeforeIssue } == printedAhead[number],
                    "\(number): printed \(printedAhead[number] ?? -1) ahead, called after \((calledAt[number] ?? -1) - callsBeforeIssue) calls")
        }
    }

    @Test func aSkippedResidentComesBackByRequeueAndIsCalledByNumber() throws {
        let harness = try DaemonHarness(printer: "preview:" + NSTemporaryDirectory() + "antre-rules-\(getpid())")
        try harness.start()
        defer { harness.stop() }
        for _ in 0..<3 { #expect(try harness.antre("issue", "kk").status == 0) }
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("skip", "--counter", "1").status == 0)

        // K-001 was skipped; the resident is back: requeue puts it back in line by its issue time.
        let requeued = try harness.antre("requeue", "K-001")
        #expect(requeued.status == 0, "\(requeued)")
        let next = try json(try harness.antre("call", "--counter", "1", "--json"))
        #expect((next["ticket"] as? [String: Any])?["number"] as? String == "K-001")

        // An officer calls K-003 out of turn.
        let byNumber = try json(try harness.antre("call", "K-003", "--counter", "1", "--json"))
        #expect((byNumber["ticket"] as? [String: Any])?["number"] as? String == "K-003")
        // Loket 2 does not serve KK.
        let wrong = try harness.antre("call", "K-002", "--counter", "2", "--json")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("io.antre.Queue.NotServedAtCounter"), "\(wrong)")
    }

    @Test func aResidentNotPresentAfterTheRecallLimitIsSkipped() throws {
        let harness = try DaemonHarness(printer: "preview:" + NSTemporaryDirectory() + "antre-recalls-\(getpid())",
                                        officeLines: ["recalls_before_skip = 2"])
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "kk").status == 0)
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("recall", "--counter", "1").stdout.contains("K-001 recalled"))
        #expect(try harness.antre("recall", "--counter", "1").stdout.contains("K-001 recalled"))
        // Called three times: the next recall skips instead, and says how to bring them back.
        let third = try harness.antre("recall", "--counter", "1")
        #expect(third.status == 0, "\(third)")
        #expect(third.stdout.contains("K-001 skipped") && third.stdout.contains("antre requeue K-001"), "\(third)")
        let status = try json(try harness.antre("status", "--json"))
        #expect(service(status, "kk")?["skipped"] as? Int == 1)
    }

    private func service(_ status: [String: Any], _ id: String) -> [String: Any]? {
        (status["services"] as? [[String: Any]])?.first { $0["service"] as? String == id }
    }

    private func issued(_ status: [String: Any], _ id: String) -> Int? {
        service(status, id)?["issued"] as? Int
    }
}
