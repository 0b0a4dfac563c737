import AntreCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A serial button box (`.serial(path, baud, framing)`). Its reader thread opens the
/// port raw at `baud`; when the box goes away (unplug, hang-up) it logs one warning
/// per outage and reopens with backoff (100 ms doubling to 5 s), then logs "reconnected".
public final class SerialButtonSource: ButtonSource, @unchecked Sendable {
    public let input: InputSpec
    private let path: String
    private let baud: Int
    private let framing: InputSpec.SerialFraming
    private let logger: Logger
    private let initialBackoff: Duration
    private let maxBackoff: Duration
    // Guards `running`.
    private let lock = NSLock()
    private var running: ReaderThread?

    public init(path: String, baud: Int, framing: InputSpec.SerialFraming,
                logger: Logger = Logger(label: "antre.buttons.serial"),
                initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.path = path
        self.baud = baud
        self.framing = framing
        self.input = .serial(path: path, baud: baud, framing: framing)
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    deinit { running?.stopAndWait() }

    public func start(onPress: @escaping @Sendable (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard running == nil, let stop = StopSignal() else { return }
        let config = ReadLoop(path: path, baud: baud, framing: framing, logger: logger,
                              initialBackoff: initialBackoff, maxBackoff: maxBackoff)
        running = ReaderThread(name: "buttons \(path)", stop: stop) { config.run(stop: stop, onPress: onPress) }
    }

    public func stop() {
        lock.lock()
        let reader = running
        running = nil
        lock.unlock()
        reader?.stopAndWait()
    }
}

private struct ReadLoop: Sendable {
    let path: String
    let baud: Int
    let framing: InputSpec.SerialFraming
    let logger: Logger
    let initialBackoff: Duration
    let maxBackoff: Duration

    func run(stop: StopSignal, onPress: @Sendable (String) -> Void) {
        ReconnectingInput(path: path, logger: logger, initialBackoff: initialBackoff, maxBackoff: maxBackoff).run(
            stop: stop,
            open: {
                let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
                if fd < 0 { return .failure(InputProblem(text: openFailureText(path, errno))) }
                if let problem = configureRawSerial(fd, baud: baud) {
                    close(fd)
                    return .failure(InputProblem(text: problem))
                }
                return .success((fd, [:]))
            },
            read: { readUntilDisconnect($0, stop: stop, onPress: onPress) },
            release: { close($0) })
    }

    /// Reads presses until the port goes away (returns why) or stop (returns nil).
    private func readUntilDisconnect(_ fd: Int32, stop: StopSignal, onPress: @Sendable (String) -> Void) -> String? {
        var decoder = SerialButtonDecoder(framing: framing)
        var buf = [UInt8](repeating: 0, count: 256)
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stop.readFD, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 {
                if errno == EINTR { continue }
                return "poll failed: \(errnoText(errno))"
            }
            if fds[1].revents != 0 { return nil }
            let rev = fds[0].revents
            if has(rev, Int32(POLLIN)) {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    for key in decoder.feed(buf[0..<n]) { onPress(key) }
                    continue
                }
                if n == 0 { return "hung up" }
                let e = errno
                if e == EINTR || e == EAGAIN || e == EWOULDBLOCK { continue }
                return errnoText(e)  // EIO, ENODEV, ENXIO: the device is gone
            }
            if has(rev, Int32(POLLHUP) | Int32(POLLERR) | Int32(POLLNVAL)) { return "hung up" }
        }
    }
}

/// A named thread running `body` until it returns; `stopAndWait` signals and joins.
final class ReaderThread: @unchecked Sendable {
    private let stop: StopSignal
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    init(name: String, stop: StopSignal, body: @escaping @Sendable () -> Void) {
        self.stop = stop
        let done = finished
        let t = Thread {
            body()
            done.signal()
        }
        t.name = name
        thread = t
        t.start()
    }

    /// Signals stop and waits for the thread to end (not when called from the thread itself).
    func stopAndWait() {
        stop.signal()
        if let thread, Thread.current === thread { return }
        finished.wait()
        finished.signal()  // a second caller must not block
    }
}
