import AntreCore
import AntrePosix
import CLinuxShims
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A USB HID keypad or button box read through evdev (`evdev:/dev/input/by-id/...`).
///
/// The device is grabbed (EVIOCGRAB) so presses do not also type into a console.
/// Each key-down (value 1) is reported as its name (`KEY_1`, `KEY_KP1`,
/// `BTN_TRIGGER`, see `EvdevKeyNames`); key-up and autorepeat (value 2) are
/// ignored; the daemon applies the cooldown. When the device goes away (ENODEV on
/// unplug, EIO, hang-up) the reader logs one warning per outage and reopens with
/// the serial source's backoff (100 ms doubling to 5 s), then logs "reconnected".
public final class EvdevButtonSource: ButtonSource {
    public let input: InputSpec
    private let loop: EvdevReadLoop
    private let reader = ButtonReaderThread()

    public init(path: String, logger: Logger = Logger(label: "antre.buttons.evdev"),
                initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.input = .evdev(path: path)
        self.loop = EvdevReadLoop(device: ReconnectingInput(path: path, logger: logger, initialBackoff: initialBackoff,
                                                            maxBackoff: maxBackoff))
    }

    public func start(onPress: @escaping @Sendable (String) -> Void) {
        let loop = self.loop
        reader.start(name: "buttons \(loop.device.path)") { stop in loop.run(stop: stop, onPress: onPress) }
    }

    public func stop() { reader.stop() }

    public func stopAndWait() async { await reader.stopAndWait() }
}

/// Key-down events from a buffer of `struct input_event`s, as key names.
/// Exposed for tests and tools; partial trailing events are left to the caller.
public enum EvdevEventDecoder {
    public static let eventSize = Int(antre_input_event_size())
    static let evKey: UInt16 = 0x01

    /// The names of the keys pressed (value 1) in `bytes`; whole events only.
    public static func pressedKeys(in bytes: UnsafeRawBufferPointer) -> [String] {
        guard let base = bytes.baseAddress else { return [] }
        var keys: [String] = []
        var offset = 0
        while offset + eventSize <= bytes.count {
            var type: UInt16 = 0, code: UInt16 = 0
            var value: Int32 = 0
            antre_input_event_decode(base.advanced(by: offset), &type, &code, &value)
            // value 0 = release, 2 = autorepeat: a held button must not issue tickets.
            if type == evKey && value == 1 { keys.append(EvdevKeyNames.name(for: code)) }
            offset += eventSize
        }
        return keys
    }

    /// One encoded event (time zero), e.g. for writing into a test device.
    public static func encode(type: UInt16, code: UInt16, value: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: eventSize)
        bytes.withUnsafeMutableBytes { antre_input_event_encode($0.baseAddress, type, code, value) }
        return bytes
    }
}

private struct EvdevReadLoop: Sendable {
    let device: ReconnectingInput

    func run(stop: StopSignal, onPress: @Sendable (String) -> Void) {
        let path = device.path
        let logger = device.logger
        device.run(
            stop: stop,
            open: {
                let fd = retryingInterrupts { open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
                if fd < 0 { return .failure(InputProblem(text: openFailureText(path, errno))) }
                var nameBuffer = [CChar](repeating: 0, count: 256)
                let name = antre_evdev_name(fd, &nameBuffer, nameBuffer.count) >= 0
                    ? String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    : "?"
                if antre_evdev_grab(fd, 1) != 0 {
                    let e = errno
                    // Still usable: presses also reach whoever else reads the device.
                    let why = e == EBUSY ? "another program grabbed it" : errnoText(e)
                    logger.warning("cannot grab the button device (\(why)); presses may also reach the console",
                                   metadata: ["input": "\(path)"])
                }
                return .success((fd, ["device": "\(name)"]))
            },
            read: { readUntilDisconnect($0, stop: stop, onPress: onPress) },
            release: { fd in
                _ = antre_evdev_grab(fd, 0)
                close(fd)
            })
    }

    /// Reads presses until the device goes away (returns why) or stop (returns nil).
    private func readUntilDisconnect(_ fd: Int32, stop: StopSignal, onPress: @Sendable (String) -> Void) -> String? {
        let size = EvdevEventDecoder.eventSize
        var buffer = [UInt8](repeating: 0, count: size * 64)
        var pending = 0  // bytes of a partial event kept at the start of buffer
        while true {
            guard let rev = stop.waitForInput(on: fd) else { return nil }
            if has(rev, Int32(POLLIN)) || has(rev, Int32(POLLHUP) | Int32(POLLERR)) {
                let n = buffer.withUnsafeMutableBytes { raw in
                    retryingInterrupts { read(fd, raw.baseAddress?.advanced(by: pending), raw.count - pending) }
                }
                if n > 0 {
                    let total = pending + n
                    let whole = total - total % size
                    let keys = buffer.withUnsafeBytes { EvdevEventDecoder.pressedKeys(in: UnsafeRawBufferPointer(rebasing: $0[0..<whole])) }
                    for key in keys { onPress(key) }
                    // evdev delivers whole events; keep a partial one just in case.
                    pending = total - whole
                    if pending > 0 { buffer.replaceSubrange(0..<pending, with: buffer[whole..<total]) }
                    continue
                }
                if n == 0 { return "hung up" }
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK {
                    if has(rev, Int32(POLLHUP) | Int32(POLLERR)) { return "hung up" }
                    continue
                }
                return errnoText(e)  // ENODEV on unplug, EIO
            }
            if has(rev, Int32(POLLNVAL)) { return "device closed" }
        }
    }
}
