import AntreCore
import Foundation

/// The picture of `antre report --chart`: arrivals per hour of day stacked by
/// service, and mean wait per hour per service, as an A4 landscape SVG written
/// here (no plotting library; `rsvg-convert` turns it into PNG).
public enum ReportChart {
    /// A4 landscape at 96 px per inch: what the SVG's user units measure.
    public static let width = 1123.0
    public static let height = 794.0

    /// Okabe-Ito colours: told apart with the common colour-vision deficiencies
    /// and on a grey-scale printout by their lightness.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    public static func svg(_ report: QueueReport, office: String? = nil) -> String {
        let services = report.services.filter { service in
            report.hours.contains { $0.service == service.id && $0.arrivals > 0 }
        }
        let all = report.hours.filter { $0.service == nil }
        let firstHour = all.map(\.hour).min() ?? 8
        let lastHour = max(all.map(\.hour).max() ?? 15, firstHour)
        let hours = Array(firstHour...lastHour)
        func arrivals(_ service: String?, _ hour: Int) -> Int {
            report.hours.first { $0.service == service && $0.hour == hour }?.arrivals ?? 0
        }
        func wait(_ service: String?, _ hour: Int) -> Double? {
            guard let row = report.hours.first(where: { $0.service == service && $0.hour == hour }),
                  row.arrivals > 0, row.meanWait > 0 else { return nil }
            return row.meanWait / 60
        }

        var svg = SVGWriter(width: width, height: height)
        let range = report.from == report.to ? report.from : "\(report.from) – \(report.to)"
        svg.text(40, 52, (office.map { "\($0): " } ?? "") + "Arrivals and waiting per hour of day", size: 26, weight: "bold")
        svg.text(40, 82, "\(range) · \(report.total.issued) tickets · mean wait "
                 + "\(ReportText.duration(report.total.wait.mean)) · 90% called within "
                 + "\(ReportText.duration(report.total.wait.p90))", size: 17, fill: "#444")

        // Legend, one entry per service with arrivals, wrapped into rows.
        let left = 90.0, right = width - 40
        var legendX = 40.0, legendY = 108.0
        func legendEntry(_ label: String, swatch: (inout SVGWriter, Double, Double) -> Void) {
            let label = label.count > 34 ? String(label.prefix(33)) + "…" : label
            let entryWidth = 22 + Double(label.count) * 8.6 + 26
            if legendX + entryWidth > right && legendX > 40 {
                legendX = 40
                legendY += 24
            }
            swatch(&svg, legendX, legendY)
            svg.text(legendX + 22, legendY + 6, label, size: 15)
            legendX += entryWidth
        }
        for (index, service) in services.enumerated() {
            legendEntry(service.name ?? service.id) { svg, x, y in svg.rect(x, y - 8, 16, 16, fill: color(index)) }
        }
        legendEntry("all services (mean wait)") { svg, x, y in svg.line(x - 4, y, x + 18, y, stroke: "#222", width: 4) }

        let slot = (right - left) / Double(hours.count)
        func x(_ hour: Int) -> Double { left + slot * (Double(hour - firstHour) + 0.5) }

        // Panel 1: arrivals, stacked bars.
        let top1 = legendY + 50, bottom1 = 440.0
        let maxArrivals = max(1, hours.map { arrivals(nil, $0) }.max() ?? 1)
        let step1 = niceStep(Double(maxArrivals))
        let axis1 = (Double(maxArrivals) / step1).rounded(.up) * step1
        svg.text(left, top1 - 12, "Tickets taken (arrivals)", size: 17, weight: "bold")
        grid(&svg, left: left, right: right, top: top1, bottom: bottom1, maximum: axis1, step: step1, unit: "")
        for hour in hours {
            var y = bottom1
            for (index, service) in services.enumerated() {
                let count = arrivals(service.id, hour)
                guard count > 0 else { continue }
                let h = Double(count) / axis1 * (bottom1 - top1)
                svg.rect(x(hour) - slot * 0.35, y - h, slot * 0.7, h, fill: color(index))
                y -= h
            }
            let total = arrivals(nil, hour)
            if total > 0 { svg.text(x(hour), y - 6, String(total), size: 14, anchor: "middle", fill: "#222") }
        }

