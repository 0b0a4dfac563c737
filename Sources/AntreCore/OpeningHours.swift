import Foundation

/// Why an `hours` entry was rejected; the message does not repeat the entry.
public struct OpeningSpanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A day of the week as the config writes it (`mon` ... `sun`).
public enum Weekday: Int, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    // Raw values follow Foundation's Calendar (1 = Sunday) so a date converts directly.
    case sun = 1, mon, tue, wed, thu, fri, sat

    /// The config's abbreviations, Monday first as an office week reads.
    public static let configNames: [(String, Weekday)] = [
        ("mon", .mon), ("tue", .tue), ("wed", .wed), ("thu", .thu), ("fri", .fri), ("sat", .sat), ("sun", .sun),
    ]

    public init?(configName: String) {
        guard let match = Self.configNames.first(where: { $0.0 == configName.lowercased() }) else { return nil }
        self = match.1
    }

    /// Monday = 0 ... Sunday = 6: the order of an office week.
    public var mondayBased: Int { (rawValue + 5) % 7 }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.mondayBased < rhs.mondayBased }

    /// "Senin", "Monday".
    public func name(_ language: Language) -> String {
        let index = rawValue - 1
        return language == .id
            ? ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"][index]
            : ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][index]
    }
}

/// A wall-clock time of day in the office's time zone, in minutes after midnight
/// (0 ... 1440; 1440 is "24:00", only meaningful as a closing time).
public struct ClockTime: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    public var minutes: Int

    public init(minutes: Int) { self.minutes = minutes }
    public init(hour: Int, minute: Int) { self.minutes = hour * 60 + minute }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// "08:00"
    public var description: String { formatted(separator: ":") }

    /// "08.00" (as Indonesian tickets write times) or "08:00".
    public func formatted(_ language: Language) -> String { formatted(separator: language == .id ? "." : ":") }

    private func formatted(separator: String) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return two(hour) + separator + two(minute)
    }

    public static func < (lhs: ClockTime, rhs: ClockTime) -> Bool { lhs.minutes < rhs.minutes }
}

/// One `hours` entry: the weekdays it covers and the time the service is open
/// on each of them ("mon-thu 08:00-15:00").
public struct OpeningSpan: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Monday first; a range like `fri-mon` wraps over the weekend.
    public var days: [Weekday]
    public var opens: ClockTime
    public var closes: ClockTime

    public init(days: [Weekday], opens: ClockTime, closes: ClockTime) {
        self.days = days
        self.opens = opens
        self.closes = closes
    }

    /// The config form: "mon-thu 08:00-15:00".
    public var description: String {
        let names = Dictionary(uniqueKeysWithValues: Weekday.configNames.map { ($0.1, $0.0) })
        let first = days.first.flatMap { names[$0] } ?? ""
        let last = days.last.flatMap { names[$0] } ?? ""
        return (days.count > 1 ? "\(first)-\(last)" : first) + " \(opens)-\(closes)"
    }

    /// The form the config expects, quoted in every parse error.
    public static let expectedForm = "expected 'DAY[-DAY] HH:MM-HH:MM'"

    /// Parses "mon-thu 08:00-15:00", "fri 08:00-11:00", "sat-sun 00:00-24:00".
    /// The error message does not repeat the text; the caller quotes it.
    public init(parsing text: String) throws(OpeningSpanError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2 else {
            throw OpeningSpanError(Self.expectedForm + " (like \"mon-thu 08:00-15:00\")")
        }
        let dayParts = words[0].split(separator: "-", omittingEmptySubsequences: false)
        let timeParts = words[1].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(dayParts.count), timeParts.count == 2 else {
            throw OpeningSpanError(Self.expectedForm + " (like \"mon-thu 08:00-15:00\")")
        }
        var named: [Weekday] = []
        for part in dayParts {
            guard let day = Weekday(configName: String(part)) else {
                throw OpeningSpanError("unknown day '\(part)'; days are mon, tue, wed, thu, fri, sat, sun")
            }
            named.append(day)
        }
        guard let opens = Self.clock(timeParts[0]), let closes = Self.clock(timeParts[1]) else {
            throw OpeningSpanError(Self.expectedForm + " with 24-hour times like 08:00 or 15:30")
        }
        guard opens.minutes < 1440 else {
            throw OpeningSpanError("24:00 can only be a closing time")
        }
        guard opens < closes else {
            throw OpeningSpanError("opens at \(opens) but closes at \(closes); the closing time must be later "
                + "the same day")
        }
        // mon-thu: every day from the first to the last, wrapping over Sunday (fri-mon).
        var days = [named[0]]
        if let last = named.last, last != named[0] {
            var day = named[0]
            while day != last {
                day = Weekday(rawValue: day.rawValue % 7 + 1) ?? .sun
                days.append(day)
            }
        }
        self.init(days: days, opens: opens, closes: closes)
    }

    /// "08:00" -> 480; "24:00" -> 1440; anything else (8, 8:00, 08.00) -> nil.
    private static func clock(_ text: Substring) -> ClockTime? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60,
              hour < 24 || (hour == 24 && minute == 0) else { return nil }
        return ClockTime(hour: hour, minute: minute)
    }
}

/// When a service takes new tickets: the config's `hours`, `closed_dates`,
/// `daily_quota` and `last_ticket_before_close_min` for one service.
public struct ServiceHours: Sendable, Equatable {
    /// Empty: always open (no schedule enforced), apart from closed dates.
    public var spans: [OpeningSpan]
    /// Holidays and other days the service takes no tickets.
    public var closedDates: Set<LocalDay>
    /// Tickets per local day; nil: no limit.
    public var dailyQuota: Int?
    /// No new tickets this many minutes before each closing time, so the last
    /// resident can still be served before the office closes.
    public var lastTicketBeforeClose: Int

    public init(spans: [OpeningSpan] = [], closedDates: Set<LocalDay> = [], dailyQuota: Int? = nil,
                lastTicketBeforeClose: Int = 0) {
        self.spans = spans
        self.closedDates = closedDates
        self.dailyQuota = dailyQuota
        self.lastTicketBeforeClose = lastTicketBeforeClose
    }

    /// True when nothing limits issuing: today's behaviour.
    public var isUnrestricted: Bool { spans.isEmpty && closedDates.isEmpty && dailyQuota == nil }
}
