import AntreCore
import Foundation

/// Every sentence `antre` prints for people, in English and Indonesian side by
/// side so a new message cannot be added in one language only. `--json` output
/// does not go through here: its keys and error names are a contract.
public struct CLIMessages: Sendable, Equatable {
    public var language: Language

    public init(_ language: Language) { self.language = language }

    public static let en = CLIMessages(.en)
    public static let id = CLIMessages(.id)

    private func pick(_ en: @autoclosure () -> String, _ id: @autoclosure () -> String) -> String {
        language == .id ? id() : en()
    }

    // MARK: - Replies

    /// en "T-002 KTP-el -> Loket 1 (4 menunggu)"; id "T-002 dipanggil ke Loket 1 (KTP-el); 4 masih menunggu".
    public func called(number: String, serviceName: String, counterName: String, waiting: Int?) -> String {
        pick("\(number) \(serviceName) -> \(counterName)" + (waiting.map { " (\($0) menunggu)" } ?? ""),
             "\(number) dipanggil ke \(counterName) (\(serviceName))" + (waiting.map { "; \($0) masih menunggu" } ?? ""))
    }

    public func recalled(number: String, counterName: String?) -> String {
        guard let counter = counterName else { return pick("\(number) recalled", "\(number) dipanggil ulang") }
        return pick("\(number) recalled at \(counter)", "\(number) dipanggil ulang ke \(counter)")
    }

    public func skipped(number: String) -> String { pick("\(number) skipped", "\(number) dilewati") }

    public func skippedAfterRecalls(number: String, calls: Int) -> String {
        pick("\(number) skipped: not present after \(calls) calls (antre requeue \(number) if they come back)",
             "\(number) dilewati: tidak hadir setelah \(calls) kali dipanggil (antre requeue \(number) bila datang lagi)")
    }

    public func requeued(number: String, ahead: Int?) -> String {
        let en = "\(number) back in line" + (ahead.map { ", \($0) ahead" } ?? "")
        let id = "\(number) kembali ke antrean" + (ahead.map { ", \($0) orang di depannya" } ?? "")
        return pick(en, id)
    }

    public var priorityWord: String { pick("priority", "prioritas") }

    /// "  ktp: quota 12/30; 2 priority waiting; not issuing: closed until Wednesday at 08:00"; nil when nothing applies.
    public func serviceRules(service: String, issued: Int, quota: Int?, priorityWaiting: Int,
                             notIssuing: String?) -> String? {
        var parts: [String] = []
        if let quota { parts.append(pick("quota \(issued)/\(quota)", "kuota \(issued)/\(quota)")) }
        if priorityWaiting > 0 {
            parts.append(pick("\(priorityWaiting) priority waiting", "\(priorityWaiting) prioritas menunggu"))
        }
        if let notIssuing { parts.append(pick("not issuing: ", "tidak menerbitkan nomor: ") + notIssuing) }
        return parts.isEmpty ? nil : "  \(service): " + parts.joined(separator: "; ")
    }

    public var numberOrServices: String {
        pick("give a ticket NUMBER or --service, not both", "pilih NOMOR atau --service, jangan keduanya")
    }

    public func finished(number: String) -> String { pick("\(number) served", "\(number) selesai dilayani") }

    public func transferred(number: String, service: String, state: TicketState) -> String {
        pick("\(number) -> \(service) (\(state.rawValue))", "\(number) dipindah ke \(service) (\(stateName(state)))")
    }

    /// en "T-004 issued for KTP-el, 3 ahead; printed".
    public func issued(number: String, serviceName: String, ahead: Int, paper: String) -> String {
        pick("\(number) issued for \(serviceName), \(ahead) ahead; \(paper)",
             "\(number) diambil untuk \(serviceName), \(ahead) orang di depannya; \(paper)")
    }

