import ESCPOS
import Foundation
import TOMLKit

/// One mistake in a config file, located for the technician.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the file itself could not be read.
    public var line: Int
    /// TOML syntax errors only: the 1-based column.
    public var column: Int?
    /// Dotted key path: "service[2].prefix", "dispenser[0].buttons.3"; empty for
    /// syntax errors and unreadable files.
    public var key: String
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// "antre.toml:42: service[2].prefix: must be one capital letter";
    /// syntax errors read "antre.toml:7:12: message" like a compiler's.
    public var description: String {
        let position = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        return key.isEmpty ? "\(position): \(message)" : "\(position): \(key): \(message)"
    }
}

public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public init(issues: [ConfigIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

public enum ConfigLoader {
    /// The default location of the config file.
    public static let defaultPath = "/etc/antre/antre.toml"

    /// Reads and validates a config file; throws `ConfigError` listing every issue.
    public static func load(path: String) throws(ConfigError) -> AntreConfig {
        func fail(_ message: String) -> ConfigError {
            ConfigError(issues: [ConfigIssue(file: path, line: 0, key: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such file; copy the example config/antre.toml there and edit it")
        }
        guard !isDirectory.boolValue else { throw fail("is a directory, not a TOML file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the file (permission denied?); check its owner and mode")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("not valid UTF-8 text; save the file as UTF-8")
        }
        return try parse(text, file: path)
    }

    /// Parses TOML text; `file` is only used in messages.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> AntreConfig {
        if text.utf8.contains(0) {
            // TOMLKit reads the text as a C string and would silently stop at a NUL.
            throw ConfigError(issues: [ConfigIssue(file: file, line: 1, key: "", message: "file contains a NUL byte")])
        }
        if let crash = TOMLCrashGuard.firstCrash(in: text) {
            // toml++ would abort the process on this text (see TOMLCrashGuard).
            throw ConfigError(issues: [ConfigIssue(file: file, line: crash.line, key: "",
                                                   message: "TOML syntax: \(crash.message)")])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(issues: [ConfigIssue(
                file: file, line: error.source.begin.line, column: error.source.begin.column, key: "",
                message: TOMLSyntaxHint.sentence(for: error.description).map {
                    "TOML syntax: \($0) (parser: \(error.description))"
                } ?? "TOML syntax: \(error.description)")])
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: file, line: 1, key: "", message: "TOML syntax: \(error)")])
        }
        let reader = ConfigReader(file: file, text: text)
        let config = ConfigDecoder(reader: reader).decode(root)
        for path in reader.locator.pathsWithNUL {
            reader.issue(path, "contains \\u0000 (a NUL character), which would cut the text short; remove it")
        }
        if let config, reader.issues.isEmpty { return config }
        // Stable sort: issues come out in file order, same-line ones in check order.
        let ordered = reader.issues.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        throw ConfigError(issues: ordered.map(\.element))
    }

    /// The human summary `antred --check-config` prints after "OK".
    public static func summary(of config: AntreConfig) -> String {
        var out: [String] = []
        let office = config.office
        out.append("Office:     \(office.name) (\(office.timeZone.identifier), language \(office.language.rawValue))")
        if !office.address.isEmpty { out.append("            \(office.address)") }
        out.append("Calls:      at most \(office.priorityRatio) priority per regular call; "
            + (office.recallsBeforeSkip.map { "skipped after \($0) recall\($0 == 1 ? "" : "s")" } ?? "recalls without limit"))
        if !office.closedDates.isEmpty {
            out.append("Closed:     " + office.closedDates.sorted().map(\.description).joined(separator: ", "))
        }

        out.append("Services:   \(config.services.count)")
        let idWidth = config.services.map(\.id.count).max() ?? 0
        let nameWidth = config.services.map(\.name.count).max() ?? 0
        for service in config.services {
            out.append("  \(service.prefix)  \(pad(service.id, idWidth))  \(pad(service.name, nameWidth))"
                + "  (\(service.requirements.count) persyaratan)")
            if let hours = ConfigDecoder.hoursSummary(service.hours) { out.append("       \(hours)") }
        }

        out.append("Counters:   \(config.counters.count)")
        let counterWidth = config.counters.map(\.id.count).max() ?? 0
        for counter in config.counters {
            let services = counter.services.isEmpty ? "all services" : counter.services.joined(separator: ", ")
            out.append("  \(pad(counter.id, counterWidth))  \(counter.name): \(services)")
        }

        out.append("Dispensers: \(config.dispensers.count)")
        for dispenser in config.dispensers {
            let profile = dispenser.profile
            out.append("  \(dispenser.id)")
            out.append("    input    \(dispenser.input)")
            out.append("    printer  \(dispenser.printer), \(profile.paper.rawValue) mm, \(profile.columns) columns, "
                + "\(profile.codePage.rawValue)\(profile.hasCutter ? ", cutter" : ", no cutter")")
            if dispenser.buttons.isEmpty {
                out.append("    buttons  none")
            } else {
                let keys = dispenser.buttons.keys.sorted(by: buttonOrder)
                let map = keys.map { "\($0)=\(dispenser.buttons[$0] ?? "")" }.joined(separator: " ")
                out.append("    buttons  \(map)")
            }
            if !dispenser.priorityButtons.isEmpty {
                let keys = dispenser.priorityButtons.keys.sorted(by: buttonOrder)
                let map = keys.map { "\($0)=\(dispenser.priorityButtons[$0] ?? "")" }.joined(separator: " ")
                out.append("    priority \(map)")
            }
        }
        out.append("Socket:     \(config.socket.path)" + (config.socket.group.map { " (group \($0))" } ?? ""))
        out.append("Access:     officers: " + (config.socket.officerGroup.map { "group \($0)" } ?? "anyone who can connect")
                   + "; reload: root" + (config.socket.adminGroup.map { " and group \($0)" } ?? ""))
        out.append("Database:   \(config.storage.database)")
        out += boardSummary(config)
        return out.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Keypad order: 1..9 then 0, then anything else alphabetically.
    private static func buttonOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ key: String) -> Int {
            guard key.count == 1, let digit = Int(key) else { return 10 }
            return digit == 0 ? 9 : digit - 1
        }
        return (rank(a), a) < (rank(b), b)
    }
}

