import AntreCore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Printer faults against emupos over TCP and a serial pty: no ghost numbers,
/// no lost tickets, and the daemon keeps serving while a printer is down.
@Suite(.serialized)
struct PrinterFaultTests {
    enum Link: String, CaseIterable, Sendable { case tcp, serial }

    func printer(_ link: Link) throws -> (Emupos, String) {
        switch link {
        case .tcp:
            let emupos = try Emupos(profile: .epsonTMT20III, tcp: true)
            return (emupos, "tcp://127.0.0.1:\(try #require(emupos.tcpPort))")
        case .serial:
            let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
            return (emupos, "serial:\(try #require(emupos.serialPath))?baud=115200")
        }
    }

    func printerLine(_ harness: DaemonHarness) throws -> [String: Any] {
        let status = try json(try harness.antre("status", "--json"))
        return try #require((status["printers"] as? [[String: Any]])?.first)
    }

    func issued(_ harness: DaemonHarness, _ service: String) throws -> Int {
        let status = try json(try harness.antre("status", "--json"))
        let services = status["services"] as? [[String: Any]] ?? []
        return services.first { $0["service"] as? String == service }?["issued"] as? Int ?? -1
    }

    func printFailed(_ harness: DaemonHarness) throws -> [String] {
        let status = try json(try harness.antre("status", "--json"))
        return (status["print_failed"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
    }

    /// Receipts holding the whole ticket: number, every requirement and the last footer line.
    func completeCopies(of number: String, service: Service, footer: String?, in printer: Emupos) -> Int {
        printer.receipts().filter { receipt in
            let text = collapsed(receipt.text)
            return text.contains(number) && service.requirements.allSatisfy { text.contains(collapsed($0)) }
                && (footer.map { text.contains(collapsed($0)) } ?? true)
        }.count
    }

    @Test(arguments: Link.allCases)
    func paperOutBeforePressTakesNoNumber(link: Link) throws {
        let (emupos, connection) = try printer(link)
        let harness = try DaemonHarness(printer: connection)
        try harness.start()
        defer { harness.stop() }
        let monitor = try ChildProcess(executable: Repo.executable("antre"),
                                       arguments: ["monitor", "--json", "--socket", harness.socketPath],
                                       outputDirectory: harness.directory.path, name: "monitor")
        defer { monitor.terminate() }
        let kk = try harness.service("kk")
        // The monitor is subscribed once it shows an event: a reload makes one
        // (again, if the first came before the monitor had connected).
        var subscribed = false
        for _ in 0..<10 where !subscribed {
            #expect(try harness.antre("reload").status == 0)
            subscribed = monitor.waitForLine(containing: "reloaded", timeout: .seconds(1)) != nil
        }
        #expect(subscribed, "the monitor never showed a reload")

        try emupos.setFault(.paperOut)
        try harness.press(try harness.button(for: "kk"))
        #expect(try eventually { (try printerLine(harness)["missed_presses"] as? Int) == 1 })
        let down = try printerLine(harness)
        #expect(down["state"] as? String == "down")
        #expect((down["detail"] as? String)?.contains("paper out") == true, "\(down)")
        #expect(try issued(harness, "kk") == 0, "a number was taken while the printer was out of paper")
        #expect(monitor.waitForLine(containing: "missed_press", timeout: .seconds(5)) != nil)
        #expect(harness.log.contains("press refused"))
        // The officer's manual issue is refused the same way.
        let manual = try harness.antre("issue", "kk")
        #expect(manual.status == 1)
        #expect(manual.stderr.contains("is down (paper out"), "\(manual)")
        #expect(try issued(harness, "kk") == 0)

        try emupos.clearFault(.paperOut)
        #expect(try eventually(timeout: .seconds(10)) { (try printerLine(harness)["state"] as? String) == "ready" })
        try harness.press(try harness.button(for: "kk"))
        let receipts = try emupos.waitForReceipts(count: 1, timeout: .seconds(10))
        #expect(collapsed(receipts[0].text).contains("\(kk.prefix)-001"), "the number after recovery is not 001")
        #expect(emupos.complaints().isEmpty)
    }

    /// Over a 9600-baud serial line a ticket takes about a second: the cover is
    /// opened while it prints.
    @Test func coverOpenDuringJobIsReprintedOnceAfterRecovery() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        let path = try #require(emupos.serialPath)
        let harness = try DaemonHarness(printer: "serial:\(path)?baud=9600")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let number = "\(ktp.prefix)-001"
        // The daemon learns at start that this printer answers status.
        #expect(try eventually { (try printerLine(harness)["state"] as? String) == "ready" })

        try harness.press(try harness.button(for: "ktp"))
        usleep(350_000)
        try emupos.setFault(.coverOpen)
        #expect(try eventually { try printFailed(harness) == [number] }, "ticket not marked print_failed")
        let down = try printerLine(harness)
        #expect(down["state"] as? String == "down")
        #expect(down["pending_reprints"] as? Int == 1)
        #expect(completeCopies(of: number, service: ktp, footer: harness.shipped.office.footerLines.last, in: emupos) == 0)

        try emupos.clearFault(.coverOpen)
        #expect(try eventually(timeout: .seconds(20)) { try printFailed(harness).isEmpty }, "not reprinted")
        usleep(2_500_000)  // let emupos finish any held job (it ends jobs after 2 s idle)
        #expect(completeCopies(of: number, service: ktp, footer: harness.shipped.office.footerLines.last, in: emupos) == 1,
                "expected exactly one complete copy: \(emupos.receipts().map(\.text))")
        #expect(try printerLine(harness)["pending_reprints"] as? Int == 0)
        // Still one ticket in the queue, its number not reused.
        #expect(try issued(harness, "ktp") == 1)
    }

