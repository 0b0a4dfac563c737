import AntrePosix
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The start/stop every threaded button source shares (serial, evdev, keyboard):
/// `start` spawns one named thread running the source's read loop with a fresh
/// `StopSignal`; `stop` signals it and waits for the loop to return; `stopAndWait`
/// does the same from async code without blocking. Dropping the reader only signals.
final class ButtonReaderThread: Sendable {
    private struct Running: Sendable {
        let stop: StopSignal
        let end: ThreadEnd
    }

    private let running = Mutex<Running?>(nil)

    init() {}

    deinit { running.withLock { $0 }?.stop.signal() }

    /// Starts `loop` on a new thread named `name`; false (and nothing runs) when already running
    /// or no stop pipe could be made.
    @discardableResult
    func start(name: String, loop: @escaping @Sendable (StopSignal) -> Void) -> Bool {
        guard let stop = StopSignal() else { return false }
        let end = ThreadEnd()
        let started = running.withLock { current -> Bool in
            guard current == nil else { return false }
            current = Running(stop: stop, end: end)
            return true
        }
        guard started else { return false }
        let thread = Thread {
            end.begin()
            loop(stop)
            end.finish()
        }
        thread.name = name
        thread.start()
        return true
    }

    /// Signals the loop and waits for it to return; from the reader thread itself (a press
    /// handler that stops its source) it only signals.
    func stop() {
        guard let current = running.withLock({ v -> Running? in defer { v = nil }; return v }) else { return }
        current.stop.signal()
        current.end.wait()
    }

    /// `stop` for async code: suspends until the loop has returned.
    func stopAndWait() async {
        guard let current = running.withLock({ v -> Running? in defer { v = nil }; return v }) else { return }
        current.stop.signal()
        await current.end.ended()
    }
}

/// The end of one reader thread's loop, awaited by a blocking wait (threads) or by
/// suspending (async code).
final class ThreadEnd: Sendable {
    private struct State {
        var ended = false
        var thread: pthread_t?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Signalled once at the end; each blocking waiter passes the signal on.
    private let finished = DispatchSemaphore(value: 0)

    /// Called first thing on the thread: remembers it, so it never waits for itself.
    func begin() {
        let me = pthread_self()
        state.withLock { $0.thread = me }
    }

    /// Called last thing on the thread: wakes every waiter (after the lock is released).
    func finish() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.ended = true
            defer { s.waiters = [] }
            return s.waiters
        }
        finished.signal()
        for waiter in waiters { waiter.resume() }
    }

    /// Blocks until the loop returned; at once when called on the thread itself.
    func wait() {
        let (ended, thread) = state.withLock { ($0.ended, $0.thread) }
        if ended { return }
        if let thread, pthread_equal(thread, pthread_self()) != 0 { return }
        finished.wait()
        finished.signal()  // a second waiter must not block
    }

    /// Suspends until the loop returned.
    func ended() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let alreadyEnded = state.withLock { s -> Bool in
                if s.ended { return true }
                s.waiters.append(waiter)
                return false
            }
            if alreadyEnded { waiter.resume() }
        }
    }
}

/// A pipe whose read end becomes readable when `signal()` is called: lets a reader
/// thread blocked in poll() wake up at once on stop.
final class StopSignal: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    func signal() {
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }

    /// Waits up to `timeout`; true when stop was signalled.
    func wait(_ timeout: Duration) -> Bool {
        pollOnce(readFD, events: Int32(POLLIN), until: deadline(after: timeout)) != nil
    }

    var isSignalled: Bool { pollOnce(readFD, events: Int32(POLLIN), until: ContinuousClock.now) != nil }

    /// Waits, with no time limit, for `fd` to have input or a hang-up: its revents, or nil
    /// once stop is signalled. A failing poll() reports POLLERR: the device counts as gone.
    func waitForInput(on fd: Int32) -> Int16? {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)]
        while true {
            if waitForEvents(&fds, until: nil) < 0 { return Int16(truncatingIfNeeded: POLLERR) }
            if fds[1].revents != 0 { return nil }
            if fds[0].revents != 0 { return fds[0].revents }
        }
    }

    deinit {
        Glibc.close(readFD)
        Glibc.close(writeFD)
    }
}
