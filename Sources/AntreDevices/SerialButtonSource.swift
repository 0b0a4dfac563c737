import AntreCore
import AntrePosix
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A serial button box (`.serial(path, baud, framing)`). Its reader thread opens the
/// port raw at `baud`; when the box goes away (unplug, hang-up) it logs one warning
/// per outage and reopens with backoff (100 ms doubling to 5 s), then logs "reconnected".
public final class SerialButtonSource: ButtonSource {
    public let input: InputSpec
    private let loop: ReadLoop
    private let reader = ButtonReaderThread()

    public init(path: String, baud: Int, framing: InputSpec.SerialFraming,
                logger: Logger = Logger(label: "antre.buttons.serial"),
                initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.input = .serial(path: path, baud: baud, framing: framing)
        self.loop = ReadLoop(device: ReconnectingInput(path: path, logger: logger, initialBackoff: initialBackoff,
                                                       maxBackoff: maxBackoff),
                             baud: baud, framing: framing)
    }

    public func start(onPress: @escaping @Sendable (String) -> Void) {
        let loop = self.loop
        reader.start(name: "buttons \(loop.device.path)") { stop in loop.run(stop: stop, onPress: onPress) }
    }

    public func stop() { reader.stop() }

    public func stopAndWait() async { await reader.stopAndWait() }
}

private struct ReadLoop: Sendable {
    let device: ReconnectingInput
    let baud: Int
    let framing: InputSpec.SerialFraming

    func run(stop: StopSignal, onPress: @Sendable (String) -> Void) {
        let path = device.path
        device.run(
            stop: stop,
            open: {
                let fd = retryingInterrupts { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
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
            guard let rev = stop.waitForInput(on: fd) else { return nil }
            if has(rev, Int32(POLLIN)) {
                let n = buf.withUnsafeMutableBytes { raw in retryingInterrupts { read(fd, raw.baseAddress, raw.count) } }
                if n > 0 {
                    for key in decoder.feed(buf[0..<n]) { onPress(key) }
                    continue
                }
                if n == 0 { return "hung up" }
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK { continue }
                return errnoText(e)  // EIO, ENODEV, ENXIO: the device is gone
            }
            if has(rev, Int32(POLLHUP) | Int32(POLLERR) | Int32(POLLNVAL)) { return "hung up" }
        }
    }
}