    /// What happened to the paper of a ticket just issued.
    public func paper(_ state: PrintState, number: String) -> String {
        switch state {
        case .printed: pick("printed", "tercetak")
        case .pending: pick("printing", "sedang dicetak")
        case .failed: pick("print failed (antre reprint \(number))", "gagal dicetak (antre reprint \(number))")
        case .unconfirmed: pick("not confirmed printed (antre confirm \(number) or antre reprint \(number))",
                                "belum pasti tercetak (antre confirm \(number) atau antre reprint \(number))")
        case .none: pick("not printed", "tidak dicetak")
        }
    }

    public func reprinted(_ state: PrintState, number: String) -> String {
        switch state {
        case .printed: pick("\(number) reprinted", "\(number) dicetak ulang")
        case .pending: pick("\(number) sent to the printer", "\(number) dikirim ke printer")
        case .failed: pick("\(number): print failed again (check the printer, then: antre reprint \(number))",
                           "\(number): gagal dicetak lagi (periksa printer, lalu: antre reprint \(number))")
        case .unconfirmed: pick("\(number): not confirmed printed (antre confirm \(number) or antre reprint \(number))",
                                "\(number): belum pasti tercetak (antre confirm \(number) atau antre reprint \(number))")
        case .none: pick("\(number): not printed (no dispenser)", "\(number): tidak dicetak (tidak ada dispenser)")
        }
    }

    public func confirmed(number: String) -> String {
        pick("\(number) confirmed printed", "\(number) dipastikan sudah tercetak")
    }

    public var reloaded: String { pick("configuration reloaded", "konfigurasi dimuat ulang") }

    // MARK: - antre printers

    public var noUSBPrinters: String {
        pick("no USB printers found (check the cable and power; `lsusb` lists what the system sees)",
             "tidak ada printer USB (periksa kabel dan listriknya; `lsusb` menampilkan yang terlihat oleh sistem)")
    }
    public func usbAddress(bus: Int, address: Int) -> String {
        pick("bus \(bus) address \(address)", "bus \(bus) alamat \(address)")
    }
    public var noInEndpoint: String { pick("no IN endpoint (status unknown)", "tanpa endpoint IN (status tidak diketahui)") }
    public var usedBy: String { pick("used by", "dipakai oleh") }

    // MARK: - States and events

    /// A ticket state as a word people read.
    public func stateName(_ state: TicketState) -> String {
        switch state {
        case .waiting: pick("waiting", "menunggu")
        case .called: pick("called", "dipanggil")
        case .served: pick("served", "selesai")
        case .skipped: pick("skipped", "dilewati")
        case .expired: pick("expired", "kedaluwarsa")
        }
    }

    /// A monitor event kind ("called") as a word; unknown kinds stay as antred sent them.
    public func eventKind(_ kind: String) -> String {
        guard language == .id else { return kind }
        return ["issued": "diambil", "called": "dipanggil", "recalled": "dipanggil-ulang", "skipped": "dilewati",
                "served": "selesai", "transferred": "dipindah", "expired": "kedaluwarsa", "reprinted": "dicetak-ulang",
                "confirmed": "dipastikan", "requeued": "diantrekan-lagi"][kind] ?? kind
    }
    public func atCounter(_ counter: String) -> String { pick("at \(counter)", "di \(counter)") }
    public func toService(_ service: String) -> String { pick("to \(service)", "ke \(service)") }
    public func forService(_ name: String) -> String { pick("for \(name)", "untuk \(name)") }
    public func ahead(_ count: Int) -> String { pick("(\(count) ahead)", "(\(count) di depannya)") }

    // MARK: - antre status

    public struct StatusHeadings: Sendable {
        public var services: [String]
        public var counters: [String]
        public var printers: [String]
    }

