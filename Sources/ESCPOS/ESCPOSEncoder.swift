/// Receipt -> ESC/POS bytes for one printer profile.
public struct ESCPOSEncoder: Sendable {
    public let profile: PrinterProfile

    public init(profile: PrinterProfile) { self.profile = profile }

    /// One whole job: ESC @, (FS .), one ESC t, the blocks, feed and cut.
    public func encode(_ receipt: Receipt) -> [UInt8] {
        fatalError("ESCPOSEncoder.encode: not yet implemented")
    }
}
