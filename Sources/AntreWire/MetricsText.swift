/// The Prometheus text exposition (format 0.0.4) of antred's optional
/// `/metrics` endpoint: today's figures per service, waiting-time histogram,
/// printer state. Day counts are gauges: they restart at local midnight.
public enum MetricsText {
    /// Upper bounds of the waiting-time histogram, seconds (1 min ... 2 h).
    public static let waitBuckets: [Double] = [60, 300, 600, 900, 1800, 2700, 3600, 7200]

    public struct Input: Sendable, Equatable {
        public var office: String
        public var day: String
        public var services: [ServiceStatus]
        public var printers: [PrinterStatus]
        /// Issue -> first call of today's called tickets, per service.
        public var waits: [String: [Double]]
        public init(office: String, day: String, services: [ServiceStatus], printers: [PrinterStatus],
                    waits: [String: [Double]]) {
            self.office = office
            self.day = day
            self.services = services
            self.printers = printers
            self.waits = waits
        }
    }

    public static func render(_ input: Input) -> String {
        var out: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) \(type)")
        }
        family("antre_info", "gauge", "The office and its current local day.")
        out.append("antre_info{office=\"\(escaped(input.office))\",day=\"\(input.day)\"} 1")
        let perService: [(String, String, (ServiceStatus) -> Int)] = [
            ("antre_tickets_issued", "Tickets issued today, per service.", { $0.issued }),
            ("antre_tickets_served", "Tickets served today, per service.", { $0.served }),
            ("antre_tickets_skipped", "Tickets skipped today (resident did not come), per service.", { $0.skipped }),
            ("antre_tickets_waiting", "Tickets waiting now, per service.", { $0.waiting }),
        ]
        for (name, help, value) in perService {
            family(name, "gauge", help)
            for service in input.services {
                out.append("\(name){service=\"\(escaped(service.service))\"} \(value(service))")
            }
        }
        family("antre_missed_presses", "gauge", "Presses today that took no number (printer down), per dispenser.")
        for printer in input.printers {
            out.append("antre_missed_presses{dispenser=\"\(escaped(printer.dispenser))\"} \(printer.missedPresses)")
        }
        family("antre_wait_seconds", "histogram", "Today's waits from taking a number to its first call, per service.")
        for service in input.services {
            let waits = input.waits[service.service] ?? []
            let label = "service=\"\(escaped(service.service))\""
            for bound in waitBuckets {
                out.append("antre_wait_seconds_bucket{\(label),le=\"\(number(bound))\"} \(waits.filter { $0 <= bound }.count)")
            }
            out.append("antre_wait_seconds_bucket{\(label),le=\"+Inf\"} \(waits.count)")
            out.append("antre_wait_seconds_sum{\(label)} \(number(waits.reduce(0, +)))")
            out.append("antre_wait_seconds_count{\(label)} \(waits.count)")
        }
        family("antre_printer_up", "gauge", "1 when the dispenser's printer takes tickets (ready, warning or unknown), 0 when down.")
        for printer in input.printers {
            out.append("antre_printer_up{dispenser=\"\(escaped(printer.dispenser))\"} \(printer.state == "down" ? 0 : 1)")
        }
        family("antre_printer_state", "gauge", "The printer's state: 1 for the current one.")
        for printer in input.printers {
            for state in ["ready", "warning", "down", "unknown"] {
                out.append("antre_printer_state{dispenser=\"\(escaped(printer.dispenser))\",state=\"\(state)\"} "
                           + (printer.state == state ? "1" : "0"))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Label values: backslash, quote and newline escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
