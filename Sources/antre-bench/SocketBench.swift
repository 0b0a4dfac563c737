import AntrePosix
import AntreStore
import AntreWire
import ArgumentParser
import Foundation
import Synchronization

/// `Issue` over the Unix socket of a real antred (no dispenser: no paper), set
/// against the SQLite fsync floor measured in the same run on the same disk:
/// sequential, 8 and 50 concurrent clients with 50 Monitor subscribers
/// attached, and antred's idle memory, threads and wake-ups from /proc.
struct SocketBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket",
        abstract: "Issue over the socket (sequential, 8 and 50 clients, 50 monitors) against the fsync floor; idle footprint.")

    @Option(help: "antred executable (default: next to this one; use the release build).")
    var antred: String?

    @Option(help: "Sequential Issue calls (and floor commits).")
    var count = 500

    @Option(help: "Issue calls per run of concurrent clients.")
    var concurrentCount = 1000

    @Option(help: "Seconds antred is watched idle for wake-ups.")
    var idleSeconds = 5.0

    @Flag(help: "A short run (CI smoke): few calls, one second idle.")
    var quick = false

    @Flag(help: "Keep the temporary directory.")
    var keep = false

    func run() throws {
        let sequential = quick ? 50 : count, concurrent = quick ? 100 : concurrentCount
        let work = try makeTemporaryDirectory()
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }


        let socket = work + "/antred.sock"
        try """
            [office]
            name = "Bench Office"
            [storage]
            database = "\(work)/antre.db"
            [socket]
            path = "\(socket)"
            max_connections = 256
            max_connections_per_uid = 256
            [[service]]
            id = "kk"
            name = "Kartu Keluarga"
            prefix = "K"
            [[counter]]
            id = "1"
            """.write(toFile: work + "/antre.toml", atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: antred ?? siblingExecutable("antred"))
        daemon.arguments = ["--config", work + "/antre.toml", "--log-level", "warning"]
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        guard waitForSocket(socket, timeout: 20) else { throw BenchError("antred did not start (no socket)") }
        Thread.sleep(forTimeInterval: 1)
        let idle = try IdleFigures(pid: daemon.processIdentifier, seconds: quick ? 1 : idleSeconds)

        let pid = daemon.processIdentifier
        // The floor and sequential Issue alternate in five rounds on the same
        // disk, so a disk that slows down for a moment weighs on both.
        var floorSamples: [Double] = [], floorCPU = 0.0, aloneSamples: [Double] = [], aloneCPU = 0.0
        let rounds = 5
        for round in 0..<rounds {
            let share = sequential / rounds + (round < sequential % rounds ? 1 : 0)
            let (commits, ownCPU) = try ProcessCPU.measure(getpid()) {
                try CommitFloor.measure(path: work + "/floor.db", count: share)
            }
            floorSamples += commits
            floorCPU += ownCPU
            let (issues, daemonCPU) = try ProcessCPU.measure(pid) { try issueSequentially(socket: socket, count: share) }
            aloneSamples += issues.sorted
            aloneCPU += daemonCPU
        }
        let floor = Latencies(floorSamples), alone = Latencies(aloneSamples)
        // The same round trip without the store: what the socket, NIO and
        // Varlink cost apart from the commit.
        let transport = try getInfoSequentially(socket: socket, count: sequential)
        let (eightAlone, eightAloneCPU) = try ProcessCPU.measure(pid) {
            try issueConcurrently(socket: socket, clients: 8, total: concurrent)
        }
        let monitors = MonitorCrowd(socket: socket, count: 50)
        Thread.sleep(forTimeInterval: 0.5)
        let (withMonitors, withMonitorsCPU) = try ProcessCPU.measure(pid) {
            try issueSequentially(socket: socket, count: sequential)
        }
        let (eight, eightCPU) = try ProcessCPU.measure(pid) { try issueConcurrently(socket: socket, clients: 8, total: concurrent) }
        let (fifty, fiftyCPU) = try ProcessCPU.measure(pid) {
            try issueConcurrently(socket: socket, clients: 50, total: concurrent)
        }
        // Tickets of each concurrent run, one warm-up ticket per connection included.
        let eightTickets = 8 * (1 + concurrent / 8), fiftyTickets = 50 * (1 + concurrent / 50)
        // CPU antred used per ticket in each phase (warm-up tickets included).
        let perTicket = { (cpu: Double, tickets: Int) in String(format: "%.2f", cpu * 1000 / Double(tickets)) }
        let cpuLine = [perTicket(aloneCPU, sequential + rounds), perTicket(eightAloneCPU, eightTickets),
                       perTicket(withMonitorsCPU, sequential + 1), perTicket(eightCPU, eightTickets),
                       perTicket(fiftyCPU, fiftyTickets)].joined(separator: " / ")
        let commits = try dbCommits(socket: socket)
        // Each run also issues one warm-up ticket per connection.
        let tickets = (sequential + rounds) + (sequential + 1) + 2 * eightTickets + fiftyTickets
        // Every subscriber must hear of every ticket issued while it listened:
        // wait (up to 30 s) until they have read what antred sent.
        let expectedEvents = 50 * ((sequential + 1) + eightTickets + fiftyTickets)
        let drainStart = DispatchTime.now().uptimeNanoseconds
        while monitors.events < expectedEvents, monitors.tooSlow == 0,
              DispatchTime.now().uptimeNanoseconds - drainStart < 30_000_000_000 {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let drained = Double(DispatchTime.now().uptimeNanoseconds - drainStart) / 1e9
        let events = monitors.events
        monitors.stop()
        // The working set a busy morning leaves behind; the monitors stay connected, like a board.
        Thread.sleep(forTimeInterval: 1)
        let afterLoad = try IdleFigures(pid: daemon.processIdentifier, seconds: quick ? 1 : idleSeconds)

        let ms = { (value: Double) in String(format: "%.2f", value) }
        let rows: [(String, String)] = [
            ("fsync floor: bare WAL+FULL one-INSERT commit p50 / p99 (5 rounds, alternating)", "\(ms(floor.p50)) / \(ms(floor.p99)) ms"),
            ("Issue sequential, no monitors p50 / p99 (the same rounds)", "\(ms(alone.p50)) / \(ms(alone.p99)) ms"),
            ("Issue sequential, 50 monitors p50 / p99", "\(ms(withMonitors.p50)) / \(ms(withMonitors.p99)) ms"),
            ("  GetInfo (no store, no commit) p50 / p99", "\(ms(transport.p50)) / \(ms(transport.p99)) ms"),
            ("  target floor + 0.3 / floor + 0.7", "\(ms(floor.p50 + 0.3)) / \(ms(floor.p99 + 0.7)) ms"),
            ("Issue 8 clients, no monitors", String(format: "%.0f t/s, p99 %.2f ms", eightAlone.perSecond, eightAlone.p99)),
            ("Issue 8 clients, 50 monitors", String(format: "%.0f t/s, p99 %.2f ms", eight.perSecond, eight.p99)),
            ("Issue 50 clients, 50 monitors", String(format: "%.0f t/s, p99 %.2f ms", fifty.perSecond, fifty.p99)),
            ("antred CPU per ticket, the five runs above in order", cpuLine + " ms"),
            ("  the floor's CPU per commit (this process, same disk)",
             String(format: "%.2f ms", floorCPU * 1000 / Double(max(1, floorSamples.count)))),
            ("Monitor subscribers dropped as too slow (of 50)", "\(monitors.tooSlow)"),
            ("db commits per ticket (all runs)", String(format: "%.2f", Double(commits) / Double(tickets))),
            ("Monitor events received / expected, s to drain after the last Issue",
             String(format: "%d / %d, %.2f s", events, expectedEvents, drained)),
            ("antred idle RSS / anon / file, threads, wake-ups", idle.summary),
            ("  resident by region", idle.regions.summary),
            ("antred idle after the runs, 50 monitors attached", afterLoad.summary),
            ("  resident by region", afterLoad.regions.summary),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        print("antre-bench socket: \(daemon.executableURL?.path ?? "antred"), database in \(work)")
        for (name, value) in rows {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}

/// Sorted latencies in ms with their percentiles.
struct Latencies {
    let sorted: [Double]
    init(_ samples: [Double]) { sorted = samples.sorted() }
    func percentile(_ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count)))]
    }
    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }
}

