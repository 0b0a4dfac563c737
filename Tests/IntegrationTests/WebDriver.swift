import AntreTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
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
    init(outputDirectory: String) throws {
        for tool in [Self.chromium, Self.chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSupportError("\(tool) is missing: run scripts/install-deps.sh (apt-get install chromium chromium-driver)")
        }
        let port = try FreePort.tcp()
        driver = try ChildProcess(executable: Self.chromedriver, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1"],
                                  outputDirectory: outputDirectory, name: "chromedriver")
        base = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? Self.request("GET", base + "/status", nil)) == nil {
            guard ContinuousClock.now < deadline, driver.isRunning else {
                throw TestSupportError("chromedriver did not start:\n\(driver.stderr)")
            }
            usleep(100_000)
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
        let reply = try Self.request("POST", base + "/session", capabilities)
        guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw TestSupportError("chromedriver gave no session: \(reply)\n\(driver.stderr)")
        }
        session = id
    }

    /// Ends the browser and chromedriver.
    func quit() {
        _ = try? Self.request("DELETE", base + "/session/" + session, nil)
        driver.kill(SIGTERM)
        _ = driver.waitForExit(timeout: .seconds(5))
    }

    /// The viewport in CSS pixels, as on a TV (1280x720) or a phone (390x844, mobile).
    func viewport(width: Int, height: Int, mobile: Bool = false) throws {
        _ = try command("goog/cdp/execute", ["cmd": "Emulation.setDeviceMetricsOverride",
                                                   "params": ["width": width, "height": height, "deviceScaleFactor": 1,
                                                              "mobile": mobile] as [String: Any]])
    }

    func open(_ url: String) throws { _ = try command("url", ["url": url]) }

    /// Runs a script in the page; `return` gives the value.
    func script(_ source: String) throws -> Any? {
        try command("execute/sync", ["script": source, "args": [Any]()])["value"]
    }

    func text(_ selector: String) throws -> String {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        return (try script("var e = document.querySelector(\(quoted)[0]); return e ? e.textContent.trim() : null;")
            as? String) ?? ""
    }

    /// Polls `condition` every 50 ms; the time it took, or nil after `timeout`.
    func waitFor(_ timeout: Duration, _ condition: () throws -> Bool) throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try condition() { return ContinuousClock.now - start }
            usleep(50_000)
        }
        return nil
    }

    func screenshot(to path: String) throws {
        guard let base64 = try command("screenshot", nil, method: "GET")["value"] as? String,
              let data = Data(base64Encoded: base64) else { throw TestSupportError("no screenshot") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// URLs the browser requested since the last call (from the performance log).
    func requestedURLs() throws -> [String] {
        let entries = try command("se/log", ["type": "performance"])["value"] as? [[String: Any]] ?? []
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

    private func command(_ path: String, _ body: [String: Any]?, method: String = "POST") throws -> [String: Any] {
        let reply = try Self.request(method, base + "/session/" + session + "/" + path, body)
        if let value = reply["value"] as? [String: Any], let error = value["error"] as? String {
            throw TestSupportError("webdriver \(path): \(error): \(value["message"] ?? "")")
        }
        return reply
    }

    /// One HTTP/1.1 exchange with chromedriver on loopback (Connection: close; read to EOF).
    static func request(_ method: String, _ url: String, _ body: [String: Any]?) throws -> [String: Any] {
        guard let components = URLComponents(string: url), let port = components.port else {
            throw TestSupportError("bad url \(url)")
        }
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var head = "\(method) \(components.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        let fd: Int32
        do {
            fd = try LoopbackTCP.connect(port: port, receiveTimeout: .seconds(60))
        } catch {
            throw TestSupportError("connect to chromedriver: \(error)")
        }
        defer { close(fd) }
        let bytes = Array(head.utf8) + Array(payload)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestSupportError("send to chromedriver failed") }
            sent += n
        }
        // Read the head, then Content-Length bytes (chromedriver may keep the connection open).
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var bodyStart: Int?
        var length = 0
        while true {
            if bodyStart == nil, let split = reply.firstRange(of: Array("\r\n\r\n".utf8)) {
                bodyStart = split.upperBound
                let head = String(decoding: reply[..<split.lowerBound], as: UTF8.self).lowercased()
                length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
            if let bodyStart, reply.count - bodyStart >= length { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            reply += buffer[..<n]
        }
        guard let start = bodyStart else {
            throw TestSupportError("no HTTP reply from chromedriver for \(method) \(components.path)")
        }
        let data = Data(reply[start...])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
