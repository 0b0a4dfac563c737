import AntreCore
import AntreDevices
import Foundation
import Logging

/// Turns one dispenser's raw button keys into ticket requests: maps the key to a
/// service and drops mashing within the cooldown. Runs on the input's thread.
final class ButtonDispatch: @unchecked Sendable {
    private let dispenser: Dispenser
    private let controller: QueueController
    private let logger: Logger
    private let lock = NSLock()
    private var debouncer: ButtonDebouncer

    init(dispenser: Dispenser, controller: QueueController, logger: Logger) {
        self.dispenser = dispenser
        self.controller = controller
        self.debouncer = ButtonDebouncer(cooldown: dispenser.cooldown)
        var logger = logger
        logger[metadataKey: "dispenser"] = "\(dispenser.id)"
        self.logger = logger
    }

    func press(_ key: String) {
        guard let serviceID = dispenser.buttons[key] else {
            logger.warning("button not mapped to a service", metadata: ["button": "\(key)"])
            return
        }
        let accepted = lock.withLock { debouncer.accept(key, at: .now) }
        guard accepted else {
            logger.debug("press within cooldown ignored", metadata: ["button": "\(key)"])
            return
        }
        controller.issueFromButton(dispenserID: dispenser.id, serviceID: serviceID)
    }
}
