import Foundation

/// Whether a new ticket may be issued, and if not, the slip to print instead.
public enum Admission: Sendable, Equatable {
    case open
    /// Outside the opening hours, on a closed date or past the last-ticket time.
    case closed(notice: NoticeSlip, reopens: Date?)
    /// Today's `daily_quota` is used up; `nextOpen` is the next open day's opening.
    case quotaReached(notice: NoticeSlip, quota: Int, nextOpen: Date?)

    public var isOpen: Bool { self == .open }

    /// The slip to print instead of a ticket; nil when open.
    public var notice: NoticeSlip? {
        switch self {
        case .open: nil
        case let .closed(notice, _), let .quotaReached(notice, _, _): notice
        }
    }

    /// Why no number was taken, for `antre issue` and the log: "closed until
    /// Monday 08:00" / "tutup sampai Senin 08.00", "daily quota of 30 reached;
    /// next open Monday, 7 December". nil when open.
    public func reason(in language: Language) -> String? {
        switch self {
        case .open:
            return nil
        case let .closed(notice, reopens):
            guard let reopens else {
                return language == .id ? "tutup (tidak ada jam buka dalam \(OpeningSchedule.lookaheadDays) hari ke depan)"
                    : "closed (no opening hours in the next \(OpeningSchedule.lookaheadDays) days)"
            }
            let when = OpeningTimeText(reopens, after: notice.at, timeZone: notice.office.timeZone,
                                       language: language).dayAndTime
            return (language == .id ? "tutup sampai " : "closed until ") + when
        case let .quotaReached(notice, quota, nextOpen):
            let head = language == .id ? "kuota harian \(quota) sudah habis" : "daily quota of \(quota) reached"
            guard let nextOpen else { return head }
            let day = OpeningTimeText(nextOpen, after: notice.at, timeZone: notice.office.timeZone,
                                      language: language).dayAndDate
            return head + (language == .id ? "; buka lagi " : "; next open ") + day
        }
    }
}

/// The one check the daemon makes before taking a number for a service.
public enum IssueAdmission {
    /// - Parameters:
    ///   - issuedToday: tickets of this service already issued this local day.
    ///   - date: now (injected, so tests fix the clock).
    /// Closed wins over quota: a resident at 15.01 hears when it reopens, not
    /// that the quota is gone.
    public static func decide(service: Service, at date: Date, issuedToday: Int, office: Office) -> Admission {
        let schedule = OpeningSchedule(service: service, office: office)
        guard schedule.isOpen(at: date) else {
            let reopens = schedule.nextOpening(after: date)
            return .closed(notice: ServiceNotice.closed(service: service, office: office, at: date, reopens: reopens),
                           reopens: reopens)
        }
        if let quota = service.hours.dailyQuota, issuedToday >= quota {
            let nextOpen = schedule.nextOpenDay(after: date)
            return .quotaReached(notice: ServiceNotice.quotaReached(service: service, office: office, at: date,
                                                                    nextOpen: nextOpen),
                                 quota: quota, nextOpen: nextOpen)
        }
        return .open
    }
}
