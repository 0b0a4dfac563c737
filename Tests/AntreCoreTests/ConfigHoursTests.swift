import Foundation
import Testing
@testable import AntreCore

private func issues(_ toml: String) -> [String] {
    do {
        _ = try ConfigLoader.parse(toml, file: "t.toml")
        Issue.record("expected the config to be rejected")
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// `hours`, `closed_dates`, `daily_quota`, `last_ticket_before_close_min` and
/// `[office] closed_dates` as the technician writes them.
@Suite struct ConfigHoursTests {
    @Test func hoursHolidaysQuotaAndLastTicketAreRead() throws {
        let config = try ConfigLoader.parse("""
            [office]
            name = "Kantor Desa Uji"
            closed_dates = ["2026-12-25", 2027-01-01]

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            hours = ["mon-thu 08:00-15:00", "fri 08:00-11:00"]
            closed_dates = ["2026-12-24"]
            daily_quota = 30
            last_ticket_before_close_min = 15

            [[service]]
            id = "kk"
            name = "Kartu Keluarga"
            prefix = "K"
            """, file: "t.toml")
        #expect(config.office.closedDates == [LocalDay(year: 2026, month: 12, day: 25),
                                               LocalDay(year: 2027, month: 1, day: 1)])
        let ktp = try #require(config.service("ktp")).hours
        #expect(ktp.spans == [
            OpeningSpan(days: [.mon, .tue, .wed, .thu], opens: ClockTime(hour: 8, minute: 0), closes: ClockTime(hour: 15, minute: 0)),
            OpeningSpan(days: [.fri], opens: ClockTime(hour: 8, minute: 0), closes: ClockTime(hour: 11, minute: 0)),
        ])
        #expect(ktp.closedDates == [LocalDay(year: 2026, month: 12, day: 24)])
        #expect(ktp.dailyQuota == 30)
        #expect(ktp.lastTicketBeforeClose == 15)
        // No hours: always open, as before.
        #expect(try #require(config.service("kk")).hours.isUnrestricted)
        let summary = ConfigLoader.summary(of: config)
        #expect(summary.contains("mon-thu 08:00-15:00, fri 08:00-11:00; last ticket 15 min before closing; "
            + "quota 30/day; closed 2026-12-24"), "\(summary)")
        #expect(summary.contains("Closed:     2026-12-25, 2027-01-01"), "\(summary)")
    }

    @Test func mistakesNameFileLineKeyAndWhatWasExpected() {
        #expect(issues("""
            [office]
            name = "Kantor Desa Uji"
            closed_dates = ["25-12-2026"]

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            hours = [
              "mon-thu 08:00-15:00",
              "fri 8-11",
              "jum 08:00-11:00",
            ]
            closed_dates = ["2026-02-30", 7]
            daily_quota = 0
            last_ticket_before_close_min = "15m"

            [[service]]
            id = "kk"
            name = "KK"
            prefix = "K"
            hours = ["fri 08:00-08:10"]
            last_ticket_before_close_min = 15
            """) == [
            "t.toml:3: office.closed_dates[0]: '25-12-2026': expected a date 'YYYY-MM-DD' like \"2026-12-25\"",
            "t.toml:11: service[0].hours[1]: 'fri 8-11': expected 'DAY[-DAY] HH:MM-HH:MM' with 24-hour times like 08:00 or 15:30",
            "t.toml:12: service[0].hours[2]: 'jum 08:00-11:00': unknown day 'jum'; days are mon, tue, wed, thu, fri, sat, sun",
            "t.toml:14: service[0].closed_dates[0]: '2026-02-30': expected a date 'YYYY-MM-DD' like \"2026-12-25\"",
            "t.toml:14: service[0].closed_dates[1]: expected a date 'YYYY-MM-DD', found an integer",
            "t.toml:15: service[0].daily_quota: 0 is out of range 1-100000",
            "t.toml:16: service[0].last_ticket_before_close_min: expected a number of minutes, found a string",
            "t.toml:23: service[1].last_ticket_before_close_min: 15 minutes before closing leaves no time to take a "
                + "ticket in 'fri 08:00-08:10'",
        ])
    }
}

/// `antred --check-config`: mistakes between entries, each once, at its line.
@Suite struct ConfigConsistencyTests {
    static let office = """
        [office]
        name = "Kantor Desa Uji"

        """
    static let twoServices = """
        [[service]]
        id = "ktp"
        name = "KTP-el"
        prefix = "T"

        [[service]]
        id = "kia"
        name = "KIA"
        prefix = "A"

        """

    @Test func serviceNoCounterServes() {
        #expect(issues(Self.office + Self.twoServices + """
            [[counter]]
            id = "1"
            services = ["ktp"]

            [[counter]]
            id = "2"
            services = ["ktp"]
            """) == ["t.toml:9: service[1].id: no counter serves 'kia', so its tickets can never be called; add it "
                     + "to a [[counter]]'s services (or leave a counter's services out to serve all)"])
        // A counter without a list serves everything; no counters at all is left alone.
        #expect((try? ConfigLoader.parse(Self.office + Self.twoServices + """
            [[counter]]
            id = "1"
            services = ["ktp"]

            [[counter]]
            id = "2"
            """, file: "t.toml")) != nil)
        #expect((try? ConfigLoader.parse(Self.office + Self.twoServices, file: "t.toml")) != nil)
    }

    static let dispensers = """
        [[dispenser]]
        id = "depan"
        input = "serial:/dev/ttyUSB0?baud=9600"
        printer = "tcp://10.0.0.9:9100"
        buttons = { "1" = "ktp", "2" = "kia" }

        """

    @Test func twoDispensersOnOnePrinter() {
        #expect(issues(Self.office + Self.twoServices + Self.dispensers + """
            [[dispenser]]
            id = "samping"
            input = "none"
            printer = "tcp://10.0.0.9:9100"
            """) == ["t.toml:20: dispenser[1].printer: tcp://10.0.0.9:9100 is already the printer of dispenser[0] "
                     + "(line 12); each dispenser needs its own printer"])
        // Two printers of one model need their serial numbers.
        #expect(issues(Self.office + Self.twoServices + """
            [[dispenser]]
            id = "a"
            input = "none"
            printer = "usb:0416:5011"

            [[dispenser]]
            id = "b"
            input = "none"
            printer = "usb:0416:5011"
            """).contains { $0.hasSuffix("two printers of the same model need ?serial= to tell them apart") })
    }

    @Test func printerOnAnotherDispensersButtonDevice() {
        // The printer's dispenser comes first: still found, at the printer's line.
        #expect(issues(Self.office + Self.twoServices + """
            [[dispenser]]
            id = "samping"
            input = "none"
            printer = "serial:/dev/ttyUSB0?baud=9600"

            """ + Self.dispensers) == [
                "t.toml:15: dispenser[0].printer: /dev/ttyUSB0 is the button input of dispenser[1] (line 16); "
                    + "a printer and a button box cannot share a device",
            ])
    }

    @Test func relativeSocketPath() {
        #expect(issues(Self.office + """
            [socket]
            path = "run/antred.sock"

            """ + Self.twoServices) == [
                "t.toml:4: socket.path: 'run/antred.sock' is relative; write an absolute path like "
                    + "\"/run/antre/antred.sock\" so antred and antre find the same socket",
            ])
    }

    @Test func inputNoneWithAButtonMap() {
        #expect(issues(Self.office + Self.twoServices + """
            [[dispenser]]
            id = "meja"
            input = "none"
            printer = "tcp://10.0.0.9:9100"
            [dispenser.buttons]
            "1" = "ktp"
            """) == ["t.toml:16: dispenser[0].buttons: input \"none\" reads no buttons, so this button map is never "
                     + "used; remove [dispenser.buttons] or set the input (serial:..., evdev:..., keyboard)"])
    }

    @Test func emptyServiceListIsReportedOnceNotAtEveryUse() {
        let uses = """
            [[counter]]
            id = "1"
            services = ["ktp", "kk", "kia"]

            [[dispenser]]
            id = "depan"
            input = "serial:/dev/ttyUSB0?baud=9600"
            printer = "tcp://10.0.0.9:9100"
            buttons = { "1" = "ktp", "2" = "kk", "3" = "kia" }

            [board]
            services = ["ktp", "kk"]
            """
        #expect(issues("service = []\n" + Self.office + uses)
            == ["t.toml:1: service: no services; add at least one [[service]] with id, name and prefix"])
        #expect(issues(Self.office + "[service]\nid = \"ktp\"\n\n" + uses).count == 1)
    }

    @Test func brokenOrDuplicateServiceIsReportedOnce() {
        let uses = """
            [[counter]]
            id = "1"
            services = ["ktp", "kia"]

            [[dispenser]]
            id = "depan"
            input = "serial:/dev/ttyUSB0?baud=9600"
            printer = "tcp://10.0.0.9:9100"
            buttons = { "1" = "ktp", "2" = "kia" }
            """
        #expect(issues(Self.office + Self.twoServices + """
            [[service]]
            id = "ktp"
            name = "KTP lagi"
            prefix = "P"

            """ + uses) == ["t.toml:13: service[2].id: service id 'ktp' is already used by service[0] (line 3)"])
        // A copied entry whose id was not changed: the id it should have had is named
        // in that one message, not reported at every counter and button.
        #expect(issues(Self.office + Self.twoServices + """
            [[service]]
            id = "ktp"
            name = "Kartu Keluarga"
            prefix = "K"

            [[counter]]
            id = "1"
            services = ["ktp", "kia", "kk"]

            [[dispenser]]
            id = "depan"
            input = "serial:/dev/ttyUSB0?baud=9600"
            printer = "tcp://10.0.0.9:9100"
            buttons = { "1" = "ktp", "2" = "kia", "3" = "kk" }
            """) == ["t.toml:13: service[2].id: service id 'ktp' is already used by service[0] (line 3); "
                     + "counters or buttons name 'kk', which no service has: did you mean id = \"kk\" here?"])
        // A service dropped for its own error is not "unknown" wherever it is used.
        #expect(issues(Self.office + """
            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"

            [[service]]
            id = "kia"
            name = "KIA"

            """ + uses) == ["t.toml:8: service[1].prefix: required key is missing"])
    }

    @Test func missingSocketGroupsAreWarningsWithTheFix() throws {
        let file = NSTemporaryDirectory() + "antre-groups-\(UUID().uuidString).toml"
        let text = Self.office + """
            [socket]
            path = "/run/antre/antred.sock"
            group = "antre"
            officer_group = "antre-officer"
            admin_group = "antre"

            """ + Self.twoServices
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try ConfigLoader.load(path: file)
        let warnings = ConfigLoader.warnings(for: config, path: file) { $0 == "antre-officer" }
        #expect(warnings.map(\.description) == [
            "\(file):5: socket.group: warning: group 'antre' does not exist; antred will refuse to start until it "
                + "does. Create it: groupadd antre",
        ])
        #expect(ConfigLoader.warnings(for: config, path: file) { _ in true }.isEmpty)
    }
}
