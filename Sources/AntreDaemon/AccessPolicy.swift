import AntreCore
import AntreWire
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Who may do what on the control socket, decided from the peer's credentials
/// (SO_PEERCRED, SO_PEERGROUPS). The socket file's mode and group already keep
/// strangers out; this splits those who may connect into readers, officers and
/// admins.
struct AccessPolicy: Sendable {
    enum Level: String, Sendable {
        /// Status, GetTicket, Monitor, GetInfo.
        case read
        /// Queue actions: Issue, CallNext, Recall, Skip, Finish, Transfer, Reprint, ConfirmPrinted.
        case officer
        /// Reload and other administration.
        case admin
    }

    let daemonUID: UInt32
    /// nil: no officer group configured, every connected client may act.
    let officerGID: UInt32?
    let adminGID: UInt32?

    /// Resolves the group names of `[socket]`; an unknown group is an error the
    /// technician must fix (a typo must not open the queue to everyone).
    init(settings: SocketSettings, daemonUID: UInt32 = getuid()) throws {
        self.daemonUID = daemonUID
        self.officerGID = try settings.officerGroup.map(Self.gid(of:))
        self.adminGID = try settings.adminGroup.map(Self.gid(of:))
    }

    init(daemonUID: UInt32, officerGID: UInt32?, adminGID: UInt32?) {
        self.daemonUID = daemonUID
        self.officerGID = officerGID
        self.adminGID = adminGID
    }

    func allows(_ level: Level, _ caller: Caller) -> Bool {
        guard let uid = caller.uid else { return level == .read }
        if uid == 0 || uid == daemonUID { return true }
        let groups = Set(caller.groups + (caller.gid.map { [$0] } ?? []))
        let admin = adminGID.map(groups.contains) ?? false
        switch level {
        case .read: return true
        case .officer: return admin || (officerGID.map(groups.contains) ?? true)
        case .admin: return admin
        }
    }

    static func gid(of name: String) throws -> UInt32 {
        guard let entry = getgrnam(name) else {
            throw DaemonError.socket("group \(name)", "no such group (create it: groupadd \(name))")
        }
        return entry.pointee.gr_gid
    }
}

/// The socket's door: the policy in force (swapped by a reload) and a log of
/// refusals that a reader cannot flood.
struct AccessGate: Sendable {
    let policy: @Sendable () -> AccessPolicy
    let logger: Logger
    /// A reader can provoke refusals at will: logged once, then at most one line per 10 s.
    let deniedThrottle = LogThrottle()

    func allows(_ level: AccessPolicy.Level, _ caller: Caller, method: String) -> Bool {
        guard !policy().allows(level, caller) else { return true }
        guard let suppressed = deniedThrottle.admit() else { return false }
        var metadata: Logger.Metadata = [
            "method": "\(method)", "needs": "\(level.rawValue)", "uid": "\(caller.uid.map(String.init) ?? "?")",
            "pid": "\(caller.pid.map(String.init) ?? "?")",
        ]
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning("permission denied", metadata: metadata)
        return false
    }
}
