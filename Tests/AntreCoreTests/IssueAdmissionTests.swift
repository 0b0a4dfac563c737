import ESCPOS
import Foundation
import Testing
@testable import AntreCore

/// Opening hours, holidays, last-ticket time and daily quota, on a fixed clock
/// in Asia/Jakarta (WIB). Week of Mon 30 Nov 2026 ... Mon 7 Dec 2026.
@Suite struct IssueAdmissionTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta") ?? .gmt

    static func wib(_ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0, month: Int = 12) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = jakarta
        return calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: hour, minute: minute,
                                                  second: second)) ?? Date(timeIntervalSince1970: 0)
    }

    static func office(closedDates: Set<LocalDay> = [], language: Language = .id) -> Office {
        var office = Office(name: "Kantor Desa Sukamaju", timeZone: jakarta, language: language)
        office.closedDates = closedDates
        return office
    }

    static func ktp(_ spans: [String] = ["mon-thu 08:00-15:00", "fri 08:00-11:00"], closed: [String] = [],
                    quota: Int? = nil, lastTicket: Int = 0, schedule: [String] = []) throws -> Service {
        var service = Service(id: "ktp", name: "KTP-el", prefix: "T", schedule: schedule)
        service.hours = ServiceHours(spans: try spans.map { try OpeningSpan(parsing: $0) },
                                     closedDates: Set(closed.compactMap { LocalDay(validating: $0) }),
                                     dailyQuota: quota, lastTicketBeforeClose: lastTicket)
        return service
    }

    static func decide(_ service: Service, _ at: Date, issued: Int = 0, office: Office = office()) -> Admission {
        IssueAdmission.decide(service: service, at: at, issuedToday: issued, office: office)
    }

    static func reopens(_ admission: Admission) -> Date? {
        if case let .closed(_, reopens) = admission { return reopens }
        Issue.record("expected closed, got \(admission)")
        return nil
    }

    static func paper(_ notice: NoticeSlip?) -> String {
        guard let notice else { return "" }
        let profile = PrinterProfile(paper: .mm80, codePage: .pc858)
        let text = ESCPOSTextRenderer.render(ESCPOSEncoder(profile: profile).encode(TicketLayout.receipt(for: notice)),
                                             columns: profile.columns)
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    // MARK: hours

    @Test func closesAt15WIBAndReopensNextMorning() throws {
        let service = try Self.ktp()
        // Thursday 3 Dec.
        #expect(Self.decide(service, Self.wib(3, 14, 59)) == .open)
        #expect(Self.decide(service, Self.wib(3, 14, 59, 59)) == .open)
        for closedAt in [Self.wib(3, 15, 0), Self.wib(3, 15, 1)] {
            let admission = Self.decide(service, closedAt)
            #expect(Self.reopens(admission) == Self.wib(4, 8, 0))
            #expect(admission.notice?.lines.contains("Mohon maaf, layanan dibuka kembali Jumat 08.00.") == true)
            #expect(admission.reason(in: .en) == "closed until Friday at 08:00")
            #expect(admission.reason(in: .id) == "tutup sampai Jumat 08.00")
        }
        // Before opening: later today.
        let early = Self.decide(service, Self.wib(3, 7, 30))
        #expect(Self.reopens(early) == Self.wib(3, 8, 0))
        #expect(early.notice?.lines.contains("Mohon maaf, layanan dibuka kembali hari ini 08.00.") == true)
        #expect(Self.decide(service, Self.wib(3, 8, 0)) == .open)
    }

    @Test func fridayClosesAt11AndTheWeekendIsSkipped() throws {
        let service = try Self.ktp()
        #expect(Self.decide(service, Self.wib(4, 10, 59)) == .open)
        let friday = Self.decide(service, Self.wib(4, 11, 0))
        #expect(Self.reopens(friday) == Self.wib(7, 8, 0))
        #expect(friday.notice?.lines.contains("Mohon maaf, layanan dibuka kembali Senin 08.00.") == true)
        let saturday = Self.decide(service, Self.wib(5, 9, 0))
        #expect(Self.reopens(saturday) == Self.wib(7, 8, 0))
        #expect(saturday.reason(in: .id) == "tutup sampai Senin 08.00")
        #expect(Self.reopens(Self.decide(service, Self.wib(6, 23, 59))) == Self.wib(7, 8, 0))
    }

    @Test func lunchBreakReopensTheSameDay() throws {
        let service = try Self.ktp(["mon-fri 08:00-12:00", "mon-fri 13:00-15:00"])
        #expect(Self.decide(service, Self.wib(1, 11, 59)) == .open)
        #expect(Self.reopens(Self.decide(service, Self.wib(1, 12, 30))) == Self.wib(1, 13, 0))
        #expect(Self.decide(service, Self.wib(1, 13, 0)) == .open)
    }

    @Test func lastTicketTimeStopsIssuingBeforeClosing() throws {
        let service = try Self.ktp(lastTicket: 15)
        #expect(Self.decide(service, Self.wib(3, 14, 44, 59)) == .open)
        #expect(Self.reopens(Self.decide(service, Self.wib(3, 14, 45))) == Self.wib(4, 8, 0))
        // Friday's 11:00 closing: last ticket 10:45.
        #expect(Self.reopens(Self.decide(service, Self.wib(4, 10, 50))) == Self.wib(7, 8, 0))
    }

    @Test func noHoursMeansAlwaysOpen() throws {
        let service = Service(id: "ktp", name: "KTP-el", prefix: "T")
        #expect(Self.decide(service, Self.wib(6, 3, 0)) == .open)
        #expect(Self.decide(service, Self.wib(5, 23, 59, 59), issued: 10_000) == .open)
    }

    // MARK: holidays

    @Test func closedDateIsSkippedAndTheNextOpenDayNamed() throws {
        // Monday 7 Dec is a holiday for this service.
        let service = try Self.ktp(closed: ["2026-12-07"])
        let monday = Self.decide(service, Self.wib(7, 9, 0))
        #expect(Self.reopens(monday) == Self.wib(8, 8, 0))
        #expect(monday.notice?.lines.contains("Mohon maaf, layanan dibuka kembali Selasa 08.00.") == true)
        #expect(Self.reopens(Self.decide(service, Self.wib(4, 11, 30))) == Self.wib(8, 8, 0))
    }

    @Test func officeWideHolidayClosesEveryService() throws {
        let office = Self.office(closedDates: [LocalDay(year: 2026, month: 12, day: 3)])
        let always = Service(id: "kk", name: "Kartu Keluarga", prefix: "K")
        let thursday = Self.decide(always, Self.wib(3, 10, 0), office: office)
        #expect(Self.reopens(thursday) == Self.wib(4, 0, 0))
        #expect(Self.reopens(Self.decide(try Self.ktp(), Self.wib(3, 10, 0), office: office)) == Self.wib(4, 8, 0))
    }

    @Test func reopeningMoreThanAWeekAwayNamesTheDate() throws {
        let holidays = (7...11).map { "2026-12-\($0 < 10 ? "0" : "")\($0)" }
        let service = try Self.ktp(closed: holidays)
        let admission = Self.decide(service, Self.wib(4, 12, 0))
        #expect(Self.reopens(admission) == Self.wib(14, 8, 0))
        #expect(admission.notice?.lines.contains("Mohon maaf, layanan dibuka kembali Senin, 14 Desember 08.00.") == true)
        #expect(admission.reason(in: .en) == "closed until Monday, 14 December at 08:00")
    }

    @Test func closedForLongerThanTheLookaheadHasNoReopening() throws {
        let days = (1...31).map { "2026-12-\($0 < 10 ? "0" : "")\($0)" }
        let admission = Self.decide(try Self.ktp(closed: days), Self.wib(2, 9, 0))
        #expect(Self.reopens(admission) == nil)
        #expect(admission.notice?.lines.contains("Mohon maaf, layanan sedang tutup.") == true)
        #expect(admission.reason(in: .en) == "closed (no opening hours in the next 14 days)")
    }

    // MARK: quota

    @Test func thirtiethTicketIsIssuedThe31stGetsTheQuotaSlip() throws {
        let service = try Self.ktp(quota: 30)
        #expect(Self.decide(service, Self.wib(3, 10, 0), issued: 29) == .open)
        let full = Self.decide(service, Self.wib(3, 10, 0), issued: 30)
        guard case let .quotaReached(notice, quota, nextOpen) = full else {
            Issue.record("expected the quota slip, got \(full)")
            return
        }
        #expect(quota == 30)
        #expect(nextOpen == Self.wib(4, 8, 0))
        #expect(notice.title == "KUOTA HABIS")
        #expect(notice.lines.contains("Mohon maaf, kuota hari ini sudah habis, silakan datang lagi Jumat, 4 Desember."))
        #expect(full.reason(in: .en) == "daily quota of 30 reached; next open Friday, 4 December")
        // On Friday the next open day is Monday.
        let friday = Self.decide(service, Self.wib(4, 9, 0), issued: 31)
        #expect(Self.paper(friday.notice).contains("kuota hari ini sudah habis, silakan datang lagi Senin, 7 Desember"))
    }

    @Test func closedWinsOverQuota() throws {
        let admission = Self.decide(try Self.ktp(quota: 30), Self.wib(3, 15, 30), issued: 30)
        #expect(Self.reopens(admission) == Self.wib(4, 8, 0))
    }

    // MARK: the slip

    @Test func closedSlipOnPaperNamesServiceReopeningAndSchedule() throws {
        let admission = Self.decide(try Self.ktp(), Self.wib(4, 11, 1))
        let text = Self.paper(admission.notice)
        for phrase in ["Kantor Desa Sukamaju", "TUTUP", "KTP-el", "layanan dibuka kembali Senin 08.00", "Jadwal:",
                       "- Senin-Kamis 08.00-15.00", "- Jumat 08.00-11.00", "Jumat, 4 Des 2026", "11.01 WIB"] {
            #expect(text.contains(phrase), "\(phrase) in \(text)")
        }
        // The office's own schedule lines win over the generated ones.
        let written = try Self.ktp(schedule: ["Senin-Kamis 08.00-15.00", "Sabtu, Minggu, libur: tutup"])
        let own = Self.paper(Self.decide(written, Self.wib(5, 9, 0)).notice)
        #expect(own.contains("- Sabtu, Minggu, libur: tutup"))
        #expect(!own.contains("Jumat 08.00-11.00"))
    }

    @Test func englishOfficeGetsAnEnglishSlip() throws {
        let admission = Self.decide(try Self.ktp(), Self.wib(5, 9, 0), office: Self.office(language: .en))
        let text = Self.paper(admission.notice)
        #expect(text.contains("CLOSED"))
        #expect(text.contains("Sorry, this service reopens Monday at 08:00."))
        #expect(text.contains("- Monday-Thursday 08:00-15:00"))
    }

    // MARK: parsing one entry

    @Test func spansParseRangesSingleDaysAndWrap() throws {
        #expect(try OpeningSpan(parsing: "mon-thu 08:00-15:00").days == [.mon, .tue, .wed, .thu])
        #expect(try OpeningSpan(parsing: "fri 08:00-11:00").days == [.fri])
        #expect(try OpeningSpan(parsing: "fri-mon 00:00-24:00").days == [.fri, .sat, .sun, .mon])
        #expect(try OpeningSpan(parsing: "Sat  09:30-12:00").opens == ClockTime(hour: 9, minute: 30))
        for (text, message) in [
            ("fri 8-11", "expected 'DAY[-DAY] HH:MM-HH:MM' with 24-hour times like 08:00 or 15:30"),
            ("jum 08:00-11:00", "unknown day 'jum'; days are mon, tue, wed, thu, fri, sat, sun"),
            ("08:00-15:00", "expected 'DAY[-DAY] HH:MM-HH:MM' (like \"mon-thu 08:00-15:00\")"),
            ("mon 15:00-08:00", "opens at 15:00 but closes at 08:00; the closing time must be later the same day"),
            ("mon 08:00-24:30", "expected 'DAY[-DAY] HH:MM-HH:MM' with 24-hour times like 08:00 or 15:30"),
        ] {
            #expect(throws: OpeningSpanError(message), "\(text)") { try OpeningSpan(parsing: text) }
        }
    }
}
