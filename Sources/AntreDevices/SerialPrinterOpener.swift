import AntreCore
import AntrePosix
#if canImport(Glibc)
import Glibc
#endif

extension PrinterOpener {
    /// A printer on a serial port (`serial:/dev/ttyUSB0?baud=9600`): raw 8N1 at `baud`,
    /// no flow control; reopened after a hang-up or error.
    public static func serial(path: String, baud: Int) -> PrinterOpener {
        let connection = PrinterConnection.serial(path: path, baud: baud)
        return PrinterOpener(connection: connection, link: .serialPort) { _ throws(PrinterError) in
            let fd = retryingInterrupts { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
            guard fd >= 0 else {
                throw .unreachable(connection: connection.description, reason: openFailureText(path, errno))
            }
            if let problem = configureRawSerial(fd, baud: baud) {
                Glibc.close(fd)
                throw .unreachable(connection: connection.description, reason: problem)
            }
            return fd
        }
    }
}
