import Foundation

/// A dedicated thread that runs submitted jobs one at a time, in order.
/// Printers and the SQLite queue are blocking; giving each its own thread keeps
/// a hung printer from ever stalling the socket, other dispensers or buttons.
///
/// It is also the daemon's one timer mechanism: `timers` (given to `start`) runs
/// on the thread after every job and whenever its last answer (a time on
/// `clock`) comes due; it does what is due and says when to wake next (nil:
/// only for a job).
// @unchecked: `jobs`, `stopping` and `finished` are guarded by `condition`, which
// a Mutex cannot replace (the thread waits on it).
final class SerialWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var finished = false
    private let clock: DaemonClock
    let name: String

    /// The thread starts with `start`; jobs submitted before wait for it.
    init(name: String, clock: DaemonClock = .system) {
        self.name = name
        self.clock = clock
    }

    /// A worker already started, without timers.
    static func started(name: String) -> SerialWorker {
        let worker = SerialWorker(name: name)
        worker.start()
        return worker
    }

    /// Starts the thread (once). It ends after `stop()` and the jobs queued before it.
    func start(timers: (@Sendable () -> Date?)? = nil) {
        let thread = Thread { [self] in loop(timers: timers) }
        thread.name = name
        thread.start()
    }

    /// Queues a job; returns at once. False (the job dropped) once the thread has ended.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !finished else { return false }
        jobs.append(job)
        condition.broadcast()
        return true
    }

    /// Runs a job on the worker without blocking the caller's task; throws
    /// `WorkerStopped` once the thread has ended.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let queued = submit { continuation.resume(with: Result { try body() }) }
            if !queued { continuation.resume(throwing: WorkerStopped(name: name)) }
        }
    }

    /// Jobs already queued still run; then the thread ends.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the calling (dedicated) thread until the jobs queued before
    /// `stop()` have run and the thread ended, or the timeout passed. True when it ended.
    @discardableResult
    func waitUntilStopped(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    /// `waitUntilStopped` for async code: the wait happens on a thread of its own.
    func stopped(timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let waiter = Thread { [self] in continuation.resume(returning: waitUntilStopped(timeout: timeout)) }
            waiter.name = name + ".stop"
            waiter.start()
        }
    }

    var pendingJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    private func loop(timers: (@Sendable () -> Date?)?) {
        var wake = timers?()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                guard let due = wake else {
                    condition.wait()
                    continue
                }
                // The clock may be a test's: wait its distance, in real time.
                if !condition.wait(until: Date().addingTimeInterval(due.timeIntervalSince(clock.now()))) { break }
            }
            if jobs.isEmpty && stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.isEmpty ? nil : jobs.removeFirst()
            condition.unlock()
            job?()
            wake = timers?()
        }
    }
}

/// A job came after the worker had stopped (shutdown, or a dispenser replaced by a reload).
struct WorkerStopped: Error, CustomStringConvertible {
    var name: String
    var description: String { "\(name) has stopped" }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
