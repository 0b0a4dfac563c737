import AntreCore
import Foundation

/// `antre report` as text: tables for people, CSV for spreadsheets. Lives here
/// (not in the executable) so it is unit-tested.
public enum ReportText {
    /// The tables of `antre report`, in the CLI's language (CSV stays English).
    public static func human(_ report: QueueReport, in language: Language = .en) -> String {
        let words = CLIMessages(language).report
        let range = report.from == report.to ? report.from : "\(report.from) .. \(report.to)"
        var out = ["\(words.title) \(range)", ""]
        let total = report.total
        out.append(words.totals(total.issued, total.served, total.skipped, total.expired, total.transferred, total.missed))
        out.append(words.waiting(duration(total.wait.mean), duration(total.wait.median), duration(total.wait.p90),
                                 duration(total.wait.max)))
        out.append(words.serving(duration(total.service.mean), duration(total.service.median),
                                 duration(total.service.p90), duration(total.service.max)))

        out += ["", words.perService]
        out += table(words.serviceColumns,
                     report.services.map { [label($0)] + counts($0, first: $0.issued) + [String($0.missed)] })
        out += ["", words.perCounter]
        out += table(words.counterColumns,
                     report.counters.map { [label($0)] + Array(counts($0, first: $0.called).dropFirst()) })
        out += ["", words.timesPerService]
        out += table([words.service] + words.timesColumns, report.services.map(timesRow))
        out += ["", words.timesPerCounter]
        out += table([words.counter] + words.timesColumns, report.counters.map(timesRow))

        out += ["", words.missedTitle]
        if report.missed.isEmpty {
            out.append("  " + words.none)
        } else {
            out += table(words.missedColumns, report.missed.map { [$0.service, $0.reason, String($0.count)] },
                         leftAligned: [1])
        }

        out += ["", words.perHour]
        let hours = report.hours.filter { $0.service == nil }
        if hours.isEmpty {
            out.append("  " + words.noTickets)
        } else {
            let most = max(1, hours.map(\.arrivals).max() ?? 1)
            out += table(words.hourColumns, hours.map { hour in
                [String(format: "%02d:00", hour.hour), String(hour.arrivals), duration(hour.meanWait),
                 String(repeating: "#", count: (hour.arrivals * 30 + most - 1) / most)]
            })
        }
        return out.joined(separator: "\n")
    }

    /// "ktp KTP-el (Perekaman/Baru)", cut to fit a terminal.
    private static func label(_ f: ReportFigures) -> String {
        let text = f.name.map { $0 == f.id ? $0 : "\(f.id) \($0)" } ?? f.id
        return text.count > 30 ? String(text.prefix(29)) + "…" : text
    }

    private static func counts(_ f: ReportFigures, first: Int) -> [String] {
        [first, f.called, f.served, f.skipped, f.expired, f.transferred].map(String.init)
    }

    private static func timesRow(_ f: ReportFigures) -> [String] {
        [label(f), String(f.wait.count), duration(f.wait.mean), duration(f.wait.median), duration(f.wait.p90),
         duration(f.wait.max), String(f.service.count), duration(f.service.mean), duration(f.service.median),
         duration(f.service.p90)]
    }

    /// Seconds as "m:ss", "h:mm:ss" from an hour on; "-" for none.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        guard total > 0 else { return seconds > 0 ? "0:00" : "-" }
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// Left-aligned first column, right-aligned numbers, two spaces apart.
    private static func table(_ header: [String], _ rows: [[String]], leftAligned: Set<Int> = []) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            var line = "  " + row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                // Labels and the bar column read left to right; numbers line up right.
                let left = column == 0 || header[column].isEmpty || leftAligned.contains(column)
                return left ? cell + pad : pad + cell
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    // MARK: - CSV

    /// The CSV tables of `antre report --csv`, each with a header row; each row
    /// carries the range so tables of several months stack in one sheet.
    public enum CSVTable: String, CaseIterable, Sendable {
        case services, counters, missed, hours
    }

    /// All tables, separated by an empty line, or just `only`.
    public static func csv(_ report: QueueReport, only: CSVTable? = nil) -> String {
        (only.map { [$0] } ?? CSVTable.allCases).map { csvTable(report, $0) }.joined(separator: "\n")
    }

    /// Service id of the all-services rows: upper case, so never a service id.
    public static let allServices = "ALL"

    public static func csvTable(_ report: QueueReport, _ table: CSVTable) -> String {
        let range = [report.from, report.to]
        var rows: [[String]]
        switch table {
        case .services:
            rows = [["from", "to", "service", "name"] + figureColumns]
            rows += ([report.total] + report.services).enumerated().map { index, f in
                range + [index == 0 ? allServices : f.id, f.name ?? ""] + figureCells(f)
            }
        case .counters:
            rows = [["from", "to", "counter", "name"] + figureColumns]
            rows += report.counters.map { range + [$0.id, $0.name ?? ""] + figureCells($0) }
        case .missed:
            rows = [["from", "to", "service", "reason", "presses"]]
            rows += report.missed.map { range + [$0.service, $0.reason, String($0.count)] }
        case .hours:
            rows = [["from", "to", "service", "hour", "arrivals", "mean_wait_s"]]
            rows += report.hours.map { range + [$0.service ?? allServices, String($0.hour), String($0.arrivals),
                                                 seconds($0.meanWait)] }
        }
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    private static let figureColumns = [
        "issued", "called", "served", "skipped", "expired", "transferred", "missed", "priority_share",
        "wait_count", "wait_mean_s", "wait_median_s", "wait_p90_s", "wait_max_s",
        "service_count", "service_mean_s", "service_median_s", "service_p90_s", "service_max_s",
    ]

    private static func figureCells(_ f: ReportFigures) -> [String] {
        [f.issued, f.called, f.served, f.skipped, f.expired, f.transferred, f.missed].map(String.init)
            + [String(format: "%.3f", f.priorityShare)]
            + [String(f.wait.count)] + [f.wait.mean, f.wait.median, f.wait.p90, f.wait.max].map(seconds)
            + [String(f.service.count)] + [f.service.mean, f.service.median, f.service.p90, f.service.max].map(seconds)
    }

    /// One decimal: spreadsheets read it in any locale setting that uses a dot.
    private static func seconds(_ value: Double) -> String { String(format: "%.1f", value) }

    /// RFC 4180: quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
