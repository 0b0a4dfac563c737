import AntreCore
import AntreTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// antre-board's HTTP answers without a browser: reader rights only, and it waits for
/// an antred that is not there yet instead of exiting.
@Suite(.serialized)
struct BoardServerTests {
    static func get(_ url: String) throws -> [String: Any] { try WebDriver.request("GET", url, nil) }

    @Test(.timeLimit(.minutes(1)))
    func theBoardWorksWithReaderRightsOnly() throws {
        try #require(getuid() == 0, "needs root to run antre-board as another user")
        let groups = ProductionServiceTests()
        let readers = try groups.ensureGroup("antre-it-read")
        _ = try groups.ensureGroup("antre-it-officer")
        let preview = try TemporaryDirectory(prefix: "antre-board-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)",
                                        socketLines: ["group = \"antre-it-read\"", "officer_group = \"antre-it-officer\""],
                                        extraLines: ["[board.voice]", "enabled = false"])
        chmod(harness.directory.path, 0o755)
        chmod(harness.configPath, 0o644)
        try harness.start()
        defer { harness.stop() }
        let first = try json(try harness.antre("issue", "ktp", "--json"))["ticket"] as? [String: Any]
        let second = try json(try harness.antre("issue", "ktp", "--json"))["ticket"] as? [String: Any]
        let number = try #require(second?["number"] as? String)
        _ = first

        // A uid in the reader group only, as the systemd unit runs it.
        let (board, url) = try harness.startBoard(launcher: ["/usr/bin/setpriv", "--reuid", "4206", "--regid", "4206",
                                                             "--groups", "\(readers)", "--"])
        defer { board.kill(SIGTERM) }
        var view: [String: Any] = [:]
        #expect(eventually(timeout: .seconds(5)) {
            view = (try? Self.get(url + "/api/board")) ?? [:]
            return view["connection"] as? String == "connected"
        }, "board: \(view)\n\(board.stderr)")
        let ticket = try Self.get(url + "/api/ticket/" + number)
        #expect(ticket["number"] as? String == number)
        #expect(ticket["ahead"] as? Int == 1, "\(ticket)")
        #expect(ticket["state"] as? String == "waiting")
        #expect((ticket["requirements"] as? [String])?.isEmpty == false)
        #expect(Set(ticket.keys) == ["number", "service", "service_name", "state", "ahead", "requirements", "call_count"],
                "only queue facts, nothing personal: \(ticket.keys)")
        #expect(try Self.get(url + "/api/ticket/T-999")["error"] as? String == "not_found")
        #expect(try Self.get(url + "/api/ticket/not-a-number")["error"] as? String == "not_found")
        // Reading changed nothing, and the board never tried to act.
        #expect(!harness.log.contains("permission denied"), "\(harness.log)")
        let status = try json(try harness.antre("status", "--json"))["services"] as? [[String: Any]]
        #expect(status?.first { $0["service"] as? String == "ktp" }?["waiting"] as? Int == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func theBoardWaitsForAnAntredThatIsNotThereYet() throws {
        let preview = try TemporaryDirectory(prefix: "antre-board-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)",
                                        extraLines: ["[board.voice]", "enabled = false"])
        let (board, url) = try harness.startBoard()
        defer { board.kill(SIGTERM) }
        let away = try Self.get(url + "/api/board")
        #expect(away["connection"] as? String == "reconnecting")
        #expect((away["connection_detail"] as? String)?.contains("antred is not running") == true, "\(away)")
        #expect(try Self.get(url + "/api/ticket/T-001")["error"] as? String == "reconnecting")
        usleep(1_500_000)
        #expect(board.isRunning, "antre-board exited without antred:\n\(board.stderr)")
        try harness.start()
        defer { harness.stop() }
        var view: [String: Any] = [:]
        #expect(eventually(timeout: .seconds(8)) {
            view = (try? Self.get(url + "/api/board")) ?? [:]
            return view["connection"] as? String == "connected"
        }, "board: \(view)\n\(board.stderr)")
        #expect((view["services"] as? [[String: Any]])?.isEmpty == false)
        // A page following /events does not hold up a stop.
        let events = try ChildProcess(executable: "/usr/bin/curl", arguments: ["-sN", url + "/events"],
                                      outputDirectory: harness.directory.path, name: "curl-events")
        defer { events.kill(SIGKILL) }
        #expect(events.waitForLine(containing: "event: board", timeout: .seconds(5)) != nil)
        board.terminate()
        #expect(board.waitForExit(timeout: .seconds(10)) == 0, "antre-board did not stop cleanly:\n\(board.stderr)")
    }
}
