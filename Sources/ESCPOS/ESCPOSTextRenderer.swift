/// ESC/POS bytes -> plain text, the way the paper would read: used by the
/// preview printer and by tests. It decodes the bytes actually sent, so a
/// preview shows what the encoder produced, not what the layout intended.
public enum ESCPOSTextRenderer {
    public static func render(_ bytes: [UInt8]) -> String {
        fatalError("ESCPOSTextRenderer.render: not yet implemented")
    }
}
