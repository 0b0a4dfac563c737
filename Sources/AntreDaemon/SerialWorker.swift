import Foundation

/// A dedicated thread that runs submitted jobs one at a time, in order.
/// Printers and the SQLite queue are blocking; giving each its own thread keeps
/// a hung printer from ever stalling the socket, other dispensers or buttons.
final class SerialWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var finished = false
    private var thread: Thread?
    let name: String

    init(name: String) {
        self.name = name
        let thread = Thread { [weak self] in self?.loop() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Queues a job; returns at once.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Runs a job on the worker and waits for its result.
    func sync<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        submit { box.set(Result { try body() }) }
        return try box.wait().get()
    }

    /// Runs a job on the worker without blocking the caller's task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Jobs already queued still run; then the thread ends.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the jobs queued before `stop()` have run and the thread
    /// ended, or the timeout passed. True when it ended.
    @discardableResult
    func waitUntilStopped(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds)
                                                 + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    var pendingJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A one-shot value handed between threads.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        condition.lock()
        value = result
        condition.signal()
        condition.unlock()
    }

    func wait() -> Result<T, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        // The loop above guarantees a value.
        return value ?? .failure(CancellationError())
    }
}
