import AntreCore
import Foundation

/// A domain error that has a Varlink error of its own. The modules that throw
/// these know nothing of Varlink: the conformances live here (for AntreCore's
/// errors) or in the daemon's service layer (Sources/AntreDaemon/WireErrors.swift),
/// and the dispatcher turns a thrown error into its Varlink error only when it
/// answers the client.
public protocol VarlinkErrorConvertible: Error {
    var varlinkError: VarlinkError { get }
}

extension VarlinkError: VarlinkErrorConvertible {
    public var varlinkError: VarlinkError { self }
}

/// `varlinkError` is in VarlinkErrors.swift, next to its inverse.
extension QueueError: VarlinkErrorConvertible {}

/// A configuration that does not load (Reload): ConfigInvalid with every issue
/// as "FILE:LINE: KEY: message".
extension ConfigError: VarlinkErrorConvertible {
    public var varlinkError: VarlinkError {
        VarlinkErrors.configInvalid(issues.map(\.description))
    }
}

extension VarlinkErrors {
    /// The longest message an unexpected error may put into InternalError.
    static let internalMessageLimit = 200

    /// What the client is told when a call throws `error`: its own Varlink
    /// error when it has one, else InternalError with a short message.
    public static func wire(_ error: any Error) -> VarlinkError {
        if let error = error as? any VarlinkErrorConvertible { return error.varlinkError }
        return internalError(shortMessage(for: error))
    }

    /// One line about an error nobody mapped: the text its type wrote for
    /// people (description, errorDescription, an NSError's localized
    /// description), first line, capped; else its type name. Never the dump
    /// `String(describing:)` makes of a nested enum or an NSError.
    public static func shortMessage(for error: any Error) -> String {
        let typeName = String(describing: type(of: error))
        // Casts go through Any: on `any Error` the compiler assumes bridging
        // to NSError, which would make every error "CustomStringConvertible".
        let value: Any = error
        let text: String?
        if type(of: error) is NSError.Type {
            // Its description lists domain, code and userInfo.
            text = (error as NSError).localizedDescription
        } else if let value = value as? any CustomStringConvertible {
            text = value.description
        } else if let value = value as? any LocalizedError {
            text = value.errorDescription
        } else {
            text = nil
        }
        let line = (text ?? "").split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty else { return typeName }
        return line.count <= internalMessageLimit ? line : String(line.prefix(internalMessageLimit - 1)) + "…"
    }
}
