import Foundation

/// Indonesia's three zones, as offices name them (WIB, WITA, WIT) and as the
/// tz database does. Used for the config's suggestions and the ticket's time.
public struct IndonesianTimeZone: Sendable, Equatable {
    public var abbreviation: String
    public var identifier: String
    public var secondsFromGMT: Int

    public static let all = [
        IndonesianTimeZone(abbreviation: "WIB", identifier: "Asia/Jakarta", secondsFromGMT: 7 * 3600),
        IndonesianTimeZone(abbreviation: "WITA", identifier: "Asia/Makassar", secondsFromGMT: 8 * 3600),
        IndonesianTimeZone(abbreviation: "WIT", identifier: "Asia/Jayapura", secondsFromGMT: 9 * 3600),
    ]

    /// The tz database's other Indonesian cities, by zone.
    private static let otherCities: [String: String] = [
        "Asia/Pontianak": "WIB", "Asia/Ujung_Pandang": "WITA",
    ]

    init(abbreviation: String, identifier: String, secondsFromGMT: Int) {
        self.abbreviation = abbreviation
        self.identifier = identifier
        self.secondsFromGMT = secondsFromGMT
    }

    public init?(abbreviation: String) {
        guard let zone = Self.all.first(where: { $0.abbreviation == abbreviation.uppercased() }) else { return nil }
        self = zone
    }

    public init?(secondsFromGMT: Int) {
        guard let zone = Self.all.first(where: { $0.secondsFromGMT == secondsFromGMT }) else { return nil }
        self = zone
    }

    /// The zone an office's configured time zone falls in, if it is Indonesian.
    public init?(_ timeZone: TimeZone) {
        if let zone = Self.all.first(where: { $0.identifier == timeZone.identifier }) {
            self = zone
        } else if let abbreviation = Self.otherCities[timeZone.identifier], let zone = Self(abbreviation: abbreviation) {
            self = zone
        } else {
            return nil
        }
    }

    /// "WIB, UTC+7"
    public var label: String { "\(abbreviation), UTC+\(secondsFromGMT / 3600)" }
}
