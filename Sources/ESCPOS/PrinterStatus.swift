/// A printer's state as its status bytes report it (DLE EOT 1...4 or Automatic
/// Status Back). Parsing checks the bits the protocol fixes, so bytes that are
/// not a status reply (a late answer, line noise) are rejected instead of read
/// as "paper out".
public struct PrinterStatus: Sendable, Equatable {
    public var online: Bool
    public var coverOpen: Bool
    public var paperNearEnd: Bool
    public var paperOut: Bool
    public var cutterError: Bool
    /// An error the printer clears once its cause is gone (e.g. head too hot).
    public var recoverableError: Bool
    /// An error that needs the printer switched off (DLE EOT 3 bit 5).
    public var unrecoverableError: Bool

    public init(online: Bool = true, coverOpen: Bool = false, paperNearEnd: Bool = false,
                paperOut: Bool = false, cutterError: Bool = false, recoverableError: Bool = false,
                unrecoverableError: Bool = false) {
        self.online = online
        self.coverOpen = coverOpen
        self.paperNearEnd = paperNearEnd
        self.paperOut = paperOut
        self.cutterError = cutterError
        self.recoverableError = recoverableError
        self.unrecoverableError = unrecoverableError
    }

    public var offline: Bool { !online }

    /// Whether a ticket sent now would print.
    public var canPrint: Bool {
        online && !coverOpen && !paperOut && !cutterError && !recoverableError && !unrecoverableError
    }

    /// Whether a byte looks like a DLE EOT reply: bits 1 and 4 set, 0 and 7 clear.
    public static func isDLEEOTReply(_ byte: UInt8) -> Bool { byte & 0x93 == 0x12 }

    /// Whether a byte can start an Automatic Status Back message: bit 4 set,
    /// bits 0, 1 and 7 clear (a DLE EOT reply has bit 1 set instead).
    public static func isASBHeader(_ byte: UInt8) -> Bool { byte & 0x93 == 0x10 }

    /// The replies to DLE EOT 1, 2, 3 and 4, in that order. Nil unless there are
    /// exactly four bytes and every one has the fixed bits of a reply.
    public static func parse(dleEot replies: [UInt8]) -> PrinterStatus? {
        guard replies.count == 4, replies.allSatisfy(isDLEEOTReply) else { return nil }
        let printer = replies[0], offlineCause = replies[1], errorCause = replies[2], paper = replies[3]
        return PrinterStatus(
            online: printer & 0x08 == 0,
            coverOpen: offlineCause & 0x04 != 0,
            paperNearEnd: paper & 0x0C != 0,
            paperOut: paper & 0x60 != 0 || offlineCause & 0x20 != 0,
            cutterError: errorCause & 0x08 != 0,
            recoverableError: errorCause & 0x44 != 0,
            unrecoverableError: errorCause & 0x20 != 0)
    }

    /// The four bytes of an Automatic Status Back message (GS a). Nil when the
    /// fixed bits do not match (first byte 0xx1xx00, bits 4 and 7 of the others clear).
    public static func parse(asb message: [UInt8]) -> PrinterStatus? {
        guard message.count == 4, isASBHeader(message[0]),
              message[1...].allSatisfy({ $0 & 0x90 == 0 }) else { return nil }
        let first = message[0], second = message[1], paper = message[2]
        return PrinterStatus(
            online: first & 0x08 == 0,
            coverOpen: first & 0x20 != 0,
            paperNearEnd: paper & 0x03 != 0,
            paperOut: paper & 0x0C != 0,
            cutterError: second & 0x08 != 0,
            recoverableError: second & 0x44 != 0,
            unrecoverableError: second & 0x20 != 0)
    }
}
