import AntreCore
import AntreWire
import Testing

@Suite struct QueueTextTests {
    @Test func oneLineReplies() {
        var ticket = Samples.ticketB12
        #expect(QueueText.called(CallNextReply(ticket: ticket, counterName: "Loket 2")) == "B-012 Kartu Keluarga -> Loket 2")
        #expect(QueueText.called(CallNextReply(ticket: ticket, counterName: "Loket 2", waiting: 4))
                == "B-012 Kartu Keluarga -> Loket 2 (4 menunggu)")
        #expect(QueueText.recalled(RecallReply(ticket: ticket, counterName: "Loket 2")) == "B-012 recalled at Loket 2")
        #expect(QueueText.recalled(RecallReply(ticket: ticket, counterName: nil)) == "B-012 recalled at loket2")
        #expect(QueueText.skipped(TicketReply(ticket: ticket)) == "B-012 skipped")
        #expect(QueueText.finished(TicketReply(ticket: ticket)) == "B-012 served")
        ticket.service = "akta-lahir"
        ticket.state = .waiting
        #expect(QueueText.transferred(TicketReply(ticket: ticket)) == "B-012 -> akta-lahir (waiting)")
    }

    @Test func issueSaysWhatHappenedToThePaper() {
        var ticket = Samples.ticketT4
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 3, printed: true))
            == "T-004 issued for KTP-el, 3 ahead; printed")
        ticket.printState = .failed
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 0, printed: false))
            == "T-004 issued for KTP-el, 0 ahead; print failed (antre reprint T-004)")
        ticket.printState = .none
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 1, printed: false))
            == "T-004 issued for KTP-el, 1 ahead; not printed")
        #expect(QueueText.reprinted(TicketReply(ticket: Samples.ticketT4)) == "T-004 reprinted")
    }

    @Test func unconfirmedAndUnrecordedAreShownWithWhatToDo() {
        var status = Samples.status
        status.unconfirmed = [TicketInfo(number: "T-006", service: "ktp", serviceName: "KTP-el", state: .waiting,
                                         printState: .unconfirmed, issuedAt: "2026-11-28T10:05:00+07:00")]
        status.printers[0].unrecordedPresses = 2
        status.daemon = DaemonInfo(version: "0.1.0", startedAt: "2026-11-28T07:00:00+07:00", dbCommits: 9,
                                   storageError: "10:40:01 database or disk is full")
        let text = QueueText.status(status)
        #expect(text.contains("NOT CONFIRMED"))
        #expect(text.contains("antre confirm NUMBER or antre reprint NUMBER"))
        #expect(text.contains("T-006  KTP-el  issued 10:05  waiting"))
        #expect(text.contains("DATABASE WRITES FAILED"))
        #expect(text.contains("lobby: 2 press(es) not recorded"))
        #expect(text.contains("last error: 10:40:01 database or disk is full"))
        #expect(!QueueText.status(Samples.status).contains("NOT CONFIRMED"))
        #expect(!QueueText.status(Samples.status).contains("DATABASE"))
        var ticket = Samples.ticketT4
        ticket.printState = .unconfirmed
        #expect(QueueText.confirmed(TicketReply(ticket: Samples.ticketT4)) == "T-004 confirmed printed")
        #expect(QueueText.issued(IssueReply(ticket: ticket, ahead: 0, printed: false))
            == "T-004 issued for KTP-el, 0 ahead; not confirmed printed (antre confirm T-004 or antre reprint T-004)")
    }

    @Test func statusTable() {
        let expected = """
        Kantor Desa Sukamaju, 2026-11-28

        SERVICE     NAME            WAITING  SERVED  SKIPPED  LAST
        ktp         KTP-el                3       5        0  T-008
        akta-lahir  Akta Kelahiran        0       0        0  -

        COUNTER  NAME     NOW
        loket1   Loket 1  T-005 since 10:32
        loket2   Loket 2  -

        PRINTER  CONNECTION     STATE  MISSED  REPRINT  DETAIL
        lobby    usb:0416:5011  down        3        1  paper out

        PRINT FAILED (antre reprint NUMBER)
        T-004  KTP-el  issued 10:02  waiting
        """
        #expect(QueueText.status(Samples.status) == expected)
    }

    @Test func emptyStatusSaysSo() {
        let text = QueueText.status(StatusReply(day: "2026-11-28", office: "Desa X"))
        #expect(text == "Desa X, 2026-11-28\n\nno services configured\n\nno counters configured\n\nno printers")
    }

    @Test func eventLines() {
        #expect(QueueText.event(Samples.event(2)) == "10:32:00 called B-002 at Loket 2")
        #expect(QueueText.event(QueueEventInfo(kind: "issued", at: "2026-11-28T09:41:17+07:00", number: "T-004",
                                               service: "ktp", ticket: Samples.ticketT4))
            == "09:41:17 issued T-004 for KTP-el (3 ahead)")
        #expect(QueueText.event(QueueEventInfo(kind: "transferred", at: "2026-11-28T11:00:00+07:00", number: "B-012",
                                               service: "akta-lahir", detail: "from kk"))
            == "11:00:00 transferred B-012 to akta-lahir - from kk")
        #expect(QueueText.event(QueueEventInfo(kind: "printer", at: "2026-11-28T11:05:00+07:00", detail: "lobby: paper_out"))
            == "11:05:00 printer - lobby: paper_out")
    }

    @Test func printersListShowsTheLineToPasteAndWhoUsesIt() {
        #expect(QueueText.printers(ListPrintersReply(usb: [Samples.usbPrinter])) == """
            0416:5011  Winbond POS-80
              printer = "usb:0416:5011?serial=A1"
              bus 1 address 5, serial A1
              interface 0, OUT 0x01, IN 0x82
              used by: lobby
            """)
        #expect(QueueText.printers(ListPrintersReply(usb: [])).hasPrefix("no USB printers found"))
    }
}
