import Foundation
import TOMLKit

/// Mistakes that only show between entries: each entry is fine alone, the
/// office is broken. Read from the raw tables, not the decoded config, so an
/// entry dropped for its own error neither hides nor causes another report
/// (each mistake is reported once, where it is).
extension ConfigDecoder {
    func checkConsistency(_ root: TOMLTable, services: [Service]) {
        checkUnservedServices(root, services: services)
        checkSharedDevices(root)
    }

    /// The ids of every `[[service]]` written, broken ones included: a reference
    /// to a service whose own entry has an error is not "unknown" too. Empty
    /// when the service list itself is missing or broken (already reported).
    /// A duplicated id is most often a copied entry whose id was not changed:
    /// the references to the id it should have had are then part of that one
    /// mistake (named in its message), not each an "unknown service".
    static func declaredServiceIDs(_ root: TOMLTable) -> [String] {
        guard let entries = root["service"]?.array else { return [] }
        let ids = entries.compactMap { $0.table?["id"]?.string }
        guard Set(ids).count < ids.count else { return ids }
        return ids + undeclaredServiceReferences(root, declared: ids)
    }

    /// Service ids that counters, buttons or the board name but no
    /// `[[service]]` declares, in the order first named.
    static func undeclaredServiceReferences(_ root: TOMLTable, declared: [String]) -> [String] {
        var named: [String] = []
        for counter in root["counter"]?.array?.compactMap(\.table) ?? [] {
            named += counter["services"]?.array?.compactMap(\.string) ?? []
        }
        for dispenser in root["dispenser"]?.array?.compactMap(\.table) ?? [] {
            guard let buttons = dispenser["buttons"]?.table else { continue }
            named += buttons.keys.sorted().compactMap { buttons[$0]?.string }
        }
        named += root["board"]?.table?["services"]?.array?.compactMap(\.string) ?? []
        var seen = Set(declared)
        return named.filter { seen.insert($0).inserted }
    }

    /// The end of a duplicate-id message: the ids the copy may have been meant to have.
    static func duplicateIDHint(_ root: TOMLTable) -> String {
        let ids = root["service"]?.array?.compactMap { $0.table?["id"]?.string } ?? []
        let missing = undeclaredServiceReferences(root, declared: ids)
        guard !missing.isEmpty else { return "" }
        let quoted = missing.map { "'\($0)'" }.joined(separator: ", ")
        return "; counters or buttons name \(quoted), which no service has: did you mean id = \"\(missing[0])\" here?"
    }

    /// Whether a reference to service `id` is fine to accept. With no service
    /// declared at all the missing list was reported once; references to it are not.
    func knowsService(_ id: String, among declared: [String]) -> Bool {
        declared.isEmpty || declared.contains(id)
    }

    // MARK: services no counter calls

    /// A service that no counter serves: its tickets are printed but can never
    /// be called. Offices without any `[[counter]]` are left alone (nothing can
    /// be called there, and the daemon says so on the first call).
    private func checkUnservedServices(_ root: TOMLTable, services: [Service]) {
        guard let counters = root["counter"]?.array?.compactMap(\.table), !counters.isEmpty else { return }
        var served: Set<String> = []
        for counter in counters {
            // No list, an empty one or a mistyped one (reported elsewhere): all services.
            guard let list = counter["services"]?.array, !list.isEmpty else { return }
            served.formUnion(list.compactMap(\.string))
        }
        guard let entries = root["service"]?.array else { return }
        var reported: Set<String> = []
        for (index, entry) in entries.enumerated() {
            guard let id = entry.table?["id"]?.string, services.contains(where: { $0.id == id }),
                  !served.contains(id), reported.insert(id).inserted else { continue }
            reader.issue(ConfigPath("service") / index / "id",
                         "no counter serves '\(id)', so its tickets can never be called; add it to a "
                            + "[[counter]]'s services (or leave a counter's services out to serve all)")
        }
    }

    // MARK: devices shared between dispensers

    /// One dispenser entry's devices, as far as they parse.
    private struct DispenserDevices {
        var path: ConfigPath
        var input: InputSpec?
        var printer: PrinterConnection?
        var hasButtonMap: Bool
    }

    /// Two dispensers on one printer, a printer on a button box's device, and a
    /// button map on a dispenser whose input is "none".
    private func checkSharedDevices(_ root: TOMLTable) {
        guard let entries = root["dispenser"]?.array else { return }
        let dispensers = entries.enumerated().compactMap { index, element -> DispenserDevices? in
            guard let table = element.table else { return nil }
            let buttonCount = table["buttons"]?.table?.keys.count ?? 0
            return DispenserDevices(path: ConfigPath("dispenser") / index,
                                    input: table["input"]?.string.flatMap { try? InputSpec(parsing: $0) },
                                    printer: table["printer"]?.string.flatMap { try? PrinterConnection(parsing: $0) },
                                    hasButtonMap: buttonCount > 0)
        }
        var printerOwners: [String: ConfigPath] = [:]
        for dispenser in dispensers {
            if dispenser.input == InputSpec.none, dispenser.hasButtonMap {
                reader.issue(dispenser.path / "buttons", "input \"none\" reads no buttons, so this button map is "
                    + "never used; remove [dispenser.buttons] or set the input (serial:..., evdev:..., keyboard)")
            }
            guard let printer = dispenser.printer else { continue }
            if let device = Self.sharedPrinterKey(printer) {
                if let other = printerOwners[device] {
                    let hint = if case .usb(_, _, nil, _) = printer {
                        "; two printers of the same model need ?serial= to tell them apart"
                    } else {
                        "; each dispenser needs its own printer"
                    }
                    reader.issue(dispenser.path / "printer",
                                 "\(printer) is already the printer of \(reader.place(other))\(hint)")
                    continue
                } else {
                    printerOwners[device] = dispenser.path
                }
            }
            if let path = Self.devicePath(of: printer),
               let other = dispensers.first(where: { $0.path != dispenser.path && $0.input.flatMap(Self.devicePath) == path }) {
                reader.issue(dispenser.path / "printer", "\(path) is the button input of \(reader.place(other.path) )"
                    + "; a printer and a button box cannot share a device")
            }
        }
    }

    /// What makes two printer strings the same printer; nil for previews (a
    /// folder of files, shared harmlessly by demos and tests).
    private static func sharedPrinterKey(_ printer: PrinterConnection) -> String? {
        switch printer {
        case let .tcp(host, port): "tcp://\(host.lowercased()):\(port)"
        case let .serial(path, _): path
        case let .file(path): path
        case let .usb(vendor, product, serial, _): "usb:\(vendor):\(product):\(serial ?? "")"
        case .preview: nil
        }
    }

    private static func devicePath(of printer: PrinterConnection) -> String? {
        switch printer {
        case let .serial(path, _), let .file(path): path
        default: nil
        }
    }

    private static func devicePath(of input: InputSpec) -> String? {
        switch input {
        case let .serial(path, _, _), let .evdev(path): path
        case .keyboard, .none: nil
        }
    }
}
