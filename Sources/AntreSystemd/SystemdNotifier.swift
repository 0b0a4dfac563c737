// sd_notify(3) without libsystemd: one AF_UNIX datagram per message to $NOTIFY_SOCKET.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AntrePosix
import Foundation

/// Where systemd listens for notifications: a filesystem path or a Linux abstract socket name.
public enum NotifySocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// A socket file, e.g. `/run/systemd/notify`.
    case path(String)
    /// An abstract-namespace name, written `@name` in `NOTIFY_SOCKET` (no leading NUL here).
    case abstract(String)

    /// Parses a `NOTIFY_SOCKET` value; `nil` for an empty or unsupported one (e.g. `vsock:`).
    public init?(environmentValue value: String) {
        if value.hasPrefix("/") {
            self = .path(value)
        } else if value.hasPrefix("@"), value.utf8.count > 1 {
            self = .abstract(String(value.dropFirst()))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case let .path(path): path
        case let .abstract(name): "@" + name
        }
    }
}

/// A failed notification. Never fatal: the service just runs unsupervised for that message.
public struct SystemdNotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step that failed: `socket`, `sendto`, `address`.
    public let operation: String
    /// The `errno` of the failing call, 0 when the failure is not a syscall's.
    public let code: Int32
    /// The address the message was meant for, or the raw `NOTIFY_SOCKET` value.
    public let target: String

    public init(operation: String, code: Int32, target: String) {
        self.operation = operation
        self.code = code
        self.target = target
    }

    public var description: String {
        switch operation {
        case "address":
            "sd_notify: NOTIFY_SOCKET=\(target) is not a path or @abstract name; notifications disabled"
        case "address-length":
            "sd_notify: NOTIFY_SOCKET=\(target) is longer than a Unix socket address allows"
        default:
            "sd_notify: \(operation) to \(target) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// Sends service state to systemd (`Type=notify`) through `$NOTIFY_SOCKET`, like `sd_notify(3)`.
///
/// Every method is a no-op when the service was not started by systemd (no `NOTIFY_SOCKET`;
/// see ``isEnabled``) and throws ``SystemdNotifyError`` when a datagram could not be
/// delivered. Callers that only want to carry on write `try? notifier.watchdog()`;
/// those that log catch the error, whose description says what failed.
public struct SystemdNotifier: Sendable {
    /// The parsed `NOTIFY_SOCKET`, or `nil` when notifications are off.
    public let address: NotifySocketAddress?
    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, or `nil` when the
    /// watchdog is off or meant for another process (`WATCHDOG_PID`).
    public let watchdogInterval: Duration?
    /// Set when `NOTIFY_SOCKET` was present but unusable; reported once by the caller.
    public let configurationError: SystemdNotifyError?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                pid: pid_t = getpid()) {
        var error: SystemdNotifyError?
        var parsed: NotifySocketAddress?
        if let raw = environment["NOTIFY_SOCKET"], !raw.isEmpty {
            parsed = NotifySocketAddress(environmentValue: raw)
            if parsed == nil { error = SystemdNotifyError(operation: "address", code: 0, target: raw) }
        }
        self.address = parsed
        self.configurationError = error
        self.watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// A notifier for an explicit address (`nil` disables it); no watchdog.
    public init(address: NotifySocketAddress?, watchdogInterval: Duration? = nil) {
        self.address = address
        self.watchdogInterval = watchdogInterval
        self.configurationError = nil
    }

    /// True when messages go somewhere.
    public var isEnabled: Bool { address != nil }

    /// The watchdog ping interval systemd expects: half of `WATCHDOG_USEC`, as `sd_watchdog_enabled`
    /// callers conventionally use. `nil` when unset, zero, malformed, or `WATCHDOG_PID` names
    /// another process (e.g. the variable leaked into a child).
    public static func watchdogInterval(environment: [String: String], pid: pid_t = getpid()) -> Duration? {
        guard let raw = environment["WATCHDOG_USEC"],
              let usec = UInt64(raw.trimmingCharacters(in: .whitespaces)), usec > 0
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let watchdogPID = pid_t(pidText.trimmingCharacters(in: .whitespaces)),
                  watchdogPID == pid
            else { return nil }
        }
        return .microseconds(Int64(clamping: usec / 2))
    }

    // MARK: Messages

    /// Startup finished: the control socket listens and the database is open.
    public func ready(status: String? = nil) throws(SystemdNotifyError) {
        try send(["READY=1"] + Self.statusLine(status))
    }

    /// A one-line human status shown by `systemctl status`.
    public func status(_ text: String) throws(SystemdNotifyError) {
        try send(Self.statusLine(text))
    }

    /// Shutdown has begun.
    public func stopping(status: String? = nil) throws(SystemdNotifyError) {
        try send(["STOPPING=1"] + Self.statusLine(status))
    }

    /// Configuration reload begins; send ``ready(status:)`` when it is done.
    /// Carries `MONOTONIC_USEC` as `Type=notify-reload` (systemd 253+) requires.
    public func reloading(status: String? = nil) throws(SystemdNotifyError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"] + Self.statusLine(status))
    }

    /// Keep-alive for `WatchdogSec=`; send every ``watchdogInterval``.
    public func watchdog() throws(SystemdNotifyError) {
        try send(["WATCHDOG=1"])
    }

    /// Asks systemd for more start/stop time (e.g. a slow database migration).
    public func extendTimeout(by duration: Duration) throws(SystemdNotifyError) {
        try send(["EXTEND_TIMEOUT_USEC=\(duration.wholeMicroseconds)"])
    }

    /// Sends `assignments` (`KEY=value`) joined by newlines as one datagram.
    public func send(_ assignments: [String]) throws(SystemdNotifyError) {
        guard !assignments.isEmpty else { return }
        try send(assignments.joined(separator: "\n"))
    }

    /// Sends `message` verbatim as one datagram; nothing when notifications are off.
    public func send(_ message: String) throws(SystemdNotifyError) {
        guard let address else { return }
        try Self.deliver(Array(message.utf8), to: address)
    }

    // MARK: Internals

    /// `STATUS=` is one line: a newline would start a bogus assignment.
    private static func statusLine(_ text: String?) -> [String] {
        guard let text else { return [] }
        let flat = text.replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
        return ["STATUS=" + flat]
    }

    static func monotonicMicroseconds() -> UInt64 {
        UInt64(monotonicClockReading().wholeMicroseconds)
    }

    private static func deliver(_ bytes: [UInt8], to address: NotifySocketAddress) throws(SystemdNotifyError) {
        let socketAddress: UnixSocketAddress
        do {
            switch address {
            case let .path(path): socketAddress = try UnixSocketAddress(path: path)  // NUL counted, like libsystemd
            case let .abstract(name): socketAddress = try UnixSocketAddress(abstractName: name)
            }
        } catch {
            throw SystemdNotifyError(operation: "address-length", code: ENAMETOOLONG, target: address.description)
        }

        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        let flags: Int32 = 0
        #endif
        guard fd >= 0 else {
            throw SystemdNotifyError(operation: "socket", code: errno, target: address.description)
        }
        defer { close(fd) }

        let sent = bytes.withUnsafeBytes { buffer in
            socketAddress.withSockaddr { sa, length in
                retryingInterrupts { sendto(fd, buffer.baseAddress, buffer.count, flags, sa, length) }
            }
        }
        guard sent == bytes.count else {
            throw SystemdNotifyError(operation: "sendto", code: sent < 0 ? errno : EMSGSIZE,
                                     target: address.description)
        }
    }
}
