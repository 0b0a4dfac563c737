import ESCPOS
import Foundation
import Testing
import TOMLKit
@testable import AntreCore

/// Issue lines for a snippet that must fail, as the technician reads them.
private func issues(_ toml: String, file: String = "t.toml") -> [String] {
    do {
        _ = try ConfigLoader.parse(toml, file: file)
        Issue.record("expected the config to be rejected")
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

private let minimal = """
    [office]
    name = "Kantor Desa Uji"

    [[service]]
    id = "ktp"
    name = "KTP-el"
    prefix = "T"
    """

private let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ConfigLoaderTests {
    // MARK: defaults

    @Test func minimalConfigGetsDefaults() throws {
        let config = try ConfigLoader.parse(minimal, file: "t.toml")
        #expect(config.office.name == "Kantor Desa Uji")
        #expect(config.office.timeZone.identifier == "Asia/Jakarta")
        #expect(config.office.timeZone.secondsFromGMT() == 7 * 3600)
        #expect(config.office.language == .id)
        #expect(config.services.map(\.id) == ["ktp"])
        #expect(config.services[0].requirements.isEmpty)
        #expect(config.counters.isEmpty)
        #expect(config.dispensers.isEmpty)
        #expect(config.socket.path == "/run/antre/antred.sock")
        #expect(config.socket.group == nil)
        #expect(config.storage.database == "/var/lib/antre/antre.db")
    }

    @Test func dispenserAndCounterDefaults() throws {
        let config = try ConfigLoader.parse(minimal + """

            [[counter]]
            id = "2"

            [[dispenser]]
            id = "lobi"
            input = "keyboard"
            printer = "preview:/tmp/antre-preview"
            buttons = { "1" = "ktp" }

            [[dispenser]]
            id = "kecil"
            input = "none"
            printer = "tcp://10.0.0.9:9100"
            [dispenser.profile]
            paper = 58
            code_page = "CP437"
            cutter = false
            """, file: "t.toml")
        #expect(config.counters == [Counter(id: "2", name: "Loket 2", services: [])])
        let lobi = try #require(config.dispensers.first)
        #expect(lobi.cooldown == .milliseconds(1500))
        #expect(lobi.printTimeout == .milliseconds(10000))
        #expect(lobi.buttons == ["1": "ktp"])
        #expect(lobi.profile == PrinterProfile(paper: .mm80, codePage: .pc858, hasCutter: true))
        #expect(lobi.profile.columns == 48)
        let small = config.dispensers[1]
        #expect(small.input == .none)
        #expect(small.buttons.isEmpty)
        #expect(small.profile.columns == 32)
        #expect(small.profile.codePage == .cp437)
        #expect(small.profile.hasCutter == false)
    }

    @Test func otherTimezoneAndLanguage() throws {
        let config = try ConfigLoader.parse(minimal.replacingOccurrences(
            of: "name = \"Kantor Desa Uji\"",
            with: "name = \"Kantor Desa Uji\"\ntimezone = \"Asia/Jayapura\"\nlanguage = \"en\""), file: "t.toml")
        #expect(config.office.timeZone.secondsFromGMT() == 9 * 3600)
        #expect(config.office.language == .en)
    }

    // MARK: errors, one kind at a time

    @Test func nulEscapeInAStringIsRejectedWithItsKey() {
        // TOMLKit would hand over "Kantor " and drop the rest without a word.
        let found = issues(minimal.replacingOccurrences(of: "Kantor Desa Uji", with: "Kantor \\u0000Desa")
            + "\nrequirements = [\"KTP\", \"KK \\U00000000asli\"]\nofficer = \"\"\"Bu\\u0000 Sri\"\"\"\n")
        #expect(found == [
            "t.toml:2: office.name: contains \\u0000 (a NUL character), which would cut the text short; remove it",
            "t.toml:8: service[0].requirements[1]: contains \\u0000 (a NUL character), which would cut the text short; remove it",
            "t.toml:9: service[0].officer: contains \\u0000 (a NUL character), which would cut the text short; remove it",
        ])
        // An escaped backslash followed by "u0000" is ordinary text.
        #expect((try? ConfigLoader.parse(minimal.replacingOccurrences(of: "Uji", with: "Uji \\\\u0000"),
                                         file: "t.toml").office.name) == "Kantor Desa Uji \\u0000")
    }

    @Test func syntaxErrorHasLineAndColumn() {
        let found = issues("""
            [office]
            name = "Desa"
            prefix "T"
            """)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("t.toml:3:") == true)
        #expect(found.first?.contains("TOML syntax") == true)
    }

    @Test func missingFileIsLineZero() {
        let path = "/nonexistent-\(UUID().uuidString)/antre.toml"
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: path) }
        #expect(error?.issues.count == 1)
        #expect(error?.issues.first?.line == 0)
        #expect(error?.description == "\(path):0: no such file; copy the example config/antre.toml there and edit it")
    }

    @Test func loadReadsARealFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("antre-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("antre.toml")
        try ("bogus = 1\n" + minimal).write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: file.path) }
        #expect(error?.description == "\(file.path):1: bogus: unknown key 'bogus' "
            + "(known keys: office, socket, storage, service, counter, dispenser, board, metrics)")
    }

    @Test func missingRequiredKeys() {
        #expect(issues("""
            [office]
            address = "Jl. Desa"

            [[service]]
            id = "ktp"
            prefix = "T"
            """) == [
            "t.toml:1: office.name: required key is missing",
            "t.toml:4: service[0].name: required key is missing",
        ])
        #expect(issues("""
            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"
            """) == ["t.toml:1: office: missing [office] section; add [office] with at least name = \"...\""])
    }

    @Test func atLeastOneService() {
        #expect(issues("""
            [office]
            name = "Desa"
            """) == ["t.toml:1: service: no services; add at least one [[service]] with id, name and prefix"])
    }

    @Test func wrongTypesNameTheExpectedType() {
        #expect(issues("""
            [office]
            name = "Desa"
            header = "Kecamatan X"

            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"
            requirements = [
              "Fotokopi KK",
              3,
            ]
            fee = 0

            [dispenser]
            id = "x"
            """) == [
            "t.toml:3: office.header: expected an array of strings, found a string; write [\"...\"] even for one line",
            "t.toml:11: service[0].requirements[1]: expected a string, found an integer",
            "t.toml:13: service[0].fee: expected a string, found an integer",
            "t.toml:15: dispenser: expected an array of tables, found a table; "
                + "write [[dispenser]] (double brackets) for each entry",
        ])
    }

    @Test func unknownKeysWithAndWithoutSuggestion() {
        #expect(issues("""
            [office]
            name = "Desa"
            timzone = "Asia/Jakarta"

            [[service]]
            id = "ktp"
            name = "KTP"
            prefx = "T"
            colour = "red"
            """) == [
            "t.toml:3: office.timzone: unknown key 'timzone'; did you mean 'timezone'?",
            "t.toml:5: service[0].prefix: required key is missing",
            "t.toml:8: service[0].prefx: unknown key 'prefx'; did you mean 'prefix'?",
            "t.toml:9: service[0].colour: unknown key 'colour' (known keys: id, name, prefix, requirements, "
                + "schedule, officer, contact, fee, processing_time, hours, closed_dates, daily_quota, "
                + "last_ticket_before_close_min)",
        ])
    }

    @Test func duplicateIDsAndPrefixesNameTheOtherEntry() {
        #expect(issues("""
            [office]
            name = "Desa"

            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"

            [[service]]
            id = "ktp"
            name = "KTP lagi"
            prefix = "T"

            [[counter]]
            id = "1"
            [[counter]]
            id = "1"
            """) == [
            "t.toml:10: service[1].id: service id 'ktp' is already used by service[0] (line 4)",
            "t.toml:12: service[1].prefix: prefix 'T' is already used by service[0] 'ktp' (line 4)",
            "t.toml:17: counter[1].id: counter id '1' is already used by counter[0] (line 14)",
        ])
    }

    @Test func badIDsAndPrefixes() {
        #expect(issues("""
            [office]
            name = "Desa"
            [[service]]
            id = "KTP el"
            name = "KTP"
            prefix = "t"
            [[service]]
            id = "kk"
            name = "KK"
            prefix = "KK"
            """) == [
            "t.toml:4: service[0].id: 'KTP el' may only use lowercase letters a-z, digits and '-'",
            "t.toml:6: service[0].prefix: 't' must be one capital letter A-Z",
            "t.toml:10: service[1].prefix: 'KK' must be one capital letter A-Z",
        ])
    }

    @Test func unknownServicesInCountersAndButtons() {
        #expect(issues(minimal + """

            [[counter]]
            id = "1"
            services = ["ktp", "ktpp", "paspor"]

            [[dispenser]]
            id = "lobi"
            input = "serial:/dev/ttyUSB0?baud=9600&framing=byte"
            printer = "usb:0416:5011"
            [dispenser.buttons]
            "1" = "ktp"
            "2" = "akta"
            "" = "ktp"
            "BTN3" = "ktp"
            "4" = 4
            """) == [
            "t.toml:10: counter[0].services[1]: unknown service 'ktpp'; did you mean 'ktp'?",
            "t.toml:10: counter[0].services[2]: unknown service 'paspor' (services: ktp)",
            // Keys come from TOMLKit sorted; same-line issues keep check order.
            "t.toml:18: dispenser[0].buttons.2: unknown service 'akta' (services: ktp)",
            "t.toml:19: dispenser[0].buttons.\"\": button key must not be empty",
            "t.toml:20: dispenser[0].buttons.BTN3: input serial:/dev/ttyUSB0?baud=9600&framing=byte sends one "
                + "character per press, so button 'BTN3' can never match; use a single character or framing=line",
            "t.toml:21: dispenser[0].buttons.4: expected a service id string, found an integer",
        ])
    }

    @Test func buttonInputWithoutButtons() {
        #expect(issues(minimal + """

            [[dispenser]]
            id = "lobi"
            input = "keyboard"
            printer = "file:/dev/usb/lp0"
            """) == [
            "t.toml:8: dispenser[0].buttons: input keyboard has no buttons; add [dispenser.buttons] with lines "
                + "like \"1\" = \"<service id>\"",
        ])
    }

    @Test func badConnectionStringsAndProfile() {
        #expect(issues(minimal + """

            [[dispenser]]
            id = "lobi"
            input = "serial:/dev/ttyUSB0?baud=9601"
            printer = "tcp://192.168.1.50"
            cooldown_ms = 90000
            buttons = { "1" = "ktp" }
            [dispenser.profile]
            paper = 57
            code_page = "pc85"
            cutter = "yes"
            """) == [
            "t.toml:10: dispenser[0].input: bad input 'serial:/dev/ttyUSB0?baud=9601': baud '9601' is not a "
                + "standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)",
            "t.toml:11: dispenser[0].printer: bad printer 'tcp://192.168.1.50': missing port; network printers "
                + "usually listen on 9100: tcp://192.168.1.50:9100",
            "t.toml:12: dispenser[0].cooldown_ms: 90000 is out of range 0-60000",
            "t.toml:15: dispenser[0].profile.paper: paper width 57 mm is not supported; use 58 or 80",
            "t.toml:16: dispenser[0].profile.code_page: unknown code page 'pc85'; did you mean 'pc858'?",
            "t.toml:17: dispenser[0].profile.cutter: expected true or false, found a string",
        ])
    }

    @Test func badTimezoneAndLanguage() {
        #expect(issues("""
            [office]
            name = "Desa"
            timezone = "WIB"
            language = "jv"
            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"
            """) == [
            "t.toml:3: office.timezone: 'WIB' is not an IANA time zone name; did you mean 'Asia/Jakarta' (WIB, UTC+7)?",
            "t.toml:4: office.language: 'jv' is not a supported language; use \"id\" or \"en\"",
        ])
        let typo = issues(minimal.replacingOccurrences(
            of: "name = \"Kantor Desa Uji\"", with: "name = \"X\"\ntimezone = \"Asia/Jakrta\""))
        #expect(typo == ["t.toml:3: office.timezone: unknown time zone 'Asia/Jakrta'; did you mean 'Asia/Jakarta'?"])
    }

    @Test(arguments: [
        ("GMT+7", "'GMT+7' is an offset, not a time zone name; did you mean 'Asia/Jakarta' (WIB, UTC+7)?"),
        ("UTC+7", "'UTC+7' is an offset, not a time zone name; did you mean 'Asia/Jakarta' (WIB, UTC+7)?"),
        ("+07:00", "'+07:00' is an offset, not a time zone name; did you mean 'Asia/Jakarta' (WIB, UTC+7)?"),
        ("+08:00", "'+08:00' is an offset, not a time zone name; did you mean 'Asia/Makassar' (WITA, UTC+8)?"),
        ("GMT+8", "'GMT+8' is an offset, not a time zone name; did you mean 'Asia/Makassar' (WITA, UTC+8)?"),
        ("UTC+0900", "'UTC+0900' is an offset, not a time zone name; did you mean 'Asia/Jayapura' (WIT, UTC+9)?"),
        ("WIB", "'WIB' is not an IANA time zone name; did you mean 'Asia/Jakarta' (WIB, UTC+7)?"),
        ("wita", "'wita' is not an IANA time zone name; did you mean 'Asia/Makassar' (WITA, UTC+8)?"),
        ("WIT", "'WIT' is not an IANA time zone name; did you mean 'Asia/Jayapura' (WIT, UTC+9)?"),
        ("GMT+5:30", "'GMT+5:30' is an offset, not a time zone name; write it as 'UTC+05:30' or use the region's IANA name"),
        ("GMT-3", "'GMT-3' is an offset, not a time zone name; write it as 'UTC-03:00' or use the region's IANA name"),
    ])
    func timezoneSuggestions(written: String, message: String) {
        let found = issues(minimal.replacingOccurrences(
            of: "name = \"Kantor Desa Uji\"", with: "name = \"X\"\ntimezone = \"\(written)\""))
        #expect(found == ["t.toml:3: office.timezone: \(message)"])
    }

    @Test func suggestedFixedOffsetIsAccepted() throws {
        let config = try ConfigLoader.parse(minimal.replacingOccurrences(
            of: "name = \"Kantor Desa Uji\"", with: "name = \"X\"\ntimezone = \"UTC+05:30\""), file: "t.toml")
        #expect(config.office.timeZone.secondsFromGMT() == 5 * 3600 + 1800)
    }

    @Test(arguments: [
        ("[office]\nname = \"Kantor\n", "t.toml:2:15: TOML syntax: a text value is not closed: add the closing \" on this line"),
        ("[office]\nname = 'Kantor\n", "t.toml:2:15: TOML syntax: a text value is not closed: add the closing ' on this line"),
        ("[office]\nname = [\"a\", \"b\"\n", "t.toml:2:18: TOML syntax: a list is not closed: add the closing ] after its last item"),
        ("[office]\nname = \"a\"\nname = \"b\"\n", "t.toml:3:8: TOML syntax: 'name' is set twice in this section: keep one"),
        ("[office]\n[office]\n", "t.toml:2:1: TOML syntax: the section [office] appears twice: keep one and merge their keys"),
        ("[office\nname = \"a\"\n", "t.toml:1:8: TOML syntax: a section header is not closed: add the closing ] on this line"),
        ("[office]\nname = \n", "t.toml:2:8: TOML syntax: nothing after '=': write a value, e.g. name = \"Kantor Desa\""),
    ])
    func syntaxErrorsInPlainWords(text: String, expected: String) {
        let found = issues(text)
        #expect(found.count == 1)
        // The position and a plain sentence first; the parser's words follow.
        #expect(found.first?.hasPrefix(expected + " (parser: ") == true, "\(found)")
    }

    @Test func fixedOffsetTimezones() throws {
        func zone(_ text: String) throws -> TimeZone {
            try ConfigLoader.parse(minimal.replacingOccurrences(
                of: "name = \"Kantor Desa Uji\"", with: "name = \"X\"\ntimezone = \"\(text)\""), file: "t.toml").office.timeZone
        }
        #expect(try zone("UTC+07:00").secondsFromGMT() == 7 * 3600)
        #expect(try zone("UTC-03:30").secondsFromGMT() == -(3 * 3600 + 1800))
        #expect(try zone("UTC+07:00:05").secondsFromGMT() == 7 * 3600 + 5)
        for bad in ["UTC+7", "UTC+15:00", "UTC+07:60", "UTC+07:00:60"] {
            #expect(issues(minimal.replacingOccurrences(
                of: "name = \"Kantor Desa Uji\"", with: "name = \"X\"\ntimezone = \"\(bad)\"")).count == 1)
        }
    }

    @Test func everyIssueIsCollectedInFileOrder() {
        let found = issues("""
            [office]
            timezone = "Mars/Olympus"

            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"
            requirements = "KK"

            [[service]]
            id = "kk"
            name = "KK"
            prefix = "T"

            [socket]
            pth = "/tmp/x.sock"
            """)
        #expect(found == [
            "t.toml:1: office.name: required key is missing",
            "t.toml:2: office.timezone: unknown time zone 'Mars/Olympus'; use an IANA name: Asia/Jakarta (WIB), "
                + "Asia/Makassar (WITA) or Asia/Jayapura (WIT), or a fixed offset like UTC+07:00",
            "t.toml:8: service[0].requirements: expected an array of strings, found a string; "
                + "write [\"...\"] even for one line",
            "t.toml:13: service[1].prefix: prefix 'T' is already used by service[0] 'ktp' (line 4)",
            "t.toml:16: socket.pth: unknown key 'pth'; did you mean 'path'?",
        ])
    }

    @Test func duplicateInputDevice() {
        #expect(issues(minimal + """

            [[dispenser]]
            id = "a"
            input = "evdev:/dev/input/event3"
            printer = "preview:/tmp/a"
            buttons = { KEY_1 = "ktp" }
            [[dispenser]]
            id = "b"
            input = "evdev:/dev/input/event3"
            printer = "preview:/tmp/b"
            buttons = { KEY_1 = "ktp" }
            """) == [
            "t.toml:15: dispenser[1].input: /dev/input/event3 is already the input of dispenser[0] (line 8)",
        ])
    }

    // MARK: the shipped example

    @Test func shippedConfigLoadsAndMatchesReferenceData() throws {
        let path = repoRoot.appendingPathComponent("config/antre.toml").path
        let config = try ConfigLoader.load(path: path)
        #expect(config.office.name == "Kantor Desa Sukamaju")
        #expect(config.office.timeZone.identifier == "Asia/Jakarta")
        let ids = ["ktp", "kk", "akta-lahir", "akta-mati", "pindah", "domisili", "sktm", "usaha", "nikah", "kia"]
        #expect(config.services.map(\.id) == ids)
        #expect(config.services.map(\.prefix) == ["T", "K", "L", "M", "P", "D", "S", "U", "N", "A"])
        #expect(config.counters.count == 3)
        // Every service is called at some counter.
        #expect(Set(config.counters.flatMap(\.services)) == Set(ids))
        let lobi = try #require(config.dispensers.first)
        #expect(lobi.id == "lobi")
        #expect(lobi.input == .serial(path: "/dev/ttyUSB0", baud: 9600, framing: .byte))
        #expect(lobi.printer == .usb(vendor: 0x0416, product: 0x5011, serial: nil, interface: nil))
        #expect(lobi.profile.paper == .mm80 && lobi.profile.columns == 48)
        #expect(Set(lobi.buttons.keys) == Set((0...9).map(String.init)))
        #expect(Set(lobi.buttons.values) == Set(ids))

        let reference = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data/layanan-adminduk.toml")
        guard let text = try? String(contentsOf: reference, encoding: .utf8) else { return }  // data not shipped here
        let table = try TOMLTable(string: text)
        let layanan = try #require(table["layanan"]?.array)
        for entry in layanan {
            let data = try #require(entry.table)
            let id = try #require(data["id"]?.string)
            let service = try #require(config.service(id), "service \(id) missing from config/antre.toml")
            let expected = (data["persyaratan"]?.array ?? TOMLArray()).compactMap(\.string)
            #expect(service.requirements == expected, "requirements of \(id)")
            #expect(service.prefix == data["prefix"]?.string)
            #expect(service.fee == data["biaya"]?.string)
            #expect(service.processingTime == data["waktu_proses"]?.string ?? "")
        }
        let schedule = (table["jadwal"]?["baris_tiket"]?.array ?? TOMLArray()).compactMap(\.string)
        #expect(config.services.allSatisfy { $0.schedule == schedule })
        let footer = (table["tiket"]?["baris_kaki"]?.array ?? TOMLArray()).compactMap(\.string)
        #expect(config.office.footerLines == footer)
    }

    // MARK: summary

    @Test func summaryMentionsServicesCountersAndDispenser() throws {
        let path = repoRoot.appendingPathComponent("config/antre.toml").path
        let config = try ConfigLoader.load(path: path)
        let summary = ConfigLoader.summary(of: config)
        let lines = summary.split(separator: "\n").map(String.init)
        #expect(lines.first == "Office:     Kantor Desa Sukamaju (Asia/Jakarta, language id)")
        // One line per service: prefix, id, name, number of requirements.
        for service in config.services {
            let line = lines.first { $0.hasPrefix("  \(service.prefix)  \(service.id) ") }
            #expect(line?.contains(service.name) == true, "\(service.id)")
            #expect(line?.hasSuffix("(\(service.requirements.count) persyaratan)") == true, "\(service.id)")
        }
        #expect(lines.contains { $0.hasPrefix("  T  ktp") && $0.hasSuffix("(4 persyaratan)") })
        #expect(lines.contains("  2  Loket 2: akta-lahir, akta-mati"))
        #expect(lines.contains("  lobi"))
        #expect(lines.contains("    input    serial:/dev/ttyUSB0?baud=9600&framing=byte"))
        #expect(lines.contains("    printer  usb:0416:5011, 80 mm, 48 columns, pc858, cutter"))
        #expect(lines.contains("    buttons  1=ktp 2=kk 3=akta-lahir 4=akta-mati 5=pindah 6=domisili 7=sktm "
            + "8=usaha 9=nikah 0=kia"))
        #expect(lines.contains("Socket:     /run/antre/antred.sock (group antre)"))
        #expect(lines.contains("Access:     officers: group antre-officer; reload: root and group antre-admin"))
        #expect(lines.contains("Database:   /var/lib/antre/antre.db"))
    }
}

@Suite struct EvdevButtonConfigTests {
    @Test func evdevButtonsMustBeKeyNames() throws {
        let text = """
            [office]
            name = "Desa"
            [[service]]
            id = "ktp"
            name = "KTP"
            prefix = "T"
            [[dispenser]]
            id = "lobi"
            input = "evdev:/dev/input/by-id/usb-keypad-event-kbd"
            printer = "preview:/tmp/p"
            [dispenser.buttons]
            "KEY_1" = "ktp"
            "KEYCODE_183" = "ktp"
            "KEY_KPI" = "ktp"
            """
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "t.toml") }
        do {
            _ = try ConfigLoader.parse(text, file: "t.toml")
        } catch {
            #expect(error.issues.map(\.description) == [
                "t.toml:14: dispenser[0].buttons.KEY_KPI: 'KEY_KPI' is not a key name; evdev buttons are named like "
                    + "KEY_1, KEY_KP1, KEY_A or KEYCODE_<n>; did you mean 'KEY_KP0'?",
            ])
        }
    }
}

@Suite struct StorageRetentionConfigTests {
    @Test func retentionDefaultsTo400AndIsRead() throws {
        #expect(try ConfigLoader.parse(minimal, file: "t.toml").storage.retentionDays == 400)
        let config = try ConfigLoader.parse(minimal + "\n[storage]\nretention_days = 30\n", file: "t.toml")
        #expect(config.storage.retentionDays == 30)
    }

    @Test func badRetentionNamesFileLineAndKey() {
        let tooShort = issues(minimal + "\n[storage]\nretention_days = 2\n")
        #expect(tooShort == ["t.toml:9: storage.retention_days: 2 is out of range 7-3650"])
        let text = issues(minimal + "\n[storage]\nretention_days = \"a year\"\n")
        #expect(text.count == 1)
        #expect(text.first?.hasPrefix("t.toml:9: storage.retention_days: expected a number of days (7-3650)") == true, "\(text)")
    }
}

@Suite struct MetricsConfigTests {
    @Test func listenIsHostAndPortAndOffByDefault() throws {
        #expect(try ConfigLoader.parse(minimal, file: "t.toml").metrics == MetricsSettings())
        let on = try ConfigLoader.parse(minimal + "\n[metrics]\nlisten = \"127.0.0.1:9464\"\n", file: "t.toml")
        #expect(on.metrics == MetricsSettings(host: "127.0.0.1", port: 9464) && on.metrics.isEnabled)
        let v6 = try ConfigLoader.parse(minimal + "\n[metrics]\nlisten = \"[::1]:9100\"\n", file: "t.toml")
        #expect(v6.metrics == MetricsSettings(host: "::1", port: 9100))
        #expect(issues(minimal + "\n[metrics]\nlisten = \"9464\"\n")
                == ["t.toml:9: metrics.listen: '9464' is not HOST:PORT (like \"127.0.0.1:9464\")"])
    }
}
