import AntreCore
import AntreWire
import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("antred's socket (env ANTRE_SOCKET).", valueName: "path"))
    var socket: String = ProcessInfo.processInfo.environment["ANTRE_SOCKET"] ?? SocketDefaults.path

    @Flag(name: .long, help: "Print antred's reply as JSON (sorted keys).")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for antred's reply.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Your counter id, for call, recall, skip and finish (env ANTRE_COUNTER).",
                               valueName: "counter"), completion: .custom(Completions.counters))
    var counter: String?

    @Option(help: ArgumentHelp("Language of antre's messages: id or en (env ANTRE_LANG, else the config's "
                               + "[office] language, else en). --json output is the same in both.",
                               valueName: "lang"))
    var lang: Language?

    /// --lang as parsed; CLILanguage.current read the same option from the raw arguments.
    var language: Language { lang ?? CLILanguage.current }

    func connect() throws -> VarlinkClient {
        try VarlinkClient(path: socket, timeout: timeout)
    }

    /// Calls `method` and prints the reply: JSON with --json, else `text`.
    func run<R: Decodable>(_ method: String, _ parameters: some Encodable, as type: R.Type,
                           text: (R, Language) -> String) throws {
        let client = try connect()
        let object = try JSONValue.from(parameters).objectValue ?? [:]
        let reply = try client.call(QueueInterface.name + "." + method, object)
        if json {
            print(JSONValue.object(reply).prettyText())
            return
        }
        let typed: R
        do {
            typed = try JSONValue.object(reply).decode(as: R.self)
        } catch {
            throw VarlinkClientError.protocolError("reply of \(method) does not match this antre: \(error)")
        }
        print(text(typed, language))
    }
}

/// The counter from --counter or ANTRE_COUNTER.
func resolveCounter(_ option: String?) -> String? {
    if let option, !option.isEmpty { return option }
    if let env = ProcessInfo.processInfo.environment["ANTRE_COUNTER"], !env.isEmpty { return env }
    return nil
}

/// "b12" -> "B-012"; usage error when it is not a ticket number.
func normalizedNumber(_ text: String) throws -> String {
    guard let number = TicketNumber(parsing: text) else {
        throw ValidationError(CLILanguage.messages.notATicketNumber(text))
    }
    return number.description
}

struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call the next waiting ticket to your counter, or a given one.",
        discussion: """
        With NUMBER (antre call T-012) that waiting ticket is called now, out of turn: the \
        resident is at the desk. Your counter must serve its service.
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A waiting ticket to call now; default: the next in line.", valueName: "number"),
              completion: .custom(Completions.ticketNumbers))
    var number: String?
    @Option(name: .customLong("service"), help: ArgumentHelp(
        "Only call from this service (repeatable); default: the counter's services.", valueName: "service"),
            completion: .custom(Completions.services))
    var services: [String] = []

    func validate() throws {
        // In validate(), not run(): ArgumentParser then prints this command's usage.
        guard resolveCounter(global.counter) != nil else { throw ValidationError(CLILanguage.messages.missingCounter) }
        _ = try number.map(normalizedNumber)
        if number != nil && !services.isEmpty { throw ValidationError(CLILanguage.messages.numberOrServices) }
    }

    func run() throws {
        let counter = resolveCounter(global.counter) ?? ""
        if let number {
            try global.run("Call", CallParameters(counter: counter, number: normalizedNumber(number)),
                           as: CallNextReply.self, text: QueueText.called)
            return
        }
        try global.run("CallNext", CallNextParameters(counter: counter, services: services.isEmpty ? nil : services),
                       as: CallNextReply.self, text: QueueText.called)
    }
}

/// NUMBER of recall, skip and finish; with the global --counter it selects the ticket.
struct TicketSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("The ticket; default: the one called at your counter.", valueName: "number"),
              completion: .custom(Completions.ticketNumbers))
    var number: String?

    func validate(counter: String?) throws {
        _ = try number.map(normalizedNumber)
        if number == nil && resolveCounter(counter) == nil {
            throw ValidationError(CLILanguage.messages.numberOrCounter)
        }
    }

    func selector(counter: String?) throws -> TicketSelector {
        TicketSelector(counter: resolveCounter(counter), number: try number.map(normalizedNumber))
    }
}

struct RecallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall", abstract: "Call a ticket again (announce it once more).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: TicketSelection

    func validate() throws { try selection.validate(counter: global.counter) }

    func run() throws {
        try global.run("Recall", selection.selector(counter: global.counter), as: RecallReply.self, text: QueueText.recalled)
    }
}

struct SkipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skip", abstract: "Mark a called ticket as skipped (the resident did not come).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: TicketSelection

    func validate() throws { try selection.validate(counter: global.counter) }

    func run() throws {
        try global.run("Skip", selection.selector(counter: global.counter), as: TicketReply.self, text: QueueText.skipped)
    }
}

struct FinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish", abstract: "Mark a called ticket as served.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: TicketSelection

    func validate() throws { try selection.validate(counter: global.counter) }

    func run() throws {
        try global.run("Finish", selection.selector(counter: global.counter), as: TicketReply.self, text: QueueText.finished)
    }
}

struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer", abstract: "Move a ticket to another service's queue (it keeps its number).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The ticket.", valueName: "number"), completion: .custom(Completions.ticketNumbers))
    var number: String
    @Option(name: .customLong("to"), help: ArgumentHelp("The service id to move it to.", valueName: "service"),
            completion: .custom(Completions.services))
    var service: String

    func validate() throws { _ = try normalizedNumber(number) }

    func run() throws {
        try global.run("Transfer", TransferParameters(number: normalizedNumber(number), service: service),
                       as: TicketReply.self, text: QueueText.transferred)
    }
}

struct RequeueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue", abstract: "Bring a skipped ticket back in line (the resident came back).",
        discussion: """
        The ticket waits again today in its place by issue time, not at the back of the line.
        """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The skipped ticket.", valueName: "number"),
              completion: .custom(Completions.ticketNumbers))
    var number: String

    func validate() throws { _ = try normalizedNumber(number) }

    func run() throws {
        try global.run("Requeue", RequeueParameters(number: normalizedNumber(number)),
                       as: TicketReply.self, text: QueueText.requeued)
    }
}

struct IssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue a ticket and print it, as if its button were pressed.",
        discussion: """
        The ticket is printed on --dispenser if given, else on the dispenser that has a \
        button for the service, else on the first dispenser. With no dispenser \
        configured, the number is issued without paper (write it down for the resident).
        """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The service id.", valueName: "service"), completion: .custom(Completions.services))
    var service: String
    @Option(help: ArgumentHelp("Print on this dispenser instead (a [[dispenser]] id).", valueName: "dispenser"))
    var dispenser: String?
    @Flag(help: "A priority ticket (lansia, difabel, ibu hamil): called first, within the office's priority_ratio.")
    var priority = false
    @Flag(help: "Issue even outside the service's opening hours or past its daily quota (logged with your uid).")
    var force = false

    func run() throws {
        try global.run("Issue", IssueParameters(service: service, dispenser: dispenser,
                                                priority: priority ? true : nil, force: force ? true : nil),
                       as: IssueReply.self, text: QueueText.issued)
    }
}

struct ReprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprint", abstract: "Print a ticket again on the dispenser that issued it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The ticket.", valueName: "number"), completion: .custom(Completions.ticketNumbers))
    var number: String

    func validate() throws { _ = try normalizedNumber(number) }

    func run() throws {
        try global.run("Reprint", ReprintParameters(number: normalizedNumber(number)),
                       as: TicketReply.self, text: QueueText.reprinted)
    }
}

struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm that a ticket not confirmed printed (or print_failed) is in the resident's hands.",
        discussion: """
            After antred stopped while printing (power cut, kill -9), the tickets it was \
            printing are "not confirmed" in antre status: ask the resident, then confirm \
            (they have the paper) or reprint (they do not).
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The ticket.", valueName: "number")) var number: String

    func validate() throws { _ = try normalizedNumber(number) }

    func run() throws {
        try global.run("ConfirmPrinted", ConfirmPrintedParameters(number: normalizedNumber(number)),
                       as: TicketReply.self, text: QueueText.confirmed)
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show today's queue, counters and printers.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run("Status", NoParameters(), as: StatusReply.self, text: QueueText.status)
    }
}

