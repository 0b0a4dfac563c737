import AntreCore
import AntreWire
import ArgumentParser
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Figures for the village head: tickets, waiting and service times, busy hours.",
        discussion: """
        Over one day (--date, default today), a range (--from, --to) or a month \
        (--month). Tables by default; --csv for a spreadsheet (one table per \
        section, each with a header row; --section picks one), --json for \
        scripts. --chart FILE.svg or FILE.png draws arrivals and waiting per hour \
        on an A4 page (PNG needs rsvg-convert, Debian package librsvg2-bin).
        """)
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("One day.", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: ArgumentHelp("First day.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(help: ArgumentHelp("Last day (default: --from).", valueName: "YYYY-MM-DD")) var to: String?
    @Option(help: ArgumentHelp("A calendar month.", valueName: "YYYY-MM")) var month: String?
    @Flag(help: "CSV tables instead of text.") var csv = false
    @Option(help: ArgumentHelp("With --csv: only this table (services, counters, missed, hours).",
                               valueName: "table"))
    var section: String?
    @Option(help: ArgumentHelp("Also draw the chart to this .svg or .png file.", valueName: "file"))
    var chart: String?

    func validate() throws {
        do {
            _ = try ReportRange.parameters(date: date, from: from, to: to, month: month)
        } catch {
            throw ValidationError(error.description)
        }
        if let section, ReportText.CSVTable(rawValue: section) == nil {
            throw ValidationError("--section must be one of services, counters, missed, hours")
        }
        if section != nil && !csv { throw ValidationError("--section goes with --csv") }
        if csv && global.json { throw ValidationError("give --csv or --json, not both") }
        if let chart, ChartFile.Format(path: chart) == nil {
            throw ValidationError("--chart '\(chart)' must end in .svg or .png")
        }
    }

    func run() throws {
        let parameters = try ReportRange.parameters(date: date, from: from, to: to, month: month)
        let client = try global.connect()
        let object = try JSONValue.from(parameters).objectValue ?? [:]
        let reply = try client.call(QueueInterface.name + ".Report", object)
        let report: QueueReport
        do {
            report = try JSONValue.object(reply).decode(as: ReportReply.self).report
        } catch {
            throw VarlinkClientError.protocolError("reply of Report does not match this antre: \(error)")
        }
        if let chart { try ChartFile.write(ReportChart.svg(report), to: chart) }
        if global.json {
            print(JSONValue.object(reply).prettyText())
        } else if csv {
            print(ReportText.csv(report, only: section.flatMap(ReportText.CSVTable.init(rawValue:))), terminator: "")
        } else {
            print(ReportText.human(report, in: global.language))
            if let chart { print("\n\(CLIMessages(global.language).report.chart): \(chart)") }
        }
    }
}

/// Writes the chart: SVG as it is, PNG through rsvg-convert at 150 dpi.
enum ChartFile {
    enum Format {
        case svg, png
        init?(path: String) {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "svg": self = .svg
            case "png": self = .png
            default: return nil
            }
        }
    }

    struct Failed: Error, CustomStringConvertible { var description: String }

    /// A4 landscape at 150 dpi.
    static let pngWidth = 1754, pngHeight = 1240

    static func write(_ svg: String, to path: String) throws {
        guard let format = Format(path: path) else { throw Failed(description: "\(path): not .svg or .png") }
        switch format {
        case .svg:
            do {
                try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw Failed(description: "cannot write \(path): \(error.localizedDescription)")
            }
        case .png:
            let temporary = FileManager.default.temporaryDirectory
                .appendingPathComponent("antre-chart-\(UUID().uuidString).svg")
            defer { try? FileManager.default.removeItem(at: temporary) }
            try Data(svg.utf8).write(to: temporary)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["rsvg-convert", "--width", String(pngWidth), "--height", String(pngHeight),
                                 "--background-color", "white", "--format", "png", "--output", path, temporary.path]
            let errors = Pipe()
            process.standardError = errors
            do {
                try process.run()
            } catch {
                throw Failed(description: "cannot run rsvg-convert (install librsvg2-bin): \(error)")
            }
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if process.terminationStatus == 127 {
                    throw Failed(description: "rsvg-convert not found: install librsvg2-bin, or use --chart FILE.svg")
                }
                throw Failed(description: "rsvg-convert failed writing \(path): \(text)")
            }
        }
    }
}
