import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// The officer's CLI against a running daemon with a preview printer.
@Suite(.serialized)
struct OfficerCommandTests {
    func previewHarness() throws -> (DaemonHarness, String) {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        return (harness, preview.path + "/out")
    }

    func previewTexts(_ directory: String) -> [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
        return files.compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }

    @Test func fullOfficerRoundOfCommands() throws {
        let (harness, preview) = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")
        let akta = try harness.service("akta-lahir")

        // Manual issue, as if the button were pressed: printed on the dispenser.
        let first = try harness.antre("issue", "ktp")
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("\(ktp.prefix)-001 issued for \(ktp.name), 0 ahead; printed"), "\(first)")
        let second = try harness.antre("issue", "ktp", "--json")
        let secondJSON = try json(second)
        #expect((secondJSON["ticket"] as? [String: Any])?["number"] as? String == "\(ktp.prefix)-002")
        #expect(secondJSON["ahead"] as? Int == 1)
        #expect(eventually { previewTexts(preview).count == 2 })
        #expect(collapsed(previewTexts(preview).joined()).contains(collapsed(ktp.requirements[0])))

        // Counter 1 serves ktp in the shipped config.
        let call = try harness.antre("call", "--counter", "1")
        #expect(call.stdout.contains("\(ktp.prefix)-001 \(ktp.name) -> Loket 1 (1 menunggu)"), "\(call)")
        let recall = try harness.antre("recall", "--counter", "1")
        #expect(recall.stdout.contains("\(ktp.prefix)-001 recalled at Loket 1"), "\(recall)")
        let skip = try harness.antre("skip", "--counter", "1")
        #expect(skip.stdout.contains("\(ktp.prefix)-001 skipped"), "\(skip)")
        let skipAgain = try harness.antre("skip", "--counter", "1")
        #expect(skipAgain.status == 1)
        #expect(skipAgain.stderr.contains("no ticket is called at counter 1"), "\(skipAgain)")

        // Transfer the waiting ktp ticket to akta: Loket 2 (akta) can now call it.
        let transfer = try harness.antre("transfer", "\(ktp.prefix)-002", "--to", "akta-lahir")
        #expect(transfer.stdout.contains("\(ktp.prefix)-002 -> akta-lahir (waiting)"), "\(transfer)")
        let empty = try harness.antre("call", "--counter", "1")
        #expect(empty.status == 1, "\(empty)")
        #expect(empty.stderr.contains("no ticket waiting"), "\(empty)")
        let callAkta = try harness.antre("call", "--counter", "2")
        #expect(callAkta.stdout.contains("\(ktp.prefix)-002 \(akta.name) -> Loket 2 (0 menunggu)"), "\(callAkta)")
        let finish = try harness.antre("finish", "--counter", "2")
        #expect(finish.stdout.contains("\(ktp.prefix)-002 served"), "\(finish)")

        // Reprint prints the same number again, marked as a reprint.
        let reprint = try harness.antre("reprint", "\(ktp.prefix)-001")
        #expect(reprint.status == 0, "\(reprint)")
        #expect(eventually { previewTexts(preview).count == 3 })
        let reprinted = previewTexts(preview).last ?? ""
        #expect(reprinted.contains("\(ktp.prefix)-001"))
        #expect(reprinted.contains("CETAK ULANG"))
        // T-001 was skipped: the reprint gives no place in line (not "0 orang", not "next").
        #expect(reprinted.contains("Dicetak ulang "), "\(reprinted)")
        #expect(!reprinted.contains("Menunggu") && !reprinted.contains("Anda berikutnya"), "\(reprinted)")
        // The first ticket had nobody ahead, and its time carries the zone.
        let firstPaper = previewTexts(preview).first ?? ""
        #expect(firstPaper.contains("Anda berikutnya") && !firstPaper.contains("0 orang"), "\(firstPaper)")
        #expect(firstPaper.contains(" WIB"), "\(firstPaper)")

