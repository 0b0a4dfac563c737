import AntreCore
import AntreStore
import Foundation
import Logging

/// The office's rules before a number is taken (opening hours, holidays, the
/// daily quota), for the dispensers' pipelines and the desk's paperless issue.
enum IssueRules {
    /// Why no number may be taken: the slip to print instead and the error for the caller.
    struct Refusal: Sendable {
        var notice: NoticeSlip
        var error: QueueError
    }

    /// nil when a number may be taken. An officer's `force` passes anyway,
    /// logged with who did it. Runs on the caller's (blocking) thread: it may
    /// count today's tickets of a service with a quota.
    static func refusal(for service: Service, office: Office, store: QueueStore, now: Date, force: Bool,
                        actor: String?, logger: Logger) throws -> Refusal? {
        guard !service.hours.isUnrestricted || !office.closedDates.isEmpty else { return nil }
        let issuedToday = service.hours.dailyQuota == nil ? 0 : try store.issuedCount(serviceID: service.id, now: now)
        let admission = IssueAdmission.decide(service: service, at: now, issuedToday: issuedToday, office: office)
        // The reason reaches the officer's terminal: in the office's language.
        guard let notice = admission.notice, let reason = admission.reason(in: office.language) else { return nil }
        if force {
            logger.notice("ticket issued by an officer despite the office's rules", metadata: [
                "service": "\(service.id)", "rule": "\(reason)", "actor": "\(actor ?? "-")",
            ])
            return nil
        }
        logger.info("no number taken: outside the office's rules", metadata: [
            "service": "\(service.id)", "reason": "\(reason)",
        ])
        switch admission {
        case let .quotaReached(_, quota, _):
            return Refusal(notice: notice, error: .dailyQuotaReached(service: service.id, quota: quota, reason: reason))
        default:
            return Refusal(notice: notice, error: .serviceClosed(service: service.id, reason: reason))
        }
    }
}
