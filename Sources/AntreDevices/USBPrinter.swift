import AntreCore

/// Placeholder for `usb:VID:PID` printers until the libusb transport exists:
/// every job fails with a message saying so.
public final class UnsupportedUSBPrinter: PrinterTransport, Sendable {
    public let connection: PrinterConnection

    public init(connection: PrinterConnection) { self.connection = connection }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        throw .unreachable(connection: connection.description,
                           reason: "USB printers are not supported yet (use file:/dev/usb/lp0 with the usblp driver)")
    }

    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        .unreachable("USB printers are not supported yet")
    }

    public func close() {}
}
