import ESCPOS
import Foundation

/// The whole configuration, as read from one TOML file and validated.
/// Loading lives in `ConfigLoader`; this file is the model only.
public struct AntreConfig: Sendable, Equatable {
    public var office: Office
    public var services: [Service]
    public var counters: [Counter]
    public var dispensers: [Dispenser]
    public var socket: SocketSettings
    public var storage: StorageSettings
    /// The optional Prometheus endpoint; off when `listen` is nil.
    public var metrics: MetricsSettings = MetricsSettings()
    /// The waiting-room board; its phone address is `office.boardURL`.
    public var board: BoardSettings

    public init(office: Office, services: [Service], counters: [Counter], dispensers: [Dispenser],
                socket: SocketSettings = SocketSettings(), storage: StorageSettings = StorageSettings(),
                board: BoardSettings = BoardSettings()) {
        self.office = office
        self.services = services
        self.counters = counters
        self.dispensers = dispensers
        self.socket = socket
        self.storage = storage
        self.board = board
    }

    public func service(_ id: String) -> Service? { services.first { $0.id == id } }
    public func counter(_ id: String) -> Counter? { counters.first { $0.id == id } }
    /// The counters that call tickets of `serviceID` (those listing it, and those serving all).
    public func counters(serving serviceID: String) -> [Counter] {
        counters.filter { $0.services.isEmpty || $0.services.contains(serviceID) }
    }
}

public enum Language: String, Sendable, Equatable, CaseIterable {
    case id, en
}

public struct Office: Sendable, Equatable {
    public var name: String
    public var address: String
    /// Extra lines under the name on every ticket.
    public var headerLines: [String]
    /// Lines at the bottom of every ticket.
    public var footerLines: [String]
    public var timeZone: TimeZone
    public var language: Language
    /// `[board] url`: the waiting-room board as residents' phones reach it on the
    /// office Wi-Fi ("http://192.168.1.10:8080", no trailing slash). Tickets print a
    /// QR code of `<boardURL>/t/<number>`; nil: no QR.
    public var boardURL: String?
    /// `[office] closed_dates`: office-wide holidays; no service takes tickets.
    public var closedDates: Set<LocalDay> = []

    // MARK: call rules (issue 11: priority, recalls)

    /// `priority_ratio`: at most this many priority calls per regular call at a
    /// counter while both kinds wait (see `CallOrder`).
    public var priorityRatio: Int = CallOrder.defaultPriorityRatio
    /// `recalls_before_skip`: a recall beyond this many skips the ticket
    /// instead (the resident is not there); nil: recall without limit.
    public var recallsBeforeSkip: Int?
    /// The range `recalls_before_skip` accepts.
    public static let recallsBeforeSkipRange = 1...20

    public init(name: String, address: String = "", headerLines: [String] = [], footerLines: [String] = [],
                timeZone: TimeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt, language: Language = .id,
                boardURL: String? = nil) {
        self.name = name
        self.address = address
        self.headerLines = headerLines
        self.footerLines = footerLines
        self.timeZone = timeZone
        self.language = language
        self.boardURL = boardURL
    }

    /// The phone page of one ticket, printed as its QR code; nil without a board URL.
    public func ticketPageURL(_ number: TicketNumber) -> String? {
        boardURL.map { $0 + "/t/" + number.description }
    }
}

public struct Service: Sendable, Equatable {
    /// Short stable key used by buttons, the CLI and the database ("ktp").
    public var id: String
    /// Name printed on the ticket ("KTP-el").
    public var name: String
    /// One capital letter, unique across services: the ticket number's prefix.
    public var prefix: String
    /// Persyaratan: documents the resident must bring, one per line.
    public var requirements: [String]
    /// Schedule lines ("Senin-Kamis 08.00-15.00").
    public var schedule: [String]
    public var officer: String
    public var contact: String
    public var fee: String
    /// Optional processing-time line ("1 hari kerja").
    public var processingTime: String
    /// `hours`, `closed_dates`, `daily_quota`, `last_ticket_before_close_min`:
    /// when the service takes tickets (see `IssueAdmission`). Default: always.
    public var hours: ServiceHours = ServiceHours()

