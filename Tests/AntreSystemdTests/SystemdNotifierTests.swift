import AntreSystemd
import Foundation
import Glibc
import Testing

@Suite struct NotifyDatagramTests {
    @Test func readyStatusStoppingWatchdogArriveAsExactDatagrams() throws {
        let listener = try NotifySocketListener()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.environmentValue])
        #expect(notifier.isEnabled)
        #expect(notifier.address == .path(listener.environmentValue))

        try notifier.ready()
        #expect(listener.receive() == "READY=1")
        try notifier.ready(status: "Melayani: 3 layanan, 2 loket")
        #expect(listener.receive() == "READY=1\nSTATUS=Melayani: 3 layanan, 2 loket")
        try notifier.status("Printer loket-1 offline")
        #expect(listener.receive() == "STATUS=Printer loket-1 offline")
        try notifier.watchdog()
        #expect(listener.receive() == "WATCHDOG=1")
        try notifier.stopping()
        #expect(listener.receive() == "STOPPING=1")
        try notifier.stopping(status: "Menutup antrean")
        #expect(listener.receive() == "STOPPING=1\nSTATUS=Menutup antrean")
        // Nothing extra was sent.
        #expect(listener.receive(timeoutMs: 50) == nil)
    }

    @Test func abstractNamespaceSocket() throws {
        let name = "antre-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let listener = try NotifySocketListener(abstractName: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name])
        #expect(notifier.address == .abstract(name))
        try notifier.ready(status: "siap")
        #expect(listener.receive() == "READY=1\nSTATUS=siap")
        try notifier.watchdog()
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test func reloadingCarriesTheCurrentMonotonicClock() throws {
        let listener = try NotifySocketListener()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.environmentValue])
        let before = monotonicMicroseconds()
        try notifier.reloading()
        let after = monotonicMicroseconds()
        let message = try #require(listener.receive())
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let stamp = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(stamp >= before && stamp <= after)
    }

    @Test func statusIsFlattenedToOneLine() throws {
        let listener = try NotifySocketListener()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.environmentValue])
        // A newline would otherwise smuggle in a second assignment (here: READY=1).
        try notifier.status("printer offline\nREADY=1")
        #expect(listener.receive() == "STATUS=printer offline READY=1")
    }

    @Test func extendTimeoutInMicroseconds() throws {
        let listener = try NotifySocketListener()
        let notifier = SystemdNotifier(address: .path(listener.environmentValue))
        try notifier.extendTimeout(by: .seconds(5))
        #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=5000000")
        try notifier.extendTimeout(by: .milliseconds(1500))
        #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=1500000")
    }

    @Test func eachMessageIsItsOwnDatagramInOrder() throws {
        let listener = try NotifySocketListener()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.environmentValue])
        for index in 1...5 { try notifier.status("tiket \(index)") }
        for index in 1...5 { #expect(listener.receive() == "STATUS=tiket \(index)") }
    }
}

@Suite struct NotifyDisabledAndErrorTests {
    @Test func unsetNotifySocketIsANoOp() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(notifier.address == nil)
        #expect(notifier.configurationError == nil)
        // Nothing to send to, so nothing can fail.
        #expect(throws: Never.self) { try notifier.ready(status: "x") }
        #expect(throws: Never.self) { try notifier.watchdog() }
        #expect(throws: Never.self) { try notifier.stopping() }
        #expect(throws: Never.self) { try notifier.reloading() }
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func daemonStyleCallsCarryOnWithoutSystemd() throws {
        // How the daemon calls it: no systemd, no error, nothing to handle.
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"])
        try? notifier.ready(status: "siap")
        try? notifier.watchdog()
        #expect(notifier.watchdogInterval == .seconds(15))
        #expect(!notifier.isEnabled)
    }

    @Test func emptyNotifySocketIsANoOp() throws {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": ""])
        #expect(!notifier.isEnabled)
        #expect(notifier.configurationError == nil)
        #expect(throws: Never.self) { try notifier.ready() }
    }

    @Test func unusableNotifySocketIsReportedNotSent() throws {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "run/relative"])
        #expect(!notifier.isEnabled)
        let error = try #require(notifier.configurationError)
        #expect(error.description.contains("NOTIFY_SOCKET=run/relative"))
        #expect(throws: Never.self) { try notifier.ready() }
    }

    @Test func missingSocketThrowsAnErrorNamingThePath() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("antre-absent-\(UUID().uuidString)").path
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isEnabled)
        do {
            try notifier.ready()
            Issue.record("sending to a missing socket succeeded")
        } catch {
            #expect(error.operation == "sendto")
            #expect(error.code == ENOENT)
            #expect(error.description.contains(path))
            #expect(error.description.contains("No such file or directory"))
        }
        // The try? form callers use when they only want to carry on.
        #expect((try? notifier.watchdog()) == nil)
    }

    @Test func overlongPathIsRejectedBeforeSending() throws {
        let path = "/tmp/" + String(repeating: "a", count: 120)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(throws: SystemdNotifyError.self) { try notifier.ready() }
        do { try notifier.ready() } catch { #expect(error.code == ENAMETOOLONG) }
    }

    @Test func addressParsing() {
        #expect(NotifySocketAddress(environmentValue: "/run/systemd/notify") == .path("/run/systemd/notify"))
        #expect(NotifySocketAddress(environmentValue: "@/org/freedesktop/systemd1/notify/42")
                == .abstract("/org/freedesktop/systemd1/notify/42"))
        #expect(NotifySocketAddress(environmentValue: "@") == nil)
        #expect(NotifySocketAddress(environmentValue: "vsock:2:1234") == nil)
        #expect(NotifySocketAddress.abstract("x").description == "@x")
    }
}

@Suite struct WatchdogIntervalTests {
    @Test func halfOfWatchdogUsec() {
        // WatchdogSec=30 -> systemd passes WATCHDOG_USEC=30000000; ping every 15 s.
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "3"]) == .microseconds(1))
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000"])
        #expect(notifier.watchdogInterval == .seconds(10))
    }

    @Test func watchdogPidMustBeThisProcess() {
        let me = getpid()
        #expect(SystemdNotifier.watchdogInterval(
            environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(me)"]) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(
            environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(me + 1)"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(
            environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1234"], pid: 1234) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(
            environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "abc"]) == nil)
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"], pid: 2)
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func missingZeroOrMalformedDisablesTheWatchdog() {
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "-5"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30s"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": ""]) == nil)
    }
}

@Suite struct UnitFileTests {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let hasAnalyzer = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .contains { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: hasAnalyzer, "systemd-analyze is not installed"))
    func checkScriptPassesOnTheShippedUnits() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repoRoot.appendingPathComponent("scripts/check-systemd-units.sh").path]
        process.currentDirectoryURL = Self.repoRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("verify antred.service: clean"))
        #expect(output.contains("security antred.service: exposure"))
    }

    @Test func unitDeclaresNotifyWatchdogAndUser() throws {
        let text = try String(contentsOf: Self.repoRoot.appendingPathComponent("systemd/antred.service"), encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in ["Type=notify", "WatchdogSec=30", "User=antre", "Restart=on-failure",
                         "RuntimeDirectory=antre", "StateDirectory=antre", "ConfigurationDirectory=antre",
                         "ExecStart=/usr/bin/antred --config /etc/antre/antre.toml",
                         "ExecReload=/bin/kill -HUP $MAINPID"] {
            #expect(lines.contains(expected), "antred.service lacks \(expected)")
        }
    }
}
