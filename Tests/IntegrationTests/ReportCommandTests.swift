import AntreCore
import AntreStore
import AntreTestSupport
import Foundation
import Testing

/// `antre report` against a running antred: the figures of today's tickets as
/// tables, CSV, JSON and a chart file.
@Suite(.serialized)
struct ReportCommandTests {
    @Test func reportOfTodayInEveryFormAndAChart() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")

        for _ in 0..<3 { #expect(try harness.antre("issue", "ktp").status == 0) }
        #expect(try harness.antre("issue", "akta-lahir").status == 0)
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("finish", "--counter", "1").status == 0)
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("skip", "--counter", "1").status == 0)

        let text = try harness.antre("report")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("Tickets: 4 issued, 1 served, 1 skipped, 0 expired, 0 transferred"), "\(text)")
        let ktpLine = text.stdout.split(separator: "\n").first { $0.hasPrefix("  ktp ") }
        let ktpCells = ktpLine.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(ktpCells.count > 8 && ktpCells.contains(ktp.name.split(separator: " ").first.map(String.init) ?? "?"),
                "\(text)")

        let reply = try json(try harness.antre("report", "--json"))
        let report = try #require(reply["report"] as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["issued"] as? Int == 4 && total["served"] as? Int == 1 && total["called"] as? Int == 2)
        let services = try #require(report["services"] as? [[String: Any]])
        #expect(services.count == harness.shipped.services.count, "every configured service is listed")
        #expect(services.first?["id"] as? String == harness.shipped.services.first?.id)
        #expect(report["from"] as? String == report["to"] as? String)

        let day = try #require(report["from"] as? String)
        let csv = try harness.antre("report", "--date", day, "--csv", "--section", "services")
        #expect(csv.status == 0, "\(csv)")
        let rows = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.prefix(5).map(String.init) == ["from", "to", "service", "name", "issued"])
        #expect(rows.dropFirst().first?.prefix(5).map(String.init) == [day, day, "ALL", "", "4"])
        #expect(rows.contains { $0.count > 4 && $0[2] == "akta-lahir" && $0[4] == "1" }, "\(csv)")

        // The chart: an A4 SVG, and a PNG of the right size that is not blank.
        let svgPath = preview.path + "/chart.svg", pngPath = preview.path + "/chart.png"
        let svg = try harness.antre("report", "--chart", svgPath)
        #expect(svg.status == 0, "\(svg)")
        #expect(try String(contentsOfFile: svgPath, encoding: .utf8).contains(#"width="297mm" height="210mm""#))
        let png = try harness.antre("report", "--month", String(day.prefix(7)), "--chart", pngPath)
        #expect(png.status == 0, "\(png)")
        let pixels = try PNGProbe(path: pngPath)
        #expect(pixels.width == 1754 && pixels.height == 1240)
        #expect(pixels.inkShare > 0.01 && pixels.inkShare < 0.5, "ink \(pixels.inkShare)")
        #expect(pixels.hasColor(0x00, 0x72, 0xB2), "the first service's bar colour is drawn")

        // Bad input: usage error naming the problem, nothing asked of antred.
        let bad = try harness.antre("report", "--date", "2026-02-30")
        #expect(bad.status == 2 && bad.stderr.contains("--date '2026-02-30' is not a date like 2026-11-30"), "\(bad)")
        let badChart = try harness.antre("report", "--chart", preview.path + "/chart.pdf")
        #expect(badChart.status == 2 && badChart.stderr.contains("must end in .svg or .png"), "\(badChart)")
    }
}

extension ReportCommandTests {
    /// antred prunes at start (its first rollover): with retention_days = 7,
    /// history of 8+ days ago is gone from reports, the last 7 days stay.
    @Test func historyOlderThanRetentionIsPrunedAtStart() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out", storageLines: ["retention_days = 7"])
        let zone = harness.shipped.office.timeZone
        let today = LocalDay(containing: Date(), in: zone)
        do {
            let store = try QueueStore(path: harness.databasePath, timeZone: zone)
            for back in [30, 8, 7, 1] {
                let noon = today.adding(days: -back).start(in: zone).addingTimeInterval(10 * 3600)
                _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: noon)
                _ = try store.recordMissedPress(dispenserID: "lobi", serviceID: "ktp", reason: "paper out", now: noon)
            }
            try store.close()
        }
        try harness.start()
        defer { harness.stop() }
        func issued(_ from: LocalDay, _ to: LocalDay) throws -> (Int, Int) {
            let result = try harness.antre("report", "--from", from.description, "--to", to.description, "--json")
            let report = try #require(try json(result)["report"] as? [String: Any])
            let total = try #require(report["total"] as? [String: Any])
            return (total["issued"] as? Int ?? -1, total["missed"] as? Int ?? -1)
        }
        let old = try issued(today.adding(days: -40), today.adding(days: -8))
        #expect(old == (0, 0))
        let kept = try issued(today.adding(days: -7), today)
        #expect(kept == (2, 2))
        #expect(eventually { harness.log.contains("pruned history older than 7 days") }, "\(harness.log)")
    }
}

/// Reads a PNG through netpbm's `pngtopam` (a decoder independent of the code
/// that drew it): size, share of non-white pixels, and whether a colour occurs.
struct PNGProbe {
    var width = 0, height = 0
    var inkShare = 0.0
    private var colors: Set<Int> = []

    init(path: String) throws {
        let output = directoryFile()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try run("/bin/sh", ["-c", "pngtopam -alphapam \"$1\" > \"$2\"", "sh", path, output])
        guard result.status == 0 else { throw TestSupportError("pngtopam failed (apt install netpbm): \(result)") }
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        // PAM header: "P7\nWIDTH w\nHEIGHT h\nDEPTH d\nMAXVAL 255\nTUPLTYPE ...\nENDHDR\n".
        guard let end = data.indices.first(where: { data[$0...].starts(with: Array("ENDHDR\n".utf8)) }) else {
            throw TestSupportError("not a PAM file")
        }
        var fields: [String: Int] = [:]
        for line in String(decoding: data[..<end], as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { fields[String(parts[0])] = value }
        }
        width = fields["WIDTH"] ?? 0
        height = fields["HEIGHT"] ?? 0
        // With -alphapam: grey + alpha (depth 2) or RGB + alpha (depth 4), one byte a sample.
        let depth = fields["DEPTH"] ?? 0
        let maxval = fields["MAXVAL"] ?? 0
        guard depth == 2 || depth >= 4, (1...255).contains(maxval) else { throw TestSupportError("PAM \(fields)") }
        let pixels = data[(end + 7)...]
        guard pixels.count == width * height * depth else { throw TestSupportError("PAM size \(pixels.count)") }
        var ink = 0
        var index = pixels.startIndex
        while index < pixels.endIndex {
            let sample = { (offset: Int) in Int(pixels[index + offset]) * 255 / maxval }
            let (r, g, b) = depth == 2 ? (sample(0), sample(0), sample(0)) : (sample(0), sample(1), sample(2))
            if r < 240 || g < 240 || b < 240 { ink += 1 }
            colors.insert((r << 16) | (g << 8) | b)
            index += depth
        }
        inkShare = Double(ink) / Double(max(1, width * height))
    }

    func hasColor(_ r: Int, _ g: Int, _ b: Int) -> Bool { colors.contains((r << 16) | (g << 8) | b) }
}

private func directoryFile() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("antre-pam-\(UUID().uuidString).pam").path
}
