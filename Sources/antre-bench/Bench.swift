import AntreCore
import AntreStore
import AntreWire
import ArgumentParser
import CLinuxShims
import ESCPOS
import Foundation

#if canImport(Glibc)
import Glibc
#endif

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "antre-bench",
        abstract: "Antre's benchmarks: press to paper (the default), history reports, ticket encoding, store commits, Issue over the socket.",
        subcommands: [PressBench.self, CompareBench.self, StoreBench.self, SocketBench.self], defaultSubcommand: PressBench.self)
}

/// Press-to-paper benchmark: a real antred with a pty as its serial button box
/// and a TCP sink as its printer. Each press is timed from the byte written on the
/// pty to the last byte of that ticket arriving at the sink (the cut command).
struct PressBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "press",
        abstract: "Measure button press -> last ticket byte at the printer, through a real antred.")

    @Option(help: "Number of presses.")
    var presses = 500

    @Option(help: "antred executable (default: next to this one).")
    var antred: String?

    @Flag(help: "Keep the temporary directory.")
    var keep = false

    @Flag(help: "Instead: generate a year of history and time reports and presses on it.")
    var history = false

    @Option(help: "With --history: days of history.")
    var days = 365

    @Option(help: "With --history: mean tickets on a weekday.")
    var ticketsPerDay = 390

    func run() throws {
        let work = try makeTemporaryDirectory()
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        if history {
            try HistoryBench(days: days, ticketsPerDay: ticketsPerDay, work: work).run()
            return
        }

        let fsync = try measureFsync(in: work, bytes: 4096)
        // A ticket's commit appends about 7 WAL frames (ticket row, its indexes,
        // the sequence, the journal row): the fsync that bounds it is that size.
        let commitFsync = try measureFsync(in: work, bytes: 7 * (4096 + 24))
        let commit = try measureStoreCommits(in: work, count: min(presses, 300))
        let render = measureLayoutAndEncode(count: 300)
        let sink = try TCPSink()
        let pty = try Pty()
        let buttonPath = work + "/buttons"
        try FileManager.default.createSymbolicLink(atPath: buttonPath, withDestinationPath: pty.slavePath)
        let config = """
            [office]
            name = "Bench Office"
            [storage]
            database = "\(work)/antre.db"
            [socket]
            path = "\(work)/antred.sock"
            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            requirements = ["Fotokopi Kartu Keluarga", "Surat pengantar RT/RW", "Datang sendiri (rekam foto & sidik jari)"]
            schedule = ["Senin-Kamis 08.00-15.00", "Jumat 08.00-11.00"]
            officer = "Ibu Sri"
            fee = "Gratis"
            [[counter]]
            id = "1"
            [[dispenser]]
            id = "bench"
            input = "serial:\(buttonPath)?baud=115200&framing=byte"
            cooldown_ms = 0
            printer = "tcp://127.0.0.1:\(sink.port)"
            [dispenser.buttons]
            "1" = "ktp"
            [dispenser.profile]
            paper = 80
            cutter = true
            """
        try config.write(toFile: work + "/antre.toml", atomically: true, encoding: .utf8)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: antred ?? siblingExecutable("antred"))
        daemon.arguments = ["--config", work + "/antre.toml", "--log-level", "warning"]
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        guard waitForSocket(work + "/antred.sock", timeout: 20) else {
            throw ValidationError("antred did not start (socket never appeared)")
        }
        // Give the serial input a moment to open the pty.
        Thread.sleep(forTimeInterval: 0.5)

        // One warm-up ticket so connections are open, then the timed presses.
        var latencies: [Double] = []
        var commitsBefore = 0
        for index in 0...presses {
            if index == 1 {
                Thread.sleep(forTimeInterval: 0.2)  // let the warm-up's print result be written
                commitsBefore = try dbCommits(socket: work + "/antred.sock")
            }
            let before = sink.jobsCompleted
            let start = DispatchTime.now().uptimeNanoseconds
            try pty.write([UInt8(ascii: "1")])
            guard sink.waitForJobs(before + 1, timeout: 10) else {
                throw ValidationError("ticket \(index) never reached the printer")
            }
            let end = sink.lastJobEnd
            if index > 0 { latencies.append(Double(end - start) / 1e6) }
        }
        latencies.sort()
        let bytesPerTicket = Double(sink.bytesReceived) / Double(presses + 1)
        Thread.sleep(forTimeInterval: 0.2)  // the last print result is written on a short timer
        let commits = Double(try dbCommits(socket: work + "/antred.sock") - commitsBefore) / Double(presses)

        func percentile(_ p: Double) -> Double {
            latencies[min(latencies.count - 1, Int((p / 100) * Double(latencies.count)))]
        }
        let rows: [(String, String)] = [
            ("presses", "\(presses)"),
            ("press -> last byte p50", String(format: "%.2f ms", percentile(50))),
            ("press -> last byte p99", String(format: "%.2f ms", percentile(99))),
            ("press -> last byte max", String(format: "%.2f ms", latencies.last ?? 0)),
            ("fsync 4 KiB (same disk) p50", String(format: "%.2f ms", fsync)),
            ("fsync 28 KiB = one commit p50", String(format: "%.2f ms", commitFsync)),
            ("target p99 <= commit fsync + 2 ms", String(format: "%.2f ms", commitFsync + 2)),
            ("QueueStore.issue alone p50 / p99", String(format: "%.2f / %.2f ms", commit.p50, commit.p99)),
            ("layout + encode one ticket p50", String(format: "%.3f ms", render)),
            ("db commits (fsync) per ticket", String(format: "%.2f", commits)),
            ("bytes per ticket", String(format: "%.0f", bytesPerTicket)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        print("antre-bench: press on pty -> last ticket byte at TCP printer")
        for (name, value) in rows {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}

func siblingExecutable(_ name: String) -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent(name).path
}

func makeTemporaryDirectory() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/antre-bench-XXXXXX").utf8CString)
    guard let result = mkdtemp(&template) else { throw ValidationError("mkdtemp failed") }
    return String(cString: result)
}

