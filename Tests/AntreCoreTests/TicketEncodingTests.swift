import AntreTestSupport
import ESCPOS
import Foundation
import Testing
@testable import AntreCore

#if canImport(Glibc)
import Glibc
#endif

/// The state-tracking encoder (issue 13) against the encoder it replaced
/// (`ReferenceEncoder`): fewer bytes, the same paper. Tickets are the shipped
/// config's services, as a resident gets them (with and without the board QR,
/// reprints, English, a notice).
@Suite struct TicketEncodingTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    /// 2026-11-30 03:40 UTC: Monday 10.40 WIB.
    static let monday = Date(timeIntervalSince1970: 1_796_010_000)

    static func shippedConfig() throws -> AntreConfig {
        guard let root = Emupos.repoRoot() else { throw TestSupportError("no repo root") }
        return try ConfigLoader.load(path: root + "/config/antre.toml")
    }

    static func slip(_ service: Service, _ office: Office, sequence: Int, ahead: Int?, reprint: Bool = false)
        -> TicketSlip {
        let ticket = Ticket(id: Int64(sequence), number: TicketNumber(prefix: service.prefix, sequence: sequence),
                            day: LocalDay(containing: monday, in: office.timeZone), serviceID: service.id,
                            issuedServiceID: service.id, state: .waiting, counterID: nil, printState: .pending,
                            dispenserID: "depan", issuedAt: monday, calledAt: nil, finishedAt: nil, callCount: 0)
        return TicketSlip(ticket: ticket, service: service, office: office, ahead: ahead, isReprint: reprint,
                          reprintedAt: reprint ? monday.addingTimeInterval(600) : nil)
    }

    /// Every shipped service's ticket, then variants: board QR, reprint, English, a notice.
    static func sampleReceipts() throws -> [Receipt] {
        let config = try shippedConfig()
        var office = config.office
        var receipts = config.services.enumerated().map { index, service in
            TicketLayout.receipt(for: slip(service, office, sequence: index + 7, ahead: index))
        }
        office.boardURL = "http://192.168.1.10:8080"
        receipts.append(TicketLayout.receipt(for: slip(config.services[0], office, sequence: 12, ahead: 0)))
        receipts.append(TicketLayout.receipt(for: slip(config.services[1], office, sequence: 3, ahead: nil,
                                                       reprint: true)))
        office.language = .en
        receipts.append(TicketLayout.receipt(for: slip(config.services[2], office, sequence: 140, ahead: 12)))
        receipts.append(TicketLayout.receipt(for: NoticeSlip(
            office: office, title: "Layanan tutup",
            lines: ["Pelayanan KTP-el hari ini ditutup karena gangguan jaringan Disdukcapil. Silakan datang besok."],
            at: monday)))
        // Styles the layout does not use today: underline, right alignment, triple size, Unicode.
        receipts.append(Receipt([
            .text("Garis bawah, lalu tebal", style: TextStyle(underline: true)),
            .text("Kanan dan tebal bergaris", style: TextStyle(alignment: .right, bold: true, underline: true)),
            .text("Besar", style: TextStyle(alignment: .center, widthScale: 3, heightScale: 3)),
            .columns(left: "Kiri lebar", right: "kanan", style: TextStyle(bold: true, widthScale: 2)),
            .columns(left: "Kiri yang panjang sekali sehingga harus dibungkus", right: "kanan yang juga panjang"),
            .text("Café « résumé » — naïve … 10 €", hangingIndent: 6),
            .rule("═"),
            .text("1. Baris dengan indentasi gantung yang panjang sekali sampai tiga atau empat baris di kertas "
                  + "yang sempit, agar margin kiri dipakai", hangingIndent: 3),
            .feed(lines: 2),
            .text("Label: nilai yang sangat panjang sehingga baris lanjutan menjorok dua belas kolom di kertas",
                  hangingIndent: 12),
        ]))
        return receipts
    }

    static func profiles(_ paper: PrinterProfile.PaperWidth) -> [PrinterProfile] {
        [PrinterProfile(paper: paper, codePage: .pc858),
         PrinterProfile(paper: paper, codePage: .pc858, nativeQR: true, absolutePosition: false),
         PrinterProfile(paper: paper, codePage: .cp437, cancelKanji: true, leftMargin: true)]
    }

    /// The bench's ticket (README figures): a KK ticket with six requirements.
    static func kkTicket() -> Receipt {
        let service = Service(id: "kk", name: "Kartu Keluarga", prefix: "K",
                              requirements: ["KK lama (asli), jika ada", "Fotokopi buku nikah/akta cerai",
                                             "Akta/surat lahir (jika tambah anak)",
                                             "Surat pindah datang (jika dari luar)",
                                             "Surat kehilangan polisi (jika KK hilang)", "KTP-el pemohon"],
                              schedule: ["Senin-Kamis 08.00-15.00", "Jumat 08.00-11.00"], officer: "Ibu Sri",
                              contact: "0812-0000-0000", fee: "Gratis")
        let office = Office(name: "Kantor Desa Sukamaju", address: "Jl. Raya No. 1", footerLines: ["Dokumen GRATIS"],
                            timeZone: jakarta)
        return TicketLayout.receipt(for: slip(service, office, sequence: 7, ahead: 6))
    }

    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func readsTheSameAsThePlainEncoding(paper: PrinterProfile.PaperWidth) throws {
        for profile in Self.profiles(paper) {
            for receipt in try Self.sampleReceipts() {
                let old = ReferenceEncoder(profile: profile).encode(receipt)
                let new = ESCPOSEncoder(profile: profile).encode(receipt)
                #expect(ESCPOSTextRenderer.render(new, columns: profile.columns)
                        == ESCPOSTextRenderer.render(old, columns: profile.columns))
                #expect(new.count <= old.count)
            }
        }
    }

    /// Issue 13 asked for <= 600 / 640 bytes; what is left above that is the text
    /// itself (see README, "Ticket encoding"): this pins what the encoder reaches.
    @Test func kkTicketBytes() {
        let receipt = Self.kkTicket()
        for (paper, limit) in [(PrinterProfile.PaperWidth.mm58, 630), (.mm80, 660)] {
            let old = ReferenceEncoder(profile: PrinterProfile(paper: paper)).encode(receipt).count
            let new = ESCPOSEncoder(profile: PrinterProfile(paper: paper)).encode(receipt).count
            #expect(new <= limit, "\(paper): \(new) bytes, \(old) before")
            #expect(old - new >= 40, "\(paper): \(new) bytes, \(old) before")
        }
    }

    @Test func modesAreSentOnlyWhenTheyChange() {
        let bytes = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58)).encode(Self.kkTicket())
        func count(_ command: [UInt8]) -> Int {
            guard bytes.count >= command.count else { return 0 }
            return (0...(bytes.count - command.count)).filter { Array(bytes[$0..<($0 + command.count)]) == command }
                .count
        }
        // Centred header, left-aligned body, centred footer: three alignment changes.
        #expect(count([0x1B, 0x61]) == 3)
        // ASCII prints the same on every code page: no ESC t at all.
        #expect(count([0x1B, 0x74]) == 0)
        // The date line's time is placed, not padded.
        #expect(count([0x1B, 0x24]) >= 1)
        #expect(count([0x20, 0x20, 0x20, 0x20, 0x20]) == 0)
    }

    /// The samples exercise every indent path: spaces, ESC $ and (when the profile allows it) GS L.
    @Test func samplesUsePositionsAndMarginsWhereAllowed() throws {
        let styles = try #require(try Self.sampleReceipts().last)
        func contains(_ bytes: [UInt8], _ command: [UInt8]) -> Bool {
            (0...(bytes.count - command.count)).contains { Array(bytes[$0..<($0 + command.count)]) == command }
        }
        let margins = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58, leftMargin: true)).encode(styles)
        #expect(contains(margins, [0x1D, 0x4C]))
        let plain = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58, absolutePosition: false)).encode(styles)
        #expect(!contains(plain, [0x1D, 0x4C]) && !contains(plain, [0x1B, 0x24]))
        let positions = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58)).encode(styles)
        #expect(contains(positions, [0x1B, 0x24]) && !contains(positions, [0x1D, 0x4C]))
    }

    @Test func codePageIsSelectedOnceBeforeTheFirstCharacterThatNeedsIt() {
        let receipt = Receipt([.text("Kantor Desa"), .text("Café résumé"), .text("Biaya: 10 €")])
        let bytes = ESCPOSEncoder(profile: PrinterProfile(paper: .mm58, codePage: .pc858)).encode(receipt)
        let select: [UInt8] = [0x1B, 0x74, 19]
        let at = (0...(bytes.count - 3)).filter { Array(bytes[$0..<($0 + 3)]) == select }
        #expect(at.count == 1)
        #expect(at.first.map { Array(bytes[($0 + 3)...].prefix(4)) } == Array("Caf".utf8) + [0x82])
    }

    /// What emupos prints (its text dump and its PNG) is the same for both encoders.
    @Test(arguments: [PrinterProfile.PaperWidth.mm58, .mm80])
    func emuposPrintsTheSame(paper: PrinterProfile.PaperWidth) throws {
        let emupos = try Emupos(profile: paper == .mm58 ? .pos58 : .epsonTMT20III)
        guard let port = emupos.tcpPort else { throw TestSupportError("emupos has no TCP port") }
        let socket = try LoopbackTCP.connect(port: port)
        defer { close(socket) }
        var printed = 0
        func printJob(_ bytes: [UInt8]) throws -> Emupos.Receipt {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw TestSupportError("send to emupos failed") }
                sent += n
            }
            printed += 1
            return try emupos.waitForReceipts(count: printed, timeout: .seconds(20))[printed - 1]
        }
        func png(_ receipt: Emupos.Receipt) throws -> Data {
            try Data(contentsOf: URL(fileURLWithPath: emupos.imagePath(of: receipt)))
        }
        for profile in Self.profiles(paper) {
            for receipt in try Self.sampleReceipts() {
                let old = try printJob(ReferenceEncoder(profile: profile).encode(receipt))
                let new = try printJob(ESCPOSEncoder(profile: profile).encode(receipt))
                #expect(try png(new) == png(old), "\(paper) \(profile): \(new.text)")
                if profile.leftMargin {
                    // emupos's text dump leaves out margins (the PNG has them): compare the text only.
                    #expect(new.text.split(separator: "\n").map { $0.drop { $0 == " " } }
                            == old.text.split(separator: "\n").map { $0.drop { $0 == " " } })
                } else {
                    #expect(new.text == old.text)
                }
            }
        }
        #expect(emupos.complaints().isEmpty, "\(emupos.complaints())")
    }
}
