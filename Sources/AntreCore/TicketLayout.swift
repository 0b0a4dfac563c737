import ESCPOS
import Foundation

/// Everything a ticket slip shows, gathered by the daemon at issue time.
public struct TicketSlip: Sendable, Equatable {
    public var ticket: Ticket
    public var service: Service
    public var office: Office
    /// Residents waiting before this one for the same service when it was issued.
    public var ahead: Int
    /// Printed instead of a fresh ticket line when the slip is a reprint.
    public var isReprint: Bool

    public init(ticket: Ticket, service: Service, office: Office, ahead: Int, isReprint: Bool = false) {
        self.ticket = ticket
        self.service = service
        self.office = office
        self.ahead = ahead
        self.isReprint = isReprint
    }
}

/// A short notice printed instead of a ticket (service closed, printer degraded...).
public struct NoticeSlip: Sendable, Equatable {
    public var office: Office
    public var title: String
    public var lines: [String]
    public var at: Date

    public init(office: Office, title: String, lines: [String], at: Date) {
        self.office = office
        self.title = title
        self.lines = lines
        self.at = at
    }
}

/// Ticket slip -> printer-neutral receipt. Pure: same input, same receipt.
public enum TicketLayout {
    public static func receipt(for slip: TicketSlip) -> Receipt {
        fatalError("TicketLayout.receipt: not yet implemented")
    }

    public static func receipt(for notice: NoticeSlip) -> Receipt {
        fatalError("TicketLayout.receipt(notice): not yet implemented")
    }
}