    /// Column headings of the three tables of `antre status`.
    public var statusHeadings: StatusHeadings {
        language == .id
            ? StatusHeadings(services: ["LAYANAN", "NAMA", "MENUNGGU", "DILAYANI", "DILEWATI", "TERAKHIR"],
                             counters: ["LOKET", "NAMA", "SEKARANG"],
                             printers: ["PRINTER", "SAMBUNGAN", "KEADAAN", "TERLEWAT", "CETAK-ULANG", "KETERANGAN"])
            : StatusHeadings(services: ["SERVICE", "NAME", "WAITING", "SERVED", "SKIPPED", "LAST"],
                             counters: ["COUNTER", "NAME", "NOW"],
                             printers: ["PRINTER", "CONNECTION", "STATE", "MISSED", "REPRINT", "DETAIL"])
    }
    public var noServices: String { pick("no services configured", "belum ada layanan di konfigurasi") }
    public var noCounters: String { pick("no counters configured", "belum ada loket di konfigurasi") }
    public var noPrinters: String { pick("no printers", "tidak ada printer") }
    public func since(_ clock: String) -> String { pick("since \(clock)", "sejak \(clock)") }
    public func issuedAt(_ clock: String) -> String { pick("issued \(clock)", "diambil \(clock)") }
    public var databaseWritesFailed: String {
        pick("DATABASE WRITES FAILED since antred started: tell the technician",
             "GAGAL MENULIS DATABASE sejak antred berjalan: hubungi teknisi")
    }
    public func pressesNotRecorded(dispenser: String, count: Int) -> String {
        pick("  \(dispenser): \(count) press(es) not recorded (no number taken)",
             "  \(dispenser): \(count) tekanan tidak tercatat (tidak ada nomor yang diambil)")
    }
    public func lastError(_ error: String) -> String { pick("  last error: \(error)", "  galat terakhir: \(error)") }
    public var printFailedHeading: String {
        pick("PRINT FAILED (antre reprint NUMBER)", "GAGAL DICETAK (antre reprint NOMOR)")
    }
    public var notConfirmedHeading: String {
        pick("NOT CONFIRMED: antred stopped while printing (ask the resident, then antre confirm NUMBER or antre reprint NUMBER)",
             "BELUM PASTI TERCETAK: antred berhenti saat mencetak (tanyakan warga, lalu antre confirm NOMOR atau antre reprint NOMOR)")
    }

    // MARK: - antre's own messages

    public var missingCounter: String {
        pick("missing --counter (or set ANTRE_COUNTER)", "--counter belum diisi (atau atur ANTRE_COUNTER)")
    }
    public var numberOrCounter: String {
        pick("give a ticket NUMBER or --counter (or set ANTRE_COUNTER)",
             "sebutkan NOMOR antrean atau --counter (atau atur ANTRE_COUNTER)")
    }
    public func notATicketNumber(_ text: String) -> String {
        pick("'\(text)' is not a ticket number (like B-012)", "'\(text)' bukan nomor antrean (contoh: B-012)")
    }
    public var connectedAgain: String { pick("connected to antred again", "tersambung lagi ke antred") }
    public var streamEnded: String {
        pick("antred ended the event stream; reconnecting...", "antred mengakhiri aliran peristiwa; menyambung lagi...")
    }
    public func reconnecting(after reason: String) -> String {
        pick("\(reason); reconnecting...", "\(reason); menyambung lagi...")
    }

    // MARK: - Errors

    /// The sentence for an error antred answered with.
    public func error(_ error: VarlinkError) -> String {
        guard language == .id else { return VarlinkErrors.message(for: error) }
        if let queueError = QueueError(error) { return self.error(queueError) }
        func text(_ key: String) -> String { error.parameters[key]?.stringValue ?? "?" }
        func number(_ key: String) -> String { error.parameters[key]?.compactText() ?? "?" }
        typealias Name = VarlinkErrors.Name
        switch error.name {
        case Name.interfaceNotFound: return "antred tidak mengenal antarmuka \(text("interface"))"
        case Name.methodNotFound: return "antred tidak mengenal perintah \(text("method")) (antre lebih baru daripada antred?)"
        case Name.methodNotImplemented: return "perintah \(text("method")) belum tersedia di antred"
        case Name.invalidParameter: return "parameter '\(text("parameter"))' tidak sah"
        case Name.expectedMore: return "perintah ini mengirim balasan beruntun: panggil dengan \"more\": true"
        case Name.configInvalid:
            var issues: [String] = []
            if case let .array(items)? = error.parameters["issues"] {
                issues = items.map { $0.stringValue ?? $0.compactText() }
            }
            return (["konfigurasi tidak sah, konfigurasi yang sedang berjalan tetap dipakai:"] + issues.map { "  " + $0 })
                .joined(separator: "\n")
        case Name.permissionDenied: return "tidak ada izin untuk \(text("method"))"
        case Name.internalError: return "galat di dalam antred: \(text("message"))"
        case Name.monitorTooSlow:
            return "antred memutus monitor ini: tertinggal lebih dari \(number("limit")) peristiwa"
        case Name.tooManyConnections:
            return "antred tidak punya slot sambungan kosong (batas \(number("limit"))); coba lagi sebentar lagi"
        default:
            // An error this antre does not know yet (newer antred): its English text names it.
            return VarlinkErrors.message(for: error)
        }
    }

