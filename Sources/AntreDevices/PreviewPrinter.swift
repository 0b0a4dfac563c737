import AntreCore
import AntrePosix
import ESCPOS
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A printer that prints to a folder (`preview:DIR`): each job becomes
/// `DIR/<timestamp>-<seq>.bin` (the raw bytes), `.txt` (how the paper would read)
/// and, when asked, `.png` (how the paper would look).
/// Files appear whole: each is written under a hidden name and renamed, the
/// `.txt` before the `.bin`, so a reader that sees the `.bin` finds both complete.
public final class PreviewPrinter: PrinterTransport {
    public let connection: PrinterConnection
    public let directory: String
    private let echo: FileHandle?
    private let render: @Sendable ([UInt8]) -> String
    private let picture: (@Sendable ([UInt8]) -> [UInt8])?
    private let logger: Logger
    /// The last job's number; held while a job's files are written, which keeps them in order.
    private let sequence = Mutex(0)

    /// - Parameters:
    ///   - echo: also writes each job's text here (stdout for the demo).
    ///   - render: bytes -> text; the ESC/POS text renderer unless a test supplies another.
    ///   - picture: bytes -> PNG, saved as `.png` beside the text when given.
    public init(directory: String, echo: FileHandle? = nil,
                render: @escaping @Sendable ([UInt8]) -> String = { ESCPOSTextRenderer.render($0) },
                picture: (@Sendable ([UInt8]) -> [UInt8])? = nil,
                logger: Logger = Logger(label: "antre.printer.preview")) {
        self.directory = directory
        self.connection = .preview(directory: directory)
        self.echo = echo
        self.render = render
        self.picture = picture
        self.logger = logger
    }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        let text = render(job)
        let png = picture?(job)
        // The lock keeps each job's files together and in order; echo and log after it.
        let saved = sequence.withLock { sequence -> Result<String, PrinterError> in
            do throws(PrinterError) {
                return .success(try saveFiles(job, text: text, png: png, sequence: &sequence))
            } catch {
                return .failure(error)
            }
        }
        let base = try saved.get()
        if let echo {
            try? echo.write(contentsOf: Data(text.utf8))
            if png != nil { try? echo.write(contentsOf: Data("(picture: \(directory)/\(base).png)\n".utf8)) }
        }
        logger.debug("preview job saved", metadata: ["file": "\(directory)/\(base).bin"])
    }

    /// Under the lock: the job's files, the `.bin` last (its presence means all are whole).
    private func saveFiles(_ job: [UInt8], text: String, png: [UInt8]?,
                           sequence: inout Int) throws(PrinterError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unreachable(connection: connection.description,
                               reason: "cannot create the preview folder \(directory): \(error.localizedDescription)")
        }
        sequence += 1
        let base = Self.timestamp() + "-" + Self.pad(sequence)
        try writeWhole(Data(text.utf8), name: base + ".txt")
        if let png { try writeWhole(Data(png), name: base + ".png") }
        try writeWhole(Data(job), name: base + ".bin")
        return base
    }

    /// No status; the probe after a failed job: a folder that cannot be made or written is unreachable.
    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .unreachable("cannot create the preview folder \(directory): \(error.localizedDescription)")
        }
        return access(directory, W_OK) == 0 ? .unknown : .unreachable("cannot write the preview folder \(directory)")
    }

    public func close() {}

    private func writeWhole(_ data: Data, name: String) throws(PrinterError) {
        let final = (directory as NSString).appendingPathComponent(name)
        let temporary = (directory as NSString).appendingPathComponent(".\(name).partial")
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .writeFailed(connection: connection.description, sentBytes: 0,
                               reason: "cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, final) == 0 else {
            let why = errnoText(errno)
            unlink(temporary)
            throw .writeFailed(connection: connection.description, sentBytes: 0, reason: "cannot rename to \(final): \(why)")
        }
    }

    /// UTC `yyyyMMdd-HHmmss.SSS`-like stamp that sorts in time order.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = time_t(now.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(now.tv_nsec / 1_000_000)
        return pad(Int(parts.tm_year) + 1900, 4) + pad(Int(parts.tm_mon) + 1, 2) + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + pad(Int(parts.tm_min), 2) + pad(Int(parts.tm_sec), 2)
            + pad(ms, 3) + "Z"
    }

    private static func pad(_ n: Int, _ width: Int = 4) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