    @Test(arguments: Link.allCases)
    func printerGoneDaemonKeepsServingAndRecoversByItself(link: Link) throws {
        let (emupos, connection) = try printer(link)
        let harness = try DaemonHarness(printer: connection)
        emupos.stop()  // refused port / hung-up pty before the daemon even starts
        try harness.start()
        defer { harness.stop() }
        #expect(try eventually { (try printerLine(harness)["state"] as? String) == "down" })

        // Status answers promptly while the printer is down (median of 5 calls).
        let client = try VarlinkClient(path: harness.socketPath, timeout: 5)
        var times: [Duration] = []
        for _ in 0..<5 {
            let started = ContinuousClock.now
            _ = try client.call("io.antre.Queue.Status", [:])
            times.append(ContinuousClock.now - started)
        }
        times.sort()
        #expect(times[2] < .milliseconds(100), "status took \(times)")

        try harness.press(try harness.button(for: "ktp"))
        #expect(try eventually { (try printerLine(harness)["missed_presses"] as? Int) == 1 })
        #expect(try issued(harness, "ktp") == 0)

        try emupos.start()
        #expect(try eventually(timeout: .seconds(15)) { (try printerLine(harness)["state"] as? String) == "ready" },
                "did not recover: \(harness.log)")
        try harness.press(try harness.button(for: "ktp"))
        let receipts = try emupos.waitForReceipts(count: 1, timeout: .seconds(10))
        #expect(collapsed(receipts[0].text).contains("\(try harness.service("ktp").prefix)-001"))
    }

    @Test func paperNearEndIsAWarningNotARefusal() throws {
        let (emupos, connection) = try printer(.tcp)
        let harness = try DaemonHarness(printer: connection)
        try harness.start()
        defer { harness.stop() }
        try emupos.setFault(.paperNearEnd)
        try harness.press(try harness.button(for: "ktp"))
        _ = try emupos.waitForReceipts(count: 1, timeout: .seconds(10))
        let line = try printerLine(harness)
        #expect(line["state"] as? String == "warning", "\(line)")
        #expect((line["detail"] as? String)?.contains("paper near end") == true)
        #expect(line["missed_presses"] as? Int == 0)
        #expect(try issued(harness, "ktp") == 1)
    }

    /// Presses while a ticket is still going out (1 s each at 9600 baud) wait
    /// their turn on that dispenser and come out in order.
    @Test func pressesDuringPrintingAreQueuedInOrder() throws {
        let emupos = try Emupos(profile: .epsonTMT20III, tcp: false, serial: true)
        let harness = try DaemonHarness(printer: "serial:\(try #require(emupos.serialPath))?baud=9600")
        try harness.start()
        defer { harness.stop() }
        let order = ["ktp", "kk", "akta-lahir"]
        for service in order {
            try harness.press(try harness.button(for: service))
            usleep(100_000)
        }
        // The officers' socket stays responsive while the dispenser is busy.
        let started = ContinuousClock.now
        #expect(try harness.antre("status").status == 0)
        #expect(ContinuousClock.now - started < .seconds(2))
        let receipts = try emupos.waitForReceipts(count: 3, timeout: .seconds(20))
        let prefixes = try order.map { "\(try harness.service($0).prefix)-001" }
        let printed = receipts.map { receipt in prefixes.first { collapsed(receipt.text).contains($0) } ?? "?" }
        #expect(printed == prefixes)
    }

    @Test func printerThatNeverAnswersStatusStillPrints() throws {
        let sink = try SilentPrinter()
        let harness = try DaemonHarness(printer: "tcp://127.0.0.1:\(sink.port)")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        try harness.press(try harness.button(for: "ktp"))
        #expect(eventually(timeout: .seconds(10)) { sink.text.contains("\(ktp.prefix)-001") })
        #expect(try eventually { (try printerLine(harness)["state"] as? String) == "unknown" })
        #expect(try printFailed(harness).isEmpty)
        #expect(sink.text.contains(ktp.requirements[0]))
    }
}

/// A raw TCP printer that takes every byte and never answers status queries.
final class SilentPrinter: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [UInt8] = []
    private var accepted = 0

    init() throws {
        port = try FreePort.tcp()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw TestSupportError("bind/listen on \(port) failed") }
        listener = fd
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// Everything received, as text (ESC/POS bytes included).
    var text: String { lock.withLock { String(decoding: received, as: UTF8.self) } }
    /// Bytes received so far, all connections together.
    var byteCount: Int { lock.withLock { received.count } }
    /// Connections accepted so far.
    var connectionCount: Int { lock.withLock { accepted } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            lock.withLock { accepted += 1 }
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                    if count <= 0 { break }
                    lock.withLock { received += buffer[0..<count] }
                }
                close(client)
            }.start()
        }
    }
}
