import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A black-and-white picture written as a PNG and read back by zbarimg (Debian
/// zbar-tools): how tests check that a QR code really scans.
public struct Bitmap: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major, true = black.
    public var dots: [Bool]

    public init(width: Int, height: Int, dots: [Bool]? = nil) {
        self.width = width
        self.height = height
        self.dots = dots ?? Array(repeating: false, count: width * height)
    }

    /// A `GS v 0` raster body: `widthBytes` bytes per row, most significant bit leftmost.
    public init(raster data: [UInt8], widthBytes: Int, height: Int) {
        self.init(width: widthBytes * 8, height: height)
        for y in 0..<height {
            for x in 0..<width where data[y * widthBytes + x / 8] & UInt8(0x80 >> (x % 8)) != 0 {
                dots[y * width + x] = true
            }
        }
    }

    /// The picture enlarged `scale` times with a white `margin` (in output pixels).
    public func scaled(_ scale: Int, margin: Int = 0) -> Bitmap {
        var out = Bitmap(width: width * scale + 2 * margin, height: height * scale + 2 * margin)
        for y in 0..<out.height - 2 * margin {
            for x in 0..<out.width - 2 * margin where dots[(y / scale) * width + x / scale] {
                out.dots[(y + margin) * out.width + x + margin] = true
            }
        }
        return out
    }

    /// An 8-bit greyscale PNG (stored, uncompressed deflate: simple and exact).
    public func png() -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw.append(dots[y * width + x] ? 0 : 255) }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, raw.count - offset)
            let final: UInt8 = offset + length == raw.count ? 1 : 0
            zlib += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        zlib += bigEndian(b << 16 | a)

        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]  // 8-bit, greyscale, deflate, no filter, not interlaced
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    public func writePNG(to path: String) throws {
        try Data(png()).write(to: URL(fileURLWithPath: path))
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

public enum ZBar {
    /// The data of every QR code zbarimg finds in the image (empty when none).
    public static func decode(imageAt path: String) throws -> [String] {
        let executable = "/usr/bin/zbarimg"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSupportError("zbarimg is missing: apt-get install zbar-tools (scripts/install-deps.sh)")
        }
        let child = try ChildProcess(executable: executable, arguments: ["-q", "--raw", "-Sdisable", "-Sqrcode.enable",
                                                                         path], name: "zbarimg")
        guard let status = child.waitForExit(timeout: .seconds(20)) else {
            child.kill(SIGKILL)
            throw TestSupportError("zbarimg did not finish on \(path)")
        }
        // 0: found; 4: nothing found. Anything else is zbarimg failing to read the file.
        guard status == 0 || status == 4 else {
            throw TestSupportError("zbarimg \(path) exited \(status): \(child.stderr)")
        }
        return child.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