/// ms taken by one call.
private func timed(_ call: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try call()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

private func issueOnce(_ client: VarlinkClient) throws -> Double {
    try timed { _ = try client.call("io.antre.Queue.Issue", IssueParameters(service: "kk"), as: IssueReply.self) }
}

/// One connection, one call at a time (one warm-up call first).
private func sequentially(socket: String, count: Int, _ call: (VarlinkClient) throws -> Double) throws -> Latencies {
    let client = try VarlinkClient(path: socket, timeout: 10)
    _ = try call(client)
    return Latencies(try (0..<count).map { _ in try call(client) })
}

/// Issue one call at a time.
func issueSequentially(socket: String, count: Int) throws -> Latencies {
    try sequentially(socket: socket, count: count, issueOnce)
}

/// org.varlink.service.GetInfo one call at a time: the transport's own cost.
func getInfoSequentially(socket: String, count: Int) throws -> Latencies {
    try sequentially(socket: socket, count: count) { client in
        try timed { _ = try client.call("org.varlink.service.GetInfo") }
    }
}

/// `clients` connections issuing `total` tickets between them, all at once.
func issueConcurrently(socket: String, clients: Int, total: Int) throws -> (perSecond: Double, p99: Double) {
    let samples = Mutex([Double]())
    let failures = Mutex([String]())
    let ready = DispatchGroup(), done = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    let each = max(1, total / clients)
    for _ in 0..<clients {
        ready.enter()
        done.enter()
        Thread {
            defer { done.leave() }
            do {
                let client = try VarlinkClient(path: socket, timeout: 30)
                _ = try issueOnce(client)
                ready.leave()
                start.wait()
                let own = try (0..<each).map { _ in try issueOnce(client) }
                samples.withLock { $0 += own }
            } catch {
                failures.withLock { $0.append("\(error)") }
                ready.leave()
            }
        }.start()
    }
    ready.wait()
    let began = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<clients { start.signal() }
    done.wait()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
    if let failure = failures.withLock({ $0.first }) { throw BenchError("a client failed: \(failure)") }
    let all = Latencies(samples.withLock { $0 })
    return (Double(all.sorted.count) / seconds, all.p99)
}

/// `count` Monitor subscribers on their own threads, counting events.
final class MonitorCrowd: Sendable {
    private let state = Mutex((events: 0, stopped: false, tooSlow: 0))

    init(socket: String, count: Int) {
        for _ in 0..<count {
            Thread { [self] in
                guard let client = try? VarlinkClient(path: socket, timeout: nil) else { return }
                // Ends when antred goes away (the connection closes) or on stop;
                // antred drops a subscriber that falls 512 events behind.
                do {
                    try client.callMore("io.antre.Queue.Monitor") { _ in
                        self.state.withLock { $0.events += 1; return !$0.stopped }
                    }
                } catch let error as VarlinkError where error.name.hasSuffix("MonitorTooSlow") {
                    state.withLock { $0.tooSlow += 1 }
                } catch {}
            }.start()
        }
    }

    var events: Int { state.withLock { $0.events } }
    var tooSlow: Int { state.withLock { $0.tooSlow } }
    func stop() { state.withLock { $0.stopped = true } }
}

/// antred's memory and threads from /proc/PID/status, context switches of all
/// its threads over `seconds` (each is a wake-up), and where the resident pages
/// are, by region, from /proc/PID/smaps.
struct IdleFigures {
    var rss = 0.0, anon = 0.0, file = 0.0
    var threads = 0
    var wakeupsPerSecond = 0.0
    /// Resident MiB by region: antred's own segments split into pages read from
    /// the file and pages it wrote (relocations, data), shared libraries, the rest.
    var regions = MemoryRegions()

    init(pid: Int32, seconds: Double) throws {
        let before = Self.contextSwitches(pid)
        Thread.sleep(forTimeInterval: seconds)
        wakeupsPerSecond = Double(Self.switches(from: before, to: Self.contextSwitches(pid))) / seconds
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS": rss = value / 1024
            case "RssAnon": anon = value / 1024
            case "RssFile": file = value / 1024
            case "Threads": threads = Int(value)
            default: break
            }
        }
        regions = try MemoryRegions(pid: pid)
    }

    var summary: String {
        String(format: "%.1f / %.1f / %.1f MiB, %d threads, %.1f wake-ups/s", rss, anon, file, threads, wakeupsPerSecond)
    }

    /// Context switches of each thread, by thread id. Dispatch's idle workers exit
    /// after a few seconds: count only threads seen at the end (their switches since
    /// the first look, or all of them for a thread started in between).
    static func contextSwitches(_ pid: Int32) -> [String: Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var switches: [String: Int] = [:]
        for task in tasks {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else {
                continue
            }
            switches[task] = status.split(separator: "\n").reduce(0) { sum, line in
                guard line.contains("ctxt_switches:"), let value = Int(line.split(separator: "\t").last ?? "") else { return sum }
                return sum + value
            }
        }
        return switches
    }

    static func switches(from before: [String: Int], to after: [String: Int]) -> Int {
        after.reduce(0) { total, entry in total + max(0, entry.value - (before[entry.key] ?? 0)) }
    }
}

