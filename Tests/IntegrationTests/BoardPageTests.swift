import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// The waiting-room pages in a real browser (Debian's chromium, headless, through
/// chromedriver) against a running antred + antre-board, as the TV and a resident's
/// phone see them. Screenshots go to .build/test-artifacts/board/ (printed).
@Suite(.serialized)
struct BoardPageTests {
    static let artifacts = Repo.root + "/.build/test-artifacts/board"

    static func harness() throws -> DaemonHarness {
        let preview = try TemporaryDirectory(prefix: "antre-board-preview")
        let directory = try TemporaryDirectory(prefix: "antre-board-voice")
        return try DaemonHarness(printer: "preview:\(preview.path)", extraLines: [
            "[board]",
            "title = \"Antrean Kantor Desa Sukamaju\"",
            "running_text = \"Dokumen kependudukan GRATIS. Siapkan persyaratan sebelum dipanggil.\"",
            "services = [\"ktp\", \"kk\", \"akta-lahir\", \"domisili\", \"sktm\"]",
            "[board.voice]",
            "cache = \"\(directory.path)/cache\"",
        ])
    }

    static func issue(_ harness: DaemonHarness, _ service: String) throws -> String {
        let result = try harness.antre("issue", service, "--json")
        let ticket = try json(result)["ticket"] as? [String: Any]
        guard let number = ticket?["number"] as? String else { throw TestSupportError("issue failed: \(result)") }
        return number
    }

    static func call(_ harness: DaemonHarness, counter: String) throws -> String {
        let result = try harness.antre("call", "--counter", counter, "--json")
        guard let number = (try json(result)["ticket"] as? [String: Any])?["number"] as? String else {
            throw TestSupportError("call failed: \(result)")
        }
        return number
    }

    @Test(.timeLimit(.minutes(2)))
    func theTVBoardShowsCallsWithinOneSecondPlaysThemAndSurvivesAnAntredRestart() throws {
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        print("board screenshots: \(Self.artifacts)")
        let harness = try Self.harness()
        try harness.start()
        for service in ["ktp", "ktp", "ktp", "kk", "akta-lahir", "domisili"] { _ = try Self.issue(harness, service) }
        let (board, url) = try harness.startBoard()
        let browser = try WebDriver(outputDirectory: harness.directory.path)
        do {
            try browser.viewport(width: 1280, height: 720)
            try browser.open(url + "/")
            let connected = try browser.waitFor(.seconds(5)) {
                try browser.script("return document.body.dataset.connection;") as? String == "connected"
            }
            #expect(connected != nil, "the board did not connect:\n\(board.stderr)")
            #expect(try browser.text(".service[data-service='ktp'] .s-waiting") == "3")

            // A call shows within 1 s, and its announcement audio is requested.
            let first = try Self.call(harness, counter: "1")
            let shown = try browser.waitFor(.seconds(3)) { try browser.text("#latest-number") == first }
            #expect(shown != nil && shown! < .seconds(1), "call \(first) took \(String(describing: shown)) to show")
            #expect(try browser.text("#latest-counter") == "Loket 1")
            var requested: [String] = []
            let audio = try browser.waitFor(.seconds(15)) {
                requested += try browser.requestedURLs()
                return requested.contains { $0.hasPrefix(url + "/audio/") && $0.hasSuffix(".wav") }
            }
            #expect(audio != nil, "no /audio/*.wav requested: \(requested)\n\(board.stderr)")
            // ... and played to its end (chime + sentence, about 4 s).
            let played = try browser.waitFor(.seconds(10)) {
                (try browser.script("return document.body.dataset.played || '0';") as? String ?? "0") != "0"
            }
            #expect(played != nil, "the announcement did not play to its end")

            // More calls fill the history; a recall shows the number on top again, with a new flash.
            let second = try Self.call(harness, counter: "2")
            let third = try Self.call(harness, counter: "3")
            let before = try browser.script("return document.body.dataset.lastCall;") as? String
            _ = try harness.antre("recall", "--counter", "2")
            let recalled = try browser.waitFor(.seconds(2)) {
                let number = try browser.text("#latest-number")
                let last = try browser.script("return document.body.dataset.lastCall;") as? String
                return number == second && last != before
            }
            #expect(recalled != nil && recalled! < .seconds(1), "recall of \(second) not shown")
            #expect(try browser.script("return document.getElementById('latest-recall').hidden;") as? Bool == false)
            let history = try browser.script(
                "return Array.from(document.querySelectorAll('#history .h-number')).map(e => e.textContent);") as? [String]
            #expect(history == [third, first], "history \(String(describing: history))")
            #expect(try browser.script("return document.getElementById('latest').classList.contains('flash');") as? Bool == true)
            #expect(try browser.text(".service[data-service='ktp'] .s-waiting") == "2")

            usleep(3_000_000)  // let the flash settle for the pictures
            try browser.screenshot(to: Self.artifacts + "/tv-1280x720.png")
            try browser.viewport(width: 1920, height: 1080)
            usleep(300_000)
            try browser.screenshot(to: Self.artifacts + "/tv-1920x1080.png")

            // Nothing left 127.0.0.1 (no CDN, no fonts from outside).
            requested += try browser.requestedURLs()
            let outside = requested.filter { !$0.hasPrefix(url + "/") && !$0.hasPrefix("data:") }
            #expect(outside.isEmpty, "requests outside the board: \(outside)")
            #expect(!requested.isEmpty)

            // antred restarts: the page says reconnecting, recovers by itself; antre-board never exits.
            harness.stop()
            let away = try browser.waitFor(.seconds(8)) {
                let state = try browser.script("return document.body.dataset.connection;") as? String
                let hidden = try browser.script("return document.getElementById('connection').hidden;") as? Bool
                return state == "reconnecting" && hidden == false
            }
            #expect(away != nil, "the page did not say reconnecting")
            try browser.screenshot(to: Self.artifacts + "/tv-reconnecting.png")
            #expect(board.isRunning)
            usleep(2_000_000)
            #expect(board.isRunning, "antre-board exited while antred was away:\n\(board.stderr)")
            try harness.start()
            let back = try browser.waitFor(.seconds(10)) {
                try browser.script("return document.body.dataset.connection;") as? String == "connected"
            }
            #expect(back != nil, "the page did not recover:\n\(board.stderr)")
            let fourth = try Self.call(harness, counter: "1")
            let after = try browser.waitFor(.seconds(3)) { try browser.text("#latest-number") == fourth }
            #expect(after != nil && after! < .seconds(1), "call after the restart not shown")
            #expect(board.isRunning)
        } catch {
            browser.quit()
            throw error
        }
        browser.quit()
        board.terminate()
        #expect(board.waitForExit(timeout: .seconds(10)) == 0, "antre-board did not stop cleanly on SIGTERM")
    }