    public init(id: String, name: String, prefix: String, requirements: [String] = [], schedule: [String] = [],
                officer: String = "", contact: String = "", fee: String = "", processingTime: String = "") {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.requirements = requirements
        self.schedule = schedule
        self.officer = officer
        self.contact = contact
        self.fee = fee
        self.processingTime = processingTime
    }
}

/// A loket: where an officer calls residents.
public struct Counter: Sendable, Equatable {
    public var id: String
    /// Name shown and announced ("Loket 2").
    public var name: String
    /// Services this counter calls; empty means all.
    public var services: [String]
    /// How the call-out says it ("loket satu"); nil: derived from `name`.
    public var spokenName: String?

    public init(id: String, name: String, services: [String] = [], spokenName: String? = nil) {
        self.id = id
        self.name = name
        self.services = services
        self.spokenName = spokenName
    }

    /// What the voice says: `spokenName`, else the name with its numbers as
    /// Indonesian words ("Loket 12" -> "loket dua belas").
    public var spoken: String { spokenName ?? SpokenText.words(name).joined(separator: " ") }
}

/// A ticket machine: one button input, one printer.
public struct Dispenser: Sendable, Equatable {
    public var id: String
    public var input: InputSpec
    /// Button key -> service id. Keys are what the input reports: a byte as a
    /// one-character string ("1"), a whole line ("KTP"), or a key name ("KEY_1").
    public var buttons: [String: String]
    /// `priority_buttons`: key -> service id, a press gives a priority ticket
    /// (lansia, difabel, ibu hamil). Keys as in `buttons`, never in both.
    public var priorityButtons: [String: String] = [:]
    /// Presses of the same button closer than this are one press (mashing).
    public var cooldown: Duration
    public var printer: PrinterConnection
    public var profile: PrinterProfile
    /// Printer write timeout for a whole job.
    public var printTimeout: Duration
    /// How long to wait for a status reply (DLE EOT) before calling it unknown.
    public var statusTimeout: Duration = .milliseconds(500)
    /// How often the printer's status is polled while it is down.
    public var statusPollInterval: Duration = .seconds(2)
    /// A ticket whose print failed is reprinted once, automatically, if the
    /// printer comes back within this window; after it, an officer reprints.
    public var autoReprintWindow: Duration = .seconds(120)

    public init(id: String, input: InputSpec, buttons: [String: String], cooldown: Duration = .milliseconds(1500),
                printer: PrinterConnection, profile: PrinterProfile = PrinterProfile(),
                printTimeout: Duration = .seconds(10)) {
        self.id = id
        self.input = input
        self.buttons = buttons
        self.cooldown = cooldown
        self.printer = printer
        self.profile = profile
        self.printTimeout = printTimeout
    }
}

extension Dispenser {
    /// What a press of `key` asks for: a ticket of that service, priority or
    /// not; nil for a key mapped to nothing.
    public func ticketRequest(forKey key: String) -> (serviceID: String, priority: Bool)? {
        if let service = buttons[key] { return (service, false) }
        if let service = priorityButtons[key] { return (service, true) }
        return nil
    }
}

/// Where button presses come from.
public enum InputSpec: Sendable, Equatable, CustomStringConvertible {
    /// A serial button box: each byte (or each line) is a press.
    case serial(path: String, baud: Int, framing: SerialFraming)
    /// The daemon's own terminal (demo): each key is a press.
    case keyboard
    /// An evdev node (USB HID keypad), key names as button keys.
    case evdev(path: String)
    /// No buttons (a printer-only dispenser used through `antre issue`).
    case none

    public enum SerialFraming: String, Sendable, Equatable {
        /// Each received byte is a button ("1", "2", ...).
        case byte
        /// Each received line (CR/LF terminated) is a button ("BTN1").
        case line
    }

    public var description: String {
        switch self {
        case let .serial(path, baud, framing): "serial:\(path)?baud=\(baud)&framing=\(framing.rawValue)"
        case .keyboard: "keyboard"
        case let .evdev(path): "evdev:\(path)"
        case .none: "none"
        }
    }
}

