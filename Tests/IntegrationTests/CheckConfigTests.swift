import AntreTestSupport
import Foundation
import Testing

/// `antred --check-config` on configs that break an office: every mistake once,
/// at its line, no follow-on lines; missing socket groups are a warning with the fix.
@Suite(.serialized) struct CheckConfigTests {
    @Test func everyOfficeBreakingMistakeIsReportedOnceAtItsLine() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("antre.toml")
        try """
            [office]
            name = "Kantor Desa Uji"

            [socket]
            path = "antred.sock"

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            hours = ["mon-thu 08:00-15:00", "fri 8-11"]

            [[service]]
            id = "ktp"
            name = "KTP lagi"
            prefix = "P"

            [[service]]
            id = "kia"
            name = "KIA"
            prefix = "A"

            [[counter]]
            id = "1"
            services = ["ktp"]

            [[dispenser]]
            id = "depan"
            input = "serial:/dev/ttyUSB0?baud=9600"
            printer = "tcp://10.0.0.9:9100"
            buttons = { "1" = "ktp", "2" = "kia" }

            [[dispenser]]
            id = "meja"
            input = "none"
            printer = "tcp://10.0.0.9:9100"
            buttons = { "1" = "ktp" }

            [[dispenser]]
            id = "samping"
            input = "none"
            printer = "serial:/dev/ttyUSB0?baud=9600"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try run(Repo.executable("antred"), ["--check-config", "--config", file])
        #expect(result.status == 1, "\(result)")
        let expected = [
            "\(file):5: socket.path: 'antred.sock' is relative",
            "\(file):11: service[0].hours[1]: 'fri 8-11': expected 'DAY[-DAY] HH:MM-HH:MM'",
            "\(file):14: service[1].id: service id 'ktp' is already used by service[0] (line 7)",
            "\(file):19: service[2].id: no counter serves 'kia', so its tickets can never be called",
            "\(file):36: dispenser[1].printer: tcp://10.0.0.9:9100 is already the printer of dispenser[0] (line 27)",
            "\(file):37: dispenser[1].buttons: input \"none\" reads no buttons",
            "\(file):42: dispenser[2].printer: /dev/ttyUSB0 is the button input of dispenser[0] (line 27)",
        ]
        let lines = result.stderr.split(separator: "\n").map(String.init)
        for prefix in expected {
            #expect(lines.filter { $0.hasPrefix(prefix) }.count == 1, "\(prefix)\n\(result)")
        }
        // Nothing else: no "unknown service" follow-ons, just the count.
        #expect(lines.count == expected.count + 1, "\(result)")
        #expect(lines.last == "antred: \(expected.count) problem(s) in \(file)", "\(result)")
    }

    @Test func missingSocketGroupIsAWarningWithTheGroupaddLine() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("antre.toml")
        let group = "antre-nogroup-\(getpid())"
        try """
            [office]
            name = "Kantor Desa Uji"

            [socket]
            path = "\(directory.file("antred.sock"))"
            group = "\(group)"

            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            hours = ["mon-fri 08:00-15:00"]
            daily_quota = 30
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try run(Repo.executable("antred"), ["--check-config", "--config", file])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("OK: \(file)"), "\(result)")
        #expect(result.stdout.contains("mon-fri 08:00-15:00; quota 30/day"), "\(result)")
        #expect(result.stderr == "\(file):6: socket.group: warning: group '\(group)' does not exist; antred will "
            + "refuse to start until it does. Create it: groupadd \(group)\n", "\(result)")
    }
}
