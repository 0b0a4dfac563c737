import AntreCore
import AntreDevices
import AntreTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TCPPrinterTests {
    @Test func sendsEveryByteOfABigJobToTheListener() throws {
        let listener = try LoopbackListener()
        let job = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let received = Background { () -> [UInt8] in
            let conn = listener.accept()
            defer { close(conn) }
            return LoopbackListener.readAll(conn)
        }
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: listener.port))
        try printer.send(job, timeout: .seconds(5))
        printer.close()
        let bytes = try #require(received.wait())
        #expect(bytes.count == job.count)
        #expect(bytes == job)
    }

    @Test func refusedConnectionIsUnreachableAtOnceWithAHint() throws {
        let port = try FreePort.tcp()  // nothing listens there
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: port))
        let (caught, took) = timedAttempt { () throws(PrinterError) in try printer.send(handJob("x"), timeout: .seconds(5)) }
        guard case let .unreachable(connection, reason) = caught else {
            Issue.record("expected .unreachable, got \(String(describing: caught))")
            return
        }
        #expect(connection == "tcp://127.0.0.1:\(port)")
        #expect(reason.contains("connection refused"))
        #expect(reason.contains("is the printer on"))
        #expect(took < .seconds(1))
    }

    @Test func unknownHostIsUnreachable() {
        let printer = DescriptorPrinter(.tcp(host: "no-such-host.invalid", port: 9100))
        #expect(throws: PrinterError.self) { try printer.send([0x0A], timeout: .seconds(3)) }
        if case let .unreachable(reason) = printer.queryStatus(timeout: .seconds(3)) {
            #expect(reason.contains("cannot resolve host 'no-such-host.invalid'"))
        } else {
            Issue.record("status of an unresolvable host should be unreachable")
        }
    }

    @Test func listenerThatNeverReadsMakesABigJobTimeOutOnTime() throws {
        let listener = try LoopbackListener()
        let holder = Background { () -> Int32 in listener.accept() }  // accepts, never reads
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: listener.port))
        let job = [UInt8](repeating: 0x41, count: 64 << 20)
        let (caught, took) = timedAttempt { () throws(PrinterError) in try printer.send(job, timeout: .milliseconds(400)) }
        if let conn = holder.wait() { close(conn) }
        guard case let .timedOut(_, sent, total) = caught else {
            Issue.record("expected .timedOut, got \(String(describing: caught))")
            return
        }
        #expect(total == job.count)
        #expect(sent < total)
        #expect(took >= Duration.milliseconds(400))
        #expect(took < Duration.milliseconds(1400))
    }

    @Test func reconnectsWhenThePrinterClosedTheConnectionBetweenJobs() throws {
        let listener = try LoopbackListener()
        let first = handJob("first job")
        let second = handJob("second job")
        let firstClosed = DispatchSemaphore(value: 0)
        let server = Background { () -> ([UInt8], [UInt8]) in
            let c1 = listener.accept()
            let got1 = LoopbackListener.read(c1, count: first.count)
            close(c1)  // the printer drops the idle connection
            firstClosed.signal()
            let c2 = listener.accept()
            defer { close(c2) }
            return (got1, LoopbackListener.readAll(c2))
        }
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: listener.port))
        try printer.send(first, timeout: .seconds(2))
        #expect(firstClosed.wait(timeout: .now() + 3) == .success)
        usleep(50_000)  // let the FIN arrive
        try printer.send(second, timeout: .seconds(2))
        printer.close()
        let (got1, got2) = try #require(server.wait())
        #expect(got1 == first)
        #expect(got2 == second)
    }

    @Test func statusFromAListenerThatNeverAnswersIsUnknownWithinTheTimeout() throws {
        let listener = try LoopbackListener()
        let queried = DispatchSemaphore(value: 0)
        let holder = Background { () -> [UInt8] in
            let conn = listener.accept()
            defer { close(conn) }
            let asked = LoopbackListener.read(conn, count: 3, timeout: .seconds(2))
            _ = queried.wait(timeout: .now() + 3)  // stay connected, silent, until the query gave up
            return asked
        }
        let printer = DescriptorPrinter(.tcp(host: "127.0.0.1", port: listener.port))
        var reading: PrinterStatusReading?
        let took = elapsed { reading = printer.queryStatus(timeout: .milliseconds(300)) }
        #expect(reading == .unknown)
        #expect(took < .milliseconds(800))
        queried.signal()
        printer.close()
        #expect(holder.wait() == [0x10, 0x04, 0x01])  // it did ask: DLE EOT 1
    }

    @Test func statusOfARefusedPrinterIsUnreachable() throws {
        let port = try FreePort.tcp()
        let reading = DescriptorPrinter(.tcp(host: "127.0.0.1", port: port)).queryStatus(timeout: .seconds(1))
        guard case let .unreachable(reason) = reading else {
            Issue.record("expected unreachable, got \(reading)")
            return
        }
        #expect(reason.contains("connection refused"))
    }
}
