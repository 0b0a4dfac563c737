import AntreCore
import AntrePosix
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's own terminal as a button box (`.keyboard`, for demos): each
/// printable key is a press ("1"). A tty is put in non-canonical, no-echo mode
/// while running and restored on stop and at exit. End of input stops quietly.
public final class KeyboardButtonSource: ButtonSource {
    public let input: InputSpec = .keyboard
    private let fd: Int32
    private let logger: Logger
    private let reader = ButtonReaderThread()

    /// - Parameter fd: the input to read; stdin unless a test passes a pipe.
    public init(fd: Int32 = STDIN_FILENO, logger: Logger = Logger(label: "antre.buttons.keyboard")) {
        self.fd = fd
        self.logger = logger
    }

    public func start(onPress: @escaping @Sendable (String) -> Void) {
        let fd = self.fd
        let logger = self.logger
        let started = reader.start(name: "buttons keyboard") { stop in
            Self.readKeys(fd, stop: stop, logger: logger, onPress: onPress)
        }
        // Keys typed before this line are read at the next Enter; harmless for a demo.
        if started && isatty(fd) == 1 { TerminalMode.enterKeyMode(fd) }
    }

    public func stop() {
        reader.stop()
        TerminalMode.restore()
    }

    public func stopAndWait() async {
        await reader.stopAndWait()
        TerminalMode.restore()
    }

    private static func readKeys(_ fd: Int32, stop: StopSignal, logger: Logger,
                                 onPress: @Sendable (String) -> Void) {
        var decoder = SerialButtonDecoder(framing: .byte)
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            guard stop.waitForInput(on: fd) != nil else { return }
            // Readable, hung up or at EOF: read tells which, and does not block now.
            let n = buf.withUnsafeMutableBytes { raw in retryingInterrupts { read(fd, raw.baseAddress, raw.count) } }
            if n > 0 {
                for key in decoder.feed(buf[0..<n]) { onPress(key) }
            } else if n == 0 {
                logger.debug("keyboard input ended")
                return
            } else if errno != EAGAIN {
                logger.warning("keyboard input failed: \(errnoText(errno))")
                return
            }
        }
    }
}

/// The terminal settings to put back: one process-wide slot, also restored at exit.
private enum TerminalMode {
    struct Saved { var fd: Int32; var settings: termios }
    static let saved = Mutex<Saved?>(nil)
    static let registerAtExit: Void = { atexit { TerminalMode.restore() } }()

    static func enterKeyMode(_ fd: Int32) {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return }
        let original = t
        saved.withLock { if $0 == nil { $0 = Saved(fd: fd, settings: original) } }
        registerAtExit
        t.c_lflag &= ~(tcflag_t(ICANON) | tcflag_t(ECHO))
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        _ = tcsetattr(fd, TCSANOW, &t)
    }

    static func restore() {
        guard let s = saved.withLock({ v -> Saved? in defer { v = nil }; return v }) else { return }
        var settings = s.settings
        _ = tcsetattr(s.fd, TCSANOW, &settings)
    }
}