/// Resident MiB of a process by region, from /proc/PID/smaps.
struct MemoryRegions {
    /// antred's read-only segment as read from the file: code, Swift metadata, unwind and relocation tables.
    var executableText = 0.0
    /// Its writable segment's pages only read (ICU data and other constants live here).
    var executableDataRead = 0.0
    /// Its pages written since start (relocated RELRO, data): private copies.
    var executableWritten = 0.0
    /// Shared libraries' file pages, biggest first.
    var libraries: [(name: String, mib: Double)] = []
    /// Heap, thread stacks and other anonymous memory.
    var anonymous = 0.0

    init() {}

    init(pid: Int32) throws {
        guard let executable = MemoryMapping.executable(pid: "\(pid)"),
              let mappings = MemoryMapping.all(pid: "\(pid)") else { throw BenchError("cannot read smaps of \(pid)") }
        let mib = { (bytes: Int) in Double(bytes) / 1_048_576 }
        var libraries: [String: Double] = [:]
        for mapping in mappings {
            let rss = mib(mapping.residentBytes), anon = mib(mapping.anonymousBytes)
            if mapping.path == executable {
                if mapping.isWritable { executableDataRead += rss - anon } else { executableText += rss - anon }
                executableWritten += anon
            } else if mapping.path.hasPrefix("/") {
                let name = mapping.path.split(separator: "/").last.map(String.init) ?? mapping.path
                libraries[name, default: 0] += rss - anon
                anonymous += anon
            } else {
                anonymous += rss
            }
        }
        self.libraries = libraries.sorted { $0.value > $1.value }.map { (name: $0.key, mib: $0.value) }
    }

    var librariesTotal: Double { libraries.reduce(0) { $0 + $1.mib } }

    /// "antred text 5.1, data read 0.6, written 1.2; libraries 4.4 (libc.so.6 1.4, ...); anonymous 2.0 MiB"
    var summary: String {
        let top = libraries.prefix(3).map { String(format: "%@ %.1f", $0.name, $0.mib) }.joined(separator: ", ")
        return String(format: "antred text %.1f, data read %.1f, written %.1f; libraries %.1f (%@); other anonymous %.1f MiB",
                      executableText, executableDataRead, executableWritten, librariesTotal, top, anonymous)
    }
}
