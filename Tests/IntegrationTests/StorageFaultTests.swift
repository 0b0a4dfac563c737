import AntreCore
import AntreStore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

/// The database on a disk that fills up or is read-only: a press that cannot
/// be recorded is never lost silently.
@Suite(.serialized)
struct StorageFaultTests {
    func printerLine(_ harness: DaemonHarness) throws -> [String: Any] {
        let status = try json(try harness.antre("status", "--json"))
        return try #require((status["printers"] as? [[String: Any]])?.first)
    }

    @Test func fullDiskPressIsLoggedCountedShownAndNoticed() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: true)
        let port = try #require(emupos.tcpPort)
        let directory = try TemporaryDirectory(prefix: "antre-disk")
        let disk = try SmallDisk(in: directory, sizeKiB: 2048)
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(port)", database: disk.file("antre.db"))
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let button = try harness.button(for: "ktp")
        try harness.press(button)
        _ = try emupos.waitForReceipts(count: 1, timeout: .seconds(10))

        try disk.fill()
        let monitor = try ChildProcess(executable: Repo.executable("antre"),
                                       arguments: ["monitor", "--json", "--socket", harness.socketPath],
                                       outputDirectory: harness.directory.path, name: "monitor")
        defer { monitor.terminate() }
        usleep(300_000)
        try harness.press(button)
        #expect(try eventually { (try printerLine(harness)["unrecorded_presses"] as? Int) == 1 },
                "press not counted: \(harness.log)")
        #expect(harness.log.contains("press not recorded"), "\(harness.log)")
        #expect(harness.log.contains("database or disk is full"), "no reason logged")
        #expect(monitor.waitForLine(containing: "missed_press", timeout: .seconds(5)) != nil)
        let receipts = try emupos.waitForReceipts(count: 2, timeout: .seconds(10))
        #expect(collapsed(receipts[1].text).contains("Mesin antrean bermasalah, silakan lapor petugas"),
                "\(receipts[1].text)")

        // An officer's issue gets a clear error, not InternalError.
        let manual = try harness.antre("issue", "ktp")
        #expect(manual.status == 1, "\(manual)")
        #expect(manual.stderr.contains("cannot be written"), "\(manual)")
        #expect(!manual.stderr.contains("internal error"), "\(manual)")
        let raw = try VarlinkClient(path: harness.socketPath, timeout: 10)
        #expect {
            _ = try raw.call("io.antre.Queue.Issue", ["service": .string("ktp")])
        } throws: { error in
            (error as? VarlinkRemoteError)?.name == "io.antre.Queue.StorageFailed"
        }
        let status = try harness.antre("status")
        #expect(status.stdout.contains("DATABASE WRITES FAILED"), "\(status)")
        #expect(status.stdout.contains("3 press(es) not recorded"), "\(status)")
        let statusJSON = try json(try harness.antre("status", "--json"))
        #expect(((statusJSON["daemon"] as? [String: Any])?["storage_error"] as? String)?.contains("full") == true)

        // Space again: presses work, numbering goes on where it was.
        try disk.freeSpace()
        try harness.press(button)
        let after = try emupos.waitForReceipts(count: 5, timeout: .seconds(10))
        #expect(after.contains { collapsed($0.text).contains("\(ktp.prefix)-002") }, "\(after.map(\.text))")
        #expect(!after.contains { collapsed($0.text).contains("\(ktp.prefix)-003") })
    }

    @Test func readOnlyDatabaseIsAStartupError() throws {
        let directory = try TemporaryDirectory(prefix: "antre-disk")
        let disk = try SmallDisk(in: directory, sizeKiB: 4096)
        let harness = try DaemonHarness(printer: "preview:\(directory.file("preview"))", database: disk.file("antre.db"))
        try harness.start()
        _ = try harness.antre("issue", "ktp")
        harness.stop()
        try disk.remount(readOnly: true)
        defer { try? disk.remount(readOnly: false) }

        let refused = try harness.runRefusedStart()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot be written"), "\(refused.stderr)")
        #expect(refused.stderr.contains(disk.file("antre.db")), "\(refused.stderr)")
    }
}
