import AntreCore
import AntreWire
import ArgumentParser
import Foundation

extension Language: ExpressibleByArgument {}

/// The language `antre` speaks: `--lang` > `ANTRE_LANG` > `[office] language`
/// of the config file (ANTRE_CONFIG, default /etc/antre/antre.toml, as for
/// completions) > English; always English with --json. Decided once from the raw command line, so even
/// errors found while parsing it come out in that language.
enum CLILanguage {
    static let current: Language = resolve(arguments: Array(CommandLine.arguments.dropFirst()),
                                           environment: ProcessInfo.processInfo.environment,
                                           configLanguage: configLanguage(path:))

    static var messages: CLIMessages { CLIMessages(current) }

    /// A bad `--lang` value falls through here; ArgumentParser then reports it as
    /// a usage error. A bad ANTRE_LANG or an unreadable or invalid config is
    /// ignored: the CLI must work where it cannot read the daemon's config.
    static func resolve(arguments: [String], environment: [String: String],
                        configLanguage: (String) -> Language?) -> Language {
        // --json output is a contract for scripts: its messages stay English too.
        if GlobalArguments.wantsJSON(arguments) { return .en }
        if let option = optionValue("--lang", in: arguments), let language = Language(rawValue: option) {
            return language
        }
        if let env = environment["ANTRE_LANG"], let language = Language(rawValue: env) { return language }
        return configLanguage(environment["ANTRE_CONFIG"] ?? ConfigLoader.defaultPath) ?? .en
    }

    /// `--lang id` or `--lang=id` before any `--`.
    static func optionValue(_ option: String, in arguments: [String]) -> String? {
        let options = arguments.prefix { $0 != "--" }
        for (index, argument) in options.enumerated() {
            if argument == option, index + 1 < options.count { return options[index + 1] }
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
        }
        return nil
    }

    /// `[office] language` when the file is readable, valid and says so; nil
    /// when the key is absent (the config's own default is for tickets, not for
    /// the officers' terminal).
    static func configLanguage(path: String) -> Language? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8),
              ConfigLocator(text: text).exactLine(of: ConfigPath("office") / "language") != nil,
              let config = try? ConfigLoader.parse(text, file: path) else { return nil }
        return config.office.language
    }
}
