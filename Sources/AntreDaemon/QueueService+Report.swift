import AntreCore
import AntreWire

extension QueueService {
    /// Reader right: the figures hold no names of residents. No days: today;
    /// only `from`: that one day.
    func report(_ parameters: ReportParameters, caller: Caller) async throws -> ReportReply {
        try authorize(.read, caller, "Report")
        let today = desk.store.day(of: desk.now())
        let from: LocalDay
        if let text = parameters.from {
            guard let day = LocalDay(validating: text) else { throw VarlinkErrors.invalidParameter("from") }
            from = day
        } else {
            from = today
        }
        var to = parameters.from == nil ? today : from
        if let text = parameters.to {
            guard let day = LocalDay(validating: text) else { throw VarlinkErrors.invalidParameter("to") }
            to = day
        }
        guard from <= to else { throw VarlinkErrors.invalidParameter("to") }
        return ReportReply(report: try await desk.report(from: from, to: to))
    }
}
