import AntreCore
import AntreTestSupport
import AntreWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized)
struct RobustnessTests {
    @Test func malformedAndOversizedMessagesDoNotStopTheDaemon() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)")
        try harness.start()
        defer { harness.stop() }

        // Valid JSON that is not a call: a Varlink error, connection still usable.
        let client = try VarlinkClient(path: harness.socketPath, timeout: 5)
        try client.sendRaw(Array("[1,2,3]".utf8) + [0])
        let reply = try client.receive(deadline: .now + .seconds(5))
        #expect(reply.error?.name == "org.varlink.service.InvalidParameter", "\(reply)")
        // Unknown method.
        do {
            _ = try client.call("io.antre.Queue.Explode", [:])
            Issue.record("unknown method answered")
        } catch let error as VarlinkError {
            #expect(error.name == "org.varlink.service.MethodNotFound")
        }
        // Missing parameter.
        do {
            _ = try client.call("io.antre.Queue.CallNext", [:])
            Issue.record("CallNext without counter answered")
        } catch let error as VarlinkError {
            #expect(error.name == "org.varlink.service.InvalidParameter")
        }

        // Garbage and an oversized message: those connections are closed.
        let garbage = try VarlinkClient(path: harness.socketPath, timeout: 5)
        try garbage.sendRaw(Array("\u{01}\u{02}not json at all".utf8) + [0])
        let oversized = try VarlinkClient(path: harness.socketPath, timeout: 5)
        try? oversized.sendRaw([UInt8](repeating: UInt8(ascii: "x"), count: 200_000))
        // A client that connects and never sends anything.
        let silent = try VarlinkClient(path: harness.socketPath, timeout: 5)
        _ = silent

        // Everyone else is still served, quickly.
        let status = try harness.antre("status")
        #expect(status.status == 0, "\(status)")
        let issue = try harness.antre("issue", "kk")
        #expect(issue.status == 0, "\(issue)")
        #expect(harness.daemon?.isRunning == true)
    }

    @Test func connectionLimitAndIdleTimeoutCannotStallTheDaemon() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)",
                                        socketLines: ["max_connections = 3", "idle_timeout_s = 3"])
        try harness.start()
        defer { harness.stop() }
        // Three clients that connect and send half a message, then nothing.
        var hogs: [VarlinkClient] = []
        for _ in 0..<3 {
            let hog = try VarlinkClient(path: harness.socketPath, timeout: 5)
            try hog.sendRaw(Array("{\"method\":\"io.antre.Queue.St".utf8))
            hogs.append(hog)
        }
        usleep(200_000)
        // A fourth is over the limit: closed at once, not left hanging.
        let extra = try VarlinkClient(path: harness.socketPath, timeout: 2)
        let started = ContinuousClock.now
        #expect(throws: (any Error).self) { _ = try extra.call("io.antre.Queue.Status", [:]) }
        #expect(ContinuousClock.now - started < .seconds(2))
        // The idle ones are dropped after the timeout; officers get in again.
        #expect(try eventually(timeout: .seconds(10)) { try harness.antre("status").status == 0 })
        #expect(harness.log.contains("closing idle connection"))
        #expect(harness.log.contains("too many connections"))
        _ = hogs
    }

    @Test func checkConfigReportsOKOrEveryMistake() throws {
        let good = try run(Repo.executable("antred"), ["--check-config", "--config", Repo.shippedConfig])
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.hasPrefix("OK"), "\(good)")
        #expect(good.stdout.contains("ktp"))

        let directory = try TemporaryDirectory()
        let broken = directory.file("broken.toml")
        try """
            [office]
            name = "Kantor Desa Uji"

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefx = "T"
            """.write(toFile: broken, atomically: true, encoding: .utf8)
        let bad = try run(Repo.executable("antred"), ["--check-config", "--config", broken])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("\(broken):7: service[0].prefx: unknown key 'prefx'; did you mean 'prefix'?"), "\(bad)")
        #expect(bad.stderr.contains("service[0].prefix"), "\(bad)")
    }

    @Test func daemonRollsOverAtLocalMidnightWhileRunning() throws {
        // An office whose local midnight is a few seconds away.
        let secondsToMidnight = 6
        let now = Int(Date().timeIntervalSince1970)
        var offset = (86_400 - (now % 86_400) - secondsToMidnight) % 86_400
        if offset > 12 * 3600 { offset -= 86_400 }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        let zone = String(format: "UTC%@%02d:%02d:%02d", sign, magnitude / 3600, (magnitude % 3600) / 60, magnitude % 60)
        // Offsets beyond +-14 h are not valid time zones; skip the rare moments that need one.
        try #require(magnitude <= 14 * 3600, "offset \(zone) out of range at this time of day")

        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)", timezone: zone)
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let before = try json(try harness.antre("issue", "ktp", "--json"))
        #expect((before["ticket"] as? [String: Any])?["number"] as? String == "\(ktp.prefix)-001")
        let dayBefore = try json(try harness.antre("status", "--json"))["day"] as? String

        #expect(try eventually(timeout: .seconds(20)) {
            (try json(try harness.antre("status", "--json"))["day"] as? String) != dayBefore
        })
        // Yesterday's waiting ticket expired; numbering restarts at 001.
        let empty = try harness.antre("call", "--counter", "1")
        #expect(empty.status == 1, "yesterday's ticket is still callable: \(empty)")
        let after = try json(try harness.antre("issue", "ktp", "--json"))
        #expect((after["ticket"] as? [String: Any])?["number"] as? String == "\(ktp.prefix)-001")
        #expect(eventually { harness.log.contains("new day") })
    }
}
