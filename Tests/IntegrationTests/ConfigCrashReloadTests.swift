import AntreTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Config typos that made the TOML parser abort the process (found by
/// Fuzz/FuzzConfig): `antre reload` or SIGHUP with one of them killed the
/// running daemon. Now the reload is refused and the office keeps its queue.
@Suite(.serialized)
struct ConfigCrashReloadTests {
    @Test func reloadWithParserCrashingTypoIsRefusedAndDaemonKeepsServing() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "ktp").status == 0)
        let original = harness.configText

        harness.configText = original + "\n[*paspor]]\nid = \"paspor\"\n"
        let reload = try harness.antre("reload")
        #expect(reload.status == 1, "\(reload)")
        #expect(reload.stderr.contains("a table header needs a name after '['"), "\(reload)")

        // SIGHUP with another crashing shape: logged, old config kept.
        harness.configText = original.replacingOccurrences(of: "[office]\n", with: "[office]\nx = [1, }]\n")
        harness.daemon?.kill(SIGHUP)
        #expect(try eventually { harness.log.contains("'}' inside an array") }, "\(harness.log)")

        #expect(harness.daemon?.isRunning == true, "antred died: \(harness.log)")
        let issued = try harness.antre("issue", "kk")
        #expect(issued.status == 0, "\(issued)")
        #expect(try harness.antre("status").status == 0)
    }
}