// MARK: - Schema

/// Walks the parsed TOML against the schema. Returns nil when a required part
/// could not be built; every reason is in `reader.issues`.
struct ConfigDecoder {
    let reader: ConfigReader

    static let rootKeys = ["office", "socket", "storage", "service", "counter", "dispenser", "board", "metrics"]
    static let officeKeys = ["name", "address", "header", "footer", "timezone", "language"]
    /// `[office]` keys of the call rules (issue 11), decoded by `decodeCallRules`.
    static let officeCallRuleKeys = ["priority_ratio", "recalls_before_skip"]
    static let serviceKeys = ["id", "name", "prefix", "requirements", "schedule", "officer", "contact", "fee",
                              "processing_time"]
    static let counterKeys = ["id", "name", "services", "spoken_name"]
    static let dispenserKeys = ["id", "input", "cooldown_ms", "printer", "print_timeout_ms", "status_timeout_ms",
                                "status_poll_ms", "auto_reprint_window_s", "buttons", "profile",
                                "priority_buttons"]
    static let profileKeys = ["paper", "columns", "code_page", "cutter", "cancel_kanji", "native_qr",
                              "feed_before_cut", "absolute_position", "left_margin"]

    func decode(_ root: TOMLTable) -> AntreConfig? {
        let top = ConfigPath()
        reader.checkKeys(root, at: top, allowed: Self.rootKeys)

        let office = decodeOffice(root)
        let services = decodeServices(root)
        // References are checked against every service written, so one broken
        // [[service]] (or a missing list) is reported once, not at each use.
        let serviceIDs = Self.declaredServiceIDs(root)
        let counters = decodeCounters(root, serviceIDs: serviceIDs)
        let dispensers = decodeDispensers(root, serviceIDs: serviceIDs)
        let socket = decodeSocket(root)
        let storage = decodeStorage(root)
        let metrics = decodeMetrics(root)
        let (board, boardURL) = decodeBoard(root, serviceIDs: serviceIDs, counterIDs: counters.map(\.id))
        checkConsistency(root, services: services)

        guard var office else { return nil }
        office.boardURL = boardURL
        var config = AntreConfig(office: office, services: services, counters: counters, dispensers: dispensers,
                                 socket: socket, storage: storage, board: board)
        config.metrics = metrics
        return config
    }

