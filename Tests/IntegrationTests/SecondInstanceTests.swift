import AntreCore
import AntreStore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

/// A second antred started on the same config is refused before it touches
/// anything: the running one keeps its socket, its database and its printer.
@Suite(.serialized)
struct SecondInstanceTests {
    @Test func secondAntredIsRefusedAndLeavesTheFirstUntouched() throws {
        let sink = try SilentPrinter()
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(sink.port)")
        try harness.start()
        defer { harness.stop() }
        let firstPID = try #require(harness.daemon?.pid)
        let ktp = try harness.service("ktp")
        let issued = try harness.antre("issue", "ktp")
        #expect(issued.status == 0, "\(issued)")
        #expect(eventually { sink.text.contains("\(ktp.prefix)-001") })
        usleep(300_000)  // the "printed" row is written shortly after the paper
        let statusBefore = try json(try harness.antre("status", "--json"))
        let connections = sink.connectionCount
        let bytes = sink.byteCount
        #expect(connections == 1)

        let second = try harness.runRefusedStart()
        #expect(second.status != 0, "\(second)")
        #expect(second.stderr.contains(harness.databasePath + ".lock"), "\(second.stderr)")
        #expect(second.stderr.contains("PID \(firstPID)"), "\(second.stderr)")

        // Another database but the same socket: refused as well, by the socket's lock.
        let elsewhere = try TemporaryDirectory(prefix: "antre-other-db")
        let sameSocket = try harness.runRefusedStart(extraArguments: ["--database", elsewhere.file("antre.db")])
        #expect(sameSocket.status != 0, "\(sameSocket)")
        #expect(sameSocket.stderr.contains(harness.socketPath + ".lock"), "\(sameSocket.stderr)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere.file("antre.db")), "the refused antred made a database")

        // The first one: socket answers, same queue, printer never opened by the second.
        #expect(FileManager.default.fileExists(atPath: harness.socketPath))
        let statusAfter = try json(try harness.antre("status", "--json"))
        #expect(issuedCount(statusAfter) == 1 && issuedCount(statusBefore) == 1)
        #expect((statusAfter["print_failed"] as? [Any])?.isEmpty == true)
        #expect((statusAfter["unconfirmed"] as? [Any])?.isEmpty == true)
        #expect(sink.connectionCount == connections, "the second antred connected to the printer")
        #expect(sink.byteCount == bytes, "the printer received bytes from the second antred")
        #expect(!harness.log.contains("printing was interrupted"))
        // It still works.
        let next = try harness.antre("issue", "ktp")
        #expect(next.status == 0 && next.stdout.contains("\(ktp.prefix)-002"), "\(next)")
        usleep(300_000)
        harness.stop()

        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        let tickets = try store.tickets(day: store.day(of: Date()))
        #expect(tickets.map(\.printState) == [.printed, .printed], "\(tickets)")
        try store.close()
    }

    private func issuedCount(_ status: [String: Any]) -> Int {
        (status["services"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["issued"] as? Int ?? 0) }
    }
}
