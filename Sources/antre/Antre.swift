import AntreWire
import ArgumentParser
import Foundation

/// `antre`: the officers' command line for antred.
@main
struct Antre: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "antre",
        abstract: "Call, recall and manage queue tickets of antred.",
        discussion: """
        Talks to antred over its Varlink socket (--socket, or ANTRE_SOCKET, \
        default \(SocketDefaults.path)). --counter defaults to ANTRE_COUNTER, so an \
        officer sets it once in their shell profile. Ticket numbers may be typed \
        loosely: b12, B012 and B-012 are the same ticket.

        Exit status:
          0  success
          1  antred refused the request (no ticket waiting, unknown ticket...)
          2  usage error (bad option or argument)
          3  antred is not reachable (not running, no permission, no answer)
        """,
        subcommands: [
            CallCommand.self, RecallCommand.self, SkipCommand.self, FinishCommand.self,
            TransferCommand.self, IssueCommand.self, ReprintCommand.self, ConfirmCommand.self, StatusCommand.self,
            MonitorCommand.self, PrintersCommand.self, ReloadCommand.self,
        ])

    /// Replaces ArgumentParser's exit handling to give the documented codes
    /// (it uses 64 for usage errors) and the "antre: message" form.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = Failure.exitCode(for: error)
            if let message = Failure.message(for: error) {
                if code == 0 {
                    print(message)
                } else {
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
            Foundation.exit(code)
        }
    }
}

enum SocketDefaults {
    static let path = "/run/antre/antred.sock"
}

/// Exit codes and messages for every error `antre` can end with.
enum Failure {
    static let remote: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 3

    static func exitCode(for error: any Error) -> Int32 {
        switch error {
        case is VarlinkRemoteError: return remote
        case let error as VarlinkClientError: return error.isUnreachable ? unreachable : remote
        default:
            let code = Antre.exitCode(for: error)
            if code == .validationFailure { return usage }
            return code.rawValue
        }
    }

    static func message(for error: any Error) -> String? {
        switch error {
        case let error as VarlinkRemoteError: return "antre: \(error.description)"
        case let error as VarlinkClientError: return "antre: \(error.description)"
        default:
            let text = Antre.fullMessage(for: error)
            if text.isEmpty { return nil }
            if Antre.exitCode(for: error) == .success { return text }
            return "antre: " + (text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text)
        }
    }
}
