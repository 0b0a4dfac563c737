import AntreCore
import AntreTestSupport
import AntreWire
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that hang up mid-stream, never read, hog slots, or send garbage:
/// the queue keeps answering everyone else, memory stays bounded, the log readable.
@Suite(.serialized)
struct HostileClientTests {
    func previewHarness(socketLines: [String] = []) throws -> DaemonHarness {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        return try DaemonHarness(printer: "preview:\(preview.path)/out", socketLines: socketLines)
    }

    /// Runs `body` on `count` threads until `stop` is set; returns when all ended.
    final class Workers: @unchecked Sendable {
        let stop = Atomic<Bool>(false)
        private let running: Atomic<Int>
        private let group = DispatchGroup()

        init(count: Int, _ body: @escaping @Sendable (Int, Workers) -> Void) {
            running = Atomic(count)
            for index in 0..<count {
                group.enter()
                Thread { [group] in
                    body(index, self)
                    self.running.subtract(1, ordering: .releasing)
                    group.leave()
                }.start()
            }
        }

        var isDone: Bool { running.load(ordering: .acquiring) == 0 }

        var stopping: Bool { stop.load(ordering: .acquiring) }

        func finish(timeout: Duration = .seconds(20)) -> Bool {
            stop.store(true, ordering: .releasing)
            return group.wait(timeout: .now() + .seconds(Int(timeout.components.seconds))) == .success
        }
    }

