/// Start-up failures, each telling the technician what to do.
public enum DaemonError: Error, CustomStringConvertible {
    case socketInUse(String)
    case socket(String, String)
    case database(String, String)
    /// Another process holds the instance lock (its PID when known).
    case alreadyRunning(lock: String, pid: Int32?)
    case lockFile(String, String)

    public var description: String {
        switch self {
        case let .socketInUse(path): "another antred is already serving \(path); stop it first (systemctl stop antred)"
        case let .socket(path, reason): "control socket \(path): \(reason)"
        case let .database(path, reason): "database \(path): \(reason)"
        case let .alreadyRunning(lock, pid):
            "another antred is already running with this database or socket: \(lock) is locked"
                + (pid.map { " by PID \($0)" } ?? "") + "; it was left untouched (stop it first: systemctl stop antred)"
        case let .lockFile(path, reason): "cannot take the instance lock \(path): \(reason)"
        }
    }
}
