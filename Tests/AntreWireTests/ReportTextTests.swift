import AntreCore
import AntreWire
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

enum ReportSamples {
    static let report = QueueReport(
        from: "2026-11-01", to: "2026-11-30",
        total: ReportFigures(id: "", issued: 15, called: 14, served: 12, skipped: 2, expired: 1, transferred: 1,
                             missed: 3, wait: DurationStats(count: 14, mean: 717.857, median: 660, p90: 1500, max: 1800),
                             service: DurationStats(count: 12, mean: 272.5, median: 270, p90: 480, max: 540)),
        services: [
            ReportFigures(id: "ktp", name: "KTP-el", issued: 10, called: 10, served: 10, skipped: 1, missed: 1,
                          wait: DurationStats(count: 10, mean: 660, median: 660, p90: 1080, max: 1200),
                          service: DurationStats(count: 10, mean: 300, median: 300, p90: 480, max: 540)),
            ReportFigures(id: "kk", name: "Kartu Keluarga, \"KK\"", issued: 5, called: 4, served: 2, skipped: 1,
                          expired: 1, transferred: 1, missed: 2,
                          wait: DurationStats(count: 4, mean: 862.5, median: 795, p90: 1800, max: 1800),
                          service: DurationStats(count: 2, mean: 135, median: 135, p90: 180, max: 180)),
            ReportFigures(id: "akta", name: "Akta"),
        ],
        counters: [
            ReportFigures(id: "1", name: "Loket 1", called: 6, served: 6, transferred: 1,
                          wait: DurationStats(count: 6, mean: 750, median: 720, p90: 1500, max: 1500)),
            ReportFigures(id: "2", name: "Loket 2", called: 8, served: 6, skipped: 2),
        ],
        missed: [MissedFigure(service: "kk", reason: "paper out", count: 2),
                 MissedFigure(service: "ktp", reason: "cover open", count: 1)],
        hours: [HourFigures(service: nil, hour: 8, arrivals: 10, meanWait: 660),
                HourFigures(service: nil, hour: 9, arrivals: 3, meanWait: 1120),
                HourFigures(service: nil, hour: 10, arrivals: 2, meanWait: 90),
                HourFigures(service: "ktp", hour: 8, arrivals: 10, meanWait: 660),
                HourFigures(service: "kk", hour: 9, arrivals: 3, meanWait: 1120),
                HourFigures(service: "kk", hour: 10, arrivals: 2, meanWait: 90)])
}

/// RFC 4180 reader, written independently of the writer: quoted fields,
/// doubled quotes, commas and line breaks inside quotes. Tables are separated
/// by empty lines.
func parseCSVTables(_ text: String) -> [[[String]]] {
    var tables: [[[String]]] = [], table: [[String]] = [], row: [String] = [], field = ""
    var quoted = false, fieldStarted = false
    var chars = Array(text)[...]
    func endRow() {
        if row.isEmpty && !fieldStarted && field.isEmpty {
            if !table.isEmpty { tables.append(table); table = [] }
        } else {
            row.append(field); table.append(row)
        }
        row = []; field = ""; fieldStarted = false
    }
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true; fieldStarted = true
        } else if c == "," { row.append(field); field = ""; fieldStarted = true
        } else if c == "\n" { endRow()
        } else { field.append(c); fieldStarted = true }
    }
    if fieldStarted || !row.isEmpty { endRow() }
    if !table.isEmpty { tables.append(table) }
    return tables
}

