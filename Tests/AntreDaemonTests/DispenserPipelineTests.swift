@testable import AntreDaemon
import AntreCore
import AntreStore
import Foundation
import Testing

/// The press rules of the daemon core, on fake printers and buttons, a manual
/// clock and a real database: no processes, no sleeps.
@Suite("Dispenser pipeline")
struct DispenserPipelineTests {
    static let statusKinds = ["tcp://10.0.0.9:9100", "serial:/dev/ttyFAKE-printer?baud=115200", "usb:0416:5011"]
    static let statuslessKinds = ["file:/dev/usb/lp9", "preview:/tmp/antre-core-preview"]

    @Test("A printer that reports paper out takes no number; the press is missed and streamed",
          arguments: statusKinds)
    func refusesWhenStatusSaysDown(printer connection: String) async throws {
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)])
        let printer = try #require(core.printer(connection))
        printer.paperOut = true
        await core.press("lobi")
        #expect(try core.tickets.isEmpty)
        #expect(try core.missedPresses()["lobi"] == 1)
        #expect(printer.jobs.isEmpty)
        #expect(core.health("lobi")?.readiness.isDown == true)
        printer.paperOut = false
        await core.press("lobi")
        #expect(try core.tickets.map(\.number.description) == ["A-001"])
        let items = await core.shutdown()
        #expect(items.contains { if case let .missedPress(missed) = $0 { missed.reason.contains("paper") } else { false } })
    }

    @Test("A printer that cannot be reached takes no number, whether or not it reports status",
          arguments: statusKinds + statuslessKinds)
    func refusesWhenUnreachable(printer connection: String) async throws {
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)],
                                        absent: [connection])
        let printer = try #require(core.printer(connection))
        #expect(core.health("lobi")?.readiness.isDown == true)
        await core.press("lobi")
        await core.press("lobi")
        // The officer's `antre issue --dispenser` is refused the same way.
        await #expect(throws: QueueError.self) {
            _ = try await core.runtime.desk.issue(serviceID: "ktp", dispenserID: "lobi", actor: "uid:1000")
        }
        #expect(try core.tickets.isEmpty)
        #expect(try core.missedPresses()["lobi"] == 3)
        printer.present = true
        await core.advance(seconds: 5)  // the poll (backing off to 4 s) finds it
        await core.press("lobi")
        #expect(try core.tickets.map(\.number.description) == ["A-001"])
        #expect(printer.jobs(containing: "A-001") == 1)
        _ = await core.shutdown()
    }

    @Test("file: printer unplugged: one print_failed ticket, then missed presses without numbers, then the next number")
    func ghostNumbers() async throws {
        let connection = "file:/dev/usb/lp9"
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)])
        let printer = try #require(core.printer(connection))
        await core.press("lobi")
        #expect(printer.jobs(containing: "A-001") == 1)
        printer.present = false
        await core.press("lobi")  // the write fails: A-002 print_failed
        await core.press("lobi")  // known down: no number
        await core.press("lobi")
        await #expect(throws: QueueError.self) {
            _ = try await core.runtime.desk.issue(serviceID: "ktp", dispenserID: "lobi", actor: nil)
        }
        await core.advance(seconds: 0.1)  // the deferred results are written
        var tickets = try core.tickets
        #expect(tickets.map(\.number.description) == ["A-001", "A-002"])
        #expect(tickets.map(\.printState) == [.printed, .failed])
        #expect(try core.missedPresses()["lobi"] == 3)
        #expect(core.health("lobi")?.readiness.isDown == true)

        printer.present = true
        await core.advance(seconds: 5)  // the poll (backing off to 4 s) finds it back and reprints A-002 once
        #expect(core.health("lobi")?.readiness.isDown == false)
        #expect(printer.jobs(containing: "A-002") == 1)
        await core.press("lobi")
        await core.advance(seconds: 0.1)
        tickets = try core.tickets
        #expect(tickets.map(\.number.description) == ["A-001", "A-002", "A-003"])
        #expect(tickets.map(\.printState) == [.printed, .printed, .printed])
        let items = await core.shutdown()
        let missed = items.compactMap { if case let .missedPress(missed) = $0 { missed } else { nil } }
        #expect(missed.count == 3)
        #expect(missed.allSatisfy { $0.reason.contains("No such device") })
    }

    @Test("Print results ride with the next commit or the timer: one commit per ticket on every path")
    func deferredResults() async throws {
        let connection = "file:/dev/usb/lp9"
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)])
        let before = core.commits
        await core.press("lobi")
        #expect(core.commits == before + 1)
        #expect(try core.tickets.first?.printState == .pending)
        let issued = try await core.runtime.desk.issue(serviceID: "kk", dispenserID: "lobi", actor: "uid:1000")
        #expect(issued.printed == true)
        #expect(issued.ticket.printState == .printed)
        #expect(core.commits == before + 2)
        #expect(try core.tickets.first?.printState == .printed)  // rode with B-001's commit
        // Without --dispenser: the dispenser with that button.
        let plain = try await core.runtime.desk.issue(serviceID: "ktp", dispenserID: nil, actor: "uid:1000")
        #expect(plain.ticket.dispenserID == "lobi")
        #expect(core.commits == before + 3)

        // A failed print (the device went away) rides the same way.
        core.printer(connection)?.present = false
        let failed = try await core.runtime.desk.issue(serviceID: "ktp", dispenserID: "lobi", actor: nil)
        #expect(failed.printed == false)
        #expect(failed.ticket.printState == .failed)
        #expect(core.commits == before + 4)
        #expect(try core.tickets.last?.printState == .pending)
        await core.advance(seconds: 0.01)
        #expect(try core.tickets.last?.printState == .pending)  // not due yet
        await core.advance(seconds: 0.05)
        #expect(core.commits == before + 5)  // the timer wrote it
        #expect(try core.tickets.last?.printState == .failed)
        _ = await core.shutdown()
    }

    @Test("A failed ticket is reprinted once when the printer is back within the window")
    func reprintOnce() async throws {
        let connection = "tcp://10.0.0.9:9100"
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)])
        let printer = try #require(core.printer(connection))
        printer.writesFail = true
        await core.press("lobi")  // status said ready; the write fails: A-001 print_failed
        #expect(try core.tickets.count == 1)
        #expect(core.health("lobi")?.pendingReprints == 1)
        printer.present = false
        await core.advance(seconds: 30)
        #expect(printer.jobs.isEmpty)
        printer.present = true
        printer.writesFail = false
        await core.advance(seconds: 5)
        #expect(printer.jobs(containing: "A-001") == 1)
        #expect(core.health("lobi")?.pendingReprints == 0)
        await core.advance(seconds: 5)
        await core.press("lobi")
        #expect(printer.jobs(containing: "A-001") == 1)
        await core.advance(seconds: 0.1)
        #expect(try core.tickets.map(\.printState) == [.printed, .printed])
        _ = await core.shutdown()
    }

    @Test("Past the window the reprint is dropped: an officer reprints by hand")
    func reprintWindowExpires() async throws {
        let connection = "file:/dev/usb/lp9"
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: connection)])
        let printer = try #require(core.printer(connection))
        printer.present = false
        await core.press("lobi")
        #expect(core.health("lobi")?.pendingReprints == 1)
        await core.advance(seconds: 61)
        #expect(core.health("lobi")?.pendingReprints == 0)
        printer.present = true
        await core.advance(seconds: 5)
        #expect(printer.jobs.isEmpty)
        // The officer's reprint still works.
        let reprinted = try await core.runtime.desk.reprint(number: "A-001", actor: "uid:1000")
        #expect(reprinted.printed == true)
        #expect(printer.jobs(containing: "A-001") == 1)
        _ = await core.shutdown()
    }

    @Test("A reload swaps a changed dispenser's printer and drops a removed one; the queue stays")
    func reloadSwapsDispenser() async throws {
        let core = try await DaemonCore(dispensers: [
            DaemonCore.dispenser(id: "lobi", printer: "tcp://10.0.0.9:9100"),
            DaemonCore.dispenser(id: "teras", printer: "file:/dev/usb/lp9"),
        ])
        await core.press("lobi")
        let old = try #require(core.printer("tcp://10.0.0.9:9100"))
        try core.rewrite(dispensers: [DaemonCore.dispenser(id: "lobi", printer: "tcp://10.0.0.10:9100")])
        try await core.runtime.reload()
        await core.settle()
        #expect(core.runtime.running.pipeline("teras") == nil)
        #expect(core.runtime.config.dispensers.map(\.id) == ["lobi"])
        await core.press("lobi")
        let new = try #require(core.printer("tcp://10.0.0.10:9100"))
        #expect(new.jobs(containing: "A-002") == 1)
        #expect(old.jobs.count == 1)
        #expect(old.closes >= 1)  // the replaced pipeline closed its printer
        #expect(core.buttons("teras")?.press("1") == false)  // its input stopped
        #expect(try core.tickets.map(\.number.description) == ["A-001", "A-002"])
        let items = await core.shutdown()
        #expect(items.contains { if case .reloaded = $0 { true } else { false } })
    }

    @Test("A bad reload keeps the running configuration and says why")
    func reloadRefused() async throws {
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: "tcp://10.0.0.9:9100")])
        try "[office]\nname = 3\n".write(toFile: core.configPath, atomically: true, encoding: .utf8)
        await #expect(throws: ReloadRefused.self) { try await core.runtime.reload() }
        #expect(core.runtime.config.dispensers.map(\.id) == ["lobi"])
        await core.press("lobi")
        #expect(try core.tickets.count == 1)
        _ = await core.shutdown()
    }

    @Test("At a new local day, yesterday's waiting tickets expire and numbering starts again")
    func dayRollover() async throws {
        let core = try await DaemonCore(dispensers: [DaemonCore.dispenser(id: "lobi", printer: "tcp://10.0.0.9:9100")])
        await core.press("lobi")
        await core.press("lobi")
        #expect(try core.tickets.map(\.number.description) == ["A-001", "A-002"])
        await core.advance(seconds: 24 * 3600)
        #expect(try await core.runtime.rollover() == 2)
        await core.press("lobi")
        #expect(try core.tickets.map(\.number.description) == ["A-001"])
        _ = await core.shutdown()
    }
}
