import AntreCore
@testable import AntreStore
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What happens to the database file itself: the unconfirmed-print migration,
/// permissions, the WAL at close, and a file deleted or replaced underneath.
@Suite struct StoreSafetyTests {
    @Test func migrationKeepsTicketsAndAllowsUnconfirmed() throws {
        let dir = try TempDir()
        // A database as the previous release left it (v1 + v2), with tickets.
        let old = try DatabaseQueue(path: dir.dbPath)
        try Schema.migrator.migrate(old, upTo: "v2-missed-press")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO ticket (day, service, issued_service, prefix, sequence, state, print_state, dispenser,
                                    issued_at, call_count)
                VALUES ('2026-11-28', 'ktp', 'ktp', 'T', 1, 'waiting', 'pending', 'lobi', 1795827600, 0),
                       ('2026-11-28', 'ktp', 'ktp', 'T', 2, 'waiting', 'printed', 'lobi', 1795827660, 0);
                INSERT INTO event (ticket_id, kind, service, at) VALUES (1, 'issued', 'ktp', 1795827600);
                INSERT INTO sequence_counter (day, prefix, last) VALUES ('2026-11-28', 'T', 2);
                """)
            // The old constraint refuses the new state: this is what the migration changes.
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE ticket SET print_state = 'unconfirmed' WHERE id = 1")
            }
        }
        try old.close()

        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let tickets = try store.tickets(day: nov28)
        #expect(tickets.map(\.number.description) == ["T-001", "T-002"])
        #expect(tickets.map(\.printState) == [.pending, .printed])
        #expect(try store.events(after: 0, limit: 10).map(\.kind) == [.issued])
        let marked = try store.markInterruptedPrints(now: try local(9, 5))
        #expect(marked.map(\.printState) == [.unconfirmed])
        #expect(try store.events(after: 0, limit: 10).map(\.kind) == [.issued, .printUnconfirmed])
        // Numbering, indexes and the foreign key survived the rebuild.
        let next = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending,
                                   now: try local(9, 6))
        #expect(next.ticket.number.description == "T-003")
        #expect(next.ahead == 2)
        let check = try DatabaseQueue(path: dir.dbPath)
        try check.read { db in
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket' AND sql IS NOT NULL ORDER BY name")
            #expect(indexes == ["ticket_counter", "ticket_queue"])
        }
        try check.close()
    }

    @Test func confirmMarksUnconfirmedOrFailedPrintedAndRefusesPending() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let a = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: try local(9, 0))
        let b = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: try local(9, 1))
        _ = try store.markInterruptedPrints(now: try local(9, 2))
        let c = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: try local(9, 3))
        _ = try store.setPrintState(ticketID: b.ticket.id, .failed, detail: "paper out", now: try local(9, 3))

        let confirmed = try store.confirmPrinted(number: try num("T-001"), now: try local(9, 4), actor: "uid:1000")
        #expect(confirmed.printState == .printed)
        #expect(try store.confirmPrinted(number: try num("T-002"), now: try local(9, 4)).printState == .printed)
        // Again: nothing changes, no new event.
        let before = try store.lastEventID()
        #expect(try store.confirmPrinted(number: try num("T-001"), now: try local(9, 5)).printState == .printed)
        #expect(try store.lastEventID() == before)
        #expect(throws: QueueError.notConfirmable(number: "T-003", printState: .pending)) {
            try store.confirmPrinted(number: try num("T-003"), now: try local(9, 5))
        }
        #expect(throws: QueueError.ticketNotFound(number: "T-009")) {
            try store.confirmPrinted(number: try num("T-009"), now: try local(9, 5))
        }
        let confirmEvent = try store.events(after: 0, limit: 20).first { $0.ticketID == a.ticket.id && $0.kind == .printed }
        #expect(confirmEvent?.detail == "confirmed by an officer")
        #expect(confirmEvent?.actor == "uid:1000")
        #expect(try store.snapshot(now: try local(9, 5)).unconfirmed.isEmpty)
        _ = c
    }

    @Test func databaseFilesAreNotWorldReadableWhateverTheUmask() throws {
        let dir = try TempDir()
        let previous = umask(0)
        defer { umask(previous) }
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: try local(9, 0))
        for file in [dir.dbPath, dir.dbPath + "-wal", dir.dbPath + "-shm"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0, "\(file) is \(String(mode, radix: 8))")
            #expect(mode & 0o600 == 0o600, "\(file) is \(String(mode, radix: 8))")
        }
        try store.close()
    }

    @Test func existingWorldReadableDatabaseIsRestricted() throws {
        let dir = try TempDir()
        try QueueStore(path: dir.dbPath, timeZone: jakarta).close()
        #expect(chmod(dir.dbPath, 0o644) == 0)
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir.dbPath)[.posixPermissions] as? Int)
        #expect(mode == 0o640)
        try store.close()
    }

    @Test func closeLeavesNoWAL() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<5 {
            _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: try local(9, minute))
            _ = try store.snapshot(now: try local(9, minute))  // readers open too
        }
        #expect(FileManager.default.fileExists(atPath: dir.dbPath + "-wal"))
        try store.close()
        #expect(!FileManager.default.fileExists(atPath: dir.dbPath + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: dir.dbPath + "-shm"))
        let reopened = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        #expect(try reopened.tickets(day: nov28).count == 5)
        try reopened.close()
    }

    @Test func deletedDatabaseRefusesCommitsAndNumbersCarryOver() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        for minute in 0..<3 {
            _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: try local(9, minute))
        }
        _ = try store.issue(serviceID: "kk", prefix: "B", dispenserID: nil, printState: .none, now: try local(9, 3))
        #expect(store.fileProblem() == nil)
        try FileManager.default.removeItem(atPath: dir.dbPath)
        #expect(store.fileProblem()?.contains("was deleted") == true)
        #expect {
            try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: try local(9, 4))
        } throws: { error in
            guard case let QueueError.storageFailed(reason) = error else { return false }
            return reason.contains("deleted")
        }
        let written = try store.saveNumbersForNextStart(now: try local(9, 5))
        #expect(written.first == store.carryOverPath)
        #expect(written.count == 2, "no rescue copy: \(written)")
        try store.close()

        // The next start: a fresh file, numbering continues after T-003 / B-001.
        let fresh = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let raised = try fresh.applyCarriedOverNumbers(now: try local(9, 6))
        #expect(Set(raised.map(\.description)) == ["T-003", "B-001"])
        #expect(!FileManager.default.fileExists(atPath: fresh.carryOverPath))
        #expect(try fresh.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none,
                                now: try local(9, 7)).ticket.number.description == "T-004")
        #expect(try fresh.applyCarriedOverNumbers(now: try local(9, 8)).isEmpty)
        // The rescue copy holds the lost tickets.
        let rescue = try QueueStore(path: written[1], timeZone: jakarta)
        #expect(try rescue.tickets(day: nov28).count == 4)
    }

    @Test func replacedDatabaseIsNoticed() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        let other = dir.url.appendingPathComponent("other.sqlite").path
        try QueueStore(path: other, timeZone: jakarta).close()
        #expect(rename(other, dir.dbPath) == 0)
        #expect(store.fileProblem()?.contains("replaced") == true)
    }

    @Test func numbersOfAnotherDayAreNotCarriedOver() throws {
        let dir = try TempDir()
        let store = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        try "2026-11-27 T 40\n".write(toFile: store.carryOverPath, atomically: true, encoding: .utf8)
        #expect(try store.applyCarriedOverNumbers(now: try local(9, 0)).isEmpty)
        #expect(try store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none,
                                now: try local(9, 1)).ticket.number.description == "T-001")
    }
}
