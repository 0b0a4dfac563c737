import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// `language = "id"` in the office config: the real antre speaks Indonesian to
/// the real antred, and --json stays the scripts' contract.
@Suite(.serialized)
struct OfficerLanguageTests {
    @Test func indonesianOfficeGetsIndonesianCommands() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        #expect(try String(contentsOfFile: harness.configPath, encoding: .utf8).contains("language = \"id\""))
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        // The CLI finds the config as completions do: ANTRE_CONFIG.
        let office = ["ANTRE_CONFIG": harness.configPath]

        let issue = try harness.antre(["issue", "ktp"], environment: office)
        #expect(issue.status == 0, "\(issue)")
        #expect(issue.stdout == "\(ktp.prefix)-001 diambil untuk \(ktp.name), 0 orang di depannya; tercetak\n", "\(issue)")
        _ = try harness.antre(["issue", "ktp"], environment: office)

        let call = try harness.antre(["call", "--counter", "1"], environment: office)
        #expect(call.status == 0, "\(call)")
        #expect(call.stdout == "\(ktp.prefix)-001 dipanggil ke Loket 1 (\(ktp.name)); 1 masih menunggu\n", "\(call)")

        let status = try harness.antre(["status"], environment: office)
        #expect(status.status == 0, "\(status)")
        for heading in ["LAYANAN", "MENUNGGU", "DILAYANI", "DILEWATI", "LOKET", "SEKARANG", "PRINTER"] {
            #expect(status.stdout.contains(heading), "\(heading) missing:\n\(status.stdout)")
        }
        #expect(status.stdout.contains("\(ktp.prefix)-001 sejak "), "\(status.stdout)")
        #expect(!status.stdout.contains("SERVICE") && !status.stdout.contains("WAITING"), "\(status.stdout)")

        // Nothing waits for Loket 1 after the second ktp ticket is called: a refusal, in Indonesian.
        _ = try harness.antre(["call", "--counter", "1"], environment: office)
        let refused = try harness.antre(["call", "--counter", "1", "--service", "ktp"], environment: office)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr == "antre: tidak ada antrean untuk loket 1 (layanan: ktp)\n", "\(refused)")
        #expect(refused.stdout.isEmpty)

        // --json: the same refusal is JSON on stderr with the Varlink error name.
        let json = try harness.antre(["call", "--counter", "1", "--service", "ktp", "--json"], environment: office)
        #expect(json.status == 1, "\(json)")
        #expect(json.stdout.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any] ?? [:]
        #expect(object["error"] as? String == "io.antre.Queue.NoTicketWaiting", "\(json)")
        #expect(object["message"] as? String == "no ticket waiting for counter 1 (services: ktp)", "\(json)")

        // English stays available over the same config.
        let english = try harness.antre(["skip", "--counter", "1", "--lang", "en"], environment: office)
        #expect(english.stdout == "\(ktp.prefix)-002 skipped\n", "\(english)")
        let skipAgain = try harness.antre(["skip", "--counter", "1"], environment: office)
        #expect(skipAgain.status == 1)
        #expect(skipAgain.stderr == "antre: tidak ada nomor yang sedang dipanggil di loket 1\n", "\(skipAgain)")
    }
}
