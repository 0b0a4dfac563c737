import AntreCore
import ESCPOS
import Foundation
import Logging

/// Builds the transport or input for a config entry.
public enum DeviceFactory {
    /// - Parameters:
    ///   - previewEcho: where a `preview:` printer also writes each job's text (demo: stdout).
    ///   - previewProfile: the printer a preview stands for: its text is laid out at
    ///     that paper's width and a PNG shows the slip as that paper would.
    public static func printer(for connection: PrinterConnection, logger: Logger,
                               previewEcho: FileHandle? = nil,
                               previewProfile: PrinterProfile = PrinterProfile()) -> any PrinterTransport {
        switch connection {
        case let .tcp(host, port): DescriptorPrinter(.tcp(host: host, port: port), logger: logger)
        case let .serial(path, baud): DescriptorPrinter(.serial(path: path, baud: baud), logger: logger)
        case let .file(path): DescriptorPrinter(.deviceFile(path: path), logger: logger)
        case let .preview(directory):
            PreviewPrinter(directory: directory, echo: previewEcho,
                           render: { ESCPOSTextRenderer.render($0, columns: previewProfile.columns) },
                           picture: { ESCPOSRasterRenderer.png($0, profile: previewProfile) }, logger: logger)
        case let .usb(vendor, product, serial, interface):
            USBPrinter(vendor: vendor, product: product, serial: serial, interface: interface, logger: logger)
        }
    }

    /// nil for `.none`.
    public static func buttons(for input: InputSpec, logger: Logger) -> (any ButtonSource)? {
        switch input {
        case let .serial(path, baud, framing):
            return SerialButtonSource(path: path, baud: baud, framing: framing, logger: logger)
        case .keyboard:
            return KeyboardButtonSource(logger: logger)
        case let .evdev(path):
            return EvdevButtonSource(path: path, logger: logger)
        case .none:
            return nil
        }
    }
}
