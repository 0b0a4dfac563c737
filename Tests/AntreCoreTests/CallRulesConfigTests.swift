import Foundation
import Testing
@testable import AntreCore

/// `[office] priority_ratio`, `recalls_before_skip` and a dispenser's `priority_buttons` (issue 11).
@Suite struct CallRulesConfigTests {
    static let base = """
        [office]
        name = "Kantor Desa Uji"
        priority_ratio = 3
        recalls_before_skip = 2

        [[service]]
        id = "ktp"
        name = "KTP-el"
        prefix = "T"

        [[service]]
        id = "kk"
        name = "Kartu Keluarga"
        prefix = "K"

        """

    static func issues(_ toml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(toml, file: "t.toml")
            Issue.record("expected the config to be rejected")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func defaultsAreRatioTwoAndNoRecallLimit() throws {
        let config = try ConfigLoader.parse("""
            [office]
            name = "Desa"
            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            """, file: "t.toml")
        #expect(config.office.priorityRatio == 2)
        #expect(config.office.recallsBeforeSkip == nil)
        #expect(ConfigLoader.summary(of: config).contains(
            "\nCalls:      at most 2 priority per regular call; recalls without limit\n"))
    }

    @Test func officeRulesAndPriorityButtonsAreRead() throws {
        let config = try ConfigLoader.parse(Self.base + """
            [[dispenser]]
            id = "lobi"
            input = "keyboard"
            printer = "preview:/tmp/antre-preview"
            buttons = { "1" = "ktp", "2" = "kk" }
            priority_buttons = { "9" = "kk", "8" = "ktp" }
            """, file: "t.toml")
        #expect(config.office.priorityRatio == 3)
        #expect(config.office.recallsBeforeSkip == 2)
        let lobi = try #require(config.dispensers.first)
        #expect(lobi.priorityButtons == ["9": "kk", "8": "ktp"])
        #expect(lobi.ticketRequest(forKey: "9")?.serviceID == "kk")
        #expect(lobi.ticketRequest(forKey: "9")?.priority == true)
        #expect(lobi.ticketRequest(forKey: "2")?.priority == false)
        #expect(lobi.ticketRequest(forKey: "5") == nil)
        let summary = ConfigLoader.summary(of: config)
        #expect(summary.contains("\n    priority 8=ktp 9=kk"))
        #expect(summary.contains("\nCalls:      at most 3 priority per regular call; skipped after 2 recalls\n"))
    }

    @Test func priorityButtonsAloneAreEnoughForAnInput() throws {
        let config = try ConfigLoader.parse(Self.base + """
            [[dispenser]]
            id = "prioritas"
            input = "keyboard"
            printer = "preview:/tmp/antre-preview"
            [dispenser.priority_buttons]
            "p" = "ktp"
            """, file: "t.toml")
        #expect(config.dispensers.first?.buttons == [:])
        #expect(config.dispensers.first?.priorityButtons == ["p": "ktp"])
    }

    @Test func badValuesNameFileLineAndKey() {
        #expect(Self.issues("""
            [office]
            name = "Desa"
            priority_ratio = 0
            recalls_before_skip = "tiga"
            [[service]]
            id = "ktp"
            name = "KTP-el"
            prefix = "T"
            """) == [
            "t.toml:3: office.priority_ratio: 0 is out of range 1-20",
            "t.toml:4: office.recalls_before_skip: expected a number of recalls (1-20, or leave it out for no "
                + "limit), found a string",
        ])
    }

    @Test func priorityButtonsAreCheckedLikeButtons() {
        #expect(Self.issues(Self.base + """
            [[dispenser]]
            id = "lobi"
            input = "serial:/dev/ttyUSB0?baud=9600&framing=byte"
            printer = "usb:0416:5011"
            buttons = { "1" = "ktp" }
            [dispenser.priority_buttons]
            "1" = "kk"
            "9" = "akta"
            "PRIO" = "ktp"
            """) == [
            "t.toml:21: dispenser[0].priority_buttons.1: key '1' is already a regular button for 'ktp' in "
                + "dispenser[0].buttons.1 (line 19); give the priority ticket its own key",
            "t.toml:22: dispenser[0].priority_buttons.9: unknown service 'akta' (services: ktp, kk)",
            "t.toml:23: dispenser[0].priority_buttons.PRIO: input serial:/dev/ttyUSB0?baud=9600&framing=byte "
                + "sends one character per press, so button 'PRIO' can never match; use a single character "
                + "or framing=line",
        ])
    }
}
