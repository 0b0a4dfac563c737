import AntreCore

/// Human text for io.antre.Queue replies: what `antre` prints without --json.
/// Lives here (not in the executable) so it is unit-tested. The words come
/// from `CLIMessages` in the office language (English by default).
public enum QueueText {
    /// "T-002 KTP-el -> Loket 1 (4 menunggu)": the service, and how many still
    /// wait for this counter (when antred says).
    public static func called(_ reply: CallNextReply, in language: Language = .en) -> String {
        CLIMessages(language).called(number: reply.ticket.number, serviceName: reply.ticket.serviceName,
                                     counterName: reply.counterName, waiting: reply.waiting)
    }

    /// "B-012 recalled at Loket 2"
    public static func recalled(_ reply: RecallReply, in language: Language = .en) -> String {
        // Past the office's recalls_before_skip antred skipped it instead.
        if reply.ticket.state == .skipped {
            return CLIMessages(language).skippedAfterRecalls(number: reply.ticket.number, calls: reply.ticket.callCount)
        }
        return CLIMessages(language).recalled(number: reply.ticket.number,
                                              counterName: reply.counterName ?? reply.ticket.counter)
    }

    /// "B-012 back in line, 2 ahead"
    public static func requeued(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).requeued(number: reply.ticket.number, ahead: reply.ticket.ahead)
    }

    /// "B-012 skipped"
    public static func skipped(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).skipped(number: reply.ticket.number)
    }

    /// "B-012 served"
    public static func finished(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).finished(number: reply.ticket.number)
    }

    /// "B-012 -> akta-lahir (waiting)"
    public static func transferred(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).transferred(number: reply.ticket.number, service: reply.ticket.service,
                                          state: reply.ticket.state)
    }

    /// "T-004 issued for KTP-el, 3 ahead; printed"
    public static func issued(_ reply: IssueReply, in language: Language = .en) -> String {
        let ticket = reply.ticket
        let messages = CLIMessages(language)
        let service = ticket.priority ? ticket.serviceName + " (" + messages.priorityWord + ")" : ticket.serviceName
        return messages.issued(number: ticket.number, serviceName: service, ahead: reply.ahead,
                               paper: messages.paper(reply.printed ? .printed : ticket.printState, number: ticket.number))
    }

    /// "T-004 reprinted", or why not.
    public static func reprinted(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).reprinted(reply.ticket.printState, number: reply.ticket.number)
    }

    /// "T-004 confirmed printed"
    public static func confirmed(_ reply: TicketReply, in language: Language = .en) -> String {
        CLIMessages(language).confirmed(number: reply.ticket.number)
    }

    public static func reloaded(in language: Language = .en) -> String { CLIMessages(language).reloaded }

    /// One block per USB printer, with the line to paste into the config.
    public static func printers(_ reply: ListPrintersReply, in language: Language = .en) -> String {
        let messages = CLIMessages(language)
        guard !reply.usb.isEmpty else { return messages.noUSBPrinters }
        return reply.usb.map { p in
            var lines = [p.id + "  " + [p.manufacturer, p.product].compactMap { $0 }.joined(separator: " ")]
            lines.append("  printer = \"\(p.connection)\"")
            lines.append("  " + messages.usbAddress(bus: p.bus, address: p.address) + (p.serial.map { ", serial \($0)" } ?? ""))
            lines.append("  interface \(p.interface), OUT \(p.outEndpoint), "
                         + (p.inEndpoint.map { "IN \($0)" } ?? messages.noInEndpoint))
            lines.append("  \(messages.usedBy): " + (p.usedBy.isEmpty ? "-" : p.usedBy.joined(separator: ", ")))
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// One line per event: "10:32:05 called B-012 at Loket 2".
    public static func event(_ event: QueueEventInfo, in language: Language = .en) -> String {
        let messages = CLIMessages(language)
        var parts = [WireTime.clock(event.at), messages.eventKind(event.kind)]
        if let number = event.number { parts.append(number) }
        let counter = event.counterName ?? event.counter
        switch event.kind {
        case "called", "recalled", "skipped", "served":
            if let counter { parts.append(messages.atCounter(counter)) }
        case "transferred":
            if let service = event.service { parts.append(messages.toService(service)) }
        case "issued":
            if let name = event.ticket?.serviceName ?? event.service { parts.append(messages.forService(name)) }
            if let ahead = event.ticket?.ahead { parts.append(messages.ahead(ahead)) }
        default:
            break
        }
        if let detail = event.detail, !detail.isEmpty { parts.append("- \(detail)") }
        return parts.joined(separator: " ")
    }

    /// The compact status table of `antre status`.
    public static func status(_ status: StatusReply, in language: Language = .en) -> String {
        let messages = CLIMessages(language)
        let headings = messages.statusHeadings
        var lines = ["\(status.office), \(status.day)", ""]
        if status.services.isEmpty {
            lines.append(messages.noServices)
        } else {
            var rows = [headings.services]
            for s in status.services {
                rows.append([s.service, s.name, String(s.waiting), String(s.served), String(s.skipped),
                             s.lastNumber ?? "-"])
            }
            lines += table(rows, rightAligned: [2, 3, 4])
            // The office's rules, only where one applies today.
            for s in status.services {
                if let line = messages.serviceRules(service: s.service, issued: s.issued, quota: s.dailyQuota,
                                                    priorityWaiting: s.priorityWaiting, notIssuing: s.notIssuing) {
                    lines.append(line)
                }
            }
        }
        lines.append("")
        if status.counters.isEmpty {
            lines.append(messages.noCounters)
        } else {
            var rows = [headings.counters]
            for c in status.counters {
                var now = "-"
                if let ticket = c.current {
                    now = ticket.number
                    if let at = ticket.calledAt { now += " " + messages.since(String(WireTime.clock(at).prefix(5))) }
                }
                rows.append([c.counter, c.name, now])
            }
            lines += table(rows)
        }
        lines.append("")
        if status.printers.isEmpty {
            lines.append(messages.noPrinters)
        } else {
            var rows = [headings.printers]
            for p in status.printers {
                rows.append([p.dispenser, p.connection, p.state, "\(p.missedPresses)", "\(p.pendingReprints)",
                             p.detail ?? ""])
            }
            lines += table(rows, rightAligned: [3, 4])
        }
        let unrecorded = status.printers.filter { $0.unrecordedPresses > 0 }
        if !unrecorded.isEmpty || status.daemon?.storageError != nil {
            lines += ["", messages.databaseWritesFailed]
            for p in unrecorded {
                lines.append(messages.pressesNotRecorded(dispenser: p.dispenser, count: p.unrecordedPresses))
            }
            if let error = status.daemon?.storageError { lines.append(messages.lastError(error)) }
        }
        if !status.printFailed.isEmpty {
            lines += ["", messages.printFailedHeading]
            var rows: [[String]] = []
            for t in status.printFailed {
                rows.append([t.number, t.serviceName, messages.issuedAt(String(WireTime.clock(t.issuedAt).prefix(5))),
                             messages.stateName(t.state)])
            }
            lines += table(rows)
        }
        if !status.unconfirmed.isEmpty {
            lines += ["", messages.notConfirmedHeading]
            var rows: [[String]] = []
            for t in status.unconfirmed {
                rows.append([t.number, t.serviceName, messages.issuedAt(String(WireTime.clock(t.issuedAt).prefix(5))),
                             messages.stateName(t.state)])
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
