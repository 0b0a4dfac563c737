/// A minimal PNG writer for 1-bit black-and-white pictures: no compression
/// (zlib stored blocks), which every PNG reader accepts. Small enough here: a
/// ticket is a few hundred kilobits.
enum PNGEncoder {
    /// `packed`: rows of `rowBytes` bytes, most significant bit left, 1 = black.
    /// `marginBytes` x 8 white dots are added on every side.
    static func blackAndWhite(packed: [UInt8], rowBytes: Int, marginBytes: Int) -> [UInt8] {
        let innerHeight = rowBytes > 0 ? packed.count / rowBytes : 0
        let margin = marginBytes * 8
        let width = max(1, (rowBytes + 2 * marginBytes) * 8)
        let height = max(1, innerHeight + 2 * margin)
        let outBytes = width / 8
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (outBytes + 1))
        let blank = [UInt8](repeating: 0xFF, count: outBytes)  // 1 = white in grey 1-bit
        let side = [UInt8](repeating: 0xFF, count: marginBytes)
        for y in 0..<height {
            raw.append(0)  // filter: none
            let source = y - margin
            if source >= 0, source < innerHeight {
                raw += side
                raw += packed[(source * rowBytes)..<((source + 1) * rowBytes)].map { ~$0 }
                raw += side
            } else {
                raw += blank
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [1, 0, 0, 0, 0])
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var body = Array(type.utf8)
        body += data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + data.count / 65_535 * 5 + 16)
        var offset = 0
        repeat {
            let count = min(65_535, data.count - offset)
            let last: UInt8 = offset + count >= data.count ? 1 : 0
            out += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<(offset + count)]
            offset += count
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    // Checksums over raw buffers: these loops dominate the preview's cost in debug builds.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        crcTable.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { buffer in
                var c: UInt32 = 0xFFFF_FFFF
                for byte in buffer { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
                return c ^ 0xFFFF_FFFF
            }
        }
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var a: UInt32 = 1, b: UInt32 = 0
            var index = 0
            // Sums stay below 2^32 for 5552 bytes between reductions (zlib's NMAX).
            while index < buffer.count {
                let end = min(buffer.count, index + 5552)
                while index < end {
                    a &+= UInt32(buffer[index])
                    b &+= a
                    index += 1
                }
                a %= 65_521
                b %= 65_521
            }
            return b << 16 | a
        }
    }
}