@Suite struct ReportTextTests {
    @Test func csvTablesParseBackWithHeadersIdsAndISODates() throws {
        let tables = parseCSVTables(ReportText.csv(ReportSamples.report))
        #expect(tables.count == 4)
        let services = try #require(tables.first)
        let header = try #require(services.first)
        #expect(Array(header.prefix(8)) == ["from", "to", "service", "name", "issued", "called", "served", "skipped"])
        func column(_ name: String, _ row: [String]) -> String? {
            header.firstIndex(of: name).map { row[$0] }
        }
        #expect(services.count == 5) // header, ALL, ktp, kk, akta
        #expect(services.allSatisfy { $0.count == header.count })
        let kk = try #require(services.first { $0[2] == "kk" })
        #expect(kk[0] == "2026-11-01" && kk[1] == "2026-11-30")
        #expect(column("name", kk) == "Kartu Keluarga, \"KK\"")
        #expect(column("issued", kk) == "5" && column("transferred", kk) == "1" && column("expired", kk) == "1")
        #expect(column("wait_median_s", kk) == "795.0" && column("wait_p90_s", kk) == "1800.0")
        #expect(column("priority_share", kk) == "0.000")
        #expect(services[1][2] == ReportText.allServices && column("issued", services[1]) == "15")

        #expect(tables[1].first?[2] == "counter" && tables[1].map { $0[2] } == ["counter", "1", "2"])
        #expect(tables[2] == [["from", "to", "service", "reason", "presses"],
                              ["2026-11-01", "2026-11-30", "kk", "paper out", "2"],
                              ["2026-11-01", "2026-11-30", "ktp", "cover open", "1"]])
        let hours = tables[3]
        #expect(hours.first == ["from", "to", "service", "hour", "arrivals", "mean_wait_s"])
        #expect(hours.dropFirst().map { [$0[2], $0[3], $0[4], $0[5]] }.first == ["ALL", "8", "10", "660.0"])
        #expect(parseCSVTables(ReportText.csv(ReportSamples.report, only: .missed)) == [tables[2]])
    }

    @Test func jsonUsesTheIDLNamesAndDecodesBack() throws {
        let data = try JSONEncoder().encode(ReplyBox(report: ReportSamples.report))
        let decoded = try JSONDecoder().decode(ReportReply.self, from: data)
        #expect(decoded.report == ReportSamples.report)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"priority_share\"", "\"mean_wait\"", "\"p90\"", "\"median\"", "\"missed\""] {
            #expect(text.contains(key), "JSON lacks \(key)")
        }
        #expect(!text.contains("meanWait") && !text.contains("priorityShare"))
        let idl = QueueInterface.idl
        for declaration in ["\ntype Report (", "\ntype ReportFigures (", "\ntype DurationStats (", "\ntype MissedFigure (",
                            "\ntype HourFigures (", "\nmethod Report(from: ?string, to: ?string) -> (report: Report)",
                            "  priority_share: float", "  mean_wait: float", "  service: ?string", "  wait: DurationStats"] {
            #expect(idl.contains(declaration), "IDL lacks \(declaration)")
        }
    }

    private struct ReplyBox: Encodable { var report: QueueReport }

    @Test func humanTablesShowFiguresAndDurations() {
        let text = ReportText.human(ReportSamples.report)
        #expect(text.hasPrefix("Report 2026-11-01 .. 2026-11-30\n"))
        #expect(text.contains("Tickets: 15 issued, 12 served, 2 skipped, 1 expired, 1 transferred; 3 presses without a number"))
        #expect(text.contains("median 11:00, 90% within 25:00, longest 30:00"))
        let ktp = text.split(separator: "\n").first { $0.hasPrefix("  ktp KTP-el") }
        #expect(ktp.map { $0.split(separator: " ", omittingEmptySubsequences: true) }?.prefix(9).map(String.init)
                == ["ktp", "KTP-el", "10", "10", "10", "1", "0", "0", "1"])
        #expect(text.contains("  08:00        10      11:00  ##############################"))
        #expect(ReportText.duration(0) == "-" && ReportText.duration(59.6) == "1:00" && ReportText.duration(3725) == "1:02:05")
    }

    @Test(arguments: [
        (["--date", "2026-11-30"], "2026-11-30", "2026-11-30"),
        (["--month", "2026-02"], "2026-02-01", "2026-02-28"),
        (["--month", "2024-02"], "2024-02-01", "2024-02-29"),
        (["--month", "2026-12"], "2026-12-01", "2026-12-31"),
        (["--from", "2026-11-03"], "2026-11-03", "2026-11-03"),
        (["--from", "2026-10-30", "--to", "2026-11-02"], "2026-10-30", "2026-11-02"),
    ])
    func rangesFromOptions(_ options: [String], _ from: String, _ to: String) throws {
        func value(_ name: String) -> String? { options.firstIndex(of: name).map { options[$0 + 1] } }
        let parameters = try ReportRange.parameters(date: value("--date"), from: value("--from"), to: value("--to"),
                                                    month: value("--month"))
        #expect(parameters == ReportParameters(from: from, to: to))
    }

    @Test func badRangesSayWhatIsWrong() {
        func message(_ date: String? = nil, from: String? = nil, to: String? = nil, month: String? = nil) -> String {
            do {
                _ = try ReportRange.parameters(date: date, from: from, to: to, month: month)
                return "accepted"
            } catch { return error.description }
        }
        #expect(message("2026-02-30") == "--date '2026-02-30' is not a date like 2026-11-30")
        #expect(message("30-11-2026") == "--date '30-11-2026' is not a date like 2026-11-30")
        #expect(message(month: "2026-13") == "--month '2026-13' is not a month like 2026-11")
        #expect(message(to: "2026-11-01") == "--to needs --from")
        #expect(message(from: "2026-11-02", to: "2026-11-01") == "--to 2026-11-01 is before --from 2026-11-02")
        #expect(message("2026-11-01", month: "2026-11") == "give one of --date, --from/--to or --month")
        #expect((try? ReportRange.parameters(date: nil, from: nil, to: nil, month: nil)) == ReportParameters())
    }

    @Test func chartIsWellFormedA4SVGWithEveryHourAndService() throws {
        let svg = ReportChart.svg(ReportSamples.report, office: "Kantor Desa <Uji> & Co")
        #expect(svg.contains(#"width="297mm" height="210mm""#))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        for label in ["08:00", "09:00", "10:00", "KTP-el", "Kartu Keluarga, &quot;KK&quot;", "&lt;Uji&gt; &amp; Co"] {
            #expect(svg.contains(label), "chart lacks \(label)")
        }
        #expect(!svg.contains(">Akta<"), "a service without arrivals has no legend entry")
        // One bar per (service, hour) with arrivals: ktp 8, kk 9, kk 10.
        #expect(svg.components(separatedBy: "<rect").count - 1 == 1 + 2 + 3)
    }
}

