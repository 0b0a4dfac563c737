import AntreCore

/// `Report(from, to)`: local days "YYYY-MM-DD", both included; nil: today.
public struct ReportParameters: Codable, Sendable, Equatable {
    public var from: String?
    public var to: String?
    public init(from: String? = nil, to: String? = nil) {
        self.from = from
        self.to = to
    }
}

/// `Report` -> (report). `QueueReport` already carries the wire names.
public struct ReportReply: Codable, Sendable, Equatable {
    public var report: QueueReport
    public init(report: QueueReport) { self.report = report }
}