    @Test(.timeLimit(.minutes(2)))
    func thePhonePageShowsThePlaceInLineAndUpdatesOnACall() throws {
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        let harness = try Self.harness()
        try harness.start()
        var numbers: [String] = []
        for _ in 0..<4 { numbers.append(try Self.issue(harness, "ktp")) }
        let mine = numbers[3]
        let (board, url) = try harness.startBoard()
        let browser = try WebDriver(outputDirectory: harness.directory.path)
        do {
            try browser.viewport(width: 390, height: 844, mobile: true)
            try browser.open(url + "/t/" + mine)
            let loaded = try browser.waitFor(.seconds(5)) { try browser.text("#ahead") == "3" }
            let status = try browser.text("#my-status")
            #expect(loaded != nil, "ahead not 3; status: \(status)")
            #expect(try browser.text("#my-number") == mine)
            #expect(try browser.text("#my-service") == harness.service("ktp").name)
            let requirements = try browser.script("return document.querySelectorAll('#requirements li').length;") as? Int
            #expect((requirements ?? 0) > 0)

            // A call elsewhere in line: one fewer ahead, and the call is listed.
            let called = try Self.call(harness, counter: "1")
            let updated = try browser.waitFor(.seconds(3)) { try browser.text("#ahead") == "2" }
            let ahead = try browser.text("#ahead")
            #expect(updated != nil, "ahead after a call: \(ahead)")
            #expect(try browser.text("#now-calling .c-number") == called)
            try browser.screenshot(to: Self.artifacts + "/phone-390x844.png")

            // Their own number: the page says where to go.
            for _ in 0..<3 { _ = try Self.call(harness, counter: "1") }
            let mineCalled = try browser.waitFor(.seconds(3)) {
                (try browser.text("#my-status")).contains("Loket 1")
            }
            let calledStatus = try browser.text("#my-status")
            #expect(mineCalled != nil, "status: \(calledStatus)")
            #expect(try browser.script("return document.getElementById('card').classList.contains('called');") as? Bool == true)
            try browser.screenshot(to: Self.artifacts + "/phone-called-390x844.png")

            // Any other number: a friendly 404, nothing else.
            try browser.open(url + "/t/T-999")
            #expect(try browser.text("#not-found").contains("T-999"))
            try browser.screenshot(to: Self.artifacts + "/phone-404.png")
            try browser.open(url + "/t/%3Cscript%3E")
            #expect(try browser.text("#not-found").contains("tidak ditemukan"))
            #expect(!(try browser.text("body").contains("script")))
        } catch {
            browser.quit()
            throw error
        }
        browser.quit()
        #expect(board.isRunning)
    }
}