func waitForSocket(_ path: String, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if FileManager.default.fileExists(atPath: path) { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return false
}

/// Median time of an append of `bytes` + fsync on the benchmark's filesystem:
/// the floor for a durable commit of that size there.
func measureFsync(in directory: String, bytes: Int) throws -> Double {
    let path = directory + "/fsync-probe"
    let fd = open(path, O_CREAT | O_WRONLY, 0o600)
    guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
    defer {
        close(fd)
        unlink(path)
    }
    let block = [UInt8](repeating: 0xA5, count: bytes)
    var samples: [Double] = []
    for _ in 0..<50 {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = fsync(fd)
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// Durable transactions the daemon has committed so far (Status: daemon.db_commits).
func dbCommits(socket: String) throws -> Int {
    let reply = try VarlinkClient(path: socket, timeout: 5).call(
        "io.antre.Queue.Status", NoParameters(), as: StatusReply.self)
    guard let daemon = reply.daemon else { throw BenchError("Status has no daemon figures") }
    return daemon.dbCommits
}

/// The queue's own commit, without the daemon: `count` tickets issued on a
/// scratch database on the same disk (WAL, synchronous=FULL).
func measureStoreCommits(in directory: String, count: Int) throws -> (p50: Double, p99: Double, samples: [Double]) {
    let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    let path = directory + "/store-probe.db"
    let store = try QueueStore(path: path, timeZone: zone)
    var samples: [Double] = []
    for _ in 0..<max(1, count) {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "bench", printState: .pending, now: Date())
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    try store.close()
    for file in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
    let sorted = samples.sorted()
    return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], samples)
}

/// The benchmark's ticket: a KK ticket with six requirements (the same content
/// `antre-bench compare` gives python-escpos), numbered `index + 1`.
func benchSlip(index: Int) -> TicketSlip {
    let service = Service(id: "kk", name: "Kartu Keluarga", prefix: "K",
                          requirements: ["KK lama (asli), jika ada", "Fotokopi buku nikah/akta cerai",
                                         "Akta/surat lahir (jika tambah anak)", "Surat pindah datang (jika dari luar)",
                                         "Surat kehilangan polisi (jika KK hilang)", "KTP-el pemohon"],
                          schedule: ["Senin-Kamis 08.00-15.00", "Jumat 08.00-11.00"], officer: "Ibu Sri",
                          contact: "0812-0000-0000", fee: "Gratis")
    let office = Office(name: "Kantor Desa Sukamaju", address: "Jl. Raya No. 1", footerLines: ["Dokumen GRATIS"])
    let ticket = Ticket(id: Int64(index), number: TicketNumber(prefix: "K", sequence: index + 1),
                        day: LocalDay(year: 2026, month: 11, day: 28), serviceID: "kk", issuedServiceID: "kk",
                        state: .waiting, counterID: nil, printState: .pending, dispenserID: "bench",
                        issuedAt: Date(), calledAt: nil, finishedAt: nil, callCount: 0)
    return TicketSlip(ticket: ticket, service: service, office: office, ahead: index % 40)
}

/// CPU cost of turning a ticket into ESC/POS bytes (six requirements), median in ms.
func measureLayoutAndEncode(count: Int, paper: PrinterProfile.PaperWidth = .mm80) -> Double {
    let encoder = ESCPOSEncoder(profile: PrinterProfile(paper: paper))
    let slips = (0..<max(1, count)).map(benchSlip(index:))
    var samples: [Double] = []
    samples.reserveCapacity(slips.count)
    var total = 0
    for slip in slips {
        let start = DispatchTime.now().uptimeNanoseconds
        total += encoder.encode(TicketLayout.receipt(for: slip)).count
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    samples.sort()
    return total > 0 ? samples[samples.count / 2] : 0
}