        // Panel 2: mean wait in minutes, one line per service and a thick one for all.
        let top2 = 520.0, bottom2 = 735.0
        let waits = hours.compactMap { wait(nil, $0) } + services.flatMap { s in hours.compactMap { wait(s.id, $0) } }
        let maxWait = max(1, waits.max() ?? 1)
        let step2 = niceStep(maxWait)
        let axis2 = (maxWait / step2).rounded(.up) * step2
        svg.text(left, top2 - 12, "Mean wait, take number → first call (minutes)", size: 17, weight: "bold")
        grid(&svg, left: left, right: right, top: top2, bottom: bottom2, maximum: axis2, step: step2, unit: "")
        func y2(_ minutes: Double) -> Double { bottom2 - minutes / axis2 * (bottom2 - top2) }
        for (index, service) in services.enumerated() {
            let points = hours.compactMap { hour in wait(service.id, hour).map { (x(hour), y2($0)) } }
            svg.polyline(points, stroke: color(index), width: 2.5)
            for point in points { svg.circle(point.0, point.1, 4.5, fill: color(index)) }
        }
        svg.polyline(hours.compactMap { hour in wait(nil, hour).map { (x(hour), y2($0)) } }, stroke: "#222", width: 4)

        if all.isEmpty {
            svg.text(width / 2, (top1 + bottom1) / 2, "No tickets in this range", size: 24, anchor: "middle", fill: "#666")
        }

        // Hour labels under both panels.
        for hour in hours {
            let label = (hour < 10 ? "0" : "") + "\(hour):00"
            svg.text(x(hour), bottom1 + 20, label, size: 14, anchor: "middle", fill: "#333")
            svg.text(x(hour), bottom2 + 20, label, size: 14, anchor: "middle", fill: "#333")
        }
        svg.text(width - 40, height - 22, "antre report · hour of day is when the number was taken",
                 size: 13, anchor: "end", fill: "#666")
        return svg.finished()
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// 1, 2 or 5 times a power of ten, giving about 5 grid lines up to `maximum`.
    static func niceStep(_ maximum: Double) -> Double {
        let raw = max(maximum, 1) / 5
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw { return max(1, factor * power) }
        return max(1, 10 * power)
    }

    private static func grid(_ svg: inout SVGWriter, left: Double, right: Double, top: Double, bottom: Double,
                             maximum: Double, step: Double, unit: String) {
        var value = 0.0
        while value <= maximum + step / 1000 {
            let y = bottom - value / maximum * (bottom - top)
            svg.line(left, y, right, y, stroke: value == 0 ? "#555" : "#ddd", width: value == 0 ? 1.5 : 1)
            let text = value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
            svg.text(left - 10, y + 5, text + unit, size: 14, anchor: "end", fill: "#333")
            value += step
        }
    }
}

/// A minimal SVG builder: just the shapes the chart draws, text escaped.
struct SVGWriter {
    private var parts: [String]

    init(width: Double, height: Double) {
        parts = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" "#
                + #"viewBox="0 0 \#(Self.n(width)) \#(Self.n(height))" font-family="DejaVu Sans, sans-serif">"#,
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ]
    }

    static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    mutating func text(_ x: Double, _ y: Double, _ text: String, size: Double, anchor: String = "start",
                       weight: String = "normal", fill: String = "#111") {
        parts.append(#"<text x="\#(Self.n(x))" y="\#(Self.n(y))" font-size="\#(Self.n(size))" "#
                     + #"text-anchor="\#(anchor)" font-weight="\#(weight)" fill="\#(fill)">\#(Self.escaped(text))</text>"#)
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) {
        parts.append(#"<rect x="\#(Self.n(x))" y="\#(Self.n(y))" width="\#(Self.n(w))" height="\#(Self.n(h))" fill="\#(fill)"/>"#)
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double) {
        parts.append(#"<line x1="\#(Self.n(x1))" y1="\#(Self.n(y1))" x2="\#(Self.n(x2))" y2="\#(Self.n(y2))" "#
                     + #"stroke="\#(stroke)" stroke-width="\#(Self.n(width))"/>"#)
    }

    mutating func circle(_ x: Double, _ y: Double, _ r: Double, fill: String) {
        parts.append(#"<circle cx="\#(Self.n(x))" cy="\#(Self.n(y))" r="\#(Self.n(r))" fill="\#(fill)"/>"#)
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double) {
        guard points.count > 1 else { return }
        let list = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        parts.append(#"<polyline points="\#(list)" fill="none" stroke="\#(stroke)" stroke-width="\#(Self.n(width))" "#
                     + #"stroke-linejoin="round"/>"#)
    }

    func finished() -> String { (parts + ["</svg>"]).joined(separator: "\n") + "\n" }
}
