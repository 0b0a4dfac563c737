import AntreCore
import AntrePosix
#if canImport(Glibc)
import Glibc
#endif

extension PrinterOpener {
    /// A printer written through a device node (`file:/dev/usb/lp0`, the kernel's usblp).
    /// Regular files and FIFOs work too (appended to), which is how tests watch it.
    /// It cannot answer status: the printer's probe is whether the node opens.
    public static func deviceFile(path: String) -> PrinterOpener {
        ignoreSigpipe
        let connection = PrinterConnection.file(path: path)
        return PrinterOpener(connection: connection, link: .writeOnlyFile) { _ throws(PrinterError) in
            var st = stat()
            let isRegular = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
            let flags = O_WRONLY | O_NONBLOCK | O_CLOEXEC | (isRegular ? O_APPEND : 0)
            let fd = retryingInterrupts { open(path, flags) }
            guard fd >= 0 else {
                let code = errno
                let reason = code == ENXIO && !isRegular
                    ? "nothing is reading \(path) (is the printer connected and switched on?)"
                    : openFailureText(path, code)
                throw .unreachable(connection: connection.description, reason: reason)
            }
            return fd
        }
    }

    /// A write to a FIFO or pipe whose reader left raises SIGPIPE, which would kill the
    /// daemon; ignoring it turns that into EPIPE, reported as a write failure.
    private static let ignoreSigpipe: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
