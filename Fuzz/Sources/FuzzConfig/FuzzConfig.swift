import AntreCore
import ESCPOS
import Foundation

/// libFuzzer entry: the input is a config file as a technician (or a broken
/// editor) leaves it. It is read like `ConfigLoader.load` reads a file (UTF-8
/// or refused) and parsed; a rejected config must name at least one issue. An
/// accepted one goes on to what the daemon does with it: the --check-config
/// summary, and every service's ticket laid out and encoded for every
/// dispenser's printer profile, then read back as the preview printer does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    guard let text = String(data: data, encoding: .utf8) else { return 0 }

    let config: AntreConfig
    do {
        config = try ConfigLoader.parse(text, file: "fuzz.toml")
    } catch {
        if error.issues.isEmpty { fatalError("FuzzConfig invariant: config refused without any issue") }
        for issue in error.issues { _ = issue.description }
        return 0
    }
    _ = ConfigLoader.summary(of: config)
    printEveryTicket(config)
    return 0
}

/// Lays out one ticket per service and encodes it for each dispenser: the
/// config's text (names, requirements, header, footer) and profiles (columns,
/// code page) end up on paper here.
private func printEveryTicket(_ config: AntreConfig) {
    let issuedAt = Date(timeIntervalSince1970: 1_795_000_000)
    let day = LocalDay(containing: issuedAt, in: config.office.timeZone)
    for (index, service) in config.services.enumerated() {
        let number = TicketNumber(prefix: service.prefix, sequence: index + 1)
        let ticket = Ticket(id: Int64(index + 1), number: number, day: day, serviceID: service.id,
                            issuedServiceID: service.id, state: .waiting, counterID: nil, printState: .pending,
                            dispenserID: config.dispensers.first?.id, issuedAt: issuedAt, calledAt: nil,
                            finishedAt: nil, callCount: 0)
        let receipt = TicketLayout.receipt(for: TicketSlip(ticket: ticket, service: service, office: config.office,
                                                           ahead: index))
        for dispenser in config.dispensers {
            let bytes = ESCPOSEncoder(profile: dispenser.profile).encode(receipt)
            if bytes.isEmpty { fatalError("FuzzConfig invariant: ticket \(number) encoded to no bytes") }
            _ = ESCPOSTextRenderer.render(bytes, columns: dispenser.profile.columns)
        }
    }
}