    public func error(_ error: QueueError) -> String {
        guard language == .id else { return error.description }
        switch error {
        case let .noTicketWaiting(counter, services):
            return "tidak ada antrean untuk loket \(counter)"
                + (services.isEmpty ? "" : " (layanan: \(services.joined(separator: ", ")))")
        case let .ticketNotFound(number): return "nomor \(number) tidak ada hari ini"
        case let .serviceNotFound(service): return "layanan '\(service)' tidak dikenal"
        case let .counterNotFound(counter): return "loket '\(counter)' tidak dikenal"
        case let .invalidState(number, state, action):
            return "\(number) tidak dapat \(passive(action)): statusnya \(stateName(state))"
        case let .nothingCalled(counter): return "tidak ada nomor yang sedang dipanggil di loket \(counter)"
        case let .notPrintable(number, reason): return "\(number) tidak dapat dicetak: \(reason)"
        case let .printerDown(dispenser, reason):
            return "printer dispenser \(dispenser) bermasalah (\(reason)); tidak ada nomor yang diambil"
        case let .storageFailed(reason):
            return "database antrean tidak dapat ditulis (\(reason)); tidak ada yang tercatat: hubungi teknisi"
        case let .notConfirmable(number, printState):
            return printState == .pending
                ? "\(number) tidak dapat dipastikan: sedang dicetak"
                : "\(number) tidak dapat dipastikan: status cetaknya \(printState.rawValue), bukan unconfirmed"
        case let .notServedAtCounter(number, service, counter):
            return "loket \(counter) tidak melayani \(service): panggil \(number) di loket yang melayaninya, atau pindahkan"
        case let .serviceClosed(service, reason):
            return "layanan \(service): \(reason); tidak ada nomor yang diambil (petugas: --force)"
        case let .dailyQuotaReached(service, _, reason):
            return "layanan \(service): \(reason); tidak ada nomor yang diambil (petugas: --force)"
        }
    }

    /// "skip" -> "dilewati": the action of an InvalidState error, as in "tidak dapat dilewati".
    private func passive(_ action: String) -> String {
        ["call": "dipanggil", "recall": "dipanggil ulang", "skip": "dilewati", "finish": "diselesaikan",
         "transfer": "dipindahkan", "reprint": "dicetak ulang", "confirm": "dipastikan",
         "requeue": "dikembalikan ke antrean"][action] ?? action
    }

    /// Why antred could not be reached (or answered nonsense).
    public func error(_ error: VarlinkClientError) -> String {
        guard language == .id else { return error.description }
        let unreachable = "antred tidak dapat dihubungi: "
        switch error {
        case let .noSocket(path): return unreachable + "antred tidak berjalan (tidak ada socket di \(path))"
        case let .staleSocket(path): return unreachable + "antred tidak berjalan (socket \(path) tertinggal)"
        case let .permissionDenied(path):
            return unreachable + "tidak ada izin pada \(path): apakah Anda anggota grup antre?"
        case let .pathTooLong(path): return unreachable + "path socket terlalu panjang: \(path)"
        case let .connectFailed(path, code): return unreachable + "gagal menyambung ke \(path): \(String(cString: strerror(code)))"
        case let .timedOut(path, seconds):
            let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            return unreachable + "tidak ada jawaban dalam \(shown) detik (\(path))"
        case let .connectionClosed(path): return unreachable + "antred menutup sambungan (\(path))"
        case let .ioFailed(path, code): return unreachable + "galat I/O pada \(path): \(String(cString: strerror(code)))"
        case let .protocolError(detail): return "balasan antred tidak terduga: \(detail)"
        }
    }
}

