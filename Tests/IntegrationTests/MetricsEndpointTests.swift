import AntreCore
import AntreTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `[metrics] listen`: what a district Prometheus scrapes from antred.
@Suite(.serialized)
struct MetricsEndpointTests {
    @Test func metricsShowTodaysTicketsWaitsAndPrinters() throws {
        let port = try FreePort.tcp()
        let preview = try TemporaryDirectory(prefix: "antre-preview")
        let harness = try DaemonHarness(printer: "preview:\(preview.path)/out",
                                        extraLines: ["[metrics]", "listen = \"127.0.0.1:\(port)\""])
        try harness.start()
        defer { harness.stop() }
        for _ in 0..<2 { #expect(try harness.antre("issue", "ktp").status == 0) }
        #expect(try harness.antre("call", "--counter", "1").status == 0)

        let response = try httpGet(port: port, path: "/metrics")
        #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(response)")
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(response.contains("\nantre_tickets_issued{service=\"ktp\"} 2\n"), "\(response)")
        #expect(response.contains("\nantre_tickets_waiting{service=\"ktp\"} 1\n"))
        #expect(response.contains("\nantre_tickets_issued{service=\"kk\"} 0\n"))
        #expect(response.contains("\nantre_wait_seconds_count{service=\"ktp\"} 1\n"))
        #expect(response.contains("\nantre_wait_seconds_bucket{service=\"ktp\",le=\"+Inf\"} 1\n"))
        #expect(response.contains("\nantre_printer_up{dispenser=\"test\"} 1\n"), "\(response)")
        #expect(response.contains("# TYPE antre_wait_seconds histogram"))

        let other = try httpGet(port: port, path: "/")
        #expect(other.hasPrefix("HTTP/1.0 404 Not Found"), "\(other)")
        // The queue still answers after scrapes.
        #expect(try harness.antre("status").status == 0)
    }

    @Test func offByDefault() throws {
        #expect(try ConfigLoader.load(path: Repo.shippedConfig).metrics.isEnabled == false)
    }
}

/// One HTTP/1.0 GET on 127.0.0.1, the whole response as text (5 s timeout).
func httpGet(port: Int, path: String) throws -> String {
    let fd = try LoopbackTCP.connect(port: port, receiveTimeout: .seconds(5))
    defer { close(fd) }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard write(fd, request, request.count) == request.count else { throw TestSupportError("write failed") }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        data += chunk[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
}
