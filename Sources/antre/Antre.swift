import AntreCore
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
        loosely: b12, B012 and B-012 are the same ticket. Messages are in English, \
        or in Indonesian with --lang id, ANTRE_LANG=id or language = "id" in the \
        [office] table of the config (ANTRE_CONFIG, default /etc/antre/antre.toml); \
        this help stays English.

        Exit status:
          0  success
          1  antred refused the request (no ticket waiting, unknown ticket...)
          2  usage error (bad option or argument)
          3  antred is not reachable (not running, no permission, no answer)
        """,
        subcommands: [
            CallCommand.self, RecallCommand.self, SkipCommand.self, FinishCommand.self,
            TransferCommand.self, RequeueCommand.self, IssueCommand.self, ReprintCommand.self, ConfirmCommand.self, StatusCommand.self,
            MonitorCommand.self, PrintersCommand.self, ReloadCommand.self, ReportCommand.self, IDLCommand.self,
        ])

    /// Replaces ArgumentParser's exit handling to give the documented codes
    /// (it uses 64 for usage errors) and the "antre: message" form.
    static func main() {
        let arguments = GlobalArguments.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst()),
                                                             subcommands: subcommandNames)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = Failure.exitCode(for: error)
            if let message = Failure.message(for: error) {
                if code == 0 {
                    print(message)
                } else if GlobalArguments.wantsJSON(arguments) {
                    // Scripts that asked for JSON get their errors as JSON too.
                    // Its message stays English like the rest of --json: scripts may log or match it.
                    let english = Failure.message(for: error, in: .en) ?? message
                    FileHandle.standardError.write(Data((Failure.json(for: error, message: english) + "\n").utf8))
                } else {
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
            Foundation.exit(code)
        }
    }

    static var subcommandNames: Set<String> {
        Set(configuration.subcommands.map { $0._commandName } + ["help"])
    }
}

/// `antre --socket PATH status` as well as `antre status --socket PATH`: the
/// options every command takes may come before the subcommand.
enum GlobalArguments {
    static let withValue: Set<String> = ["--socket", "--counter", "--timeout", "--lang"]
    static let flags: Set<String> = ["--json"]

    static func movedAfterSubcommand(_ arguments: [String], subcommands: Set<String>) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if flags.contains(argument) || (withValue.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if withValue.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, subcommands.contains(arguments[index]) else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }

    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
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

    /// {"error": "io.antre.Queue.NoTicketWaiting", "message": "..."}: the Varlink
    /// error name when antred refused, else antre's own kind of failure.
    static func json(for error: any Error, message: String) -> String {
        let name: String
        switch error {
        case let error as VarlinkRemoteError: name = error.name
        case let error as VarlinkClientError: name = error.isUnreachable ? "antre.Unreachable" : "antre.ProtocolError"
        default: name = exitCode(for: error) == usage ? "antre.UsageError" : "antre.Error"
        }
        let text = message.hasPrefix("antre: ") ? String(message.dropFirst("antre: ".count)) : message
        let object: JSONValue = .object(["error": .string(name), "message": .string(text)])
        return object.compactText()
    }

    /// "antre: ..." in the CLI's language; nil when there is nothing to say.
    static func message(for error: any Error, in language: Language = CLILanguage.current) -> String? {
        switch error {
        case let error as VarlinkRemoteError: return "antre: " + CLIMessages(language).error(error)
        case let error as VarlinkClientError: return "antre: " + CLIMessages(language).error(error)
        default:
            let text = Antre.fullMessage(for: error)
            if text.isEmpty { return nil }
            if Antre.exitCode(for: error) == .success { return text }
            return "antre: " + (text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text)
        }
    }
}
