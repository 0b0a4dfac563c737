import AntreCore
import AntreDevices
import Foundation
import Logging
import Synchronization

/// Turns one dispenser's raw button keys into presses for its pipeline: maps
/// the key to a service and drops mashing within the cooldown. Runs on the
/// input's thread.
final class ButtonDispatch: Sendable {
    private let dispenser: Dispenser
    /// Hands the press to the dispenser's pipeline; false when it has none.
    private let deliver: @Sendable (_ serviceID: String) -> Bool
    private let logger: Logger
    private let debouncer: Mutex<ButtonDebouncer>

    init(dispenser: Dispenser, logger: Logger, deliver: @escaping @Sendable (_ serviceID: String) -> Bool) {
        self.dispenser = dispenser
        self.deliver = deliver
        self.debouncer = Mutex(ButtonDebouncer(cooldown: dispenser.cooldown))
        var logger = logger
        logger[metadataKey: "dispenser"] = "\(dispenser.id)"
        self.logger = logger
    }

    func press(_ key: String) {
        guard let serviceID = dispenser.buttons[key] else {
            logger.warning("button not mapped to a service", metadata: ["button": "\(key)"])
            return
        }
        guard debouncer.withLock({ $0.accept(key, at: .now) }) else {
            logger.debug("press within cooldown ignored", metadata: ["button": "\(key)"])
            return
        }
        if !deliver(serviceID) {
            logger.error("press for a dispenser without printer", metadata: ["service": "\(serviceID)"])
        }
    }
}
