import AntreCore
import AntreTestSupport
import Foundation
import Testing

/// `antre report` against a running antred: the figures of today's tickets as
/// tables, CSV, JSON and a chart file.
@Suite(.serialized)
struct ReportCommandTests {
    @Test func reportOfTodayInEveryFormAndAChart() throws {
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out")
        try harness.start()
        defer { harness.stop() }
        let ktp = try harness.service("ktp")

        for _ in 0..<3 { #expect(try harness.antre("issue", "ktp").status == 0) }
        #expect(try harness.antre("issue", "akta-lahir").status == 0)
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("finish", "--counter", "1").status == 0)
        #expect(try harness.antre("call", "--counter", "1").status == 0)
        #expect(try harness.antre("skip", "--counter", "1").status == 0)

        let text = try harness.antre("report")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("Tickets: 4 issued, 1 served, 1 skipped, 0 expired, 0 transferred"), "\(text)")
        let ktpLine = text.stdout.split(separator: "\n").first { $0.hasPrefix("  ktp ") }
        let ktpCells = ktpLine.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(ktpCells.count > 8 && ktpCells.contains(ktp.name.split(separator: " ").first.map(String.init) ?? "?"),
                "\(text)")

        let reply = try json(try harness.antre("report", "--json"))
        let report = try #require(reply["report"] as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["issued"] as? Int == 4 && total["served"] as? Int == 1 && total["called"] as? Int == 2)
        let services = try #require(report["services"] as? [[String: Any]])
        #expect(services.count == harness.shipped.services.count, "every configured service is listed")
        #expect(services.first?["id"] as? String == harness.shipped.services.first?.id)
        #expect(report["from"] as? String == report["to"] as? String)

        let day = try #require(report["from"] as? String)
        let csv = try harness.antre("report", "--date", day, "--csv", "--section", "services")
        #expect(csv.status == 0, "\(csv)")
        let rows = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.prefix(5).map(String.init) == ["from", "to", "service", "name", "issued"])
        #expect(rows.dropFirst().first?.prefix(5).map(String.init) == [day, day, "ALL", "", "4"])
        #expect(rows.contains { $0.count > 4 && $0[2] == "akta-lahir" && $0[4] == "1" }, "\(csv)")

        // The chart: an A4 SVG, and a PNG of the right size that is not blank.
        let svgPath = preview.path + "/chart.svg", pngPath = preview.path + "/chart.png"
        let svg = try harness.antre("report", "--chart", svgPath)
        #expect(svg.status == 0, "\(svg)")
        #expect(try String(contentsOfFile: svgPath, encoding: .utf8).contains(#"width="297mm" height="210mm""#))
        let png = try harness.antre("report", "--month", String(day.prefix(7)), "--chart", pngPath)
        #expect(png.status == 0, "\(png)")
        let pixels = try PNGProbe(path: pngPath)
        #expect(pixels.width == 1754 && pixels.height == 1240)
        #expect(pixels.inkShare > 0.01 && pixels.inkShare < 0.5, "ink \(pixels.inkShare)")
        #expect(pixels.hasColor(0x00, 0x72, 0xB2), "the first service's bar colour is drawn")

        // Bad input: usage error naming the problem, nothing asked of antred.
        let bad = try harness.antre("report", "--date", "2026-02-30")
        #expect(bad.status == 2 && bad.stderr.contains("--date '2026-02-30' is not a date like 2026-11-30"), "\(bad)")
        let badChart = try harness.antre("report", "--chart", preview.path + "/chart.pdf")
        #expect(badChart.status == 2 && badChart.stderr.contains("must end in .svg or .png"), "\(badChart)")
    }
}

/// Reads a PNG through python3's zlib (a decoder independent of the code that
/// drew it): size, share of non-white pixels, and whether a colour occurs.
struct PNGProbe {
    var width = 0, height = 0
    var inkShare = 0.0
    private var colors: Set<Int> = []

    init(path: String) throws {
        let script = """
            import sys, zlib, struct
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat, w, h = 8, b'', 0, 0
            while pos < len(data):
                n, kind = struct.unpack('>I4s', data[pos:pos+8]); body = data[pos+8:pos+8+n]; pos += 12 + n
                if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
                if kind == b'IDAT': idat += body
            bpp = {2: 3, 6: 4}[ctype]
            raw = zlib.decompress(idat); stride = w * bpp; prev = bytearray(stride); out = []
            for y in range(h):
                f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
                for i in range(stride):
                    a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
                    if f == 1: line[i] = (line[i] + a) & 255
                    elif f == 2: line[i] = (line[i] + b) & 255
                    elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                    elif f == 4:
                        p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                out.append(bytes(line)); prev = line
            ink, colors = 0, set()
            for line in out:
                for x in range(0, stride, bpp):
                    r, g, b_ = line[x], line[x+1], line[x+2]
                    if r < 240 or g < 240 or b_ < 240: ink += 1
                    colors.add((r << 16) | (g << 8) | b_)
            print(w, h, ink / (w * h))
            print(' '.join(str(c) for c in sorted(colors)))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, path], timeout: .seconds(120))
        guard result.status == 0 else { throw TestSupportError("PNG probe failed: \(result)") }
        let lines = result.stdout.split(separator: "\n")
        let head = lines.first?.split(separator: " ") ?? []
        guard head.count == 3 else { throw TestSupportError("PNG probe said: \(result.stdout)") }
        width = Int(head[0]) ?? 0
        height = Int(head[1]) ?? 0
        inkShare = Double(head[2]) ?? 0
        colors = Set((lines.dropFirst().first ?? "").split(separator: " ").compactMap { Int($0) })
    }

    func hasColor(_ r: Int, _ g: Int, _ b: Int) -> Bool { colors.contains((r << 16) | (g << 8) | b) }
}
