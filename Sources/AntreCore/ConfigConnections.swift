import Foundation

/// Why a printer, input or listen-address string was rejected. The message says
/// what to write instead; it does not repeat the string itself.
public struct ConnectionStringError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Baud rates accepted for serial printers and button boxes (the termios B* constants
/// that USB-serial adapters and thermal printers actually use).
public let standardBaudRates: [Int] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400]

extension PrinterConnection {
    /// Parses `tcp://HOST:PORT`, `serial:PATH?baud=N`, `file:PATH`,
    /// `usb:VID:PID?serial=S&interface=N` or `preview:DIR`.
    public init(parsing text: String) throws(ConnectionStringError) {
        let (scheme, rest) = try splitScheme(text, kinds: Self.schemes, what: "printer")
        switch scheme {
        case "tcp":
            self = try Self.parseTCP(rest)
        case "serial":
            let (path, query) = try splitQuery(rest)
            let options = try parseOptions(query, known: ["baud"])
            self = .serial(path: try devicePath(path, example: "serial:/dev/ttyS0?baud=9600"),
                           baud: try baudRate(options["baud"]))
        case "file":
            let (path, query) = try splitQuery(rest)
            _ = try parseOptions(query, known: [])
            self = .file(path: try devicePath(path, example: "file:/dev/usb/lp0"))
        case "usb":
            self = try Self.parseUSB(rest)
        default:  // preview
            let directory = stripSlashes(rest)
            guard !directory.isEmpty else {
                throw ConnectionStringError("preview needs a directory: preview:/var/lib/antre/preview")
            }
            self = .preview(directory: directory)
        }
    }

    static let schemes = ["tcp", "serial", "file", "usb", "preview"]

    private static func parseTCP(_ rest: String) throws(ConnectionStringError) -> PrinterConnection {
        guard rest.hasPrefix("//") else {
            throw ConnectionStringError("write tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100")
        }
        var hostPort = String(rest.dropFirst(2))
        if hostPort.hasSuffix("/") { hostPort.removeLast() }
        let host: String
        let portText: String?
        if hostPort.hasPrefix("[") {
            // IPv6 literal: [fe80::1]:9100
            guard let close = hostPort.firstIndex(of: "]") else {
                throw ConnectionStringError("unterminated IPv6 address; write tcp://[ADDRESS]:9100")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            portText = after.hasPrefix(":") ? String(after.dropFirst()) : (after.isEmpty ? nil : String(after))
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = String(hostPort[hostPort.index(after: colon)...])
        } else {
            host = hostPort
            portText = nil
        }
        guard !host.isEmpty else {
            throw ConnectionStringError("missing host; write tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100")
        }
        guard let portText, !portText.isEmpty else {
            throw ConnectionStringError("missing port; network printers usually listen on 9100: tcp://\(host):9100")
        }
        guard let port = Int(portText) else {
            throw ConnectionStringError("port '\(portText)' is not a number")
        }
        guard (1...65535).contains(port) else {
            throw ConnectionStringError("port \(port) out of range 1-65535 (usually 9100)")
        }
        return .tcp(host: host, port: port)
    }

    private static func parseUSB(_ rest: String) throws(ConnectionStringError) -> PrinterConnection {
        let (ids, query) = try splitQuery(rest)
        let parts = ids.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ConnectionStringError("write usb:VID:PID with the hex ids from `lsusb`, e.g. usb:0416:5011")
        }
        func hexID(_ part: Substring, _ name: String) throws(ConnectionStringError) -> UInt16 {
            let digits = part.lowercased().hasPrefix("0x") ? part.dropFirst(2) : part
            guard (1...4).contains(digits.count), digits.allSatisfy(\.isHexDigit), let value = UInt16(digits, radix: 16)
            else {
                throw ConnectionStringError("\(name) '\(part)' is not a 4-digit hex id (see `lsusb`, e.g. usb:0416:5011)")
            }
            return value
        }
        let vendor = try hexID(parts[0], "vendor id")
        let product = try hexID(parts[1], "product id")
        let options = try parseOptions(query, known: ["serial", "interface"])
        var interface: Int?
        if let text = options["interface"] {
            guard let value = Int(text), (0...255).contains(value) else {
                throw ConnectionStringError("interface '\(text)' must be a number 0-255")
            }
            interface = value
        }
        if let serial = options["serial"], serial.isEmpty {
            throw ConnectionStringError("serial= is empty; give the serial number from `lsusb -v` or drop it")
        }
        return .usb(vendor: vendor, product: product, serial: options["serial"], interface: interface)
    }
}

