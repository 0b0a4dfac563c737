/// Per-button cooldown against mashing: a resident pressing the same button five
/// times in a second gets one ticket. Other buttons are not affected.
public struct ButtonDebouncer: Sendable {
    public let cooldown: Duration
    private var lastAccepted: [String: ContinuousClock.Instant] = [:]

    public init(cooldown: Duration) { self.cooldown = cooldown }

    /// True when this press should issue a ticket; presses within the cooldown of
    /// the last accepted press of the same button are dropped.
    public mutating func accept(_ button: String, at instant: ContinuousClock.Instant) -> Bool {
        if let last = lastAccepted[button], instant - last < cooldown {
            return false
        }
        lastAccepted[button] = instant
        return true
    }
}
