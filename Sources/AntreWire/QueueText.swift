/// Human text for io.antre.Queue replies: what `antre` prints without --json.
/// Lives here (not in the executable) so it is unit-tested.
public enum QueueText {
    /// "T-002 KTP-el -> Loket 1 (4 menunggu)": the service, and how many still
    /// wait for this counter (when antred says).
    public static func called(_ reply: CallNextReply) -> String {
        "\(reply.ticket.number) \(reply.ticket.serviceName) -> \(reply.counterName)"
            + (reply.waiting.map { " (\($0) menunggu)" } ?? "")
    }

    /// "B-012 recalled at Loket 2"
    public static func recalled(_ reply: RecallReply) -> String {
        guard let counter = reply.counterName ?? reply.ticket.counter else { return "\(reply.ticket.number) recalled" }
        return "\(reply.ticket.number) recalled at \(counter)"
    }

    /// "B-012 skipped"
    public static func skipped(_ reply: TicketReply) -> String { "\(reply.ticket.number) skipped" }

    /// "B-012 served"
    public static func finished(_ reply: TicketReply) -> String { "\(reply.ticket.number) served" }

    /// "B-012 -> akta-lahir (waiting)"
    public static func transferred(_ reply: TicketReply) -> String {
        "\(reply.ticket.number) -> \(reply.ticket.service) (\(reply.ticket.state.rawValue))"
    }

    /// "T-004 issued for KTP-el, 3 ahead; printed"
    public static func issued(_ reply: IssueReply) -> String {
        let ticket = reply.ticket
        return "\(ticket.number) issued for \(ticket.serviceName), \(reply.ahead) ahead; "
            + paperText(ticket, printed: reply.printed)
    }

    /// "T-004 reprinted", or why not.
    public static func reprinted(_ reply: TicketReply) -> String {
        let ticket = reply.ticket
        switch ticket.printState {
        case .printed: return "\(ticket.number) reprinted"
        case .pending: return "\(ticket.number) sent to the printer"
        case .failed: return "\(ticket.number): print failed again (check the printer, then: antre reprint \(ticket.number))"
        case .unconfirmed: return "\(ticket.number): not confirmed printed (antre confirm \(ticket.number) or antre reprint \(ticket.number))"
        case .none: return "\(ticket.number): not printed (no dispenser)"
        }
    }

    /// "T-004 confirmed printed"
    public static func confirmed(_ reply: TicketReply) -> String {
        "\(reply.ticket.number) confirmed printed"
    }

    public static func reloaded() -> String { "configuration reloaded" }

    /// One block per USB printer, with the line to paste into the config.
    public static func printers(_ reply: ListPrintersReply) -> String {
        guard !reply.usb.isEmpty else {
            return "no USB printers found (check the cable and power; `lsusb` lists what the system sees)"
        }
        return reply.usb.map { p in
            var lines = [p.id + "  " + [p.manufacturer, p.product].compactMap { $0 }.joined(separator: " ")]
            lines.append("  printer = \"\(p.connection)\"")
            lines.append("  bus \(p.bus) address \(p.address)" + (p.serial.map { ", serial \($0)" } ?? ""))
            lines.append("  interface \(p.interface), OUT \(p.outEndpoint), "
                         + (p.inEndpoint.map { "IN \($0)" } ?? "no IN endpoint (status unknown)"))
            lines.append("  used by: " + (p.usedBy.isEmpty ? "-" : p.usedBy.joined(separator: ", ")))
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private static func paperText(_ ticket: TicketInfo, printed: Bool) -> String {
        if printed { return "printed" }
        switch ticket.printState {
        case .printed: return "printed"
        case .pending: return "printing"
        case .failed: return "print failed (antre reprint \(ticket.number))"
        case .unconfirmed: return "not confirmed printed (antre confirm \(ticket.number) or antre reprint \(ticket.number))"
        case .none: return "not printed"
        }
    }

    /// One line per event: "10:32:05 called B-012 at Loket 2".
    public static func event(_ event: QueueEventInfo) -> String {
        var parts = [WireTime.clock(event.at), event.kind]
        if let number = event.number { parts.append(number) }
        let counter = event.counterName ?? event.counter
        switch event.kind {
        case "called", "recalled", "skipped", "served":
            if let counter { parts.append("at \(counter)") }
        case "transferred":
            if let service = event.service { parts.append("to \(service)") }
        case "issued":
            if let name = event.ticket?.serviceName ?? event.service { parts.append("for \(name)") }
            if let ahead = event.ticket?.ahead { parts.append("(\(ahead) ahead)") }
        default:
            break
        }
        if let detail = event.detail, !detail.isEmpty { parts.append("- \(detail)") }
        return parts.joined(separator: " ")
    }

    /// The compact status table of `antre status`.
    public static func status(_ status: StatusReply) -> String {
        var lines = ["\(status.office), \(status.day)", ""]
        if status.services.isEmpty {
            lines.append("no services configured")
        } else {
            var rows = [["SERVICE", "NAME", "WAITING", "SERVED", "SKIPPED", "LAST"]]
            for s in status.services {
                rows.append([s.service, s.name, String(s.waiting), String(s.served), String(s.skipped),
                             s.lastNumber ?? "-"])
            }
            lines += table(rows, rightAligned: [2, 3, 4])
        }
        lines.append("")
        if status.counters.isEmpty {
            lines.append("no counters configured")
        } else {
            var rows = [["COUNTER", "NAME", "NOW"]]
            for c in status.counters {
                var now = "-"
                if let ticket = c.current {
                    now = ticket.number
                    if let at = ticket.calledAt { now += " since \(WireTime.clock(at).prefix(5))" }
                }
                rows.append([c.counter, c.name, now])
            }
            lines += table(rows)
        }
        lines.append("")
        if status.printers.isEmpty {
            lines.append("no printers")
        } else {
            var rows = [["PRINTER", "CONNECTION", "STATE", "MISSED", "REPRINT", "DETAIL"]]
            for p in status.printers {
                rows.append([p.dispenser, p.connection, p.state, "\(p.missedPresses)", "\(p.pendingReprints)",
                             p.detail ?? ""])
            }
            lines += table(rows, rightAligned: [3, 4])
        }
        let unrecorded = status.printers.filter { $0.unrecordedPresses > 0 }
        if !unrecorded.isEmpty || status.daemon?.storageError != nil {
            lines += ["", "DATABASE WRITES FAILED since antred started: tell the technician"]
            for p in unrecorded {
                lines.append("  \(p.dispenser): \(p.unrecordedPresses) press(es) not recorded (no number taken)")
            }
            if let error = status.daemon?.storageError { lines.append("  last error: \(error)") }
        }
        if !status.printFailed.isEmpty {
            lines += ["", "PRINT FAILED (antre reprint NUMBER)"]
            var rows: [[String]] = []
            for t in status.printFailed {
                rows.append([t.number, t.serviceName, "issued \(WireTime.clock(t.issuedAt).prefix(5))", t.state.rawValue])
            }
            lines += table(rows)
        }
        if !status.unconfirmed.isEmpty {
            lines += ["", "NOT CONFIRMED: antred stopped while printing (ask the resident, then antre confirm NUMBER or antre reprint NUMBER)"]
            var rows: [[String]] = []
            for t in status.unconfirmed {
                rows.append([t.number, t.serviceName, "issued \(WireTime.clock(t.issuedAt).prefix(5))", t.state.rawValue])
            }
            lines += table(rows)
        }
        return lines.joined(separator: "\n")
    }

    /// Pads columns to a common width, two spaces apart, no trailing spaces.
    static func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return rows.map { row in
            var cells: [String] = []
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