extension InputSpec {
    /// Parses `serial:PATH?baud=N&framing=byte|line`, `keyboard`, `evdev:PATH` or `none`.
    public init(parsing text: String) throws(ConnectionStringError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "keyboard" { self = .keyboard; return }
        if trimmed == "none" { self = .none; return }
        let (scheme, rest) = try splitScheme(trimmed, kinds: ["serial", "evdev", "keyboard", "none"], what: "input")
        switch scheme {
        case "serial":
            let (path, query) = try splitQuery(rest)
            let options = try parseOptions(query, known: ["baud", "framing"])
            var framing = SerialFraming.byte
            if let text = options["framing"] {
                guard let value = SerialFraming(rawValue: text) else {
                    throw ConnectionStringError("framing '\(text)' unknown; use framing=byte (one character per press) or framing=line")
                }
                framing = value
            }
            self = .serial(path: try devicePath(path, example: "serial:/dev/ttyUSB0?baud=9600"),
                           baud: try baudRate(options["baud"]), framing: framing)
        case "evdev":
            let (path, query) = try splitQuery(rest)
            _ = try parseOptions(query, known: [])
            self = .evdev(path: try devicePath(path, example: "evdev:/dev/input/by-id/usb-...-event-kbd"))
        default:
            throw ConnectionStringError("'\(scheme)' takes no argument; write just \(scheme)")
        }
    }
}

// MARK: - Helpers

private func splitScheme(_ text: String, kinds: [String], what: String) throws(ConnectionStringError)
    -> (scheme: String, rest: String)
{
    let text = text.trimmingCharacters(in: .whitespaces)
    let usage = what == "printer"
        ? "tcp://HOST:PORT, serial:PATH?baud=N, file:PATH, usb:VID:PID or preview:DIR"
        : "serial:PATH?baud=N&framing=byte, evdev:PATH, keyboard or none"
    guard !text.isEmpty else { throw ConnectionStringError("empty; write \(usage)") }
    guard let colon = text.firstIndex(of: ":") else {
        throw ConnectionStringError("'\(text)' is not a valid \(what) connection; "
            + (suggestion(text, among: kinds) ?? "write \(usage)"))
    }
    let scheme = text[..<colon].lowercased()
    guard kinds.contains(scheme) else {
        throw ConnectionStringError("unknown \(what) type '\(scheme)'; "
            + (suggestion(scheme, among: kinds) ?? "use \(usage)"))
    }
    return (scheme, String(text[text.index(after: colon)...]))
}

private func suggestion(_ word: String, among kinds: [String]) -> String? {
    closestMatch(to: word, among: kinds).map { "did you mean '\($0)'?" }
}

private func splitQuery(_ rest: String) throws(ConnectionStringError) -> (String, String?) {
    guard let mark = rest.firstIndex(of: "?") else { return (rest, nil) }
    return (String(rest[..<mark]), String(rest[rest.index(after: mark)...]))
}

/// `a=1&b=2` -> ["a": "1", "b": "2"], rejecting names outside `known`.
private func parseOptions(_ query: String?, known: [String]) throws(ConnectionStringError) -> [String: String] {
    guard let query, !query.isEmpty else { return [:] }
    var options: [String: String] = [:]
    for pair in query.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard parts.count == 2 else { throw ConnectionStringError("option '\(name)' needs a value: \(name)=...") }
        guard known.contains(name) else {
            let list = known.isEmpty ? "this type takes no options" : "known: " + known.joined(separator: ", ")
            throw ConnectionStringError("unknown option '\(name)'"
                + (suggestion(name, among: known).map { "; \($0)" } ?? " (\(list))"))
        }
        guard options[name] == nil else { throw ConnectionStringError("option '\(name)' given twice") }
        options[name] = String(parts[1])
    }
    return options
}

/// `file:///dev/x` and `file:/dev/x` both mean /dev/x.
private func stripSlashes(_ rest: String) -> String {
    rest.hasPrefix("///") ? String(rest.dropFirst(2)) : rest
}

private func devicePath(_ raw: String, example: String) throws(ConnectionStringError) -> String {
    let path = stripSlashes(raw)
    guard !path.isEmpty else { throw ConnectionStringError("missing device path, e.g. \(example)") }
    guard path.hasPrefix("/") else {
        throw ConnectionStringError("device path '\(path)' must be absolute, e.g. \(example)")
    }
    return path
}

private func baudRate(_ text: String?) throws(ConnectionStringError) -> Int {
    guard let text else { return 9600 }
    let list = standardBaudRates.map(String.init).joined(separator: ", ")
    guard let baud = Int(text), standardBaudRates.contains(baud) else {
        throw ConnectionStringError("baud '\(text)' is not a standard rate (\(list))")
    }
    return baud
}

/// The candidate within edit distance 2 (1 for words of up to 4 letters) of
/// `word`, if any; case is ignored so `Name` finds `name`.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    let lower = word.lowercased()
    let limit = lower.count <= 4 ? 1 : 2
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(lower, candidate.lowercased())
        if distance <= limit, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    return best?.0
}

/// Damerau-Levenshtein (optimal string alignment): a swap of two letters counts once.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
