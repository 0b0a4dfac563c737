import Foundation
import TOMLKit

/// The opening-hours keys of a `[[service]]` and `[office] closed_dates`.
/// Kept apart from the rest of the schema so each part stays readable.
extension ConfigDecoder {
    static let serviceHoursKeys = ["hours", "closed_dates", "daily_quota", "last_ticket_before_close_min"]
    static let officeHoursKeys = ["closed_dates"]

    /// `hours = ["mon-thu 08:00-15:00", "fri 08:00-11:00"]`, `closed_dates`,
    /// `daily_quota`, `last_ticket_before_close_min`.
    func decodeServiceHours(_ table: TOMLTable, at path: ConfigPath) -> ServiceHours {
        var hours = ServiceHours()
        if let entries = reader.strings(table, "hours", at: path) {
            for (index, text) in entries.enumerated() {
                do {
                    hours.spans.append(try OpeningSpan(parsing: text))
                } catch {
                    reader.issue(path / "hours" / index, "'\(text)': \(error.message)")
                }
            }
        }
        hours.closedDates = decodeClosedDates(table, at: path)
        hours.dailyQuota = reader.int(table, "daily_quota", at: path, range: 1...100_000,
                                      expected: "a number of tickets per day")
        if let minutes = reader.int(table, "last_ticket_before_close_min", at: path, range: 0...720,
                                    expected: "a number of minutes") {
            // A span shorter than the cutoff would never issue a ticket.
            if let short = hours.spans.first(where: { $0.closes.minutes - $0.opens.minutes <= minutes }) {
                reader.issue(path / "last_ticket_before_close_min",
                             "\(minutes) minutes before closing leaves no time to take a ticket in '\(short)'")
            } else {
                hours.lastTicketBeforeClose = minutes
            }
        }
        return hours
    }

    /// `closed_dates = ["2026-12-25"]`; TOML's own dates (`2026-12-25`
    /// unquoted) are accepted too.
    func decodeClosedDates(_ table: TOMLTable, at path: ConfigPath) -> Set<LocalDay> {
        let keyPath = path / "closed_dates"
        guard let value = table["closed_dates"] else { return [] }
        guard let array = value.array else {
            reader.issue(keyPath, "expected an array of dates like [\"2026-12-25\"], found \(ConfigReader.describe(value))")
            return []
        }
        var days: Set<LocalDay> = []
        for (index, element) in array.enumerated() {
            if let date = element.date {
                days.insert(LocalDay(year: date.year, month: date.month, day: date.day))
            } else if let text = element.string, let day = LocalDay(validating: text),
                      text.count == 10 {
                days.insert(day)
            } else if let text = element.string {
                reader.issue(keyPath / index, "'\(text)': expected a date 'YYYY-MM-DD' like \"2026-12-25\"")
            } else {
                reader.issue(keyPath / index, "expected a date 'YYYY-MM-DD', found \(ConfigReader.describe(element))")
            }
        }
        return days
    }

    /// The check-config summary line of a service's hours; nil when unrestricted.
    static func hoursSummary(_ hours: ServiceHours) -> String? {
        guard !hours.isUnrestricted else { return nil }
        var parts: [String] = []
        parts.append(hours.spans.isEmpty ? "always open" : hours.spans.map(\.description).joined(separator: ", "))
        if hours.lastTicketBeforeClose > 0 { parts.append("last ticket \(hours.lastTicketBeforeClose) min before closing") }
        if let quota = hours.dailyQuota { parts.append("quota \(quota)/day") }
        if !hours.closedDates.isEmpty {
            parts.append("closed " + hours.closedDates.sorted().map(\.description).joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}
