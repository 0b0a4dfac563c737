import Testing
@testable import AntreCore

@Suite struct ConfigConnectionTests {
    @Test(arguments: [
        ("tcp://192.168.1.50:9100", PrinterConnection.tcp(host: "192.168.1.50", port: 9100)),
        ("tcp://printer.lan:9100/", .tcp(host: "printer.lan", port: 9100)),
        ("tcp://[fe80::1]:9100", .tcp(host: "fe80::1", port: 9100)),
        ("serial:/dev/ttyS0?baud=19200", .serial(path: "/dev/ttyS0", baud: 19200)),
        ("serial:/dev/ttyS0", .serial(path: "/dev/ttyS0", baud: 9600)),
        ("file:/dev/usb/lp0", .file(path: "/dev/usb/lp0")),
        ("file:///dev/usb/lp0", .file(path: "/dev/usb/lp0")),
        ("usb:0416:5011", .usb(vendor: 0x0416, product: 0x5011, serial: nil, interface: nil)),
        ("usb:04B8:0E15?serial=ABC123&interface=1", .usb(vendor: 0x04b8, product: 0x0e15, serial: "ABC123", interface: 1)),
        ("preview:/var/lib/antre/preview", .preview(directory: "/var/lib/antre/preview")),
    ])
    func validPrinters(text: String, expected: PrinterConnection) throws {
        let parsed = try PrinterConnection(parsing: text)
        #expect(parsed == expected)
        // What the summary and logs print parses back to the same connection.
        #expect(try PrinterConnection(parsing: parsed.description) == parsed)
    }

    @Test(arguments: [
        ("lpt:/dev/lp0", "unknown printer type 'lpt'"),
        ("tpc://10.0.0.5:9100", "unknown printer type 'tpc'; did you mean 'tcp'?"),
        ("serial:/dev/ttyS0?baud=9600&parity=even", "unknown option 'parity' (known: baud)"),
        ("192.168.1.50:9100", "unknown printer type '192.168.1.50'"),
        ("tcp://10.0.0.5", "missing port; network printers usually listen on 9100: tcp://10.0.0.5:9100"),
        ("tcp://10.0.0.5:70000", "port 70000 out of range 1-65535"),
        ("tcp://10.0.0.5:0", "port 0 out of range 1-65535"),
        ("tcp://10.0.0.5:abc", "port 'abc' is not a number"),
        ("tcp://:9100", "missing host"),
        ("tcp:10.0.0.5:9100", "write tcp://HOST:PORT"),
        ("serial:/dev/ttyS0?baud=9601", "baud '9601' is not a standard rate (1200, 2400, 4800, 9600, 19200"),
        ("serial:/dev/ttyS0?bud=9600", "unknown option 'bud'; did you mean 'baud'?"),
        ("serial:ttyS0", "device path 'ttyS0' must be absolute"),
        ("serial:", "missing device path"),
        ("file:/dev/usb/lp0?baud=9600", "unknown option 'baud' (this type takes no options)"),
        ("usb:04g6:5011", "vendor id '04g6' is not a 4-digit hex id"),
        ("usb:0416:50110", "product id '50110' is not a 4-digit hex id"),
        ("usb:0416", "write usb:VID:PID"),
        ("usb:0416:5011?interface=x", "interface 'x' must be a number 0-255"),
        ("preview:", "preview needs a directory"),
        ("", "empty"),
    ])
    func invalidPrinters(text: String, expectedMessage: String) {
        let error = #expect(throws: ConnectionStringError.self) { try PrinterConnection(parsing: text) }
        #expect(error?.message.contains(expectedMessage) == true, "got: \(error?.message ?? "no error")")
    }

    @Test func inputs() throws {
        #expect(try InputSpec(parsing: "serial:/dev/ttyUSB0?baud=9600&framing=byte")
            == .serial(path: "/dev/ttyUSB0", baud: 9600, framing: .byte))
        #expect(try InputSpec(parsing: "serial:/dev/ttyACM0?framing=line&baud=115200")
            == .serial(path: "/dev/ttyACM0", baud: 115200, framing: .line))
        #expect(try InputSpec(parsing: "serial:/dev/ttyUSB0") == .serial(path: "/dev/ttyUSB0", baud: 9600, framing: .byte))
        #expect(try InputSpec(parsing: "keyboard") == .keyboard)
        #expect(try InputSpec(parsing: "none") == InputSpec.none)
        #expect(try InputSpec(parsing: "evdev:/dev/input/by-id/usb-Keypad-event-kbd")
            == .evdev(path: "/dev/input/by-id/usb-Keypad-event-kbd"))
        let spec = InputSpec.serial(path: "/dev/ttyUSB1", baud: 19200, framing: .line)
        #expect(try InputSpec(parsing: spec.description) == spec)
    }

    @Test(arguments: [
        ("keybaord", "'keybaord' is not a valid input connection; did you mean 'keyboard'?"),
        ("joystick", "'joystick' is not a valid input connection; write serial:PATH?baud=N&framing=byte, "
            + "evdev:PATH, keyboard or none"),
        ("serial:/dev/ttyUSB0?framing=word", "framing 'word' unknown"),
        ("serial:/dev/ttyUSB0?baud=100", "baud '100' is not a standard rate"),
        ("hid:/dev/hidraw0", "unknown input type 'hid'"),
        ("evdev:", "missing device path"),
    ])
    func invalidInputs(text: String, expectedMessage: String) {
        let error = #expect(throws: ConnectionStringError.self) { try InputSpec(parsing: text) }
        #expect(error?.message.contains(expectedMessage) == true, "got: \(error?.message ?? "no error")")
    }

    @Test func suggestions() {
        #expect(closestMatch(to: "prefx", among: ["id", "name", "prefix"]) == "prefix")
        #expect(closestMatch(to: "Name", among: ["id", "name", "prefix"]) == "name")
        #expect(closestMatch(to: "requirments", among: ["requirements", "schedule"]) == "requirements")
        #expect(closestMatch(to: "colour", among: ["id", "name", "prefix"]) == nil)
        #expect(editDistance("tcp", "tpc") == 1)
    }
}
