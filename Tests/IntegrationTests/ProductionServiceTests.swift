import AntreCore
import AntreStore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// systemd notifications, socket permissions by real uid, reload and SIGTERM.
@Suite(.serialized)
struct ProductionServiceTests {
    func previewHarness(socketLines: [String] = []) throws -> DaemonHarness {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        return try DaemonHarness(printer: "preview:\(preview.path)/out", socketLines: socketLines)
    }

    @Test func notifiesSystemdReadyWatchdogAndStopping() throws {
        let notify = try DatagramListener(directory: try TemporaryDirectory(prefix: "antre-notify"))
        let harness = try previewHarness()
        // WATCHDOG_USEC=1 s: the daemon pings every half of it.
        let child = try ChildProcess(
            executable: Repo.executable("antred"), arguments: ["--config", harness.configPath],
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"],
            outputDirectory: harness.directory.path, name: "antred-notify")
        defer { child.kill(SIGKILL) }

        let ready = try #require(notify.receive(timeout: .seconds(20)), "no datagram: \(child.stderr)")
        // READY comes only once the socket answers: ask it right away.
        #expect(ready.hasPrefix("READY=1"), "first datagram: \(ready)")
        let status = try VarlinkClient(path: harness.socketPath, timeout: 5).call("io.antre.Queue.Status", [:])
        #expect(status["office"]?.stringValue == harness.shipped.office.name)

        var watchdogs: [ContinuousClock.Instant] = []
        var statusLines: [String] = []
        let end = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < end, let message = notify.receive(timeout: .seconds(1)) {
            if message.contains("WATCHDOG=1") { watchdogs.append(.now) }
            if message.hasPrefix("STATUS=") { statusLines.append(message) }
        }
        #expect(watchdogs.count >= 3, "expected a WATCHDOG=1 about every 0.5 s, got \(watchdogs.count)")
        #expect(statusLines.contains { $0.contains("waiting; printers: test") }, "\(statusLines)")

        child.kill(SIGTERM)
        var stopping = false
        while let message = notify.receive(timeout: .seconds(5)) {
            if message.contains("STOPPING=1") { stopping = true; break }
        }
        #expect(stopping)
        #expect(child.waitForExit(timeout: .seconds(15)) == 0, "\(child.stderr)")
    }

    @Test func socketPermissionsFollowPeerCredentials() throws {
        try #require(getuid() == 0, "needs root to run the CLI as other users")
        let readers = try ensureGroup("antre-it-read")
        let officers = try ensureGroup("antre-it-officer")
        let admins = try ensureGroup("antre-it-admin")
        let harness = try previewHarness(socketLines: [
            "group = \"antre-it-read\"", "officer_group = \"antre-it-officer\"", "admin_group = \"antre-it-admin\"",
        ])
        // Others must be able to reach the socket's folder; the socket itself is 0660.
        chmod(harness.directory.path, 0o755)
        try harness.start()
        defer { harness.stop() }
        var info = stat()
        #expect(stat(harness.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == readers)

        #expect(try harness.antre("issue", "ktp").status == 0)

        // Outside every group: cannot even connect.
        let stranger = try harness.antre(as: 4201, groups: [], "status")
        #expect(stranger.status == 3, "\(stranger)")
        #expect(stranger.stderr.contains("permission denied"), "\(stranger)")

        // A reader sees the queue but cannot call.
        let reader = try harness.antre(as: 4202, groups: [readers], "status")
        #expect(reader.status == 0, "\(reader)")
        // Reports need only the reader right.
        let readerReport = try harness.antre(as: 4202, groups: [readers], "report", "--json")
        #expect(readerReport.status == 0, "\(readerReport)")
        #expect((try json(readerReport)["report"] as? [String: Any]).flatMap { $0["total"] as? [String: Any] }?["issued"]
                as? Int == 1, "\(readerReport)")
        let readerCall = try harness.antre(as: 4202, groups: [readers], "call", "--counter", "1")
        #expect(readerCall.status == 1, "\(readerCall)")
        #expect(readerCall.stderr.lowercased().contains("permission"), "\(readerCall)")
        #expect(harness.log.contains("permission denied"), "denial not logged")
        #expect(harness.log.contains("uid=4202"))
        // A reader hammering a refused call does not flood the journal.
        for _ in 0..<10 {
            #expect(try harness.antre(as: 4202, groups: [readers], "skip", "--counter", "1").status == 1)
        }
        let deniedLines = harness.log.split(separator: "\n").filter { $0.contains("permission denied") }
        #expect(deniedLines.count == 1, "\(deniedLines)")
        // ... and nothing changed: the ticket is still waiting.
        let waiting = try json(try harness.antre("status", "--json"))["services"] as? [[String: Any]]
        #expect(waiting?.first { $0["service"] as? String == "ktp" }?["waiting"] as? Int == 1)

