import AntreCore
import AntreStore
import Foundation
import Logging
import Synchronization

/// The office's rules before a number is taken (opening hours, holidays, the
/// daily quota), for the dispensers' pipelines and the desk's paperless issue.
enum IssueRules {
    /// Why no number may be taken: the slip to print instead and the error for the caller.
    struct Refusal: Sendable {
        var notice: NoticeSlip
        var error: QueueError
        /// In the office's language, for the log.
        var reason: String
    }

    enum Decision: Sendable {
        case admit
        /// Refused by the rules, issued anyway by an officer's `force`.
        case forced(reason: String)
        case refuse(Refusal)
    }

    /// Whether `service` has rules to check at all (most offices: none).
    static func apply(to service: Service, office: Office) -> Bool {
        !service.hours.isUnrestricted || !office.closedDates.isEmpty
    }

    /// The rules' verdict. `issuedToday` counts today's tickets of the
    /// service; it is asked only when the service has a quota. nil: the quota
    /// is left to the check inside the issue's commit (`CheckInTransaction`).
    /// Pure apart from that count: logging is `log`'s, after the decision took effect.
    static func decide(for service: Service, office: Office, now: Date, force: Bool,
                       issuedToday: (() throws -> Int)?) throws -> Decision {
        guard apply(to: service, office: office) else { return .admit }
        let count = service.hours.dailyQuota == nil ? 0 : try issuedToday?() ?? 0
        let admission = IssueAdmission.decide(service: service, at: now, issuedToday: count, office: office)
        // The reason reaches the officer's terminal: in the office's language.
        guard let notice = admission.notice, let reason = admission.reason(in: office.language) else { return .admit }
        if force { return .forced(reason: reason) }
        switch admission {
        case let .quotaReached(_, quota, _):
            return .refuse(Refusal(notice: notice,
                                   error: .dailyQuotaReached(service: service.id, quota: quota, reason: reason),
                                   reason: reason))
        default:
            return .refuse(Refusal(notice: notice, error: .serviceClosed(service: service.id, reason: reason),
                                   reason: reason))
        }
    }

    static func log(_ decision: Decision, service: Service, actor: String?, logger: Logger) {
        switch decision {
        case .admit:
            break
        case let .forced(reason):
            logger.notice("ticket issued by an officer despite the office's rules", metadata: [
                "service": "\(service.id)", "rule": "\(reason)", "actor": "\(actor ?? "-")",
            ])
        case let .refuse(refusal):
            logger.info("no number taken: outside the office's rules", metadata: [
                "service": "\(service.id)", "reason": "\(refusal.reason)",
            ])
        }
    }

    /// The opening hours and closed dates before a press takes a number; nil
    /// when they allow it. Logs the decision. The quota is not counted here:
    /// the issue's commit checks it (`CheckInTransaction`), where no other
    /// issue can slip in between.
    static func hoursRefusal(for service: Service, office: Office, now: Date, force: Bool,
                             actor: String?, logger: Logger) throws -> Refusal? {
        let decision = try decide(for: service, office: office, now: now, force: force, issuedToday: nil)
        log(decision, service: service, actor: actor, logger: logger)
        if case let .refuse(refusal) = decision { return refusal }
        return nil
    }

    /// The check for `QueueStore.issue(admit:)`: decides inside the issue's
    /// transaction (the quota counted there), throws the refusal's error, and
    /// keeps the decision for `log` after the write.
    final class CheckInTransaction: Sendable {
        private let decision = Mutex<Decision?>(nil)
        let service: Service, office: Office, now: Date, force: Bool

        init(service: Service, office: Office, now: Date, force: Bool) {
            self.service = service
            self.office = office
            self.now = now
            self.force = force
        }

        var check: QueueStore.IssueAdmissionCheck {
            { [self] issuedToday in
                let decided = try withoutActuallyEscaping(issuedToday) { count in
                    try decide(for: service, office: office, now: now, force: force, issuedToday: count)
                }
                decision.withLock { $0 = decided }
                if case let .refuse(refusal) = decided { throw refusal.error }
            }
        }

        /// What was decided, once the write ran (nil if it never got that far).
        var outcome: Decision? { decision.withLock { $0 } }
    }
}
