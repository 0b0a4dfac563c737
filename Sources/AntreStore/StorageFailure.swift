import AntreCore
import GRDB

/// SQLite errors that mean the disk, not the request, is at fault: they become
/// `QueueError.storageFailed`, which callers treat as "nothing was recorded".
enum StorageFailure {
    private static let codes: [ResultCode] = [
        .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB,
        .SQLITE_PERM,
    ]

    /// The QueueError for `error`, or nil when it is not a storage failure.
    static func queueError(for error: any Error) -> QueueError? {
        guard let error = error as? DatabaseError, codes.contains(error.resultCode) else { return nil }
        let message = error.message ?? "\(error.resultCode)"
        return .storageFailed(reason: message)
    }
}
