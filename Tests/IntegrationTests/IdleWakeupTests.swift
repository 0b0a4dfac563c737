import AntreTestSupport
import Foundation
import Testing

/// A daemon on a single-board computer sleeps when nothing happens: no timer
/// runs unless it has something due (the socket sweep only while a connection
/// can go idle, the day rollover at midnight, the database watch on inotify).
@Suite(.serialized)
struct IdleWakeupTests {
    @Test func anIdleDaemonIsNotWokenByItsOwnTimers() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)")
        try harness.start()
        defer { harness.stop() }
        let daemon = try #require(harness.daemon)
        // Let the start-up call's connection close and the sweep notice it.
        Thread.sleep(forTimeInterval: 1.5)
        let before = contextSwitches(daemon.pid)
        Thread.sleep(forTimeInterval: 3)
        let perSecond = Double(switches(since: before, daemon.pid)) / 3
        // libdispatch's worker-pool monitor ticks once a second; before this
        // change the sweep, the rollover and the database poll made it ~20.
        #expect(perSecond <= 4, "antred woke \(perSecond) times a second while idle")
        // Still answering.
        #expect(try harness.antre("status").status == 0)
    }

    /// Voluntary and involuntary context switches of each thread, by thread id.
    private func contextSwitches(_ pid: Int32) -> [String: Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var switches: [String: Int] = [:]
        for task in tasks {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
            switches[task] = status.split(separator: "\n").filter { $0.contains("ctxt_switches:") }
                .compactMap { Int($0.split(separator: "\t").last ?? "") }.reduce(0, +)
        }
        return switches
    }

    /// Switches since `before` of the threads alive now (an idle dispatch worker may have exited).
    private func switches(since before: [String: Int], _ pid: Int32) -> Int {
        contextSwitches(pid).reduce(0) { $0 + max(0, $1.value - (before[$1.key] ?? 0)) }
    }
}
