import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// umockdev testbeds for device tests. The test process is not under umockdev's
/// LD_PRELOAD, so device code runs in a child started by a fake device script
/// (Tests/Fixtures/usb/fakeprinter.py, Tests/Fixtures/evdev/fakebuttons.py) that
/// owns the testbed and takes commands (unplug, replug, status) on a FIFO.
public enum UMockdev {
    /// Debian's python: the GI bindings (`gi.repository.UMockdev`) belong to it, not to pyenv's.
    public static let python = "/usr/bin/python3"

    /// Why umockdev tests cannot run here, or nil when they can.
    public static let unavailableReason: String? = {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return "\(python) is missing (apt-get install python3-gi gir1.2-umockdev-1.0 umockdev)"
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import gi; gi.require_version('UMockdev', '1.0'); from gi.repository import UMockdev; "
            + "import ctypes; ctypes.CDLL('libumockdev-preload.so.0')"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return "cannot run \(python): \(error)" }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            return "umockdev is not installed (apt-get install umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi)"
        }
        return nil
    }()

    /// True when umockdev tests can run; prints why they are skipped otherwise.
    public static var isAvailable: Bool {
        if let unavailableReason {
            FileHandle.standardError.write(Data("SKIP umockdev device tests: \(unavailableReason)\n".utf8))
            return false
        }
        return true
    }

    /// The repository root (holding Package.swift).
    public static var repoRoot: String { Emupos.repoRoot() ?? FileManager.default.currentDirectoryPath }

    /// A file under Tests/Fixtures.
    public static func fixture(_ relative: String) -> String { repoRoot + "/Tests/Fixtures/" + relative }

    /// A built executable of this package (debug build).
    public static func executable(_ name: String) -> String { repoRoot + "/.build/debug/" + name }
}

/// A FIFO a fake device script reads commands from, plus the file it acknowledges them in.
public final class FakeDeviceControl: @unchecked Sendable {
    public let fifoPath: String
    public let eventsPath: String

    init(directory: TemporaryDirectory, name: String) throws {
        fifoPath = directory.file("\(name).control")
        eventsPath = directory.file("\(name).events")
        guard mkfifo(fifoPath, 0o600) == 0 else { throw TestSupportError("mkfifo \(fifoPath): \(String(cString: strerror(errno)))") }
        _ = FileManager.default.createFile(atPath: eventsPath, contents: nil)
    }

    /// Sends one command and waits until the script has carried it out.
    public func send(_ command: String, timeout: Duration = .seconds(10)) throws {
        let acks = { (try? String(contentsOfFile: self.eventsPath, encoding: .utf8))?
            .split(separator: "\n").filter { $0 == "ack \(command)" }.count ?? 0 }
        let before = acks()
        let end = ContinuousClock.now.advanced(by: timeout)
        var fd: Int32 = -1
        // ENXIO until the script has the FIFO open for reading.
        while fd < 0 {
            fd = open(fifoPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd < 0 {
                guard errno == ENXIO, ContinuousClock.now < end else {
                    throw TestSupportError("cannot open \(fifoPath): \(String(cString: strerror(errno)))")
                }
                usleep(10_000)
            }
        }
        let line = Array((command + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == line.count else { throw TestSupportError("short write to \(fifoPath)") }
        while acks() <= before {
            if ContinuousClock.now > end { throw TestSupportError("fake device did not acknowledge '\(command)'") }
            usleep(10_000)
        }
    }
}

/// The fake USB printer (Tests/Fixtures/usb/fakeprinter.py): everything the program
/// sends on bulk OUT is captured; DLE EOT is answered with `status`.
public final class FakeUSBPrinter: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let capturePath: String
    public let control: FakeDeviceControl
    public let descriptionPath: String
    public let node: String
    private let status: [UInt8]?
    private let unplugAfter: Int?

    /// - Parameters:
    ///   - description: a .umockdev file under Tests/Fixtures/usb.
    ///   - status: the replies to DLE EOT 1..4 (default ready: 12 12 12 12).
    ///   - unplugAfter: the cable is pulled once this many OUT bytes arrived.
    public init(description: String = "printer.umockdev", status: [UInt8]? = nil, unplugAfter: Int? = nil) throws {
        directory = try TemporaryDirectory(prefix: "antre-usb")
        capturePath = directory.file("captured.bin")
        _ = FileManager.default.createFile(atPath: capturePath, contents: nil)
        control = try FakeDeviceControl(directory: directory, name: "printer")
        descriptionPath = UMockdev.fixture("usb/" + description)
        node = "/dev/bus/usb/001/005"
        self.status = status
        self.unplugAfter = unplugAfter
    }

    /// The command prefix that runs a program under the fake printer's testbed.
    public var launcher: [String] {
        [UMockdev.python, UMockdev.fixture("usb/fakeprinter.py"), descriptionPath, node, "--"]
    }

    /// Environment for the launcher (capture file, control FIFO, status, unplug).
    public var environment: [String: String] {
        var env = ["FAKEPRINTER_CAPTURE": capturePath, "FAKEPRINTER_CONTROL": control.fifoPath,
                   "FAKEPRINTER_EVENTS": control.eventsPath]
        if let status { env["FAKEPRINTER_STATUS"] = status.map { String(format: "%02X", $0) }.joined(separator: " ") }
        if let unplugAfter { env["UNPLUG_AFTER"] = String(unplugAfter) }
        return env
    }

    /// Every byte the program sent on bulk OUT so far.
    public var captured: [UInt8] { Array(FileManager.default.contents(atPath: capturePath) ?? Data()) }

    /// Runs `executable` under the testbed.
    public func run(_ executable: String, _ arguments: [String], name: String = "probe") throws -> ChildProcess {
        try ChildProcess(executable: launcher[0], arguments: Array(launcher.dropFirst()) + [executable] + arguments,
                         environment: environment, outputDirectory: directory.path, name: name)
    }
}

/// The fake evdev button box (Tests/Fixtures/evdev/fakebuttons.py): the test presses
/// keys by code, unplugs and replugs it.
public final class FakeButtonBox: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let control: FakeDeviceControl
    /// The stable path the program opens inside the testbed (a by-id link to event7,
    /// then event8 after a replug...).
    public let node = "/dev/input/by-id/usb-Fake_Button_Box-event-kbd"

    public init() throws {
        directory = try TemporaryDirectory(prefix: "antre-evdev")
        control = try FakeDeviceControl(directory: directory, name: "buttons")
    }

    public var launcher: [String] {
        [UMockdev.python, UMockdev.fixture("evdev/fakebuttons.py"), UMockdev.fixture("evdev/buttons.umockdev"),
         UMockdev.fixture("evdev/buttons.ioctl"), node, "--"]
    }

    public var environment: [String: String] {
        ["FAKEBUTTONS_CONTROL": control.fifoPath, "FAKEBUTTONS_EVENTS": control.eventsPath]
    }

    /// Key-down then key-up of `code` (linux/input-event-codes.h, e.g. 2 = KEY_1).
    public func press(code: Int) throws { try control.send("press \(code)") }

    /// One raw key event: value 1 down, 0 up, 2 autorepeat.
    public func key(code: Int, value: Int) throws { try control.send("event 1 \(code) \(value)") }

    public func unplug() throws { try control.send("unplug") }
    public func replug() throws { try control.send("replug") }

    public func run(_ executable: String, _ arguments: [String], name: String = "probe") throws -> ChildProcess {
        try ChildProcess(executable: launcher[0], arguments: Array(launcher.dropFirst()) + [executable] + arguments,
                         environment: environment, outputDirectory: directory.path, name: name)
    }
}
