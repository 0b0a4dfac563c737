import AntreCore
import ArgumentParser
import ESCPOS
import Foundation
import Synchronization

/// Antre's ticket encoding side by side with python-escpos 3.1 on the same
/// content: bytes of one ticket at 58 and 80 mm and the median time to produce
/// them. python-escpos is installed from PyPI into a throwaway venv (kept under
/// .build for the next run); scripts/escpos-compare.py renders the ticket there.
struct CompareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Bytes and encode time of one ticket: Antre against python-escpos 3.1 (pip, throwaway venv).")

    @Option(help: "Tickets rendered per figure (the median is shown).")
    var runs = 2000

    @Option(help: "The venv for python-escpos, created when missing (default: .build/escpos-venv).")
    var venv: String?

    @Option(help: "The peer's renderer (default: scripts/escpos-compare.py of this checkout).")
    var script: String?

    @Flag(help: "Antre's figures only: no Python, no pip.")
    var antreOnly = false

    @Option(help: "Instead: print Antre's bytes for this paper width (58 or 80), commands in <hex>.")
    var dump: Int?

    func run() throws {
        let papers: [PrinterProfile.PaperWidth] = [.mm58, .mm80]
        let receipt = TicketLayout.receipt(for: benchSlip(index: 6))
        if let dump {
            guard let paper = PrinterProfile.PaperWidth(rawValue: dump) else { throw ValidationError("--dump 58 or 80") }
            let bytes = ESCPOSEncoder(profile: PrinterProfile(paper: paper)).encode(receipt)
            print(bytes.map { $0 == 0x0A ? "<0a>\n" : ($0 >= 0x20 && $0 < 0x7F) ? String(UnicodeScalar($0)) : "<\(String($0, radix: 16))>" }
                .joined())
            return
        }
        let antreBytes = papers.map { ESCPOSEncoder(profile: PrinterProfile(paper: $0)).encode(receipt).count }
        let antreMicros = papers.map { measureLayoutAndEncode(count: runs, paper: $0) * 1000 }

        var peer: PeerFigures?
        if !antreOnly {
            // The checkout this executable was built in: the first folder up with Package.swift.
            var root = URL(fileURLWithPath: siblingExecutable("antre-bench")).deletingLastPathComponent()
            while root.path != "/",
                  !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
                root = root.deletingLastPathComponent()
            }
            let venv = venv ?? root.appendingPathComponent(".build/escpos-venv").path
            let script = script ?? root.appendingPathComponent("scripts/escpos-compare.py").path
            guard FileManager.default.fileExists(atPath: script) else {
                throw BenchError("\(script) is missing; pass --script or --antre-only")
            }
            let python = try installPythonESCPOS(venv: venv)
            peer = try runPeer(python: python, script: script, receipt: receipt, papers: papers)
        }

        print("antre-bench compare: one KK ticket with 6 requirements, median of \(runs)"
              + " (time it with a release build)")
        let rows: [(String, String, String)] = [
            ("", "Antre", peer.map { "python-escpos \($0.version)" } ?? "-"),
            ("bytes, 58 mm", "\(antreBytes[0])", peer.map { "\($0.bytes[0])" } ?? "-"),
            ("bytes, 80 mm", "\(antreBytes[1])", peer.map { "\($0.bytes[1])" } ?? "-"),
            ("layout + encode, 58 mm", String(format: "%.1f us", antreMicros[0]),
             peer.map { String(format: "%.1f us", $0.micros[0]) } ?? "-"),
            ("layout + encode, 80 mm", String(format: "%.1f us", antreMicros[1]),
             peer.map { String(format: "%.1f us", $0.micros[1]) } ?? "-"),
        ]
        let first = rows.map(\.0.count).max() ?? 0, second = rows.map(\.1.count).max() ?? 0
        for (name, antre, other) in rows {
            print(name.padding(toLength: first, withPad: " ", startingAt: 0) + "  "
                  + antre.padding(toLength: second, withPad: " ", startingAt: 0) + "  " + other)
        }
    }

    struct PeerFigures {
        var version: String
        var bytes: [Int]
        var micros: [Double]
    }

    /// The venv's python with python-escpos 3.1, installing it when missing.
    func installPythonESCPOS(venv: String) throws -> String {
        let python = venv + "/bin/python3"
        let check = ["-c", "import escpos, sys; sys.exit(escpos.__version__ != '3.1')"]
        if FileManager.default.isExecutableFile(atPath: python), (try? runProcess(python, check).status) == 0 {
            return python
        }
        FileHandle.standardError.write(Data("installing python-escpos 3.1 into \(venv) (pip)\n".utf8))
        try requireSuccess(runProcess("/usr/bin/env", ["python3", "-m", "venv", venv]), "python3 -m venv \(venv)")
        try requireSuccess(runProcess(venv + "/bin/pip", ["install", "--quiet", "--disable-pip-version-check",
                                                          "python-escpos==3.1"]),
                           "pip install python-escpos==3.1")
        try requireSuccess(runProcess(python, check), "import escpos (3.1) after pip")
        return python
    }

    func runPeer(python: String, script: String, receipt: Receipt, papers: [PrinterProfile.PaperWidth]) throws
        -> PeerFigures {
        let request: [String: Any] = [
            "runs": runs,
            "papers": papers.map { ["paper": $0.rawValue, "columns": $0.columns] },
            "blocks": receipt.blocks.map(Self.json(of:)),
        ]
        let input = try JSONSerialization.data(withJSONObject: request)
        let result = try runProcess(python, [script], input: input)
        try requireSuccess(result, "\(script)")
        guard let object = try JSONSerialization.jsonObject(with: result.output) as? [String: Any],
              let version = object["version"] as? String,
              let figures = object["papers"] as? [[String: Any]], figures.count == papers.count else {
            throw BenchError("\(script) printed no figures: \(String(decoding: result.output, as: UTF8.self))")
        }
        return PeerFigures(version: version, bytes: figures.map { $0["bytes"] as? Int ?? 0 },
                           micros: figures.map { $0["median_us"] as? Double ?? 0 })
    }

    /// A receipt block as the peer script reads it.
    static func json(of block: ReceiptBlock) -> [String: Any] {
        func alignment(_ style: TextStyle) -> String {
            switch style.alignment {
            case .left: "left"
            case .center: "center"
            case .right: "right"
            }
        }
        switch block {
        case let .text(text, style, indent):
            return ["kind": "text", "text": text, "align": alignment(style), "bold": style.bold,
                    "width": Int(style.widthScale), "height": Int(style.heightScale), "indent": indent]
        case let .columns(left, right, _):
            return ["kind": "columns", "left": left, "right": right]
        case let .rule(character):
            return ["kind": "rule", "char": String(character)]
        case let .feed(lines):
            return ["kind": "feed", "lines": lines]
        case let .qr(data):
            return ["kind": "qr", "data": data]
        }
    }
}

struct ProcessResult {
    var status: Int32
    var output: Data
    var errors: Data
}

/// Runs a program to the end; standard output and error are collected.
func runProcess(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe(), stdin = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
    }
    // Errors are read on another thread so neither pipe can fill up and stall the child.
    let errorData = CollectedData()
    let reader = DispatchGroup()
    reader.enter()
    DispatchQueue.global().async {
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        errorData.state.withLock { $0 = data }
        reader.leave()
    }
    let out = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    reader.wait()
    return ProcessResult(status: process.terminationStatus, output: out, errors: errorData.state.withLock { $0 })
}

func requireSuccess(_ result: ProcessResult, _ what: String) throws {
    guard result.status == 0 else {
        throw BenchError("\(what) failed (exit \(result.status)): "
                         + String(decoding: result.errors.suffix(2000), as: UTF8.self))
    }
}

/// Bytes handed over from the stderr reader.
final class CollectedData: Sendable {
    let state = Mutex(Data())
}