// MARK: - antre report

extension CLIMessages {
    /// The words of `antre report`'s tables (CSV columns stay English: a contract like --json).
    public struct ReportWords: Sendable {
        public var title, perService, perCounter, timesPerService, timesPerCounter: String
        public var missedTitle, none, perHour, noTickets, chart: String
        public var serviceColumns, counterColumns, timesColumns, missedColumns, hourColumns: [String]
        public var service, counter: String
        public var totals: @Sendable (_ issued: Int, _ served: Int, _ skipped: Int, _ expired: Int, _ transferred: Int,
                            _ missed: Int) -> String
        public var waiting, serving: @Sendable (_ mean: String, _ median: String, _ p90: String, _ longest: String) -> String
    }

    public var report: ReportWords {
        language == .id
            ? ReportWords(
                title: "Laporan", perService: "Nomor per layanan",
                perCounter: "Nomor per loket",
                timesPerService: "Menunggu (ambil nomor -> panggilan pertama) dan pelayanan (dipanggil -> selesai) per layanan",
                timesPerCounter: "Menunggu dan pelayanan per loket",
                missedTitle: "Tekanan tombol tanpa nomor", none: "tidak ada", perHour: "Per jam (semua layanan)",
                noTickets: "tidak ada nomor", chart: "Grafik",
                serviceColumns: ["layanan", "diambil", "dipanggil", "dilayani", "dilewati", "kedaluwarsa", "dipindah",
                                 "terlewat"],
                counterColumns: ["loket", "dipanggil", "dilayani", "dilewati", "kedaluwarsa", "diteruskan"],
                timesColumns: ["menunggu", "rata-rata", "median", "90% dalam", "terlama", "dilayani", "rata-rata",
                               "median", "90% dalam"],
                missedColumns: ["layanan", "alasan", "tekanan"], hourColumns: ["jam", "datang", "rata-rata tunggu", ""],
                service: "layanan", counter: "loket",
                totals: { "Nomor: \($0) diambil, \($1) dilayani, \($2) dilewati, \($3) kedaluwarsa, \($4) dipindah; "
                    + "\($5) tekanan tanpa nomor" },
                waiting: { "Menunggu (ambil nomor -> panggilan pertama): rata-rata \($0), median \($1), "
                    + "90% dalam \($2), terlama \($3)" },
                serving: { "Pelayanan (dipanggil -> selesai): rata-rata \($0), median \($1), 90% dalam \($2), "
                    + "terlama \($3)" })
            : ReportWords(
                title: "Report", perService: "Tickets per service",
                perCounter: "Tickets per counter",
                timesPerService: "Waiting (take number -> first call) and service (call -> served) per service",
                timesPerCounter: "Waiting and service per counter",
                missedTitle: "Presses without a number", none: "none", perHour: "Per hour of day (all services)",
                noTickets: "no tickets", chart: "Chart",
                serviceColumns: ["service", "issued", "called", "served", "skipped", "expired", "moved", "missed"],
                counterColumns: ["counter", "called", "served", "skipped", "expired", "moved on"],
                timesColumns: ["waited", "mean", "median", "90% within", "longest", "served", "mean", "median",
                               "90% within"],
                missedColumns: ["service", "reason", "presses"], hourColumns: ["hour", "arrivals", "mean wait", ""],
                service: "service", counter: "counter",
                totals: { "Tickets: \($0) issued, \($1) served, \($2) skipped, \($3) expired, \($4) transferred; "
                    + "\($5) presses without a number" },
                waiting: { "Waiting (take number -> first call): mean \($0), median \($1), 90% within \($2), "
                    + "longest \($3)" },
                serving: { "Service (call -> served): mean \($0), median \($1), 90% within \($2), longest \($3)" })
    }
}
