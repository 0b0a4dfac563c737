/// A QR code (model 2, byte mode, error correction level M), built in Swift so
/// printers without native QR (`GS ( k`) can print it as a raster image.
///
/// Follows ISO/IEC 18004: the smallest version 1...40 that holds the data, Reed-
/// Solomon blocks interleaved, and of the eight masks the one with the lowest
/// penalty score (rules N1-N4).
public struct QRCode: Sendable, Equatable {
    /// 1...40; the symbol is `17 + 4 * version` modules wide.
    public let version: Int
    public let size: Int
    /// The mask pattern chosen (0...7).
    public let mask: Int
    /// Row-major, true = dark.
    public let modules: [Bool]

    /// Largest byte-mode payload at level M (version 40).
    public static let maxBytes = 2331

    /// nil when the data does not fit in version 40.
    public init?(bytes data: [UInt8]) {
        guard let version = (1...40).first(where: { Self.fits(data.count, version: $0) }) else { return nil }
        var matrix = Matrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.drawCodewords(Self.codewords(data, version: version))
        var best: (penalty: Int, mask: Int, modules: [Bool])?
        for mask in 0..<8 {
            var candidate = matrix
            candidate.applyMask(mask)
            candidate.drawFormatBits(mask: mask)
            let penalty = candidate.penalty()
            if best.map({ penalty < $0.penalty }) ?? true { best = (penalty, mask, candidate.modules) }
        }
        guard let best else { return nil }
        self.version = version
        self.size = matrix.size
        self.mask = best.mask
        self.modules = best.modules
    }

    public init?(text: String) { self.init(bytes: Array(text.utf8)) }

    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    // MARK: - Capacity (level M)

    /// Error-correction codewords per block, level M, by version.
    static let eccPerBlock = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
                              26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
    /// Number of error-correction blocks, level M, by version.
    static let blockCount = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20,
                             21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49]

    /// Modules left for data and error correction once the function patterns are drawn.
    static func rawDataModules(_ version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    static func dataCodewords(_ version: Int) -> Int {
        rawDataModules(version) / 8 - eccPerBlock[version] * blockCount[version]
    }

    static func countBits(_ version: Int) -> Int { version <= 9 ? 8 : 16 }

    static func fits(_ count: Int, version: Int) -> Bool {
        4 + countBits(version) + 8 * count <= dataCodewords(version) * 8
    }

    // MARK: - Codewords

    /// Mode, count, data, terminator and padding, then the blocks' error
    /// correction, interleaved as the symbol stores them.
    static func codewords(_ data: [UInt8], version: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(data.count, count: countBits(version))
        for byte in data { bits.append(Int(byte), count: 8) }
        let capacity = dataCodewords(version) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var padByte = 0xEC
        while bits.count < capacity {
            bits.append(padByte, count: 8)
            padByte ^= 0xEC ^ 0x11
        }
        let dataBytes = bits.bytes

        let blocks = blockCount[version], eccLength = eccPerBlock[version]
        let rawCodewords = rawDataModules(version) / 8
        let shortBlocks = blocks - rawCodewords % blocks
        let shortLength = rawCodewords / blocks  // data + ecc of a short block
        let divisor = ReedSolomon.divisor(degree: eccLength)
        var dataBlocks: [[UInt8]] = [], eccBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength - eccLength + (index < shortBlocks ? 0 : 1)
            let block = Array(dataBytes[offset..<(offset + length)])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for column in 0..<(shortLength - eccLength + 1) {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }
}

/// Bits appended most significant first.
private struct BitBuffer {
    var bytes: [UInt8] = []
    var count = 0

    mutating func append(_ value: Int, count length: Int) {
        for shift in stride(from: length - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= UInt8(0x80 >> (count % 8)) }
            count += 1
        }
    }
}

/// Reed-Solomon over GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var result = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            result = (result << 1) ^ ((result >> 7) * 0x11D)
            result ^= Int((y >> UInt8(bit)) & 1) * Int(x)
        }
        return UInt8(result & 0xFF)
    }

    /// The generator polynomial's coefficients, highest degree first, leading 1 dropped.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for index in result.indices { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }
}

/// The symbol being drawn: modules and which of them belong to function patterns.
private struct Matrix {
    let version: Int
    let size: Int
    var modules: [Bool]
    var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        modules = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
    }

    func get(_ x: Int, _ y: Int) -> Bool { modules[y * size + x] }

    mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    mutating func drawFunctionPatterns() {
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinder(3, 3)
        drawFinder(size - 4, 3)
        drawFinder(3, size - 4)
        let positions = alignmentPositions()
        let last = positions.count - 1
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatBits(mask: 0)  // reserves the area; redrawn once the mask is chosen
        drawVersionBits()
    }

    /// A finder pattern with its light separator, clipped at the symbol's edge.
    mutating func drawFinder(_ x: Int, _ y: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let xx = x + dx, yy = y + dy
                guard (0..<size).contains(xx), (0..<size).contains(yy) else { continue }
                let distance = max(abs(dx), abs(dy))
                setFunction(xx, yy, distance != 2 && distance != 4)
            }
        }
    }

    func alignmentPositions() -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        for index in 0..<(count - 1) { result.insert(size - 7 - index * step, at: 1) }
        return result
    }

    /// Level M (bits 00) and the mask, BCH-protected, in both copies.
    mutating func drawFormatBits(mask: Int) {
        let data = 0b00 << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }
        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
        setFunction(8, size - 8, true)  // the dark module
    }

    mutating func drawVersionBits() {
        guard version >= 7 else { return }
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, b = i / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    /// Codeword bits in the zigzag order: two-module columns from the right, up then down.
    mutating func drawCodewords(_ data: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }  // skip the vertical timing pattern
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for j in 0..<2 {
                    let x = right - j
                    guard !isFunction[y * size + x], index < data.count * 8 else { continue }
                    modules[y * size + x] = (data[index >> 3] >> (7 - UInt8(index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y * size + x].toggle() }
            }
        }
    }

    /// ISO/IEC 18004 penalty: long runs (N1), 2x2 blocks (N2), finder-like
    /// patterns (N3) and dark/light imbalance (N4). Lower is easier to scan.
    func penalty() -> Int {
        var total = 0
        for line in 0..<size {
            total += linePenalty { get($0, line) }
            total += linePenalty { get(line, $0) }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = get(x, y)
                if colour == get(x + 1, y), colour == get(x, y + 1), colour == get(x + 1, y + 1) { total += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let cells = size * size
        let k = (abs(dark * 20 - cells * 10) + cells - 1) / cells - 1
        total += max(0, k) * 10
        return total
    }

    /// N1 and N3 along one row or column (`module(i)`, i in 0..<size); the
    /// quiet zone outside counts as light.
    func linePenalty(_ module: (Int) -> Bool) -> Int {
        var total = 0
        var runLength = 0
        var previous = false
        // The last 11 modules as bits, newest lowest: dark-light 1:1:3:1:1 with
        // four light modules before (0x05D) or after (0x5D0) it.
        var window = 0
        for index in -4..<(size + 4) {
            let inside = index >= 0 && index < size
            let dark = inside && module(index)
            if inside {
                if index > 0 && dark == previous {
                    runLength += 1
                } else {
                    if runLength >= 5 { total += runLength - 2 }
                    runLength = 1
                    previous = dark
                }
            }
            window = ((window << 1) | (dark ? 1 : 0)) & 0x7FF
            if index >= 6 && (window == 0x05D || window == 0x5D0) { total += 40 }
        }
        if runLength >= 5 { total += runLength - 2 }
        return total
    }
}
