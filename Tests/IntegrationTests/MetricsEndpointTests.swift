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
        let port = try freeLoopbackPort()
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

/// A port nobody listens on now (bound to 0, read back, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw TestSupportError("bind failed") }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// One HTTP/1.0 GET on 127.0.0.1, the whole response as text (5 s timeout).
func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket failed") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestSupportError("cannot connect to 127.0.0.1:\(port)") }
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
