import ESCPOS
import Foundation

/// Everything a ticket slip shows, gathered by the daemon at issue time.
public struct TicketSlip: Sendable, Equatable {
    public var ticket: Ticket
    public var service: Service
    public var office: Office
    /// Tickets the counters serving this service will call before this one,
    /// as of printing; nil prints no such line (a reprint of a ticket no longer waiting).
    public var ahead: Int?
    /// A reprint is marked CETAK ULANG, with the time it was reprinted.
    public var isReprint: Bool
    public var reprintedAt: Date?
    /// Where to go: the names of the counters serving the service ("Loket 1",
    /// "Loket 2"); empty prints no such line.
    public var counterNames: [String]
    /// Today's pace at those counters; nil (not enough data yet) prints nothing.
    public var waitEstimate: WaitEstimate?

    public init(ticket: Ticket, service: Service, office: Office, ahead: Int?, isReprint: Bool = false,
                reprintedAt: Date? = nil, counterNames: [String] = [], waitEstimate: WaitEstimate? = nil) {
        self.ticket = ticket
        self.service = service
        self.office = office
        self.ahead = ahead
        self.isReprint = isReprint
        self.reprintedAt = reprintedAt
        self.counterNames = counterNames
        self.waitEstimate = waitEstimate
    }
}

/// A short notice printed instead of a ticket (service closed, printer degraded...).
public struct NoticeSlip: Sendable, Equatable {
    public var office: Office
    public var title: String
    public var lines: [String]
    public var at: Date

    public init(office: Office, title: String, lines: [String], at: Date) {
        self.office = office
        self.title = title
        self.lines = lines
        self.at = at
    }
}

/// Ticket slip -> printer-neutral receipt. Pure: same input, same receipt.
///
/// Order on paper: office header, queue number, service, priority mark, date
/// and time, people ahead, the loket(s) to go to, the estimated wait; then what the resident needs (requirements, schedule, processing time,
/// officer, fee); then, when the office has a board address, a QR code of the
/// ticket's phone page; then the footer. Empty config fields print nothing at all.
public enum TicketLayout {
    public static func receipt(for slip: TicketSlip) -> Receipt {
        let words = Words(slip.office.language)
        var blocks = header(slip.office)

        blocks.append(.rule())
        blocks.append(.text(words.queueNumber, style: centred))
        blocks.append(.text(slip.ticket.number.description,
                            style: TextStyle(alignment: .center, bold: true, widthScale: 2, heightScale: 2)))
        blocks.append(.text(slip.service.name, style: centredBold))
        if slip.ticket.priority { blocks.append(.text(words.priority, style: priorityMark)) }
        if slip.isReprint { blocks.append(.text(words.reprint, style: centredBold)) }
        let when = LocalTime(slip.ticket.issuedAt, in: slip.office.timeZone)
        blocks.append(.columns(left: words.date(when), right: words.time(when)))
        if slip.isReprint, let reprintedAt = slip.reprintedAt {
            blocks.append(.text(words.reprintedAt(LocalTime(reprintedAt, in: slip.office.timeZone))))
        }
        if let ahead = slip.ahead { blocks.append(.text(words.ahead(max(0, ahead)))) }
        let counters = slip.counterNames.compactMap(nonEmpty)
        if !counters.isEmpty {
            blocks.append(labelled(words.goTo, counters.joined(separator: " / ")))
        }
        if let estimate = slip.waitEstimate { blocks.append(labelled(words.estimatedWait, words.minutes(estimate))) }

        let details = details(slip.service, words)
        if !details.isEmpty {
            blocks.append(.rule())
            blocks += details
        }
        if let page = slip.office.ticketPageURL(slip.ticket.number) {
            blocks.append(.rule())
            blocks.append(.text(words.followOnPhone, style: centred))
            blocks.append(.qr(page))
        }
        blocks += footer(slip.office)
        return Receipt(blocks)
    }

    public static func receipt(for notice: NoticeSlip) -> Receipt {
        let words = Words(notice.office.language)
        var blocks = header(notice.office)
        blocks.append(.rule())
        if let title = nonEmpty(notice.title) {
            blocks.append(.text(title, style: TextStyle(alignment: .center, bold: true,
                                                        widthScale: 2, heightScale: 2)))
        }
        for line in notice.lines.compactMap(nonEmpty) { blocks.append(.text(line)) }
        let when = LocalTime(notice.at, in: notice.office.timeZone)
        blocks.append(.columns(left: words.date(when), right: words.time(when)))
        blocks += footer(notice.office)
        return Receipt(blocks)
    }

    // MARK: - Parts

    private static let centred = TextStyle(alignment: .center)
    private static let centredBold = TextStyle(alignment: .center, bold: true)
    private static let priorityMark = TextStyle(alignment: .center, bold: true, widthScale: 2)

    private static func header(_ office: Office) -> [ReceiptBlock] {
        var blocks: [ReceiptBlock] = []
        if let name = nonEmpty(office.name) { blocks.append(.text(name, style: centredBold)) }
        for line in ([office.address] + office.headerLines).compactMap(nonEmpty) {
            blocks.append(.text(line, style: centred))
        }
        return blocks
    }

    private static func footer(_ office: Office) -> [ReceiptBlock] {
        let lines = office.footerLines.compactMap(nonEmpty)
        guard !lines.isEmpty else { return [] }
        return [.rule()] + lines.map { .text($0, style: centred) }
    }

