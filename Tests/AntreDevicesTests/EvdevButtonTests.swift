import AntreCore
import AntreDevices
import AntreTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Key names and event decoding: pure, no device.
struct EvdevKeyTableTests {
    @Test func namesMatchTheKernelCodes() {
        // linux/input-event-codes.h
        let expected: [String: UInt16] = [
            "KEY_1": 2, "KEY_9": 10, "KEY_0": 11, "KEY_A": 30, "KEY_Q": 16, "KEY_Z": 44,
            "KEY_ENTER": 28, "KEY_SPACE": 57, "KEY_F1": 59, "KEY_F10": 68, "KEY_F11": 87, "KEY_F12": 88,
            "KEY_KP7": 71, "KEY_KP1": 79, "KEY_KP0": 82, "KEY_KPENTER": 96, "BTN_TRIGGER": 288, "BTN_0": 256,
        ]
        for (name, code) in expected {
            #expect(EvdevKeyNames.code(for: name) == code, "\(name)")
            #expect(EvdevKeyNames.name(for: code) == name)
        }
        for d in 0...9 { #expect(EvdevKeyNames.code(for: "KEY_KP\(d)") != nil) }
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" { #expect(EvdevKeyNames.code(for: "KEY_\(c)") != nil) }
        #expect(EvdevKeyNames.name(for: 183) == "KEYCODE_183")
        #expect(EvdevKeyNames.code(for: "KEYCODE_183") == 183)
        #expect(EvdevKeyNames.code(for: "KEY_NOPE") == nil)
    }

    @Test func onlyKeyDownCounts() {
        let bytes = EvdevEventDecoder.encode(type: 1, code: 2, value: 1) + EvdevEventDecoder.encode(type: 0, code: 0, value: 0)
            + EvdevEventDecoder.encode(type: 1, code: 2, value: 2) + EvdevEventDecoder.encode(type: 1, code: 2, value: 2)
            + EvdevEventDecoder.encode(type: 1, code: 2, value: 0) + EvdevEventDecoder.encode(type: 4, code: 4, value: 458_782)
            + EvdevEventDecoder.encode(type: 1, code: 79, value: 1)
        #expect(EvdevEventDecoder.eventSize == 24)
        #expect(bytes.withUnsafeBytes { EvdevEventDecoder.pressedKeys(in: $0) } == ["KEY_1", "KEY_KP1"])
    }
}

/// EvdevButtonSource on a fake button box under umockdev, in `antre-devprobe evdev`.
@Suite(.serialized, .enabled(if: UMockdev.isAvailable, "umockdev is not installed"))
struct EvdevButtonSourceTests {
    func presses(_ child: ChildProcess) -> [String] {
        child.stdout.split(separator: "\n").filter { $0.hasPrefix("press ") }.map { String($0.dropFirst(6)) }
    }

    func waitForPresses(_ child: ChildProcess, count: Int, timeout: Duration = .seconds(5)) -> [String] {
        let end = ContinuousClock.now.advanced(by: timeout)
        while presses(child).count < count && ContinuousClock.now < end { usleep(20_000) }
        return presses(child)
    }

    @Test func keyDownsArriveAsNamesAndAutorepeatIsIgnored() throws {
        let box = try FakeButtonBox()
        let child = try box.run(UMockdev.executable("antre-devprobe"), ["evdev", box.node, "20"])
        #expect(child.waitForLine(containing: "button input available", timeout: .seconds(10)) != nil, "\(child.stderr)")
        #expect(child.stderr.contains("Fake Button Box"))
        try box.press(code: 2)         // KEY_1
        try box.key(code: 79, value: 1)  // KEY_KP1 held: down, autorepeat x3, up
        for _ in 0..<3 { try box.key(code: 79, value: 2) }
        try box.key(code: 79, value: 0)
        try box.press(code: 30)        // KEY_A
        try box.press(code: 88)        // KEY_F12
        #expect(waitForPresses(child, count: 4) == ["KEY_1", "KEY_KP1", "KEY_A", "KEY_F12"])
        usleep(200_000)
        #expect(presses(child).count == 4)
        child.terminate()
    }

    @Test func unplugThenReplugReconnects() throws {
        let box = try FakeButtonBox()
        let child = try box.run(UMockdev.executable("antre-devprobe"), ["evdev", box.node, "20"])
        #expect(child.waitForLine(containing: "button input available", timeout: .seconds(10)) != nil, "\(child.stderr)")
        try box.press(code: 2)
        #expect(waitForPresses(child, count: 1) == ["KEY_1"])
        try box.unplug()
        // The testbed closing the device gives a hang-up or EIO (a real unplug: ENODEV).
        #expect(child.waitForLine(containing: "button input disconnected", timeout: .seconds(5)) != nil, "\(child.stderr)")
        try box.replug()
        #expect(child.waitForLine(containing: "reconnected", timeout: .seconds(10)) != nil, "\(child.stderr)")
        try box.press(code: 3)  // KEY_2
        #expect(waitForPresses(child, count: 2) == ["KEY_1", "KEY_2"])
        child.terminate()
    }
}
