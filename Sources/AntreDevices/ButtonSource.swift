import AntreCore
import Foundation

/// A source of raw button presses. `start` spawns the source's own reader thread
/// and returns; presses arrive on that thread as the configured button key
/// ("1", "BTN1", "KEY_1"). Disconnects are handled inside (reconnect with backoff).
public protocol ButtonSource: AnyObject, Sendable {
    var input: InputSpec { get }
    func start(onPress: @escaping @Sendable (String) -> Void)
    /// Stops the reader and waits for its thread to end: no press arrives after it returns.
    /// Blocking: for threads. Async code calls `stopAndWait()`.
    func stop()
    /// `stop` for async code: signals the reader and suspends (never blocks a thread of
    /// the cooperative pool) until it has ended.
    func stopAndWait() async
}

extension ButtonSource {
    /// For sources without a reader thread of their own (test fakes): the blocking `stop`
    /// runs on a thread of its own and the caller is resumed when it returns.
    public func stopAndWait() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                self.stop()
                done.resume()
            }
        }
    }
}