    // MARK: office

    func decodeOffice(_ root: TOMLTable) -> Office? {
        let path: ConfigPath = "office"
        guard root["office"] != nil else {
            reader.issue(path, "missing [office] section; add [office] with at least name = \"...\"")
            return nil
        }
        guard let table = reader.table(root, "office", at: ConfigPath(), section: "[office]") else { return nil }
        reader.checkKeys(table, at: path, allowed: Self.officeKeys + Self.officeCallRuleKeys + Self.officeHoursKeys)
        let name = reader.string(table, "name", at: path, required: true)
        let address = reader.string(table, "address", at: path) ?? ""
        let header = reader.strings(table, "header", at: path) ?? []
        let footer = reader.strings(table, "footer", at: path) ?? []

        var timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        if let zoneName = reader.string(table, "timezone", at: path) {
            if let zone = Self.ianaTimeZone(zoneName) {
                timeZone = zone
            } else {
                reader.issue(path / "timezone", Self.timeZoneMessage(zoneName))
            }
        }
        var language = Language.id
        if let code = reader.string(table, "language", at: path) {
            if let value = Language(rawValue: code) {
                language = value
            } else {
                reader.issue(path / "language", "'\(code)' is not a supported language; use \"id\" or \"en\"")
            }
        }
        let callRules = decodeCallRules(table, at: path)
        let closedDates = decodeClosedDates(table, at: path)
        guard let name else { return nil }
        var office = Office(name: name, address: address, headerLines: header, footerLines: footer,
                            timeZone: timeZone, language: language)
        office.priorityRatio = callRules.priorityRatio
        office.recallsBeforeSkip = callRules.recallsBeforeSkip
        office.closedDates = closedDates
        return office
    }

    // MARK: office call rules (issue 11)

    /// `priority_ratio` and `recalls_before_skip` in `[office]`.
    func decodeCallRules(_ office: TOMLTable, at path: ConfigPath) -> (priorityRatio: Int, recallsBeforeSkip: Int?) {
        let ratioRange = CallOrder.priorityRatioRange
        let ratio = reader.int(office, "priority_ratio", at: path, range: ratioRange,
                               expected: "a number of priority calls per regular call "
                                   + "(\(ratioRange.lowerBound)-\(ratioRange.upperBound))")
        let recallRange = Office.recallsBeforeSkipRange
        let recalls = reader.int(office, "recalls_before_skip", at: path, range: recallRange,
                                 expected: "a number of recalls (\(recallRange.lowerBound)-\(recallRange.upperBound), "
                                     + "or leave it out for no limit)")
        return (ratio ?? CallOrder.defaultPriorityRatio, recalls)
    }

    /// Only region/city names from the tz database (plus UTC): Foundation also
    /// accepts abbreviations and offsets ("WIB", "GMT+7") whose meaning is vague.
    /// An explicit fixed offset "UTC+07:00" (or "UTC-03:30", "UTC+07:00:30") is
    /// accepted too: unambiguous, and it lets tests put local midnight seconds away.
    static func ianaTimeZone(_ name: String) -> TimeZone? {
        if let offset = fixedOffsetSeconds(name) { return TimeZone(secondsFromGMT: offset) }
        guard name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
        return TimeZone(identifier: name)
    }