        // An officer can call; the change records the officer's uid.
        let officer = try harness.antre(as: 4203, groups: [readers, officers], "call", "--counter", "1")
        #expect(officer.status == 0, "\(officer)")
        #expect(officer.stdout.contains("-> Loket 1"))
        let officerReload = try harness.antre(as: 4203, groups: [readers, officers], "reload")
        #expect(officerReload.status == 1, "an officer reloaded: \(officerReload)")
        let adminReload = try harness.antre(as: 4204, groups: [readers, admins], "reload")
        #expect(adminReload.status == 0, "\(adminReload)")

        harness.stop()
        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        let events = try store.events(after: 0, limit: 100)
        #expect(events.contains { $0.kind == .called && $0.actor == "uid:4203" }, "\(events.map { ($0.kind, $0.actor) })")
    }

    @Test func reloadKeepsOldConfigOnErrorAndAddsServicesWithoutLosingTickets() throws {
        let harness = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "ktp").status == 0)
        #expect(try harness.antre("issue", "ktp").status == 0)
        let original = harness.configText

        // A broken config: reload refused with file:line:key, old config kept.
        harness.configText = original.replacingOccurrences(of: "[office]\nname =", with: "[office]\nnme =")
        let broken = try harness.antre("reload")
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.stderr.contains("office.nme"), "\(broken)")
        #expect(try harness.antre("issue", "kk").status == 0, "old config no longer works")

        // A new service: after reload it can be issued; waiting tickets survive.
        harness.configText = original + """

            [[service]]
            id = "paspor"
            name = "Rekomendasi Paspor"
            prefix = "R"
            requirements = ["Fotokopi KTP-el"]

            [[counter]]
            id = "9"
            name = "Loket 9"
            services = ["paspor"]

            """
        let reload = try harness.antre("reload")
        #expect(reload.status == 0, "\(reload)")
        let issued = try harness.antre("issue", "paspor")
        #expect(issued.status == 0, "\(issued)")
        #expect(issued.stdout.contains("R-001"))
        let services = try json(try harness.antre("status", "--json"))["services"] as? [[String: Any]] ?? []
        #expect(services.first { $0["service"] as? String == "ktp" }?["waiting"] as? Int == 2)

        // SIGHUP does the same.
        harness.configText = harness.configText.replacingOccurrences(of: "name = \"Rekomendasi Paspor\"",
                                                                     with: "name = \"Paspor (rekomendasi)\"")
        harness.daemon?.kill(SIGHUP)
        #expect(try eventually {
            let services = try json(try harness.antre("status", "--json"))["services"] as? [[String: Any]] ?? []
            return services.contains { $0["name"] as? String == "Paspor (rekomendasi)" }
        })
    }

    @Test func sigtermFinishesThePrintingTicketAndExitsCleanly() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        let harness = try DaemonHarness(printer: "serial:\(try #require(emupos.serialPath))?baud=9600")
        try harness.start()
        let ktp = try harness.service("ktp")
        try harness.press(try harness.button(for: "ktp"))
        usleep(300_000)  // the ticket takes about a second at 9600 baud
        let daemon = try #require(harness.daemon)
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(20)) == 0, "\(daemon.stderr)")
        let receipts = try emupos.waitForReceipts(count: 1, timeout: .seconds(5))
        let text = collapsed(receipts[0].text)
        #expect(text.contains("\(ktp.prefix)-001"))
        #expect(ktp.requirements.allSatisfy { text.contains(collapsed($0)) }, "ticket cut short: \(receipts[0].text)")
        // The database was closed cleanly (WAL checkpointed) and says printed.
        let store = try QueueStore(path: harness.databasePath, timeZone: harness.shipped.office.timeZone)
        let tickets = try store.tickets(day: store.day(of: Date()))
        #expect(tickets.map(\.printState) == [.printed])
    }
}

/// An AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET.
final class DatagramListener {
    let path: String
    private let fd: Int32
    private let directory: TemporaryDirectory

    init(directory: TemporaryDirectory) throws {
        self.directory = directory
        path = directory.file("notify.sock")
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestSupportError("bind \(path): \(errno)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram as text, or nil after `timeout`.
    func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, ms) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