/// How the daemon reaches a printer. Parsed from one string in the config.
public enum PrinterConnection: Sendable, Equatable, CustomStringConvertible {
    /// `tcp://HOST:PORT`: raw socket (JetDirect, usually 9100).
    case tcp(host: String, port: Int)
    /// `serial:/dev/ttyUSB0?baud=9600`.
    case serial(path: String, baud: Int)
    /// `file:/dev/usb/lp0`: a character device written directly.
    case file(path: String)
    /// `usb:0416:5011?serial=ABC&interface=0` through libusb.
    case usb(vendor: UInt16, product: UInt16, serial: String?, interface: Int?)
    /// `preview:DIR`: saves each job's bytes and a text rendering in DIR.
    case preview(directory: String)

    public var description: String {
        switch self {
        case let .tcp(host, port): "tcp://\(host):\(port)"
        case let .serial(path, baud): "serial:\(path)?baud=\(baud)"
        case let .file(path): "file:\(path)"
        case let .usb(vendor, product, serial, interface):
            "usb:" + hex4(vendor) + ":" + hex4(product)
                + ([serial.map { "serial=\($0)" }, interface.map { "interface=\($0)" }].compactMap { $0 }
                    .joined(separator: "&")).prefixedIfNotEmpty("?")
        case let .preview(directory): "preview:\(directory)"
        }
    }
}

private func hex4(_ value: UInt16) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

extension String {
    fileprivate func prefixedIfNotEmpty(_ prefix: String) -> String { isEmpty ? "" : prefix + self }
}

public struct SocketSettings: Sendable, Equatable {
    public static let defaultPath = "/run/antre/antred.sock"
    public var path: String
    /// Group owning the socket (mode 0660): its members may read (Status, Monitor).
    /// nil keeps the daemon's group.
    public var group: String?
    /// Members may also act on the queue (call, skip, issue...). nil: anyone who
    /// can open the socket may.
    public var officerGroup: String?
    /// Members may also reload the configuration. Root and the daemon's own user always may.
    public var adminGroup: String?
    /// Connections beyond this are refused (or the longest-idle one is closed to make room).
    public var maxConnections: Int = 64
    /// Connections one uid may hold (root and the daemon's user are exempt).
    /// nil: a quarter of `maxConnections` (16 of 64).
    public var maxConnectionsPerUID: Int?
    /// Slots only officers and admins may use, so readers cannot lock them out.
    /// nil: an eighth of `maxConnections` (8 of 64).
    public var reservedConnections: Int?
    /// A message larger than this gets the connection closed.
    public var maxMessageBytes: Int = 64 * 1024
    /// A client that sends nothing (or half a message) for this long is disconnected.
    public var idleTimeout: Duration = .seconds(60)

    /// `maxConnectionsPerUID` with its default applied.
    public var effectiveMaxConnectionsPerUID: Int { maxConnectionsPerUID ?? max(1, maxConnections / 4) }
    /// `reservedConnections` with its default applied.
    public var effectiveReservedConnections: Int { reservedConnections ?? maxConnections / 8 }

    public init(path: String = SocketSettings.defaultPath, group: String? = nil,
                officerGroup: String? = nil, adminGroup: String? = nil) {
        self.path = path
        self.group = group
        self.officerGroup = officerGroup
        self.adminGroup = adminGroup
    }
}

public struct StorageSettings: Sendable, Equatable {
    public static let defaultDatabase = "/var/lib/antre/antre.db"
    public static let defaultRetentionDays = 400
    /// At least a week (a report needs history), at most ten years.
    public static let retentionRange = 7...3_650
    public var database: String
    /// Tickets, journal and missed presses older than this many local days are
    /// pruned at the day rollover.
    public var retentionDays: Int

    public init(database: String = StorageSettings.defaultDatabase,
                retentionDays: Int = StorageSettings.defaultRetentionDays) {
        self.database = database
        self.retentionDays = retentionDays
    }
}

/// `[metrics] listen = "127.0.0.1:9464"`: a Prometheus text endpoint at
/// `/metrics`. Off by default; the figures are the office's, so it listens on
/// the address given (loopback, or the office LAN for a district Prometheus).
public struct MetricsSettings: Sendable, Equatable {
    public var host: String?
    public var port: Int
    public init(host: String? = nil, port: Int = 9464) {
        self.host = host
        self.port = port
    }
    public var isEnabled: Bool { host != nil }
}
