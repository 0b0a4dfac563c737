import Foundation

/// One service's opening rules in its office's time zone, asked about instants:
/// is it taking tickets now, and when does it next open. Pure: the caller
/// supplies the clock.
public struct OpeningSchedule: Sendable {
    public var hours: ServiceHours
    /// Office-wide holidays (`[office] closed_dates`), on top of the service's own.
    public var officeClosedDates: Set<LocalDay>
    public var timeZone: TimeZone

    /// How far ahead the next opening is looked for; a service closed longer
    /// than this has no reopening to print.
    public static let lookaheadDays = 14

    public init(hours: ServiceHours, officeClosedDates: Set<LocalDay> = [], timeZone: TimeZone) {
        self.hours = hours
        self.officeClosedDates = officeClosedDates
        self.timeZone = timeZone
    }

    public init(service: Service, office: Office) {
        self.init(hours: service.hours, officeClosedDates: office.closedDates, timeZone: office.timeZone)
    }

    /// A stretch of a local day in which tickets are issued, in seconds after
    /// local midnight: from opening until the last-ticket time.
    struct Window: Equatable {
        var start: Int
        var end: Int
    }

    public func isClosedDate(_ day: LocalDay) -> Bool {
        hours.closedDates.contains(day) || officeClosedDates.contains(day)
    }

    /// The issuing windows of `day`, earliest first; empty on a closed day.
    func windows(on day: LocalDay) -> [Window] {
        guard !isClosedDate(day) else { return [] }
        guard !hours.spans.isEmpty else { return [Window(start: 0, end: 86_400)] }
        let weekday = day.weekday
        let cutoff = hours.lastTicketBeforeClose * 60
        return hours.spans
            .filter { $0.days.contains(weekday) }
            .map { Window(start: $0.opens.minutes * 60, end: $0.closes.minutes * 60 - cutoff) }
            .filter { $0.start < $0.end }
            .sorted { $0.start < $1.start }
    }

    /// True when a ticket may be issued at `date`: an open day, inside an
    /// opening span and before its last-ticket time (15:00 closing: 14:59:59 is
    /// open, 15:00:00 is not).
    public func isOpen(at date: Date) -> Bool {
        let day = LocalDay(containing: date, in: timeZone)
        let second = secondsAfterMidnight(date)
        return windows(on: day).contains { $0.start <= second && second < $0.end }
    }

    /// The next time the service starts taking tickets after `date` (later today
    /// after a lunch break, else the first opening of the next open day); nil
    /// when it stays closed for `lookaheadDays`.
    public func nextOpening(after date: Date) -> Date? {
        let today = LocalDay(containing: date, in: timeZone)
        for offset in 0...Self.lookaheadDays {
            let day = today.adding(days: offset)
            for window in windows(on: day) {
                let start = instant(day, window.start)
                if start > date { return start }
            }
        }
        return nil
    }

    /// The first opening on a day after `date`'s local day: when a resident
    /// turned away by today's quota can come back.
    public func nextOpenDay(after date: Date) -> Date? {
        let today = LocalDay(containing: date, in: timeZone)
        for offset in 1...Self.lookaheadDays {
            let day = today.adding(days: offset)
            if let first = windows(on: day).first { return instant(day, first.start) }
        }
        return nil
    }

    private func calendar() -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func secondsAfterMidnight(_ date: Date) -> Int {
        let parts = calendar().dateComponents([.hour, .minute, .second], from: date)
        return (parts.hour ?? 0) * 3600 + (parts.minute ?? 0) * 60 + (parts.second ?? 0)
    }

    /// The instant `seconds` after the start of local `day` (24:00 is the next midnight).
    private func instant(_ day: LocalDay, _ seconds: Int) -> Date {
        guard seconds < 86_400 else { return day.nextMidnight(in: timeZone) }
        let parts = DateComponents(year: day.year, month: day.month, day: day.day,
                                   hour: seconds / 3600, minute: seconds % 3600 / 60, second: seconds % 60)
        return calendar().date(from: parts) ?? day.start(in: timeZone).addingTimeInterval(TimeInterval(seconds))
    }
}

extension LocalDay {
    /// The day of the week this calendar day falls on.
    public var weekday: Weekday {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return Weekday(rawValue: calendar.component(.weekday, from: start(in: .gmt))) ?? .sun
    }
}
