import AntreCore

/// The days `antre report` asks for, from its options: `--date D`,
/// `--from A [--to B]`, `--month YYYY-MM`, or nothing (today, decided by
/// antred in the office's time zone).
public enum ReportRange {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func parameters(date: String?, from: String?, to: String?, month: String?) throws(Invalid) -> ReportParameters {
        let given = [date != nil, from != nil || to != nil, month != nil].filter { $0 }.count
        guard given <= 1 else { throw Invalid(description: "give one of --date, --from/--to or --month") }
        if let date {
            let day = try self.day(date, option: "--date")
            return ReportParameters(from: day.description, to: day.description)
        }
        if let month {
            let (first, last) = try self.month(month)
            return ReportParameters(from: first.description, to: last.description)
        }
        if from != nil || to != nil {
            guard let from else { throw Invalid(description: "--to needs --from") }
            let start = try day(from, option: "--from")
            var end = start
            if let to { end = try day(to, option: "--to") }
            guard start <= end else { throw Invalid(description: "--to \(end) is before --from \(start)") }
            return ReportParameters(from: start.description, to: end.description)
        }
        return ReportParameters()
    }

    static func day(_ text: String, option: String) throws(Invalid) -> LocalDay {
        guard text.count == 10, let day = LocalDay(validating: text) else {
            throw Invalid(description: "\(option) '\(text)' is not a date like 2026-11-30")
        }
        return day
    }

    /// "2026-11" -> 2026-11-01 ... 2026-11-30.
    static func month(_ text: String) throws(Invalid) -> (LocalDay, LocalDay) {
        let parts = text.split(separator: "-")
        guard text.count == 7, parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              (1...12).contains(month) else {
            throw Invalid(description: "--month '\(text)' is not a month like 2026-11")
        }
        let first = LocalDay(year: year, month: month, day: 1)
        let next = month == 12 ? LocalDay(year: year + 1, month: 1, day: 1) : LocalDay(year: year, month: month + 1, day: 1)
        return (first, next.adding(days: -1))
    }
}
