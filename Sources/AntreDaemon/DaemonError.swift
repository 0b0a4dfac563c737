/// Start-up failures, each telling the technician what to do.
public enum DaemonError: Error, CustomStringConvertible {
    case socketInUse(String)
    case socket(String, String)
    case database(String, String)

    public var description: String {
        switch self {
        case let .socketInUse(path): "another antred is already serving \(path); stop it first (systemctl stop antred)"
        case let .socket(path, reason): "control socket \(path): \(reason)"
        case let .database(path, reason): "database \(path): \(reason)"
        }
    }
}
