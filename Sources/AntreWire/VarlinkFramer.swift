/// The stream could not be split into Varlink messages.
public enum VarlinkFramingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A message grew past the limit without its terminating NUL.
    case messageTooLarge(limit: Int)

    public var description: String {
        switch self {
        case let .messageTooLarge(limit): "varlink message larger than \(limit) bytes"
        }
    }
}

/// Splits a byte stream into Varlink messages: each message is a JSON text
/// terminated by one NUL byte. Feed bytes as they arrive; complete messages
/// come out without their NUL. Empty messages (a lone NUL) are skipped: they
/// carry nothing and refusing them would punish a harmless client quirk.
public struct VarlinkFramer: Sendable {
    /// The default limit: a Status reply of a busy office is a few KiB.
    public static let defaultMaxMessageSize = 64 * 1024

    public let maxMessageSize: Int
    private var pending: [UInt8] = []
    private var failed = false

    public init(maxMessageSize: Int = VarlinkFramer.defaultMaxMessageSize) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes received but not yet part of a complete message.
    public var bufferedByteCount: Int { pending.count }

    /// Appends `bytes` and returns every message completed by them, in order.
    /// Throws once a message exceeds `maxMessageSize`; after that the stream
    /// is unusable (there is no way to resynchronise) and every call throws.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(VarlinkFramingError) -> [[UInt8]] {
        if failed { throw .messageTooLarge(limit: maxMessageSize) }
        var messages: [[UInt8]] = []
        for byte in bytes {
            if byte == 0 {
                if !pending.isEmpty { messages.append(pending) }
                pending.removeAll(keepingCapacity: true)
            } else {
                if pending.count >= maxMessageSize {
                    failed = true
                    pending = []
                    throw .messageTooLarge(limit: maxMessageSize)
                }
                pending.append(byte)
            }
        }
        return messages
    }
}
