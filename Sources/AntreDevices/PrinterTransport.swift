import AntreCore

/// Why a print job did not reach the printer. Messages tell the technician what to check.
public enum PrinterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not open/connect (refused, no such device, permission).
    case unreachable(connection: String, reason: String)
    /// The whole job did not go out within the timeout.
    case timedOut(connection: String, sentBytes: Int, totalBytes: Int)
    /// The connection failed mid-job.
    case writeFailed(connection: String, sentBytes: Int, reason: String)

    public var description: String {
        switch self {
        case let .unreachable(c, r): "printer \(c) unreachable: \(r)"
        case let .timedOut(c, s, t): "printer \(c) timed out after \(s) of \(t) bytes"
        case let .writeFailed(c, s, r): "printer \(c) write failed after \(s) bytes: \(r)"
        }
    }
}

/// One printer connection. Implementations are blocking and called from one
/// spooler thread at a time; they (re)connect lazily on the next job.
public protocol PrinterTransport: AnyObject, Sendable {
    var connection: PrinterConnection { get }
    /// Sends one whole job, or throws `PrinterError`. Never blocks past `timeout`.
    func send(_ job: [UInt8], timeout: Duration) throws(PrinterError)
    /// Asks the printer for its real-time status (DLE EOT 1..4) and returns the raw
    /// reply bytes, or `.unknown` when the link cannot answer within `timeout`.
    func queryStatus(timeout: Duration) -> PrinterStatusReading
    /// Drops the connection (the next `send` reconnects).
    func close()
}
