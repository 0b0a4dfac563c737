import AntreCore
import Foundation
import GRDB

/// A button press that consumed no number, and why.
public struct MissedPress: Sendable, Equatable {
    public var id: Int64
    public var day: LocalDay
    public var at: Date
    public var dispenserID: String
    public var serviceID: String
    public var reason: String

    public init(id: Int64, day: LocalDay, at: Date, dispenserID: String, serviceID: String, reason: String) {
        self.id = id
        self.day = day
        self.at = at
        self.dispenserID = dispenserID
        self.serviceID = serviceID
        self.reason = reason
    }
}

extension QueueStore {
    /// Records a press refused before any number was taken (printer down).
    public func recordMissedPress(dispenserID: String, serviceID: String, reason: String, now: Date) throws -> MissedPress {
        let day = day(of: now)
        return try writeTransaction { db in
            try db.execute(sql: """
                INSERT INTO missed_press (day, at, dispenser, service, reason) VALUES (?, ?, ?, ?, ?)
                """, arguments: [day.description, now.timeIntervalSince1970, dispenserID, serviceID, reason])
            return MissedPress(id: db.lastInsertedRowID, day: day, at: now, dispenserID: dispenserID,
                               serviceID: serviceID, reason: reason)
        }
    }

    /// Missed presses of the local day of `now`, per dispenser.
    public func missedPressCounts(now: Date) throws -> [String: Int] {
        let day = day(of: now)
        return try readTransaction { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT dispenser, COUNT(*) AS n FROM missed_press WHERE day = ? GROUP BY dispenser
                """, arguments: [day.description]) {
                counts[try row.decode(forColumn: "dispenser")] = try row.decode(forColumn: "n")
            }
            return counts
        }
    }

    /// Missed presses of `day`, oldest first.
    public func missedPresses(day: LocalDay) throws -> [MissedPress] {
        try readTransaction { db in
            try Row.fetchAll(db, sql: "SELECT * FROM missed_press WHERE day = ? ORDER BY id",
                             arguments: [day.description]).map { row in
                MissedPress(id: try row.decode(forColumn: "id"), day: day,
                            at: Date(timeIntervalSince1970: try row.decode(forColumn: "at")),
                            dispenserID: try row.decode(forColumn: "dispenser"),
                            serviceID: try row.decode(forColumn: "service"),
                            reason: try row.decode(forColumn: "reason"))
            }
        }
    }
}
