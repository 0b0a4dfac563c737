import AntreTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Debian's chromium driven over WebDriver HTTP by chromedriver, headless (root needs
/// --no-sandbox). Only loopback: chromedriver listens on 127.0.0.1, the pages are local.
final class WebDriver: @unchecked Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    private let driver: ChildProcess
    private let base: String
    private let session: String

    /// Starts chromedriver and one browser session with the performance (network) log on.
    init(outputDirectory: String) async throws {
        for tool in [Self.chromium, Self.chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSupportError("\(tool) is missing: run scripts/install-deps.sh (apt-get install chromium chromium-driver)")
        }
        let port = try FreePort.tcp()
        driver = try ChildProcess(executable: Self.chromedriver, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1"],
                                  outputDirectory: outputDirectory, name: "chromedriver")
        base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? await Self.request("GET", base + "/status", nil)) == nil {
            guard ContinuousClock.now < deadline, driver.isRunning else {
                throw TestSupportError("chromedriver did not start:\n\(driver.stderr)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Self.chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--window-size=1280,720", "--autoplay-policy=no-user-gesture-required",
                                            "--no-first-run", "--disable-background-networking",
                                            "--disable-component-update", "--disable-sync", "--lang=id-ID"]],
            "goog:loggingPrefs": ["performance": "ALL", "browser": "ALL"],
        ] as [String: Any]]]
        let reply = try await Self.request("POST", base + "/session", capabilities)
        guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw TestSupportError("chromedriver gave no session: \(reply)\n\(driver.stderr)")
        }
        session = id
    }

    /// Ends the browser and chromedriver.
    func quit() async {
        _ = try? await Self.request("DELETE", base + "/session/" + session, nil)
        driver.kill(SIGTERM)
        _ = driver.waitForExit(timeout: .seconds(5))
    }

    /// The viewport in CSS pixels, as on a TV (1280x720) or a phone (390x844, mobile).
    func viewport(width: Int, height: Int, mobile: Bool = false) async throws {
        _ = try await command("goog/cdp/execute", ["cmd": "Emulation.setDeviceMetricsOverride",
                                                   "params": ["width": width, "height": height, "deviceScaleFactor": 1,
                                                              "mobile": mobile] as [String: Any]])
    }

    func open(_ url: String) async throws { _ = try await command("url", ["url": url]) }

    /// Runs a script in the page; `return` gives the value.
    func script(_ source: String) async throws -> Any? {
        try await command("execute/sync", ["script": source, "args": [Any]()])["value"]
    }

    func text(_ selector: String) async throws -> String {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        return (try await script("var e = document.querySelector(\(quoted)[0]); return e ? e.textContent.trim() : null;")
            as? String) ?? ""
    }

    /// Polls `condition` every 50 ms; the time it took, or nil after `timeout`.
    func waitFor(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func screenshot(to path: String) async throws {
        guard let base64 = try await command("screenshot", nil, method: "GET")["value"] as? String,
              let data = Data(base64Encoded: base64) else { throw TestSupportError("no screenshot") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// URLs the browser requested since the last call (from the performance log).
    func requestedURLs() async throws -> [String] {
        let entries = try await command("se/log", ["type": "performance"])["value"] as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let text = entry["message"] as? String,
                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let message = object["message"] as? [String: Any],
                  message["method"] as? String == "Network.requestWillBeSent",
                  let params = message["params"] as? [String: Any],
                  let request = params["request"] as? [String: Any] else { return nil }
            return request["url"] as? String
        }
    }

    private func command(_ path: String, _ body: [String: Any]?, method: String = "POST") async throws -> [String: Any] {
        let reply = try await Self.request(method, base + "/session/" + session + "/" + path, body)
        if let value = reply["value"] as? [String: Any], let error = value["error"] as? String {
            throw TestSupportError("webdriver \(path): \(error): \(value["message"] ?? "")")
        }
        return reply
    }

    private static func request(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        guard let target = URL(string: url) else { throw TestSupportError("bad url \(url)") }
        var request = URLRequest(url: target, timeoutInterval: 30)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
