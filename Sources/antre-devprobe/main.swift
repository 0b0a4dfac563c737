// antre-devprobe: drives one USB printer or evdev input from the command line, for
// tests run under a umockdev testbed (the test process itself cannot be) and for
// a technician checking a device by hand.
//
//   antre-devprobe usb-list
//   antre-devprobe usb CONNECTION STEP...   steps run in order, one result line each:
//       send:FILE       send the file's bytes as one job -> "send ok" | "send error: ..."
//       status          DLE EOT 1..4 -> "status reply 12 12 12 12" | "status unknown" | "status unreachable: ..."
//       waitfile:PATH   wait (up to 30 s) until PATH exists -> "waited PATH"
//       close           drop the connection -> "closed"
//   antre-devprobe evdev PATH SECONDS       prints "press KEY_1" per key-down for SECONDS
import AntreCore
import AntreDevices
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .debug
    return handler
}
let logger = Logger(label: "antre-devprobe")

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// One result line, unbuffered (tests read stdout while the probe runs).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined(separator: " ") }

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("usage: antre-devprobe usb-list | usb CONNECTION STEP... | evdev PATH SECONDS") }

switch command {
case "usb-list":
    let printers = USBPrinterDiscovery.list()
    if printers.isEmpty { say("no USB printers") }
    for p in printers {
        say("printer \(p.connectionString) \(p)")
    }
case "usb":
    guard args.count >= 2 else { fail("usage: antre-devprobe usb CONNECTION STEP...") }
    let connection: PrinterConnection
    do { connection = try PrinterConnection(parsing: args[1]) } catch { fail("bad connection: \(error)") }
    let printer = DeviceFactory.printer(for: connection, logger: logger)
    for step in args.dropFirst(2) {
        if step.hasPrefix("send:") {
            let path = String(step.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
            do throws(PrinterError) {
                try printer.send(Array(data), timeout: .seconds(5))
                say("send ok")
            } catch {
                say("send error: \(error)")
            }
        } else if step == "status" {
            switch printer.queryStatus(timeout: .seconds(2)) {
            case let .reply(bytes): say("status reply \(hex(bytes))")
            case .unknown: say("status unknown")
            case let .unreachable(reason): say("status unreachable: \(reason)")
            }
        } else if step.hasPrefix("waitfile:") {
            let path = String(step.dropFirst(9))
            let end = ContinuousClock.now.advanced(by: .seconds(30))
            while !FileManager.default.fileExists(atPath: path) && ContinuousClock.now < end { usleep(20_000) }
            say("waited \(path)")
        } else if step == "close" {
            printer.close()
            say("closed")
        } else {
            fail("unknown step \(step)")
        }
    }
    printer.close()
case "evdev":
    guard args.count == 3, let seconds = Double(args[2]) else { fail("usage: antre-devprobe evdev PATH SECONDS") }
    let source = EvdevButtonSource(path: args[1], logger: logger, initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(400))
    source.start { key in say("press \(key)") }
    usleep(UInt32(seconds * 1_000_000))
    source.stop()
    say("stopped")
default:
    fail("unknown command \(command)")
}