@Suite struct EmptyReportTests {
    @Test func anEmptyRangeStillGivesTablesCSVAndAChart() throws {
        let empty = QueueReport(from: "2026-12-25", to: "2026-12-25", total: ReportFigures(id: ""),
                                services: [ReportFigures(id: "ktp", name: "KTP-el")], counters: [], missed: [], hours: [])
        let svg = ReportChart.svg(empty)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("No tickets in this range") && svg.contains("08:00"))
        let text = ReportText.human(empty)
        #expect(text.contains("Tickets: 0 issued") && text.contains("  no tickets"))
        let tables = parseCSVTables(ReportText.csv(empty))
        #expect(tables.map(\.count) == [3, 1, 1, 1]) // services: header, ALL, ktp; others: header only
    }
}

@Suite struct MetricsTextTests {
    @Test func prometheusTextWithHistogramAndPrinterState() {
        let text = MetricsText.render(MetricsText.Input(
            office: "Desa \"Uji\"", day: "2026-11-28",
            services: [ServiceStatus(service: "ktp", name: "KTP-el", prefix: "T", waiting: 1, issued: 4, served: 2,
                                     skipped: 1)],
            printers: [PrinterStatus(dispenser: "lobi", connection: "usb:0416:5011", state: "down",
                                     detail: "paper out", missedPresses: 3)],
            waits: ["ktp": [30, 60, 400]]))
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in ["antre_info{office=\"Desa \\\"Uji\\\"\",day=\"2026-11-28\"} 1",
                     "antre_tickets_issued{service=\"ktp\"} 4", "antre_tickets_waiting{service=\"ktp\"} 1",
                     "antre_missed_presses{dispenser=\"lobi\"} 3",
                     "antre_wait_seconds_bucket{service=\"ktp\",le=\"60\"} 2",
                     "antre_wait_seconds_bucket{service=\"ktp\",le=\"300\"} 2",
                     "antre_wait_seconds_bucket{service=\"ktp\",le=\"600\"} 3",
                     "antre_wait_seconds_bucket{service=\"ktp\",le=\"+Inf\"} 3",
                     "antre_wait_seconds_sum{service=\"ktp\"} 490", "antre_wait_seconds_count{service=\"ktp\"} 3",
                     "antre_printer_up{dispenser=\"lobi\"} 0",
                     "antre_printer_state{dispenser=\"lobi\",state=\"down\"} 1",
                     "antre_printer_state{dispenser=\"lobi\",state=\"ready\"} 0",
                     "# TYPE antre_wait_seconds histogram"] {
            #expect(lines.contains(line), "missing: \(line)")
        }
        // Every sample line belongs to a family declared by a TYPE line before it.
        var declared: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])); continue }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
            #expect(declared.contains(family) || declared.contains(name), "undeclared \(name)")
        }
    }
}
