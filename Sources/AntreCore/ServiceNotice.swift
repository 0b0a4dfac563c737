import Foundation

/// The notice slips printed instead of a ticket when a service takes no more
/// tickets (closed, or today's quota used up), and the words they share with
/// the CLI's refusal. Dates are spelled by hand, as on the ticket, so a slip
/// reads the same on every machine.
public enum ServiceNotice {
    /// "TUTUP": the service, when it reopens, and its schedule.
    public static func closed(service: Service, office: Office, at date: Date, reopens: Date?) -> NoticeSlip {
        let language = office.language
        var lines = [service.name]
        if let reopens {
            let when = OpeningTimeText(reopens, after: date, timeZone: office.timeZone, language: language).dayAndTime
            lines.append(language == .id ? "Mohon maaf, layanan dibuka kembali \(when)."
                                         : "Sorry, this service reopens \(when).")
        } else {
            lines.append(language == .id ? "Mohon maaf, layanan sedang tutup." : "Sorry, this service is closed.")
        }
        lines += scheduleLines(service, language)
        return NoticeSlip(office: office, title: language == .id ? "TUTUP" : "CLOSED", lines: lines, at: date)
    }

    /// "KUOTA HABIS": today's quota is used up; come back on the next open day.
    public static func quotaReached(service: Service, office: Office, at date: Date, nextOpen: Date?) -> NoticeSlip {
        let language = office.language
        var lines = [service.name]
        if let nextOpen {
            let day = OpeningTimeText(nextOpen, after: date, timeZone: office.timeZone, language: language).dayAndDate
            lines.append(language == .id
                ? "Mohon maaf, kuota hari ini sudah habis, silakan datang lagi \(day)."
                : "Sorry, today's quota is used up; please come again on \(day).")
        } else {
            lines.append(language == .id ? "Mohon maaf, kuota hari ini sudah habis."
                                         : "Sorry, today's quota is used up.")
        }
        lines += scheduleLines(service, language)
        return NoticeSlip(office: office, title: language == .id ? "KUOTA HABIS" : "QUOTA REACHED",
                          lines: lines, at: date)
    }

    /// The office's own schedule lines when it wrote some, else the `hours`
    /// spelled out ("Senin-Kamis 08.00-15.00").
    static func scheduleLines(_ service: Service, _ language: Language) -> [String] {
        let written = service.schedule.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let lines = written.isEmpty ? service.hours.spans.map { spanText($0, language) } : written
        guard !lines.isEmpty else { return [] }
        return [language == .id ? "Jadwal:" : "Schedule:"] + lines.map { "- " + $0 }
    }

    /// "Senin-Kamis 08.00-15.00", "Jumat 08.00-11.00".
    static func spanText(_ span: OpeningSpan, _ language: Language) -> String {
        let first = span.days.first?.name(language) ?? ""
        let days = span.days.count > 1 ? first + "-" + (span.days.last?.name(language) ?? "") : first
        return days + " " + span.opens.formatted(language) + "-" + span.closes.formatted(language)
    }
}

/// How a coming opening is told to a resident, relative to now.
struct OpeningTimeText {
    let weekday: Weekday
    let day: Int
    let month: Int
    let clock: ClockTime
    /// Local days from now to the opening.
    let daysAway: Int
    let language: Language

    init(_ opening: Date, after now: Date, timeZone: TimeZone, language: Language) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.day, .month, .hour, .minute], from: opening)
        let openingDay = LocalDay(containing: opening, in: timeZone)
        let today = LocalDay(containing: now, in: timeZone)
        weekday = openingDay.weekday
        day = parts.day ?? 1
        month = parts.month ?? 1
        clock = ClockTime(hour: parts.hour ?? 0, minute: parts.minute ?? 0)
        daysAway = Int(((openingDay.start(in: .gmt).timeIntervalSince(today.start(in: .gmt))) / 86_400).rounded())
        self.language = language
    }

    /// "Senin, 7 Desember".
    var dayAndDate: String {
        let months = language == .id
            ? ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
               "November", "Desember"]
            : ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
        return "\(weekday.name(language)), \(day) \(months[(month - 1 + 12) % 12])"
    }

    /// "hari ini 13.00" later today, "Senin 08.00" within the coming week (a
    /// weekday name is then unambiguous), "Senin, 14 Desember 08.00" beyond.
    var dayAndTime: String {
        let time = clock.formatted(language)
        switch daysAway {
        case 0: return (language == .id ? "hari ini " : "today at ") + time
        case 1...6: return weekday.name(language) + (language == .id ? " " : " at ") + time
        default: return dayAndDate + (language == .id ? " " : " at ") + time
        }
    }
}
