import Foundation
import Testing
import ESCPOS
@testable import AntreCore

@Suite struct TicketLayoutTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta") ?? .gmt

    static func office(_ language: Language = .id) -> Office {
        Office(name: "Kantor Desa Sukamaju", address: "Jl. Raya Sukamaju No. 1, Kec. Cibeber",
               headerLines: ["Pelayanan Administrasi Kependudukan"],
               footerLines: ["Dokumen kependudukan GRATIS", "Terima kasih"],
               timeZone: jakarta, language: language)
    }

    static let service = Service(
        id: "ktp", name: "KTP-el", prefix: "B",
        requirements: [
            "Fotokopi Kartu Keluarga (KK)",
            "Surat pengantar RT/RW yang diketahui Kepala Desa atau Lurah setempat",
            "Berusia 17 tahun, sudah atau pernah kawin",
        ],
        schedule: ["Senin-Kamis 08.00-15.00", "Jumat 08.00-11.00"],
        officer: "Siti Aminah", contact: "0812-3456-7890", fee: "Gratis", processingTime: "1 hari kerja")

    /// 2026-11-28T17:30:00Z: Sunday 29 Nov, 00.30 in Jakarta (UTC+7).
    static let lateSaturdayUTC = Date(timeIntervalSince1970: 1_795_887_000)

    static func slip(service: Service = service, office: Office = office(), ahead: Int = 4,
                     reprint: Bool = false, at date: Date = lateSaturdayUTC) -> TicketSlip {
        let ticket = Ticket(id: 12, number: TicketNumber(prefix: "B", sequence: 12),
                            day: LocalDay(containing: date, in: office.timeZone), serviceID: service.id,
                            issuedServiceID: service.id, state: .waiting, counterID: nil, printState: .pending,
                            dispenserID: "depan", issuedAt: date, calledAt: nil, finishedAt: nil, callCount: 0)
        return TicketSlip(ticket: ticket, service: service, office: office, ahead: ahead, isReprint: reprint)
    }

    /// The slip as it reads on paper, through the real encoder and renderer.
    static func paper(_ receipt: Receipt, _ paper: PrinterProfile.PaperWidth = .mm80) -> [String] {
        let profile = PrinterProfile(paper: paper, codePage: .pc858)
        let text = ESCPOSTextRenderer.render(ESCPOSEncoder(profile: profile).encode(receipt),
                                             columns: profile.columns)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func flowing(_ lines: [String]) -> String {
        lines.map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: " ")
    }

    @Test func instantIsCheckedAgainstTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Self.lateSaturdayUTC)
        #expect([parts.year, parts.month, parts.day, parts.hour, parts.minute] == [2026, 11, 28, 17, 30])
    }

    @Test func numberIsBigBoldAndCentred() {
        let receipt = TicketLayout.receipt(for: Self.slip())
        #expect(receipt.blocks.contains(.text("B-012", style: TextStyle(alignment: .center, bold: true,
                                                                         widthScale: 2, heightScale: 2))))
        #expect(receipt.blocks.contains(.text("KTP-el", style: TextStyle(alignment: .center, bold: true))))
        #expect(receipt.blocks.contains(.text("Kantor Desa Sukamaju",
                                              style: TextStyle(alignment: .center, bold: true))))
        #expect(receipt.blocks.contains(.text("Nomor antrean", style: TextStyle(alignment: .center))))
    }

    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func paperShowsEverythingTheResidentNeeds(width: PrinterProfile.PaperWidth) {
        let lines = Self.paper(TicketLayout.receipt(for: Self.slip()), width)
        let text = Self.flowing(lines)
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "B-012" })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "KTP-el" })
        #expect(text.contains("Menunggu di depan Anda: 4 orang"))
        #expect(text.contains("Persyaratan:"))
        for (i, requirement) in Self.service.requirements.enumerated() {
            #expect(text.contains("\(i + 1). \(requirement)"), "\(requirement)")
        }
        #expect(text.contains("Jadwal: - Senin-Kamis 08.00-15.00 - Jumat 08.00-11.00"))
        #expect(text.contains("Waktu proses: 1 hari kerja"))
        #expect(text.contains("Petugas: Siti Aminah (0812-3456-7890)"))
        #expect(text.contains("Biaya: Gratis"))
        #expect(text.contains("Dokumen kependudukan GRATIS"))
        #expect(!text.contains("CETAK ULANG"))
    }

    @Test func wrappedRequirementsHangUnderTheirText() throws {
        let lines = Self.paper(TicketLayout.receipt(for: Self.slip()), .mm58)
        let start = try #require(lines.firstIndex { $0.hasPrefix("2. Surat pengantar") })
        #expect(lines[start + 1].hasPrefix("   ") && !lines[start + 1].hasPrefix("    "))
        #expect(!lines[start + 1].hasPrefix("   3."))
    }

    @Test func dateAndTimeAreInTheOfficeTimeZone() {
        let lines = Self.paper(TicketLayout.receipt(for: Self.slip()))
        let dated = lines.first { $0.hasPrefix("Minggu, 29 Nov 2026") }
        #expect(dated?.hasSuffix("00.30 WIB") == true)
        #expect(dated?.count == 48)
        let receipt = TicketLayout.receipt(for: Self.slip())
        #expect(receipt.blocks.contains(.columns(left: "Minggu, 29 Nov 2026", right: "00.30 WIB")))
    }

    @Test func saturdayEveningInJakarta() {
        // 2026-11-28T16:40Z = Saturday 23.40 in Jakarta.
        let receipt = TicketLayout.receipt(for: Self.slip(at: Date(timeIntervalSince1970: 1_795_884_000)))
        #expect(receipt.blocks.contains(.columns(left: "Sabtu, 28 Nov 2026", right: "23.40 WIB")))
    }

    @Test func emptyFieldsAreOmitted() {
        let bare = Service(id: "sk", name: "Surat Keterangan", prefix: "C", requirements: ["", "  "],
                           schedule: [], officer: "", contact: "", fee: " ", processingTime: "")
        let office = Office(name: "Desa Maju", timeZone: Self.jakarta)
        let receipt = TicketLayout.receipt(for: Self.slip(service: bare, office: office))
        let text = Self.flowing(Self.paper(receipt))
        for label in ["Persyaratan", "Jadwal", "Waktu proses", "Petugas", "Kontak", "Biaya", "1."] {
            #expect(!text.contains(label), "\(label)")
        }
        #expect(text.contains("Surat Keterangan"))
        // Name only, no address, header or footer lines: one rule (under the header), no empty text.
        #expect(receipt.blocks.filter { $0 == .rule() }.count == 1)
        #expect(!receipt.blocks.contains { if case let .text(t, _, _) = $0 { t.isEmpty } else { false } })
    }

    @Test func contactWithoutOfficer() {
        var service = Self.service
        service.officer = ""
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip(service: service))))
        #expect(text.contains("Kontak: 0812-3456-7890"))
        #expect(!text.contains("Petugas"))
    }

    @Test func reprintIsMarked() {
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip(reprint: true))))
        #expect(text.contains("CETAK ULANG"))
    }

    @Test func nobodyAheadReadsNaturally() {
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip(ahead: 0))))
        #expect(text.contains("Anda berikutnya"))
        #expect(!text.contains("0 orang"))
    }

    @Test func reprintShowsWhenAndTheCurrentPositionOrNone() {
        var slip = Self.slip(ahead: 2, reprint: true)
        slip.reprintedAt = Self.lateSaturdayUTC.addingTimeInterval(3 * 3600 + 25 * 60)
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: slip)))
        #expect(text.contains("CETAK ULANG"))
        #expect(text.contains("Dicetak ulang 03.55 WIB"))
        #expect(text.contains("Menunggu di depan Anda: 2 orang"))
        // A skipped or served ticket has no place in the line: no position at all.
        slip.ahead = nil
        let none = Self.flowing(Self.paper(TicketLayout.receipt(for: slip)))
        #expect(!none.contains("Menunggu") && !none.contains("Anda berikutnya"), "\(none)")
    }

    @Test(arguments: [("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT"), ("Asia/Pontianak", "WIB")])
    func timeCarriesTheIndonesianZone(identifier: String, abbreviation: String) throws {
        let office = Office(name: "Desa", timeZone: try #require(TimeZone(identifier: identifier)))
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip(office: office))))
        #expect(text.contains(" \(abbreviation)"), "\(text)")
    }

    @Test func englishVariant() {
        let slip = Self.slip(office: Self.office(.en), ahead: 0, reprint: true)
        let receipt = TicketLayout.receipt(for: slip)
        #expect(receipt.blocks.contains(.columns(left: "Sunday, 29 Nov 2026", right: "00:30 WIB")))
        let text = Self.flowing(Self.paper(receipt))
        for phrase in ["Queue number", "You are next", "Requirements:", "Schedule:",
                       "Processing time: 1 hari kerja", "Officer: Siti Aminah (0812-3456-7890)", "Fee: Gratis",
                       "REPRINT"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
        for phrase in ["Nomor antrean", "Menunggu", "Persyaratan", "Biaya", "Petugas"] {
            #expect(!text.contains(phrase), "\(phrase)")
        }
    }

    @Test func noticeSlip() {
        let notice = NoticeSlip(office: Self.office(), title: "TUTUP",
                                lines: ["Layanan KTP-el hari ini sudah tutup.", "Silakan datang besok."],
                                at: Self.lateSaturdayUTC)
        let receipt = TicketLayout.receipt(for: notice)
        #expect(receipt.blocks.contains(.text("TUTUP", style: TextStyle(alignment: .center, bold: true,
                                                                        widthScale: 2, heightScale: 2))))
        let text = Self.flowing(Self.paper(receipt))
        #expect(text.contains("Kantor Desa Sukamaju"))
        #expect(text.contains("Layanan KTP-el hari ini sudah tutup. Silakan datang besok."))
        #expect(text.contains("Minggu, 29 Nov 2026"))
        #expect(text.contains("00.30 WIB"))
    }

    @Test func boardAddressPrintsTheTicketsPhonePageAsQRBeforeTheFooter() throws {
        var office = Self.office()
        office.boardURL = "http://192.168.1.10:8080"
        let receipt = TicketLayout.receipt(for: Self.slip(office: office))
        let qr = try #require(receipt.blocks.firstIndex(of: .qr("http://192.168.1.10:8080/t/B-012")))
        let caption = try #require(receipt.blocks.firstIndex(of: .text("Pantau antrean dari HP Anda:",
                                                                     style: TextStyle(alignment: .center))))
        let footer = try #require(receipt.blocks.firstIndex(of: .text("Terima kasih", style: TextStyle(alignment: .center))))
        #expect(caption + 1 == qr && qr < footer)
        // Printed as a raster image on a printer without native QR; the text around it is intact.
        let lines = Self.paper(receipt, .mm58)
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "[image]" })
        #expect(lines.last { !$0.isEmpty && !$0.contains("cut") }?.contains("Terima kasih") == true)
    }

    @Test func noBoardAddressNoQR() {
        let receipt = TicketLayout.receipt(for: Self.slip())
        #expect(!receipt.blocks.contains { if case .qr = $0 { true } else { false } })
    }
}