    /// Item 1 of issue 8, as the issue's shell loop did it: `antre monitor`
    /// killed 0.2 s into its stream, on four threads, while tickets are
    /// issued. That deadlocked the daemon within about a second.
    @Test func monitorsKilledMidStreamNeverStallTheQueue() throws {
        let harness = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        let spawned = Atomic<Int>(0)
        let killers = Workers(count: 4) { index, workers in
            while !workers.stopping {
                guard let monitor = try? harness.spawnAntre(["monitor"], name: "monitor-\(index)") else { continue }
                spawned.add(1, ordering: .relaxed)
                usleep(200_000)
                monitor.kill(SIGKILL)
                _ = monitor.waitForExit(timeout: .seconds(5))
            }
        }
        let started = ContinuousClock.now
        var issued = 0
        // 200 tickets, or as many as 25 s allow on a slow machine (the
        // deadlock struck within about a second).
        while issued < 200 && ContinuousClock.now - started < .seconds(25) {
            let result = try run(Repo.executable("antre"), ["issue", "kk", "--socket", harness.socketPath],
                                 timeout: .seconds(15))
            guard result.status == 0 else {
                Issue.record("issue #\(issued + 1) failed after \(ContinuousClock.now - started): \(result)")
                break
            }
            issued += 1
        }
        #expect(killers.finish(), "monitor threads did not stop")
        #expect(issued >= 50, "only \(issued) tickets in 25 s")
        #expect(spawned.load(ordering: .relaxed) >= 40, "too few monitors were killed to mean anything")
        let status = try harness.antre("status")
        #expect(status.status == 0, "\(status)")
        let daemon = try #require(harness.daemon)
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(15)) == 0, "antred ignored SIGTERM:\n\(daemon.stderr.suffix(2000))")
    }

    /// Item 2: killed Monitor clients give their slots back within a second,
    /// not at the next event.
    @Test func slotsOfDeadMonitorClientsAreFreedWithinASecond() throws {
        let harness = try previewHarness(socketLines: ["max_connections = 8"])
        try harness.start()
        defer { harness.stop() }
        #expect(eventually { harness.openConnections(uid: 0) == 0 })
        let monitors = try (0..<8).map { try harness.spawnAntre(["monitor"], name: "monitor-\($0)") }
        #expect(eventually { harness.openConnections(uid: 0) == 8 })
        // Every slot taken: a ninth client is refused, and told why.
        #expect(throws: VarlinkErrors.tooManyConnections(limit: 8)) {
            _ = try VarlinkClient(path: harness.socketPath, timeout: 2).call("io.antre.Queue.Status", [:])
        }
        for monitor in monitors { monitor.kill(SIGKILL) }
        for monitor in monitors { _ = monitor.waitForExit(timeout: .seconds(5)) }
        let killed = ContinuousClock.now
        var served = false
        while !served && ContinuousClock.now - killed < .seconds(3) {
            served = (try? VarlinkClient(path: harness.socketPath, timeout: 1).call("io.antre.Queue.Status", [:])) != nil
            if !served { usleep(50_000) }
        }
        let waited = ContinuousClock.now - killed
        #expect(served)
        #expect(waited < .seconds(1), "a new client waited \(waited) for a slot")
    }

    /// Item 4: 100 Monitor clients that never read while 2,000 tickets are
    /// issued. Memory stays bounded, each of them is dropped (MonitorTooSlow
    /// or closed), and a client that reads sees every event.
    @Test func monitorClientsThatNeverReadAreDroppedAndMemoryStaysBounded() throws {
        let harness = try previewHarness(socketLines: ["max_connections = 200"])
        // The database on tmpfs: this test is about fan-out, not about fsync.
        let memory = "/dev/shm/antre-it-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: memory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: memory) }
        harness.configText = harness.configText.replacingOccurrences(
            of: "database = \"\(harness.databasePath)\"", with: "database = \"\(memory)/antre.db\"")
        #expect(harness.configText.contains(memory))
        try harness.start()
        defer { harness.stop() }
        let issuer = try VarlinkClient(path: harness.socketPath, timeout: 10)
        for _ in 0..<50 { _ = try issuer.call("io.antre.Queue.Issue", ["service": .string("kk")]) }
        let baseline = try #require(harness.daemonRSSKilobytes)

        let sleepers = try (0..<100).map { _ in
            let client = try RawSocket(path: harness.socketPath)
            try client.send(VarlinkCall(method: "io.antre.Queue.Monitor", more: true).encoded())
            return client
        }
        let tickets = 2000
        let readerCount = Atomic<Int>(0)
        let socketPath = harness.socketPath
        let reader = Workers(count: 1) { _, workers in
            guard let client = try? VarlinkClient(path: socketPath, timeout: nil) else { return }
            try? client.callMore("io.antre.Queue.Monitor") { reply in
                if case let .object(event)? = reply["event"], event["kind"]?.stringValue == "issued" {
                    readerCount.add(1, ordering: .relaxed)
                }
                return readerCount.load(ordering: .relaxed) < tickets && !workers.stopping
            }
        }
        usleep(300_000)  // every Monitor call has subscribed
        // Four officers issue at once (the queue worker commits one at a time).
        let failures = Atomic<Int>(0)
        let issuers = Workers(count: 4) { _, _ in
            guard let client = try? VarlinkClient(path: socketPath, timeout: 10) else {
                failures.add(1, ordering: .relaxed)
                return
            }
            for _ in 0..<tickets / 4 where (try? client.call("io.antre.Queue.Issue", ["service": .string("kk")])) == nil {
                failures.add(1, ordering: .relaxed)
            }
        }
        var peak = baseline
        let sampling = ContinuousClock.now + .seconds(60)
        while !issuers.isDone && ContinuousClock.now < sampling {
            if let rss = harness.daemonRSSKilobytes { peak = max(peak, rss) }
            usleep(100_000)
        }
        if let rss = harness.daemonRSSKilobytes { peak = max(peak, rss) }
        #expect(issuers.finish(timeout: .seconds(60)))
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(eventually(timeout: .seconds(20)) { readerCount.load(ordering: .relaxed) >= tickets },
                "the reading monitor saw \(readerCount.load(ordering: .relaxed)) of \(tickets) tickets")
        _ = reader.finish(timeout: .seconds(2))
        let grown = peak - baseline
        #expect(grown < 60_000, "antred grew by \(grown) kB (baseline \(baseline) kB)")

        // Each sleeper finds the events that fit in its socket, then the end:
        // MonitorTooSlow, or the close of a connection whose write stalled.
        let deadline = ContinuousClock.now + .seconds(20)
        var stillOpen = 0
        for client in sleepers {
            let received = client.readUntilClosed(deadline: deadline)
            if !received.closed { stillOpen += 1 }
            let tail = String(decoding: received.bytes.suffix(300), as: UTF8.self)
            let lastError = tail.range(of: #"{"error":"#).map { String(tail[$0.lowerBound...]) }
            #expect(lastError == nil || lastError?.contains("io.antre.Queue.MonitorTooSlow") == true, "\(lastError ?? "")")
        }
        #expect(stillOpen == 0, "\(stillOpen) of \(sleepers.count) non-reading monitors were neither dropped nor closed")
        #expect(harness.daemon?.isRunning == true)
        #expect(try harness.antre("status").status == 0)

    }

    /// Item 6: one uid cannot take more than its share, and readers cannot
    /// take the slots reserved for officers.
    @Test func perUIDLimitAndReservedSlotsKeepOthersServed() throws {
        try #require(getuid() == 0, "needs root to run the CLI as other users")
        let readers = try ensureGroup("antre-it-read")
        _ = try ensureGroup("antre-it-officer")
        let harness = try previewHarness(socketLines: [
            "group = \"antre-it-read\"", "officer_group = \"antre-it-officer\"",
            "max_connections = 8", "max_connections_per_uid = 3", "reserved_connections = 2",
        ])
        chmod(harness.directory.path, 0o755)
        try harness.start()
        defer { harness.stop() }

        // uid A holds three Monitor streams: its maximum.
        let holdersA = try (0..<3).map { try harness.spawnAntre(["monitor"], as: 4301, groups: [readers], name: "a\($0)") }
        #expect(eventually { harness.openConnections(uid: 4301) == 3 })
        let fourth = try harness.antre(as: 4301, groups: [readers], "status")
        #expect(fourth.status != 0, "uid 4301 got a fourth connection: \(fourth)")
        #expect(fourth.stderr.contains("no free connection slot (limit 3)"), "\(fourth)")
        #expect(harness.log.contains("too many connections from one user"))
        // Another reader and an officer are still served.
        let readerB = try harness.antre(as: 4302, groups: [readers], "status")
        #expect(readerB.status == 0, "\(readerB)")
        #expect(try harness.antre("issue", "ktp").status == 0)
        #expect(eventually { harness.openConnections(uid: 4302) == 0 })

        // uid B takes three more: readers now hold 6 = 8 - 2 reserved.
        let holdersB = try (0..<3).map { try harness.spawnAntre(["monitor"], as: 4302, groups: [readers], name: "b\($0)") }
        #expect(eventually { harness.openConnections(uid: 4302) == 3 })
        let third = try harness.antre(as: 4303, groups: [readers], "status")
        #expect(third.status != 0, "a third reader got into the reserved slots: \(third)")
        #expect(third.stderr.contains("no free connection slot (limit 6)"), "\(third)")
        // The reserved slots still serve officers.
        let officer = try harness.antre("status")
        #expect(officer.status == 0, "\(officer)")
        #expect(holdersA.allSatisfy(\.isRunning) && holdersB.allSatisfy(\.isRunning),
                "\((holdersA + holdersB).map(\.stderr))\n\(harness.log.suffix(3000))")
    }

    /// Item 9: SIGTERM while a ticket prints over a slow serial line: the
    /// ticket is printed and the client that asked for it gets its answer.
    @Test func sigtermAnswersTheIssueThatIsPrinting() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        let harness = try DaemonHarness(printer: "serial:\(try #require(emupos.serialPath))?baud=9600")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let client = try harness.spawnAntre(["issue", "ktp", "--dispenser", "test"], name: "issue")
        #expect(eventually(timeout: .seconds(10)) { harness.log.contains("ticket issued") })
        usleep(200_000)  // the ticket takes about a second at 9600 baud
        let daemon = try #require(harness.daemon)
        daemon.kill(SIGTERM)
        #expect(client.waitForExit(timeout: .seconds(20)) == 0, "stdout: \(client.stdout)\nstderr: \(client.stderr)")
        #expect(client.stdout.contains("\(ktp.prefix)-001"), "\(client.stdout)")
        #expect(daemon.waitForExit(timeout: .seconds(20)) == 0, "\(daemon.stderr.suffix(2000))")
        let receipts = try emupos.waitForReceipts(count: 1, timeout: .seconds(5))
        #expect(collapsed(receipts[0].text).contains("\(ktp.prefix)-001"))
    }

    /// Item 11: "upgrade" is refused, not ignored; a flood of garbage leaves a
    /// few log lines, not one per message.
    @Test func upgradeIsRefusedAndGarbageFloodsAreLoggedSparingly() throws {
        let harness = try previewHarness(socketLines: ["max_connections = 200"])
        try harness.start()
        defer { harness.stop() }
        let client = try VarlinkClient(path: harness.socketPath, timeout: 5)
        try client.sendRaw(Array(#"{"method":"io.antre.Queue.Status","upgrade":true}"#.utf8) + [0])
        let refused = try client.receive(deadline: .now + .seconds(5))
        #expect(refused.error == VarlinkErrors.invalidParameter("upgrade"), "\(refused)")
        // The connection is still usable.
        #expect(try client.call("io.antre.Queue.Status", [:])["office"] != nil)

        for n in 0..<300 {
            let garbage = try VarlinkClient(path: harness.socketPath, timeout: 5)
            try? garbage.sendRaw(Array("\u{01}not json \(n)".utf8) + [0])
        }
        for _ in 0..<20 {
            let oversized = try VarlinkClient(path: harness.socketPath, timeout: 5)
            try? oversized.sendRaw([UInt8](repeating: UInt8(ascii: "x"), count: 100_000))
        }
        #expect(try eventually { try harness.antre("status").status == 0 })
        usleep(500_000)
        let warnings = harness.logLines(containing: "unreadable message") + harness.logLines(containing: "oversized message")
        #expect((1...3).contains(warnings), "\(warnings) warning lines for 320 bad clients")
    }
}

/// A bare Unix stream socket for clients that misbehave (never read, read raw).
final class RawSocket {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw TestSupportError("connect \(path): errno \(errno)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw TestSupportError("send: errno \(errno)") }
    }

    /// Everything until the server closes (closed: true) or the deadline passes.
    func readUntilClosed(deadline: ContinuousClock.Instant) -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        repeat {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) >= 0 || errno == EINTR else { return (bytes, true) }
            guard pfd.revents != 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return (bytes, true) }
            bytes += buffer[..<n]
        } while ContinuousClock.now < deadline
        return (bytes, false)
    }
}