    static func fixedOffsetSeconds(_ name: String) -> Int? {
        guard name.hasPrefix("UTC+") || name.hasPrefix("UTC-") else { return nil }
        let sign = name.dropFirst(3).first == "-" ? -1 : 1
        let parts = name.dropFirst(4).split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), hours <= 14, minutes < 60 else { return nil }
        let seconds = parts.count == 3 ? Int(parts[2]) ?? 60 : 0
        guard seconds < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60 + seconds)
    }

    static func timeZoneMessage(_ name: String) -> String {
        if let zone = IndonesianTimeZone(abbreviation: name) {
            return "'\(name)' is not an IANA time zone name; did you mean '\(zone.identifier)' (\(zone.label))?"
        }
        // "GMT+7", "UTC+7", "+08:00": an offset, which fuzzy matching would
        // wrongly turn into 'GMT' (seven hours off).
        if let offset = looseOffsetSeconds(name) {
            if let zone = IndonesianTimeZone(secondsFromGMT: offset) {
                return "'\(name)' is an offset, not a time zone name; did you mean '\(zone.identifier)' (\(zone.label))?"
            }
            return "'\(name)' is an offset, not a time zone name; write it as '\(fixedOffsetName(offset))' "
                + "or use the region's IANA name"
        }
        if let match = closestMatch(to: name, among: TimeZone.knownTimeZoneIdentifiers) {
            return "unknown time zone '\(name)'; did you mean '\(match)'?"
        }
        return "unknown time zone '\(name)'; use an IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA) "
            + "or Asia/Jayapura (WIT), or a fixed offset like UTC+07:00"
    }

    /// Offsets as people write them: "GMT+7", "UTC+7", "UTC+0700", "+08:00",
    /// "GMT-3:30", "+7". Seconds east of Greenwich; nil if `name` is not one.
    static func looseOffsetSeconds(_ name: String) -> Int? {
        var rest = Substring(name.trimmingCharacters(in: .whitespaces).uppercased())
        for prefix in ["UTC", "GMT"] where rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        guard let sign = rest.first, sign == "+" || sign == "-" else { return nil }
        rest = rest.dropFirst()
        let hours: Int, minutes: Int
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        switch (parts.count, parts.first?.count ?? 0) {
        case (1, 1...2): hours = Int(parts[0]) ?? 99; minutes = 0
        case (1, 4): hours = Int(parts[0].prefix(2)) ?? 99; minutes = Int(parts[0].suffix(2)) ?? 99
        case (2, 1...2): hours = Int(parts[0]) ?? 99; minutes = Int(parts[1]) ?? 99
        default: return nil
        }
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// 25200 -> "UTC+07:00", the fixed-offset form the loader accepts.
    static func fixedOffsetName(_ seconds: Int) -> String {
        let magnitude = abs(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "UTC" + (seconds < 0 ? "-" : "+") + two(magnitude / 3600) + ":" + two(magnitude % 3600 / 60)
    }

    // MARK: services

    func decodeServices(_ root: TOMLTable) -> [Service] {
        guard let entries = reader.tables(root, "service", at: ConfigPath()) else {
            if root["service"] == nil {
                reader.issue("service", "no services; add at least one [[service]] with id, name and prefix")
            }
            return []
        }
        if entries.isEmpty {
            reader.issue("service", "no services; add at least one [[service]] with id, name and prefix")
        }
        var services: [Service] = []
        var idOwners: [String: ConfigPath] = [:]
        var prefixOwners: [String: (ConfigPath, String)] = [:]
        for (table, path) in entries {
            reader.checkKeys(table, at: path, allowed: Self.serviceKeys + Self.serviceHoursKeys)
            let id = reader.string(table, "id", at: path, required: true)
            if let id {
                if id.range(of: "^[a-z0-9-]+$", options: .regularExpression) == nil {
                    reader.issue(path / "id", "'\(id)' may only use lowercase letters a-z, digits and '-'")
                } else if let other = idOwners[id] {
                    reader.issue(path / "id", "service id '\(id)' is already used by \(reader.place(other))"
                        + Self.duplicateIDHint(root))
                } else {
                    idOwners[id] = path
                }
            }
            let name = reader.string(table, "name", at: path, required: true)
            let prefix = reader.string(table, "prefix", at: path, required: true)
            if let prefix {
                if prefix.count != 1 || prefix.range(of: "^[A-Z]$", options: .regularExpression) == nil {
                    reader.issue(path / "prefix", "'\(prefix)' must be one capital letter A-Z")
                } else if let other = prefixOwners[prefix] {
                    let who = other.1.isEmpty ? reader.place(other.0) : "\(other.0) '\(other.1)' (line \(reader.locator.line(of: other.0)))"
                    reader.issue(path / "prefix", "prefix '\(prefix)' is already used by \(who)")
                } else {
                    prefixOwners[prefix] = (path, id ?? "")
                }
            }
            let requirements = reader.strings(table, "requirements", at: path) ?? []
            let schedule = reader.strings(table, "schedule", at: path) ?? []
            let officer = reader.string(table, "officer", at: path) ?? ""
            let contact = reader.string(table, "contact", at: path) ?? ""
            let fee = reader.string(table, "fee", at: path) ?? ""
            let processingTime = reader.string(table, "processing_time", at: path) ?? ""
            let hours = decodeServiceHours(table, at: path)
            if let id, let name, let prefix {
                var service = Service(id: id, name: name, prefix: prefix, requirements: requirements,
                                      schedule: schedule, officer: officer, contact: contact, fee: fee,
                                      processingTime: processingTime)
                service.hours = hours
                services.append(service)
            }
        }
        return services
    }

    func unknownService(_ id: String, known: [String]) -> String {
        if let match = closestMatch(to: id, among: known) {
            return "unknown service '\(id)'; did you mean '\(match)'?"
        }
        return "unknown service '\(id)' (services: \(known.joined(separator: ", ")))"
    }

    /// Counter and dispenser ids: used on the command line, so no spaces.
    func checkSimpleID(_ id: String, at path: ConfigPath) -> Bool {
        guard id.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) != nil else {
            reader.issue(path, "'\(id)' may only use letters, digits, '-' and '_'")
            return false
        }
        return true
    }

    // MARK: counters

    func decodeCounters(_ root: TOMLTable, serviceIDs: [String]) -> [Counter] {
        guard let entries = reader.tables(root, "counter", at: ConfigPath()) else { return [] }
        var counters: [Counter] = []
        var idOwners: [String: ConfigPath] = [:]
        for (table, path) in entries {
            reader.checkKeys(table, at: path, allowed: Self.counterKeys)
            var id = reader.string(table, "id", at: path, required: true)
            if let value = id {
                if !checkSimpleID(value, at: path / "id") {
                    id = nil
                } else if let other = idOwners[value] {
                    reader.issue(path / "id", "counter id '\(value)' is already used by \(reader.place(other))")
                } else {
                    idOwners[value] = path
                }
            }
            let name = reader.string(table, "name", at: path)
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.issue(path / "name", "must not be empty (leave it out for \"Loket <id>\")")
            }
            let services = reader.strings(table, "services", at: path) ?? []
            for (index, service) in services.enumerated() where !knowsService(service, among: serviceIDs) {
                reader.issue(path / "services" / index, unknownService(service, known: serviceIDs))
            }
            var spokenName = reader.string(table, "spoken_name", at: path)
            if let spoken = spokenName, SpokenText.words(spoken).isEmpty {
                reader.issue(path / "spoken_name", "has no words to say (leave it out to say the name)")
                spokenName = nil
            }
            if let id {
                counters.append(Counter(id: id, name: name ?? "Loket \(id)", services: services,
                                        spokenName: spokenName))
            }
        }
        return counters
    }

    // MARK: dispensers

    func decodeDispensers(_ root: TOMLTable, serviceIDs: [String]) -> [Dispenser] {
        guard let entries = reader.tables(root, "dispenser", at: ConfigPath()) else { return [] }
        var dispensers: [Dispenser] = []
        var idOwners: [String: ConfigPath] = [:]
        var deviceOwners: [String: ConfigPath] = [:]
        for (table, path) in entries {
            reader.checkKeys(table, at: path, allowed: Self.dispenserKeys)
            var id = reader.string(table, "id", at: path, required: true)
            if let value = id {
                if !checkSimpleID(value, at: path / "id") {
                    id = nil
                } else if let other = idOwners[value] {
                    reader.issue(path / "id", "dispenser id '\(value)' is already used by \(reader.place(other))")
                } else {
                    idOwners[value] = path
                }
            }

            var input: InputSpec?
            if let text = reader.string(table, "input", at: path, required: true) {
                do {
                    let spec = try InputSpec(parsing: text)
                    input = spec
                    let device: String? = switch spec {
                    case let .serial(devicePath, _, _): devicePath
                    case let .evdev(devicePath): devicePath
                    case .keyboard: "keyboard"
                    case .none: nil
                    }
                    if let device {
                        if let other = deviceOwners[device] {
                            reader.issue(path / "input", "\(device) is already the input of \(reader.place(other))")
                        } else {
                            deviceOwners[device] = path
                        }
                    }
                } catch {
                    reader.issue(path / "input", "bad input '\(text)': \(error.message)")
                }
            }

            var printer: PrinterConnection?
            if let text = reader.string(table, "printer", at: path, required: true) {
                do {
                    printer = try PrinterConnection(parsing: text)
                } catch {
                    reader.issue(path / "printer", "bad printer '\(text)': \(error.message)")
                }
            }

            let cooldown = reader.int(table, "cooldown_ms", at: path, range: 0...60000) ?? 1500
            let timeout = reader.int(table, "print_timeout_ms", at: path, range: 100...600_000) ?? 10000
            let statusTimeout = reader.int(table, "status_timeout_ms", at: path, range: 50...10_000) ?? 500
            let statusPoll = reader.int(table, "status_poll_ms", at: path, range: 200...600_000) ?? 2000
            let reprintWindow = reader.int(table, "auto_reprint_window_s", at: path, range: 0...86_400) ?? 120
            let buttons = decodeButtons(table, at: path, input: input, serviceIDs: serviceIDs)
            let priorityButtons = decodePriorityButtons(table, at: path, input: input, serviceIDs: serviceIDs,
                                                        buttons: buttons)
            let profile = decodeProfile(table, at: path)

            if let id, let input, let printer {
                var dispenser = Dispenser(id: id, input: input, buttons: buttons, cooldown: .milliseconds(cooldown),
                                          printer: printer, profile: profile, printTimeout: .milliseconds(timeout))
                dispenser.statusTimeout = .milliseconds(statusTimeout)
                dispenser.statusPollInterval = .milliseconds(statusPoll)
                dispenser.autoReprintWindow = .seconds(reprintWindow)
                dispenser.priorityButtons = priorityButtons
                dispensers.append(dispenser)
            }
        }
        return dispensers
    }

    func decodeButtons(_ dispenser: TOMLTable, at path: ConfigPath, input: InputSpec?,
                       serviceIDs: [String], key mapKey: String = "buttons") -> [String: String] {
        let buttonsPath = path / mapKey
        guard let table = reader.table(dispenser, mapKey, at: path, section: "[dispenser.\(mapKey)]") else {
            if mapKey == "buttons", dispenser["buttons"] == nil, dispenser["priority_buttons"] == nil,
               let input, input != .none {
                reader.issue(buttonsPath, "input \(input) has no buttons; add [dispenser.buttons] "
                    + "with lines like \"1\" = \"<service id>\"")
            }
            return [:]
        }
        // Byte framing and the keyboard deliver one character per press.
        let singleCharacter: Bool = switch input {
        case .serial(_, _, .byte)?, .keyboard?: true
        default: false
        }
        var buttons: [String: String] = [:]
        for key in table.keys {
            let keyPath = buttonsPath / key
            guard let value = table[key] else { continue }
            guard let service = value.string else {
                reader.issue(keyPath, "expected a service id string, found \(ConfigReader.describe(value))")
                continue
            }
            if key.isEmpty {
                reader.issue(keyPath, "button key must not be empty")
                continue
            }
            if singleCharacter, key.count != 1, let input {
                reader.issue(keyPath, "input \(input) sends one character per press, so button '\(key)' "
                    + "can never match; use a single character or framing=line")
                continue
            }
            if case .evdev? = input, EvdevKeyNames.code(for: key) == nil {
                let suggestion = closestMatch(to: key.uppercased(), among: EvdevKeyNames.codes.keys.sorted())
                reader.issue(keyPath, "'\(key)' is not a key name; evdev buttons are named like KEY_1, KEY_KP1, "
                    + "KEY_A or KEYCODE_<n>" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
                continue
            }
            guard knowsService(service, among: serviceIDs) else {
                reader.issue(keyPath, unknownService(service, known: serviceIDs))
                continue
            }
            buttons[key] = service
        }
        return buttons
    }

    // MARK: priority buttons (issue 11)

    /// `priority_buttons = { "9" = "kk" }`: checked like `buttons`; a key may
    /// not be in both (one press cannot give two kinds of ticket).
    func decodePriorityButtons(_ dispenser: TOMLTable, at path: ConfigPath, input: InputSpec?,
                               serviceIDs: [String], buttons: [String: String]) -> [String: String] {
        guard dispenser["priority_buttons"] != nil else { return [:] }
        var priorityButtons = decodeButtons(dispenser, at: path, input: input, serviceIDs: serviceIDs,
                                            key: "priority_buttons")
        for key in priorityButtons.keys.sorted() {
            guard let regular = buttons[key] else { continue }
            reader.issue(path / "priority_buttons" / key,
                         "key '\(key)' is already a regular button for '\(regular)' in \(reader.place(path / "buttons" / key)); "
                             + "give the priority ticket its own key")
            priorityButtons[key] = nil
        }
        return priorityButtons
    }

    func decodeProfile(_ dispenser: TOMLTable, at path: ConfigPath) -> PrinterProfile {
        let profilePath = path / "profile"
        guard let table = reader.table(dispenser, "profile", at: path, section: "[dispenser.profile]") else {
            return PrinterProfile()
        }
        reader.checkKeys(table, at: profilePath, allowed: Self.profileKeys)
        var paper = PrinterProfile.PaperWidth.mm80
        if let value = table["paper"] {
            if let width = value.int, let known = PrinterProfile.PaperWidth(rawValue: width) {
                paper = known
            } else if let width = value.int {
                reader.issue(profilePath / "paper", "paper width \(width) mm is not supported; use 58 or 80")
            } else {
                reader.issue(profilePath / "paper",
                             "expected an integer (58 or 80), found \(ConfigReader.describe(value))")
            }
        }
        let columns = reader.int(table, "columns", at: profilePath, range: 16...64)
        var codePage = CodePage.pc858
        if let name = reader.string(table, "code_page", at: profilePath) {
            if let value = CodePage(rawValue: name.lowercased()) {
                codePage = value
            } else {
                let names = CodePage.allCases.map(\.rawValue)
                let hint = closestMatch(to: name, among: names).map { "; did you mean '\($0)'?" }
                    ?? " (use one of \(names.joined(separator: ", ")))"
                reader.issue(profilePath / "code_page", "unknown code page '\(name)'\(hint)")
            }
        }
        return PrinterProfile(
            paper: paper, columns: columns, codePage: codePage,
            hasCutter: reader.bool(table, "cutter", at: profilePath) ?? true,
            cancelKanji: reader.bool(table, "cancel_kanji", at: profilePath) ?? false,
            nativeQR: reader.bool(table, "native_qr", at: profilePath) ?? false,
            feedBeforeCut: reader.int(table, "feed_before_cut", at: profilePath, range: 0...20) ?? 4,
            absolutePosition: reader.bool(table, "absolute_position", at: profilePath) ?? true,
            leftMargin: reader.bool(table, "left_margin", at: profilePath) ?? false)
    }

    // MARK: socket, storage

    func decodeSocket(_ root: TOMLTable) -> SocketSettings {
        let path: ConfigPath = "socket"
        guard let table = reader.table(root, "socket", at: ConfigPath(), section: "[socket]") else {
            return SocketSettings()
        }
        reader.checkKeys(table, at: path, allowed: ["path", "group", "officer_group", "admin_group",
                                                    "max_connections", "max_connections_per_uid", "reserved_connections",
                                                    "max_message_bytes", "idle_timeout_s"])
        var settings = SocketSettings()
        if let socketPath = reader.string(table, "path", at: path) {
            if socketPath.isEmpty {
                reader.issue(path / "path", "must not be empty")
            } else if !socketPath.hasPrefix("/") {
                // antred and antre resolve a relative path from different directories.
                reader.issue(path / "path", "'\(socketPath)' is relative; write an absolute path like "
                    + "\"\(SocketSettings.defaultPath)\" so antred and antre find the same socket")
            } else if socketPath.utf8.count > 107 {
                // sun_path holds 108 bytes including the terminating NUL.
                reader.issue(path / "path", "\(socketPath.utf8.count) bytes is too long for a Unix socket (max 107)")
            } else {
                settings.path = socketPath
            }
        }
        if let group = reader.string(table, "group", at: path) {
            if group.isEmpty { reader.issue(path / "group", "must not be empty (leave it out instead)") }
            settings.group = group
        }
        for key in ["officer_group", "admin_group"] {
            guard let group = reader.string(table, key, at: path) else { continue }
            if group.isEmpty { reader.issue(path / key, "must not be empty (leave it out instead)") }
            if key == "officer_group" { settings.officerGroup = group } else { settings.adminGroup = group }
        }
        if let value = reader.int(table, "max_connections", at: path, range: 1...10_000) { settings.maxConnections = value }
        if let value = reader.int(table, "max_connections_per_uid", at: path, range: 1...10_000) {
            settings.maxConnectionsPerUID = value
        }
        if let value = reader.int(table, "reserved_connections", at: path, range: 0...10_000) {
            // Readers need at least one slot, or Monitor and Status could never connect.
            if value >= settings.maxConnections {
                reader.issue(path / "reserved_connections",
                             "\(value) must be less than max_connections (\(settings.maxConnections))")
            } else {
                settings.reservedConnections = value
            }
        }
        if let value = reader.int(table, "max_message_bytes", at: path, range: 1024...16_777_216) {
            settings.maxMessageBytes = value
        }
        if let value = reader.int(table, "idle_timeout_s", at: path, range: 1...86_400) {
            settings.idleTimeout = .seconds(value)
        }
        return settings
    }

    func decodeStorage(_ root: TOMLTable) -> StorageSettings {
        let path: ConfigPath = "storage"
        guard let table = reader.table(root, "storage", at: ConfigPath(), section: "[storage]") else {
            return StorageSettings()
        }
        reader.checkKeys(table, at: path, allowed: ["database", "retention_days"])
        var settings = StorageSettings()
        if let days = reader.int(table, "retention_days", at: path, range: StorageSettings.retentionRange,
                                 expected: "a number of days (\(StorageSettings.retentionRange.lowerBound)-\(StorageSettings.retentionRange.upperBound))") {
            settings.retentionDays = days
        }
        if let database = reader.string(table, "database", at: path) {
            if database.isEmpty {
                reader.issue(path / "database", "must not be empty")
            } else {
                settings.database = database
            }
        }
        return settings
    }

    func decodeMetrics(_ root: TOMLTable) -> MetricsSettings {
        let path: ConfigPath = "metrics"
        guard let table = reader.table(root, "metrics", at: ConfigPath(), section: "[metrics]") else {
            return MetricsSettings()
        }
        reader.checkKeys(table, at: path, allowed: ["listen"])
        guard let listen = reader.string(table, "listen", at: path) else { return MetricsSettings() }
        // "HOST:PORT"; an IPv6 host in brackets: "[::1]:9464".
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (1...65535).contains(port), colon != listen.startIndex else {
            reader.issue(path / "listen", "'\(listen)' is not HOST:PORT (like \"127.0.0.1:9464\")")
            return MetricsSettings()
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return MetricsSettings(host: host, port: port)
    }
}
