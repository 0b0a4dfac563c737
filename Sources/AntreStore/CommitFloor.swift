import Foundation
import GRDB

/// The floor under every durable ticket: a bare one-INSERT commit in WAL mode
/// with synchronous=FULL on a given disk (what `antre-bench` sets `issue`
/// against). Lives here because the store is the only place SQL lives.
public enum CommitFloor {
    /// Durations in ms of `count` one-row commits in a scratch database at `path`
    /// (created, then removed with its WAL), in the order taken.
    public static func measure(path: String, count: Int) throws -> [Double] {
        let queue = try DatabaseQueue(path: path)
        defer {
            try? queue.close()
            for file in DatabaseFile.companions(of: path) { try? FileManager.default.removeItem(atPath: file) }
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL NOT NULL)")
        }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for _ in 0..<max(1, count) {
            let start = DispatchTime.now().uptimeNanoseconds
            try queue.write { db in
                try db.cachedStatement(sql: "INSERT INTO probe (at) VALUES (?)")
                    .execute(arguments: [Date().timeIntervalSince1970])
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples
    }
}