        // Status in text and JSON.
        let status = try harness.antre("status")
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains(harness.shipped.office.name))
        let statusJSON = try json(try harness.antre("status", "--json"))
        let services = try #require(statusJSON["services"] as? [[String: Any]])
        let ktpLine = try #require(services.first { $0["service"] as? String == "ktp" })
        #expect(ktpLine["issued"] as? Int == 2)
        #expect(ktpLine["skipped"] as? Int == 1)
        let aktaLine = try #require(services.first { $0["service"] as? String == "akta-lahir" })
        #expect(aktaLine["served"] as? Int == 1, "\(aktaLine) \(akta.id)")

        // Unknown names get clear errors and change nothing.
        let badService = try harness.antre("issue", "paspor")
        #expect(badService.status == 1)
        #expect(badService.stderr.contains("unknown service 'paspor'"), "\(badService)")
        let badCounter = try harness.antre("call", "--counter", "9")
        #expect(badCounter.status == 1)
        #expect(badCounter.stderr.contains("unknown counter '9'"), "\(badCounter)")
    }

    @Test func concurrentCallsNeverShareATicket() throws {
        let (harness, _) = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        for _ in 0..<12 { #expect(try harness.antre("issue", "ktp").status == 0) }
        // Twelve calls at once (counter 1 serves ktp; each call auto-finishes the
        // previous one there and must take a fresh ticket).
        let group = DispatchGroup()
        let results = Results()
        for index in 0..<12 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                let result = try? harness.antre("call", "--counter", "1", "--json")
                if let result, result.status == 0, let object = try? json(result),
                   let number = (object["ticket"] as? [String: Any])?["number"] as? String {
                    results.add(number: number)
                } else {
                    results.add(failure: "call \(index): \(String(describing: result))")
                }
            }
        }
        group.wait()
        let (numbers, failures) = results.values
        #expect(failures.isEmpty, "\(failures)")
        #expect(numbers.count == 12)
        #expect(Set(numbers).count == numbers.count, "a ticket was called twice: \(numbers.sorted())")
    }

    @Test func cliExplainsWhenTheDaemonIsNotRunning() throws {
        let directory = try TemporaryDirectory()
        let result = try run(Repo.executable("antre"), ["status", "--socket", directory.file("none.sock")])
        #expect(result.status == 3, "\(result)")
        #expect(result.stderr.contains("antred is not running"), "\(result)")
    }

    @Test func previewOf58mmTicketIsLaidOutAt32ColumnsWithAPicture() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out", paper: 58)
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "kk").status == 0)
        #expect(eventually { previewTexts(preview.path + "/out").count == 1 })
        let paper = previewTexts(preview.path + "/out").first ?? ""
        let lines = paper.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 10)
        #expect(lines.allSatisfy { $0.count <= 32 }, "wider than 58 mm paper:\n\(paper)")
        #expect(lines.contains { $0.count > 24 }, "not using the paper's width:\n\(paper)")

        // A picture of the slip beside the text: a PNG read back by netpbm (not our
        // encoder), as wide as 58 mm paper plus margins, with ink on it.
        let pictures = ((try? FileManager.default.contentsOfDirectory(atPath: preview.path + "/out")) ?? [])
            .filter { $0.hasSuffix(".png") }
        #expect(pictures.count == 1)
        let picture = try PNGProbe(path: preview.path + "/out/" + (pictures.first ?? ""))
        #expect(picture.width == 384 + 32)
        #expect(picture.height > 600, "a whole ticket is taller: \(picture.height)")
        #expect(picture.inkShare > 0.02 && picture.inkShare < 0.4, "blank or black: \(picture.inkShare)")
    }

    /// Completes `words` (the last one being typed) in a real bash with antre's generated script.
    func bashCompletions(_ words: [String], environment: [String: String] = [:]) throws -> [String] {
        let script = try run(Repo.executable("antre"), ["--generate-completion-script", "bash"])
        let directory = try TemporaryDirectory(prefix: "antre-completion")
        try script.stdout.write(toFile: directory.file("antre.bash"), atomically: true, encoding: .utf8)
        let quoted = words.map { "'" + $0 + "'" }.joined(separator: " ")
        let program = """
            source \(directory.file("antre.bash"))
            COMP_WORDS=(\(quoted)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
            _antre antre "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try run("/bin/bash", ["-c", program], environment: environment.merging(
            ["PATH": (Repo.root + "/.build/debug:") + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]) { a, _ in a })
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func shellCompletionOffersServicesCountersAndTodaysNumbers() throws {
        let (harness, _) = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        #expect(try harness.antre("issue", "ktp").status == 0)
        #expect(try harness.antre("issue", "ktp").status == 0)
        let socket = harness.socketPath
        let ids = harness.shipped.services.map(\.id)

        // From the running daemon.
        #expect(try bashCompletions(["antre", "issue", "--socket", socket, ""]).sorted() == ids.sorted())
        #expect(try bashCompletions(["antre", "issue", "--socket", socket, "ak"]) == ["akta-lahir", "akta-mati"])
        #expect(try bashCompletions(["antre", "call", "--socket", socket, "--counter", ""]).sorted()
                == harness.shipped.counters.map(\.id).sorted())
        #expect(try bashCompletions(["antre", "reprint", "--socket", socket, ""]).sorted() == ["T-001", "T-002"])
        #expect(try bashCompletions(["antre", "transfer", "--socket", socket, "T-002", "--to", "k"]).sorted()
                == ["kia", "kk", "ktp"])

        // With antred away, from the config file.
        let offline = try bashCompletions(["antre", "issue", "--socket", "/nonexistent.sock", ""],
                                          environment: ["ANTRE_CONFIG": harness.configPath])
        #expect(offline.sorted() == ids.sorted())
    }

    @Test(.timeLimit(.minutes(10)))
    func manPagesAreGeneratedFromTheBuild() throws {
        let out = try TemporaryDirectory(prefix: "antre-man")
        let result = try run(Repo.root + "/scripts/gen-man.sh", [out.path, "antred:8", "antre:1"],
                             environment: ["BIN": Repo.root + "/.build/debug"], timeout: .seconds(540))
        #expect(result.status == 0, "\(result)")
        let antre = (try? String(contentsOfFile: out.file("antre.1"), encoding: .utf8)) ?? ""
        for command in ["call", "recall", "skip", "finish", "transfer", "issue", "reprint", "status", "monitor"] {
            #expect(antre.contains(command), "antre.1 lacks \(command)")
        }
        let antred = (try? String(contentsOfFile: out.file("antred.8"), encoding: .utf8)) ?? ""
        #expect(antred.contains("check-config"), "\(antred)")
    }

    @Test func monitorFollowsAcrossADaemonRestart() throws {
        let (harness, _) = try previewHarness()
        try harness.start()
        defer { harness.stop() }
        let output = try TemporaryDirectory(prefix: "antre-monitor")
        let follower = try ChildProcess(executable: Repo.executable("antre"),
                                        arguments: ["monitor", "--socket", harness.socketPath],
                                        outputDirectory: output.path, name: "follow")
        let once = try ChildProcess(executable: Repo.executable("antre"),
                                    arguments: ["monitor", "--once", "--socket", harness.socketPath],
                                    outputDirectory: output.path, name: "once")
        defer {
            follower.kill(SIGKILL)
            once.kill(SIGKILL)
        }
        #expect(try harness.antre("issue", "ktp").status == 0)
        let ktp = try harness.service("ktp")
        #expect(follower.waitForLine(containing: "\(ktp.prefix)-001", timeout: .seconds(5)) != nil, "\(follower.stdout)")

        harness.stop()
        #expect(once.waitForExit(timeout: .seconds(10)) == 3, "\(once.stderr)")
        #expect(eventually { follower.stderr.contains("reconnecting...") }, "\(follower.stderr)")
        #expect(follower.isRunning)

        try harness.start()
        // Events while it was away are not replayed; from the reconnect on, all are.
        #expect(eventually { follower.stderr.contains("connected to antred again") }, "\(follower.stderr)")
        usleep(200_000)
        #expect(try harness.antre("issue", "ktp").status == 0)
        #expect(follower.waitForLine(containing: "\(ktp.prefix)-002", timeout: .seconds(10)) != nil,
                "stdout: \(follower.stdout)\nstderr: \(follower.stderr)")
    }
}

/// Results gathered from concurrent CLI runs.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var numbers: [String] = []
    private var failures: [String] = []
    func add(number: String) { lock.withLock { numbers.append(number) } }
    func add(failure: String) { lock.withLock { failures.append(failure) } }
    var values: ([String], [String]) { lock.withLock { (numbers, failures) } }
}
