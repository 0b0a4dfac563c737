import Foundation

extension ConfigLoader {
    /// What `antred --check-config` warns about but accepts: the config is
    /// right, the machine is not ready yet. Today: socket groups that do not
    /// exist (the daemon refuses to start until they do). `groupExists` looks a
    /// group up on this machine; injected so AntreCore stays free of system calls.
    public static func warnings(for config: AntreConfig, path: String,
                                groupExists: (String) -> Bool) -> [ConfigIssue] {
        let text = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        let locator = ConfigLocator(text: text)
        let groups: [(key: String, group: String?)] = [
            ("group", config.socket.group), ("officer_group", config.socket.officerGroup),
            ("admin_group", config.socket.adminGroup),
        ]
        var warned: Set<String> = []
        var issues: [ConfigIssue] = []
        for (key, group) in groups {
            guard let group, !group.isEmpty, !groupExists(group), warned.insert(group).inserted else { continue }
            let keyPath = ConfigPath("socket") / key
            issues.append(ConfigIssue(
                file: path, line: locator.exactLine(of: keyPath) ?? 0, key: keyPath.description,
                message: "warning: group '\(group)' does not exist; antred will refuse to start until it does. "
                    + "Create it: groupadd \(group)"))
        }
        return issues
    }
}
