import AntreCore

/// A source of raw button presses. `start` spawns the source's own reader thread
/// and returns; presses arrive on that thread as the configured button key
/// ("1", "BTN1", "KEY_1"). Disconnects are handled inside (reconnect with backoff).
public protocol ButtonSource: AnyObject, Sendable {
    var input: InputSpec { get }
    func start(onPress: @escaping @Sendable (String) -> Void)
    func stop()
}
