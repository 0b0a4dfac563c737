import Foundation
import TOMLKit

/// Typed access to a parsed TOML table that records an issue, located by
/// `ConfigLocator`, for every missing, mistyped or unknown key instead of
/// stopping at the first one.
final class ConfigReader {
    let file: String
    let locator: ConfigLocator
    private(set) var issues: [ConfigIssue] = []

    init(file: String, text: String) {
        self.file = file
        self.locator = ConfigLocator(text: text)
    }

    func issue(_ path: ConfigPath, _ message: String) {
        issues.append(ConfigIssue(file: file, line: locator.line(of: path), key: path.description, message: message))
    }

    /// "service[0] (line 12)": names another entry in a message.
    func place(_ path: ConfigPath) -> String { "\(path) (line \(locator.line(of: path)))" }

    // MARK: Keys

    /// Reports every key of `table` not in `allowed`, with a suggestion when one is close.
    func checkKeys(_ table: TOMLTable, at path: ConfigPath, allowed: [String]) {
        for key in table.keys where !allowed.contains(key) {
            if let match = closestMatch(to: key, among: allowed) {
                issue(path / key, "unknown key '\(key)'; did you mean '\(match)'?")
            } else {
                issue(path / key, "unknown key '\(key)' (known keys: \(allowed.joined(separator: ", ")))")
            }
        }
    }

    private func missing(_ path: ConfigPath) {
        issue(path, "required key is missing")
    }

    private func mismatch(_ path: ConfigPath, expected: String, found value: TOMLValueConvertible,
                          hint: String = "") {
        issue(path, "expected \(expected), found \(Self.describe(value))\(hint)")
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a decimal number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    // MARK: Scalars

    /// A string value; nil when absent (reported if `required`) or mistyped (reported).
    /// Required strings must also be non-empty.
    func string(_ table: TOMLTable, _ key: String, at path: ConfigPath, required: Bool = false) -> String? {
        let keyPath = path / key
        guard let value = table[key] else {
            if required { missing(keyPath) }
            return nil
        }
        guard let text = value.string else {
            mismatch(keyPath, expected: "a string", found: value)
            return nil
        }
        if required, text.trimmingCharacters(in: .whitespaces).isEmpty {
            issue(keyPath, "must not be empty")
            return nil
        }
        return text
    }

    /// An integer in `range`; nil when absent or invalid (invalid is reported).
    func int(_ table: TOMLTable, _ key: String, at path: ConfigPath, range: ClosedRange<Int>,
             expected: String? = nil) -> Int? {
        let keyPath = path / key
        guard let value = table[key] else { return nil }
        guard let number = value.int else {
            mismatch(keyPath, expected: expected ?? "an integer", found: value)
            return nil
        }
        guard range.contains(number) else {
            issue(keyPath, "\(number) is out of range \(range.lowerBound)-\(range.upperBound)")
            return nil
        }
        return number
    }

    func bool(_ table: TOMLTable, _ key: String, at path: ConfigPath) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else {
            mismatch(path / key, expected: "true or false", found: value)
            return nil
        }
        return flag
    }

    // MARK: Collections

    /// An array of strings; nil when absent or mistyped. Each bad element is
    /// reported at its own index and skipped.
    func strings(_ table: TOMLTable, _ key: String, at path: ConfigPath) -> [String]? {
        let keyPath = path / key
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            let hint = value.type == .string ? "; write [\"...\"] even for one line" : ""
            mismatch(keyPath, expected: "an array of strings", found: value, hint: hint)
            return nil
        }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            if let text = element.string {
                result.append(text)
            } else {
                mismatch(keyPath / index, expected: "a string", found: element)
            }
        }
        return result
    }

    /// A sub-table (`[office]`, `[dispenser.buttons]` or an inline `{...}`).
    func table(_ table: TOMLTable, _ key: String, at path: ConfigPath, section: String) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else {
            mismatch(path / key, expected: "a table (a \(section) section)", found: value)
            return nil
        }
        return sub
    }

    /// The entries of an array of tables (`[[service]]`) with their paths.
    func tables(_ table: TOMLTable, _ key: String, at path: ConfigPath) -> [(TOMLTable, ConfigPath)]? {
        let keyPath = path / key
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            let hint = value.type == .table ? "; write [[\(key)]] (double brackets) for each entry" : ""
            mismatch(keyPath, expected: "an array of tables", found: value, hint: hint)
            return nil
        }
        var result: [(TOMLTable, ConfigPath)] = []
        for (index, element) in array.enumerated() {
            if let entry = element.table {
                result.append((entry, keyPath / index))
            } else {
                mismatch(keyPath / index, expected: "a table ([[\(key)]] entry)", found: element)
            }
        }
        return result
    }
}