/// Issue 11: priority mark, where to go, estimated wait.
extension TicketLayoutTests {
    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func priorityTicketIsMarkedUnderTheService(width: PrinterProfile.PaperWidth) throws {
        var slip = Self.slip()
        slip.ticket.priority = true
        let receipt = TicketLayout.receipt(for: slip)
        let mark = try #require(receipt.blocks.firstIndex(of: .text("PRIORITAS", style: TextStyle(
            alignment: .center, bold: true, widthScale: 2))))
        let service = try #require(receipt.blocks.firstIndex(of: .text("KTP-el", style: TextStyle(
            alignment: .center, bold: true))))
        #expect(mark == service + 1)
        let lines = Self.paper(receipt, width)
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "PRIORITAS" })
        // A regular ticket carries no mark.
        #expect(!Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip()), width)).contains("PRIORITAS"))
    }

    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func ticketSaysWhichLoketAndTheEstimatedWait(width: PrinterProfile.PaperWidth) {
        var slip = Self.slip(ahead: 4)
        slip.counterNames = ["Loket 1", "Loket 2"]
        slip.waitEstimate = WaitEstimate(minMinutes: 10, maxMinutes: 20)
        let lines = Self.paper(TicketLayout.receipt(for: slip), width)
        let text = Self.flowing(lines)
        #expect(text.contains("Menunggu di depan Anda: 4 orang Silakan ke: Loket 1 / Loket 2 "
            + "Perkiraan tunggu: 10-20 menit"), "\(text)")
        // Each fits one line of 58 mm paper (32 columns).
        #expect(lines.contains("Silakan ke: Loket 1 / Loket 2"))
        #expect(lines.contains("Perkiraan tunggu: 10-20 menit"))
    }

    @Test func noCountersAndNoEstimatePrintNothing() {
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: Self.slip())))
        #expect(!text.contains("Silakan ke") && !text.contains("Perkiraan") && !text.contains("menit"))
    }

    @Test func englishPriorityLoketAndWait() {
        var slip = Self.slip(office: Self.office(.en))
        slip.ticket.priority = true
        slip.counterNames = ["Loket 3"]
        slip.waitEstimate = WaitEstimate(minMinutes: 0, maxMinutes: 5)
        let text = Self.flowing(Self.paper(TicketLayout.receipt(for: slip)))
        #expect(text.contains("PRIORITY"))
        #expect(text.contains("Go to: Loket 3"))
        #expect(text.contains("Estimated wait: 0-5 minutes"))
    }
}