struct PrintersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printers", abstract: "List the USB printers antred can see, and which dispenser uses each.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run("ListPrinters", NoParameters(), as: ListPrintersReply.self, text: QueueText.printers)
    }
}

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Make antred read its configuration file again.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run("Reload", NoParameters(), as: NoParameters.self) { _, language in QueueText.reloaded(in: language) }
    }
}

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Print one line per queue event until Ctrl-C.",
        discussion: """
        With --json, one compact JSON object per line (JSON Lines). When antred \
        restarts or drops the connection, monitor says so on stderr and reconnects \
        by itself; --once exits instead (status 3), for scripts.
        """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Exit when the connection to antred ends instead of reconnecting.")
    var once = false

    func run() throws {
        var connectedBefore = false
        while true {
            do {
                let client = try global.connect()
                if connectedBefore { Self.say("antre: " + CLILanguage.messages.connectedAgain) }
                connectedBefore = true
                try follow(client)
                // A final reply without "continues": antred ended the stream on purpose.
                if once { return }
                Self.say("antre: " + CLILanguage.messages.streamEnded)
            } catch {
                guard !once, connectedBefore, Self.worthRetrying(error) else { throw error }
                let reason = Failure.message(for: error).map { String($0.dropFirst("antre: ".count)) } ?? "\(error)"
                Self.say("antre: " + CLILanguage.messages.reconnecting(after: reason))
                try waitForDaemon()
            }
        }
    }

    private func follow(_ client: VarlinkClient) throws {
        try client.callMore(QueueInterface.name + ".Monitor") { reply in
            if global.json {
                print(JSONValue.object(reply).compactText())
            } else if let event = try? JSONValue.object(reply).decode(as: MonitorReply.self).event {
                print(QueueText.event(event, in: global.language))
            } else {
                print(JSONValue.object(reply).compactText())
            }
            fflush(nil)  // all streams: stdout may be a pipe (block-buffered)
            return true
        }
    }

    /// Retries once a second until antred answers again (a restart takes a few seconds).
    private func waitForDaemon() throws {
        while true {
            sleep(1)
            if (try? global.connect()) != nil { return }
        }
    }

    /// Gone, restarting or told to slow down: come back. A refusal (permission) is final.
    private static func worthRetrying(_ error: any Error) -> Bool {
        switch error {
        case VarlinkClientError.permissionDenied, VarlinkClientError.pathTooLong: return false
        case let error as VarlinkClientError: return error.isUnreachable
        case let error as VarlinkRemoteError: return error.name == "io.antre.Queue.MonitorTooSlow"
        default: return false
        }
    }

    private static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
