import AntreCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// When the database file is deleted or replaced under a running daemon, the
/// daemon stops; the numbers it handed out today must not be handed out again
/// by the next start on a fresh (or restored) file. Before stopping it writes,
/// next to the database, today's last number per prefix (`<db>.numbers`) and a
/// copy of what it still holds open (`<db>.lost-<time>`, for the technician).
/// The next start raises its counters to those numbers, says so loudly, and
/// removes the file. Raising is idempotent: applying the file twice, or to the
/// database it came from, changes nothing.
extension QueueStore {
    /// The file with the numbers carried over to the next start.
    public var carryOverPath: String { path + ".numbers" }

    /// Writes today's last numbers (read through the connection that still
    /// holds the lost file) and a rescue copy. Returns the paths written.
    public func saveNumbersForNextStart(now: Date) throws -> [String] {
        let day = day(of: now)
        let lasts = try onWriterConnection { db in
            try Row.fetchAll(db, sql: "SELECT prefix, last FROM sequence_counter WHERE day = ?",
                             arguments: [day.description]).map { row -> (String, Int) in
                (try row.decode(forColumn: "prefix"), try row.decode(forColumn: "last"))
            }
        }
        var text = "# antred: last numbers handed out before the database was lost\n"
        for (prefix, last) in lasts.sorted(by: { $0.0 < $1.0 }) { text += "\(day) \(prefix) \(last)\n" }
        let temporary = carryOverPath + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o640]) else {
            throw StoreError("cannot write \(temporary)")
        }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); _ = Glibc.close(fd) }
        guard Glibc.rename(temporary, carryOverPath) == 0 else {
            throw StoreError("cannot write \(carryOverPath): \(String(cString: strerror(errno)))")
        }
        var written = [carryOverPath]
        let stamp = Int(now.timeIntervalSince1970)
        let rescue = path + ".lost-\(stamp)"
        do {
            try onWriterConnection { db in try db.execute(sql: "VACUUM INTO ?", arguments: [rescue]) }
            _ = chmod(rescue, DatabaseFile.mode)
            written.append(rescue)
        } catch {
            // The numbers matter; the copy is a courtesy (the disk may be full).
        }
        return written
    }

    /// At start: raises today's counters to the numbers left by a daemon that
    /// lost its database, then removes the file. Returns the numbers that were
    /// raised (empty when there was no file or nothing to raise).
    public func applyCarriedOverNumbers(now: Date) throws -> [TicketNumber] {
        guard let text = try? String(contentsOfFile: carryOverPath, encoding: .utf8) else { return [] }
        let today = day(of: now).description
        var lasts: [String: Int] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, String(fields[0]) == today, let last = Int(fields[2]), last > 0 else { continue }
            lasts[String(fields[1]).uppercased()] = max(lasts[String(fields[1]).uppercased()] ?? 0, last)
        }
        let raised: [TicketNumber] = try writeTransaction { db in
            var raised: [TicketNumber] = []
            for (prefix, last) in lasts.sorted(by: { $0.key < $1.key }) {
                let current = try Int.fetchOne(
                    db, sql: "SELECT last FROM sequence_counter WHERE day = ? AND prefix = ?",
                    arguments: [today, prefix]) ?? 0
                guard last > current else { continue }
                try db.execute(sql: """
                    INSERT INTO sequence_counter (day, prefix, last) VALUES (?, ?, ?)
                    ON CONFLICT (day, prefix) DO UPDATE SET last = excluded.last
                    """, arguments: [today, prefix, last])
                raised.append(TicketNumber(prefix: prefix, sequence: last))
            }
            return raised
        }
        // Only once the counters are committed.
        try? FileManager.default.removeItem(atPath: carryOverPath)
        return raised
    }
}
