/// Why an announcement could not be voiced. Messages say what to fix.
public struct VoiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
