import AntreCore
import AntreTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `file:` printer (the kernel's usblp) cannot report status: once a write
/// failed, antred must take no number until the device is back ("ghost numbers").
@Suite(.serialized)
struct FileDevicePrinterTests {
    func status(_ harness: DaemonHarness) throws -> [String: Any] { try json(try harness.antre("status", "--json")) }

    func issued(_ harness: DaemonHarness) throws -> Int {
        let services = try status(harness)["services"] as? [[String: Any]] ?? []
        return services.reduce(0) { $0 + ($1["issued"] as? Int ?? 0) }
    }

    func missed(_ harness: DaemonHarness) throws -> Int {
        let printers = try status(harness)["printers"] as? [[String: Any]] ?? []
        return printers.first?["missed_presses"] as? Int ?? -1
    }

    func printFailed(_ harness: DaemonHarness) throws -> [String] {
        (try status(harness)["print_failed"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
    }

    /// The device node stands in as a FIFO: a reader is the printer plugged in.
    @Test func unpluggedDeviceTakesNoNumberUntilItIsBack() throws {
        let dir = try TemporaryDirectory(prefix: "antre-lp")
        let device = dir.file("lp0")
        #expect(mkfifo(device, 0o600) == 0)
        var reader = open(device, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        let harness = try DaemonHarness(printer: "file:\(device)")
        try harness.start()
        defer {
            harness.stop()
            if reader >= 0 { close(reader) }
        }
        let key = try harness.button(for: "kk")

        try harness.press(key)
        #expect(try eventually { try issued(harness) == 1 })
        // Unplugged: the next ticket fails to print, and is the last number taken.
        close(reader)
        reader = -1
        try harness.press(key)
        #expect(try eventually { try printFailed(harness).count == 1 }, "\(harness.log)")
        try harness.press(key)
        #expect(try eventually { try missed(harness) == 1 }, "\(harness.log)")
        try harness.press(key)
        #expect(try eventually { try missed(harness) == 2 })
        let manual = try harness.antre("issue", "kk", "--dispenser", "test")
        #expect(manual.status != 0, "\(manual)")
        #expect(try issued(harness) == 2, "a number was taken while the printer was known down")
        #expect(harness.log.contains("press refused"))

        // Plugged back in: the poll finds it, the failed ticket is reprinted once, numbers go on.
        reader = open(device, O_RDONLY | O_NONBLOCK)
        #expect(try eventually { try printFailed(harness).isEmpty }, "\(harness.log)")
        try harness.press(key)
        #expect(try eventually { try issued(harness) == 3 })
        #expect(try missed(harness) == 3)
    }
}
