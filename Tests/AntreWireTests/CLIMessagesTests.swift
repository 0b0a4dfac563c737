import AntreCore
import AntreWire
import Testing

/// `antre` in Indonesian (language = "id") next to the English it replaces.
@Suite struct CLIMessagesTests {
    @Test func repliesInIndonesian() {
        var ticket = Samples.ticketB12
        #expect(QueueText.called(CallNextReply(ticket: ticket, counterName: "Loket 2", waiting: 3), in: .id)
                == "B-012 dipanggil ke Loket 2 (Kartu Keluarga); 3 masih menunggu")
        #expect(QueueText.called(CallNextReply(ticket: ticket, counterName: "Loket 2"), in: .id)
                == "B-012 dipanggil ke Loket 2 (Kartu Keluarga)")
        #expect(QueueText.recalled(RecallReply(ticket: ticket, counterName: "Loket 2"), in: .id)
                == "B-012 dipanggil ulang ke Loket 2")
        #expect(QueueText.skipped(TicketReply(ticket: ticket), in: .id) == "B-012 dilewati")
        #expect(QueueText.finished(TicketReply(ticket: ticket), in: .id) == "B-012 selesai dilayani")
        ticket.service = "akta-lahir"
        ticket.state = .waiting
        #expect(QueueText.transferred(TicketReply(ticket: ticket), in: .id) == "B-012 dipindah ke akta-lahir (menunggu)")
        #expect(QueueText.reloaded(in: .id) == "konfigurasi dimuat ulang")
        #expect(QueueText.confirmed(TicketReply(ticket: Samples.ticketT4), in: .id) == "T-004 dipastikan sudah tercetak")
    }

    @Test func issueAndPaperInIndonesian() {
        var ticket = Samples.ticketT4
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 3, printed: true), in: .id)
                == "T-004 diambil untuk KTP-el, 3 orang di depannya; tercetak")
        ticket.printState = .failed
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 0, printed: false), in: .id)
                == "T-004 diambil untuk KTP-el, 0 orang di depannya; gagal dicetak (antre reprint T-004)")
        #expect(QueueText.reprinted(TicketReply(ticket: ticket), in: .id)
                == "T-004: gagal dicetak lagi (periksa printer, lalu: antre reprint T-004)")
    }

    @Test func englishIsTheDefaultAndUnchanged() {
        let reply = CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2", waiting: 4)
        #expect(QueueText.called(reply) == QueueText.called(reply, in: .en))
        #expect(QueueText.status(Samples.status) == QueueText.status(Samples.status, in: .en))
        #expect(QueueText.status(Samples.status).contains("SERVICE     NAME            WAITING"))
    }

    @Test func statusHeadingsInIndonesian() {
        let expected = """
        Kantor Desa Sukamaju, 2026-11-28

        LAYANAN     NAMA            MENUNGGU  DILAYANI  DILEWATI  TERAKHIR
        ktp         KTP-el                 3         5         0  T-008
        akta-lahir  Akta Kelahiran         0         0         0  -

        LOKET   NAMA     SEKARANG
        loket1  Loket 1  T-005 sejak 10:32
        loket2  Loket 2  -

        PRINTER  SAMBUNGAN      KEADAAN  TERLEWAT  CETAK-ULANG  KETERANGAN
        lobby    usb:0416:5011  down            3            1  paper out

        GAGAL DICETAK (antre reprint NOMOR)
        T-004  KTP-el  diambil 10:02  menunggu
        """
        #expect(QueueText.status(Samples.status, in: .id) == expected)
        let empty = QueueText.status(StatusReply(day: "2026-11-28", office: "Desa X"), in: .id)
        #expect(empty == "Desa X, 2026-11-28\n\nbelum ada layanan di konfigurasi\n\nbelum ada loket di konfigurasi\n\ntidak ada printer")
    }

    @Test func monitorAndPrintersInIndonesian() {
        #expect(QueueText.event(Samples.event(2), in: .id) == "10:32:00 dipanggil B-002 di Loket 2")
        let text = QueueText.printers(ListPrintersReply(usb: [Samples.usbPrinter]), in: .id)
        #expect(text.contains("  bus 1 alamat 5, serial A1"))
        #expect(text.contains("  dipakai oleh: lobby"))
        #expect(QueueText.printers(ListPrintersReply(usb: []), in: .id).hasPrefix("tidak ada printer USB"))
    }

    /// Each io.antre.Queue error becomes a sentence with its parameters.
    @Test func varlinkErrorsInIndonesian() {
        let id = CLIMessages.id
        #expect(id.error(QueueError.noTicketWaiting(counter: "1", services: []).varlinkError)
                == "tidak ada antrean untuk loket 1")
        #expect(id.error(QueueError.noTicketWaiting(counter: "1", services: ["ktp", "kk"]).varlinkError)
                == "tidak ada antrean untuk loket 1 (layanan: ktp, kk)")
        #expect(id.error(QueueError.ticketNotFound(number: "T-099").varlinkError) == "nomor T-099 tidak ada hari ini")
        #expect(id.error(QueueError.invalidState(number: "T-001", state: .served, action: "skip").varlinkError)
                == "T-001 tidak dapat dilewati: statusnya selesai")
        #expect(id.error(QueueError.nothingCalled(counter: "2").varlinkError)
                == "tidak ada nomor yang sedang dipanggil di loket 2")
        #expect(id.error(QueueError.serviceNotFound(service: "sim").varlinkError) == "layanan 'sim' tidak dikenal")
        #expect(id.error(VarlinkErrors.permissionDenied("Reload")) == "tidak ada izin untuk Reload")
        #expect(id.error(VarlinkErrors.configInvalid(["antre.toml:3: office.name: empty"]))
                == "konfigurasi tidak sah, konfigurasi yang sedang berjalan tetap dipakai:\n  antre.toml:3: office.name: empty")
        // A name this antre does not know yet still says what it is.
        let unknown = VarlinkError(name: "io.antre.Queue.SomethingNew", parameters: ["x": .string("y")])
        #expect(id.error(unknown).contains("io.antre.Queue.SomethingNew"))
        // English stays the daemon's own wording.
        let english = QueueError.noTicketWaiting(counter: "1", services: []).varlinkError
        #expect(CLIMessages.en.error(english) == "no ticket waiting for counter 1")
    }

    @Test func unreachableInIndonesian() {
        #expect(CLIMessages.id.error(VarlinkClientError.noSocket(path: "/run/antre/antred.sock"))
                == "antred tidak dapat dihubungi: antred tidak berjalan (tidak ada socket di /run/antre/antred.sock)")
        #expect(CLIMessages.id.error(VarlinkClientError.timedOut(path: "/s", seconds: 10))
                == "antred tidak dapat dihubungi: tidak ada jawaban dalam 10 detik (/s)")
        #expect(CLIMessages.en.error(VarlinkClientError.noSocket(path: "/s")) == "antred is not running (no socket at /s)")
    }

    /// `antre report` tables in Indonesian; CSV stays English for spreadsheets and scripts.
    @Test func reportInIndonesian() {
        let text = ReportText.human(ReportSamples.report, in: .id)
        #expect(text.hasPrefix("Laporan 2026-11-01 .. 2026-11-30\n"))
        #expect(text.contains("Nomor: 15 diambil, 12 dilayani, 2 dilewati, 1 kedaluwarsa, 1 dipindah; 3 tekanan tanpa nomor"))
        #expect(text.contains("median 11:00, 90% dalam 25:00, terlama 30:00"))
        #expect(text.contains("Nomor per layanan") && text.contains("Nomor per loket"))
        #expect(text.contains("  layanan") && text.contains("diambil  dipanggil  dilayani"))
        #expect(!text.contains("issued") && !text.contains("Tickets"))
        #expect(ReportText.human(ReportSamples.report) == ReportText.human(ReportSamples.report, in: .en))
    }
}
