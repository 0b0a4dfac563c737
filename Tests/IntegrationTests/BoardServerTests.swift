import AntreCore
import AntreTestSupport
import AntreWire
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
        let readers = try ensureGroup("antre-it-read")
        _ = try ensureGroup("antre-it-officer")
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

/// A page that stops reading its event stream is dropped by the board (bounded
/// buffers: the capped socket send buffer, then the hub's), while a page that reads
/// keeps getting every event.
@Suite(.serialized)
struct BoardSlowPageTests {
    /// `/events` opened with a tiny receive buffer, not read until asked.
    final class StalledPage {
        let fd: Int32

        init(port: Int) throws {
            fd = try LoopbackTCP.connect(port: port, receiveBuffer: 4096)
            let request = Array("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
                throw TestSupportError("send failed")
            }
        }

        deinit { close(fd) }

        /// Everything the board sent, read until it stops sending for a second.
        func readAll() -> [UInt8] {
            var tv = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 65536)
            var data: [UInt8] = []
            let end = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < end {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n == 0 { break }
                if n < 0 { if errno == EINTR { continue }; break }
                data += buffer[..<n]
            }
            return data
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aPageThatStopsReadingIsDroppedAndOthersKeepGoing() throws {
        let preview = try TemporaryDirectory(prefix: "antre-board-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)",
                                        extraLines: ["[board.voice]", "enabled = false"])
        try harness.start()
        defer { harness.stop() }
        let (board, url) = try harness.startBoard()
        defer { board.kill(SIGTERM) }
        let port = try #require(URLComponents(string: url)?.port)
        let stalled = try StalledPage(port: port)
        let reader = try ChildProcess(executable: "/usr/bin/curl", arguments: ["-sN", url + "/events"],
                                      outputDirectory: harness.directory.path, name: "curl-reader")
        defer { reader.kill(SIGKILL) }
        #expect(reader.waitForLine(containing: "event: board", timeout: .seconds(5)) != nil)

        // Each recall sends a queue event, the call and a fresh board (about 1 KB in all)
        // and prints nothing: 300 of them take a second or two.
        let client = try VarlinkClient(path: harness.socketPath, timeout: 10)
        _ = try client.call("io.antre.Queue.Issue", ["service": .string("ktp")])
        _ = try client.call("io.antre.Queue.CallNext", ["counter": .string("1")])
        for _ in 0..<300 { _ = try client.call("io.antre.Queue.Recall", ["counter": .string("1")]) }
        #expect(reader.waitForLine(containing: "\"sequence\":301", timeout: .seconds(10)) != nil,
                "the reading page missed events")
        let received = stalled.readAll()
        let tail = String(decoding: received.suffix(7), as: UTF8.self)
        #expect(tail == "\r\n0\r\n\r\n", "the stalled page's stream did not end (read \(received.count) bytes)")
        #expect(received.count < 1_000_000, "the board kept \(received.count) bytes for a page that did not read")
        #expect(board.isRunning)
        // The reading page still gets what comes next.
        _ = try client.call("io.antre.Queue.Recall", ["counter": .string("1")])
        #expect(reader.waitForLine(containing: "\"sequence\":302", timeout: .seconds(5)) != nil)
    }
}
