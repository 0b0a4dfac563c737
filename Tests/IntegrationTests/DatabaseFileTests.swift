import AntreCore
import AntreStore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The database file as the technician sees it: not world-readable, no WAL left
/// after a clean stop, and a file deleted under a running daemon is noticed.
@Suite(.serialized)
struct DatabaseFileTests {
    @Test func issueReplyModesAndNoWALAfterStop() throws {
        let sink = try SilentPrinter()
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(sink.port)")
        // The daemon inherits the loosest umask.
        let previous = umask(0)
        defer { umask(previous) }
        try harness.start()
        let issued = try json(try harness.antre("issue", "ktp", "--json"))
        let ticket = try #require(issued["ticket"] as? [String: Any])
        #expect(issued["printed"] as? Bool == true)
        #expect(ticket["print_state"] as? String == "printed", "\(issued)")

        for file in [harness.databasePath, harness.databasePath + "-wal", harness.databasePath + "-shm"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0, "\(file) is \(String(mode, radix: 8))")
        }
        let daemon = try #require(harness.daemon)
        daemon.terminate()
        #expect(daemon.waitForExit(timeout: .seconds(10)) == 0, "\(daemon.stderr)")
        #expect(!FileManager.default.fileExists(atPath: harness.databasePath + "-wal"), "WAL left after SIGTERM")
        #expect(!FileManager.default.fileExists(atPath: harness.databasePath + "-shm"))
        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        #expect(try store.tickets(day: store.day(of: Date())).map(\.printState) == [.printed])
        try store.close()
    }

    /// Decided behaviour: antred stops (non-zero, systemd restarts it), leaving
    /// today's last numbers next to the database; the restart continues after
    /// them with a critical log line, so no number is handed out twice.
    @Test func deletedDatabaseStopsTheDaemonAndNumbersAreNotReissued() throws {
        let sink = try SilentPrinter()
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(sink.port)")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        for _ in 0..<2 { #expect(try harness.antre("issue", "ktp").status == 0) }

        try FileManager.default.removeItem(atPath: harness.databasePath)
        let daemon = try #require(harness.daemon)
        let started = ContinuousClock.now
        let status = daemon.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0, "antred did not stop: \(daemon.stderr)")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(daemon.stderr.contains("database lost"), "\(daemon.stderr)")
        #expect(daemon.stderr.contains("was deleted"), "\(daemon.stderr)")

        try harness.start()
        #expect(harness.log.contains("numbering continues"), "\(harness.log)")
        let next = try harness.antre("issue", "ktp")
        #expect(next.stdout.contains("\(ktp.prefix)-003"), "a number was handed out again: \(next)")
        let rescued = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
            .filter { $0.hasPrefix("antre.db.lost-") }
        #expect(rescued.count == 1, "no rescue copy of the lost database")
    }

    @Test func replacedDatabaseStopsTheDaemon() throws {
        let sink = try SilentPrinter()
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(sink.port)")
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "ktp").status == 0)
        let other = harness.directory.file("other.db")
        try QueueStore(path: other, timeZone: harness.shipped.office.timeZone).close()
        #expect(rename(other, harness.databasePath) == 0)
        let daemon = try #require(harness.daemon)
        let status = daemon.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0)
        #expect(daemon.stderr.contains("was replaced"), "\(daemon.stderr)")
    }
}
