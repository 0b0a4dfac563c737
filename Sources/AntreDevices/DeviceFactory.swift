import AntreCore
import Logging

/// Builds the transport or input for a config entry.
public enum DeviceFactory {
    public static func printer(for connection: PrinterConnection, logger: Logger) -> any PrinterTransport {
        fatalError("unimplemented")
    }

    public static func buttons(for input: InputSpec, logger: Logger) -> (any ButtonSource)? {
        fatalError("unimplemented")
    }
}