    private static func details(_ service: Service, _ words: Words) -> [ReceiptBlock] {
        var blocks: [ReceiptBlock] = []
        let requirements = service.requirements.compactMap(nonEmpty)
        if !requirements.isEmpty {
            blocks.append(.text(words.requirements, style: TextStyle(bold: true)))
            for (offset, requirement) in requirements.enumerated() {
                let marker = "\(offset + 1). "
                blocks.append(.text(marker + requirement, hangingIndent: marker.count))
            }
        }
        let schedule = service.schedule.compactMap(nonEmpty)
        if !schedule.isEmpty {
            blocks.append(.text(words.schedule, style: TextStyle(bold: true)))
            for line in schedule { blocks.append(.text("- " + line, hangingIndent: 2)) }
        }
        if let time = nonEmpty(service.processingTime) {
            blocks.append(labelled(words.processingTime, time))
        }
        let officer = nonEmpty(service.officer), contact = nonEmpty(service.contact)
        switch (officer, contact) {
        case let (officer?, contact?): blocks.append(labelled(words.officer, "\(officer) (\(contact))"))
        case let (officer?, nil): blocks.append(labelled(words.officer, officer))
        case let (nil, contact?): blocks.append(labelled(words.contact, contact))
        case (nil, nil): break
        }
        if let fee = nonEmpty(service.fee) { blocks.append(labelled(words.fee, fee)) }
        return blocks
    }

    /// "Biaya: Gratis", continuation lines indented under the value.
    private static func labelled(_ label: String, _ value: String) -> ReceiptBlock {
        let prefix = label + ": "
        return .text(prefix + value, hangingIndent: min(prefix.count, 12))
    }

    /// The text without surrounding whitespace (Unicode White_Space, the same set as
    /// `.whitespacesAndNewlines`), nil when nothing is left. Scalar by scalar: the
    /// Foundation trim went through NSString and was most of a ticket's layout time.
    private static func nonEmpty(_ text: String) -> String? {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return nil }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }
}

/// Calendar fields of an instant in the office's time zone.
private struct LocalTime {
    var weekday: Int  // 1 = Sunday
    var day: Int
    var month: Int
    var year: Int
    var hour: Int
    var minute: Int
    /// "WIB", "WITA", "WIT" in Indonesia, else the zone's usual abbreviation.
    var zone: String

    init(_ date: Date, in timeZone: TimeZone) {
        zone = IndonesianTimeZone(timeZone)?.abbreviation ?? timeZone.abbreviation(for: date) ?? ""
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute], from: date)
        weekday = parts.weekday ?? 1
        day = parts.day ?? 1
        month = parts.month ?? 1
        year = parts.year ?? 1970
        hour = parts.hour ?? 0
        minute = parts.minute ?? 0
    }
}

/// The ticket's fixed words in the office's language. Dates are spelled out by
/// hand, not by a locale, so a ticket reads the same on every machine.
private struct Words {
    let language: Language
    init(_ language: Language) { self.language = language }

    var queueNumber: String { language == .id ? "Nomor antrean" : "Queue number" }
    var reprint: String { language == .id ? "CETAK ULANG" : "REPRINT" }
    var priority: String { language == .id ? "PRIORITAS" : "PRIORITY" }
    var goTo: String { language == .id ? "Silakan ke" : "Go to" }
    var estimatedWait: String { language == .id ? "Perkiraan tunggu" : "Estimated wait" }
    /// "10-20 menit" / "10-20 minutes".
    func minutes(_ estimate: WaitEstimate) -> String {
        "\(estimate.minMinutes)-\(estimate.maxMinutes) " + (language == .id ? "menit" : "minutes")
    }
    var requirements: String { language == .id ? "Persyaratan:" : "Requirements:" }
    var schedule: String { language == .id ? "Jadwal:" : "Schedule:" }
    var processingTime: String { language == .id ? "Waktu proses" : "Processing time" }
    var officer: String { language == .id ? "Petugas" : "Officer" }
    var contact: String { language == .id ? "Kontak" : "Contact" }
    var fee: String { language == .id ? "Biaya" : "Fee" }
    var followOnPhone: String {
        language == .id ? "Pantau antrean dari HP Anda:" : "Follow the queue on your phone:"
    }

    func ahead(_ count: Int) -> String {
        switch (language, count) {
        case (.id, 0): "Anda berikutnya"
        case (.id, _): "Menunggu di depan Anda: \(count) orang"
        case (.en, 0): "You are next"
        case (.en, _): "People ahead of you: \(count)"
        }
    }

    func reprintedAt(_ when: LocalTime) -> String {
        (language == .id ? "Dicetak ulang " : "Reprinted ") + time(when)
    }

    /// "Sabtu, 28 Nov 2026" / "Saturday, 28 Nov 2026".
    func date(_ time: LocalTime) -> String {
        let days = language == .id
            ? ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]
            : ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let months = language == .id
            ? ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
            : ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let dayName = days[(time.weekday - 1 + 7) % 7]
        let monthName = months[(time.month - 1 + 12) % 12]
        return "\(dayName), \(time.day) \(monthName) \(time.year)"
    }

    /// "23.40 WIB" in Indonesian (dot, as written there), "23:40 WIB" in English.
    func time(_ time: LocalTime) -> String {
        let separator = language == .id ? "." : ":"
        let clock = twoDigits(time.hour) + separator + twoDigits(time.minute)
        return time.zone.isEmpty ? clock : clock + " " + time.zone
    }

    private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
