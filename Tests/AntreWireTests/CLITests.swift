#if canImport(Glibc)
import Glibc
#endif
import AntreWire
import Foundation
import Testing

/// Runs the built `antre` executable (swift test builds it with the tests).
@Suite struct CLITests {
    static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/antre").path
    static let built = FileManager.default.isExecutableFile(atPath: binary)

    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func antre(_ arguments: [String], environment: [String: String] = [:],
                      prefix: [String] = []) async throws -> Run {
        try await onThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: prefix.first ?? binary)
            process.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [binary]) + arguments
            var env = ProcessInfo.processInfo.environment
            env["ANTRE_COUNTER"] = nil
            env["ANTRE_SOCKET"] = nil
            // English unless a test asks: no language from the caller's shell or /etc/antre.
            env["ANTRE_LANG"] = nil
            env["ANTRE_CONFIG"] = "/nonexistent/antre.toml"
            env.merge(environment) { $1 }
            process.environment = env
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    @Test(.enabled(if: built, "antre not built"))
    func missingDaemonExits3WithAClearMessage() async throws {
        let path = "/tmp/aw-none-\(UUID().uuidString.prefix(8))/antred.sock"
        let run = try await Self.antre(["status", "--socket", path])
        #expect(run.status == 3)
        #expect(run.stderr == "antre: antred is not running (no socket at \(path))\n")
        #expect(run.stdout.isEmpty)
        // ANTRE_SOCKET is the default for --socket.
        let byEnv = try await Self.antre(["status"], environment: ["ANTRE_SOCKET": path])
        #expect(byEnv.stderr == "antre: antred is not running (no socket at \(path))\n")
    }

    /// Root cannot get EACCES, so run antre as nobody against a socket in a
    /// 0700 directory (like /run/antre without the antre group).
    @Test(.enabled(if: built && getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv to run as another user"))
    func permissionDeniedNamesTheGroup() async throws {
        let server = try TestVarlinkServer()
        #expect(chmod(server.directory, 0o700) == 0)
        let run = try await Self.antre(["status", "--socket", server.path],
                                       prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(run.status == 3)
        #expect(run.stderr == "antre: permission denied on \(server.path): are you in the antre group?\n")
        // The same socket works for root.
        let asRoot = try await Self.antre(["status", "--socket", server.path])
        #expect(asRoot.status == 0)
    }

    /// The one copy of the IDL, printed for tools and for `make install`.
    @Test(.enabled(if: built, "antre not built"))
    func idlPrintsTheInterfaceWithoutADaemon() async throws {
        let run = try await Self.antre(["idl"], environment: ["ANTRE_SOCKET": "/nonexistent/antred.sock"])
        #expect(run.status == 0)
        #expect(run.stdout == QueueInterface.idl)
        #expect(try VarlinkIDL(parsing: run.stdout).name == "io.antre.Queue")
        #expect(run.stderr.isEmpty)
    }

    @Test(.enabled(if: built, "antre not built"))
    func callPrintsTicketAndCounter() async throws {
        let server = try TestVarlinkServer()
        let run = try await Self.antre(["call", "--socket", server.path], environment: ["ANTRE_COUNTER": "loket2"])
        #expect(run.stdout == "B-012 Kartu Keluarga -> Loket 2 (4 menunggu)\n")
        #expect(run.status == 0)
        let refused = try await Self.antre(["call", "--socket", server.path, "--counter", "loket1", "--service", "ktp"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "antre: no ticket waiting for counter loket1 (services: ktp)\n")
    }

    @Test(.enabled(if: built, "antre not built"))
    func jsonPrintsTheReplyParameters() async throws {
        let server = try TestVarlinkServer()
        let run = try await Self.antre(["transfer", "b12", "--to", "akta-lahir", "--json", "--socket", server.path])
        #expect(run.status == 0)
        let value = try JSONValue.parse(Array(run.stdout.utf8))
        let reply = try value.decode(as: TicketReply.self)
        #expect(reply.ticket.service == "akta-lahir")
        // Sorted keys, indented.
        #expect(run.stdout.hasPrefix("{\n  \"ticket\" : {\n    \"call_count\" : 1,\n"))
    }

    @Test(.enabled(if: built, "antre not built"))
    func statusPrintsTheTable() async throws {
        let server = try TestVarlinkServer()
        let run = try await Self.antre(["status", "--socket", server.path])
        #expect(run.status == 0)
        #expect(run.stdout == QueueText.status(Samples.status) + "\n")
        #expect(run.stdout.contains("lobby    usb:0416:5011  down        3        1  paper out"))
    }

    @Test(.enabled(if: built, "antre not built"))
    func usageErrorsExit2() async throws {
        let noCounter = try await Self.antre(["call", "--socket", "/nonexistent.sock"])
        #expect(noCounter.status == 2)
        #expect(noCounter.stderr.hasPrefix("antre: missing --counter (or set ANTRE_COUNTER)"))
        let badNumber = try await Self.antre(["reprint", "12B", "--socket", "/nonexistent.sock"])
        #expect(badNumber.status == 2)
        #expect(badNumber.stderr.hasPrefix("antre: '12B' is not a ticket number (like B-012)"))
        let unknownOption = try await Self.antre(["status", "--frobnicate"])
        #expect(unknownOption.status == 2)
    }

    @Test(.enabled(if: built, "antre not built"))
    func helpDocumentsExitCodes() async throws {
        let run = try await Self.antre(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("3  antred is not reachable"))
        #expect(run.stdout.contains("2  usage error"))
    }

    @Test(.enabled(if: built, "antre not built"))
    func globalOptionsGoBeforeOrAfterTheSubcommand() async throws {
        let server = try TestVarlinkServer()
        let before = try await Self.antre(["--socket", server.path, "--json", "status"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.hasPrefix("{"))
        let equals = try await Self.antre(["--socket=\(server.path)", "--counter", "loket2", "call"])
        #expect(equals.status == 0, "\(equals.stderr)")
        #expect(equals.stdout == "B-012 Kartu Keluarga -> Loket 2 (4 menunggu)\n")
        let after = try await Self.antre(["call", "--counter", "loket2", "--socket", server.path])
        #expect(after.stdout == equals.stdout)
        // A ticket selection takes the global --counter too.
        let recall = try await Self.antre(["--counter", "loket2", "recall", "--socket", server.path])
        #expect(recall.status == 0, "\(recall.stderr)")
    }

    @Test(.enabled(if: built, "antre not built"))
    func jsonErrorsAreJSONOnStderrWithTheSameExitCodes() async throws {
        let server = try TestVarlinkServer()
        let refused = try await Self.antre(["call", "--json", "--socket", server.path, "--counter", "loket1",
                                            "--service", "ktp"])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        let object = try JSONValue.parse(Array(refused.stderr.utf8)).objectValue ?? [:]
        #expect(object["error"] == .string("io.antre.Queue.NoTicketWaiting"), "\(refused.stderr)")
        #expect(object["message"] == .string("no ticket waiting for counter loket1 (services: ktp)"))

        let path = "/tmp/aw-none-\(UUID().uuidString.prefix(8))/antred.sock"
        let gone = try await Self.antre(["--json", "status", "--socket", path])
        #expect(gone.status == 3)
        let goneObject = try JSONValue.parse(Array(gone.stderr.utf8)).objectValue ?? [:]
        #expect(goneObject["error"] == .string("antre.Unreachable"), "\(gone.stderr)")

        let usage = try await Self.antre(["reprint", "12B", "--json", "--socket", path])
        #expect(usage.status == 2)
        let usageObject = try JSONValue.parse(Array(usage.stderr.utf8)).objectValue ?? [:]
        #expect(usageObject["error"] == .string("antre.UsageError"), "\(usage.stderr)")
    }

    @Test(.enabled(if: built, "antre not built"))
    func issueHelpSaysWhereTheTicketIsPrinted() async throws {
        let run = try await Self.antre(["issue", "--help"])
        #expect(run.status == 0)
        let text = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("else on the dispenser that has a button for the service, else on the first dispenser"),
                "\(run.stdout)")
        #expect(!text.contains("printed when --dispenser is given"))
    }

    static let shippedConfig = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/antre.toml").path

    /// --lang > ANTRE_LANG > the config's [office] language > English.
    @Test(.enabled(if: built, "antre not built"))
    func languageComesFromOptionEnvironmentOrConfig() async throws {
        let server = try TestVarlinkServer()
        let indonesian = "B-012 dipanggil ke Loket 2 (Kartu Keluarga); 4 masih menunggu\n"
        let english = "B-012 Kartu Keluarga -> Loket 2 (4 menunggu)\n"
        let call = ["call", "--socket", server.path, "--counter", "loket2"]
        let byOption = try await Self.antre(["--lang", "id"] + call)
        #expect(byOption.stdout == indonesian, "\(byOption.stderr)")
        let byEnv = try await Self.antre(call, environment: ["ANTRE_LANG": "id"])
        #expect(byEnv.stdout == indonesian, "\(byEnv.stderr)")
        // The shipped config says language = "id".
        let shipped = try String(contentsOfFile: Self.shippedConfig, encoding: .utf8)
        #expect(shipped.contains("\nlanguage = \"id\""))
        let byConfig = try await Self.antre(call, environment: ["ANTRE_CONFIG": Self.shippedConfig])
        #expect(byConfig.stdout == indonesian, "\(byConfig.stderr)")
        // Without the key the CLI stays English (the config's "id" default is for tickets).
        let directory = "/tmp/aw-lang-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let withoutKey = shipped.replacingOccurrences(of: "\nlanguage = \"id\"", with: "\n")
        try withoutKey.write(toFile: directory + "/antre.toml", atomically: true, encoding: .utf8)
        let noKey = try await Self.antre(call, environment: ["ANTRE_CONFIG": directory + "/antre.toml"])
        #expect(noKey.stdout == english, "\(noKey.stderr)")
        // The option beats the environment, the environment beats the config.
        let optionWins = try await Self.antre(call + ["--lang", "en"], environment: ["ANTRE_LANG": "id"])
        #expect(optionWins.stdout == english)
        let envWins = try await Self.antre(call, environment: ["ANTRE_LANG": "en", "ANTRE_CONFIG": Self.shippedConfig])
        #expect(envWins.stdout == english)
        // An unreadable config is no error; a bad --lang is.
        let unreadable = try await Self.antre(call, environment: ["ANTRE_CONFIG": directory])
        #expect(unreadable.status == 0 && unreadable.stdout == english)
        let bad = try await Self.antre(call + ["--lang", "fr"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("fr"), "\(bad.stderr)")
    }

    @Test(.enabled(if: built, "antre not built"))
    func indonesianStatusAndErrors() async throws {
        let server = try TestVarlinkServer()
        let id = ["ANTRE_LANG": "id"]
        let status = try await Self.antre(["status", "--socket", server.path], environment: id)
        #expect(status.status == 0)
        #expect(status.stdout == QueueText.status(Samples.status, in: .id) + "\n")
        #expect(status.stdout.contains("LAYANAN") && status.stdout.contains("LOKET") && status.stdout.contains("MENUNGGU"))

        let refused = try await Self.antre(["call", "--socket", server.path, "--counter", "loket1", "--service", "ktp"],
                                           environment: id)
        #expect(refused.status == 1)
        #expect(refused.stderr == "antre: tidak ada antrean untuk loket loket1 (layanan: ktp)\n")

        let path = "/tmp/aw-none-\(UUID().uuidString.prefix(8))/antred.sock"
        let gone = try await Self.antre(["status", "--socket", path], environment: id)
        #expect(gone.status == 3)
        #expect(gone.stderr == "antre: antred tidak dapat dihubungi: antred tidak berjalan (tidak ada socket di \(path))\n")

        let noCounter = try await Self.antre(["call", "--socket", path], environment: id)
        #expect(noCounter.status == 2)
        #expect(noCounter.stderr.hasPrefix("antre: --counter belum diisi (atau atur ANTRE_COUNTER)"), "\(noCounter.stderr)")
        let badNumber = try await Self.antre(["reprint", "12B", "--socket", path], environment: id)
        #expect(badNumber.stderr.hasPrefix("antre: '12B' bukan nomor antrean (contoh: B-012)"), "\(badNumber.stderr)")
    }

    /// --json is a contract: the same JSON, the Varlink error name and English text in either language.
    @Test(.enabled(if: built, "antre not built"))
    func jsonIsTheSameInIndonesian() async throws {
        let server = try TestVarlinkServer()
        let id = ["ANTRE_LANG": "id"]
        let status = try await Self.antre(["status", "--json", "--socket", server.path], environment: id)
        let english = try await Self.antre(["status", "--json", "--socket", server.path])
        #expect(status.status == 0 && status.stdout == english.stdout)
        let refused = try await Self.antre(["--lang", "id", "--json", "call", "--socket", server.path,
                                            "--counter", "loket1", "--service", "ktp"], environment: id)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        let object = try JSONValue.parse(Array(refused.stderr.utf8)).objectValue ?? [:]
        #expect(object["error"] == .string("io.antre.Queue.NoTicketWaiting"), "\(refused.stderr)")
        #expect(object["message"] == .string("no ticket waiting for counter loket1 (services: ktp)"))
        let usage = try await Self.antre(["reprint", "12B", "--json", "--socket", server.path], environment: id)
        #expect(usage.status == 2)
        let usageObject = try JSONValue.parse(Array(usage.stderr.utf8)).objectValue ?? [:]
        #expect(usageObject["error"] == .string("antre.UsageError"), "\(usage.stderr)")
    }
}
