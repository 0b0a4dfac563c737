import ESCPOS
import Foundation

/// Whether a dispenser's printer can take a ticket, as officers see it.
public enum PrinterReadiness: Sendable, Equatable, CustomStringConvertible {
    /// The printer answered status and is fine.
    case ready
    /// It prints, but officers should act soon (paper near end).
    case warning(String)
    /// It cannot print: paper out, cover open, offline, unreachable. Presses
    /// take no number while it is down.
    case down(String)
    /// The connection cannot report status (device file, preview, a printer
    /// that does not answer DLE EOT): printing is attempted and judged by the write.
    case unknown(String)

    /// The name shown in `antre status`.
    public var state: String {
        switch self {
        case .ready: "ready"
        case .warning: "warning"
        case .down: "down"
        case .unknown: "unknown"
        }
    }

    public var detail: String? {
        switch self {
        case .ready: nil
        case let .warning(text), let .down(text), let .unknown(text): text
        }
    }

    public var isDown: Bool {
        if case .down = self { return true }
        return false
    }

    public var description: String { detail.map { "\(state) (\($0))" } ?? state }

    /// From a parsed DLE EOT 1-4 reply: the blocking conditions first, in the
    /// order a technician would check them.
    public init(_ status: PrinterStatus) {
        var problems: [String] = []
        if status.coverOpen { problems.append("cover open") }
        if status.paperOut { problems.append("paper out") }
        if status.cutterError { problems.append("cutter error") }
        if status.unrecoverableError { problems.append("unrecoverable error") }
        if status.offline && problems.isEmpty { problems.append("offline") }
        if !problems.isEmpty {
            self = .down(problems.joined(separator: ", "))
        } else if status.paperNearEnd {
            self = .warning("paper near end")
        } else {
            self = .ready
        }
    }
}

/// What a button press turns into. The hook lets a dispenser print a short
/// notice instead of a ticket (service closed, printer degraded) on the same
/// print path; today only the printer's state decides.
public enum PressDecision: Sendable, Equatable {
    /// Take a number and print the ticket (with a warning to log, if any).
    case issueTicket(warning: String?)
    /// Print this notice; no number is taken.
    case printNotice(NoticeSlip)
    /// Take no number and print nothing; record a missed press with this reason.
    case refuse(reason: String)
}

public enum PressPolicy {
    public static func decide(printer: PrinterReadiness) -> PressDecision {
        switch printer {
        case .ready, .unknown: .issueTicket(warning: nil)
        case let .warning(text): .issueTicket(warning: text)
        case let .down(reason): .refuse(reason: "printer down: \(reason)")
        }
    }

    /// Printed instead of a ticket when the press could not be recorded (the
    /// queue database cannot be written): the resident asks an officer, who
    /// sees the failure in `antre status`.
    public static func storageFailureNotice(office: Office, at: Date) -> NoticeSlip {
        NoticeSlip(office: office, title: "Mohon maaf",
                   lines: ["Mesin antrean bermasalah, silakan lapor petugas.",
                           "Nomor antrean belum dapat dibuat."],
                   at: at)
    }
}
