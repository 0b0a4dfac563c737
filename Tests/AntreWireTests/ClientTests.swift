#if canImport(Glibc)
import Glibc
#endif
import AntreCore
import AntreWire
import Foundation
import Testing

@Suite struct ClientTests {
    @Test func callRoundTripOverARealSocket() async throws {
        let server = try TestVarlinkServer()
        let path = server.path
        let (info, reply) = try await onThread {
            let client = try VarlinkClient(path: path, timeout: 2)
            let info = try client.call("org.varlink.service.GetInfo")
            let reply = try client.call("io.antre.Queue.CallNext", CallNextParameters(counter: "loket2"),
                                        as: CallNextReply.self)
            return (info, reply)
        }
        #expect(info["interfaces"] == .array([.string("org.varlink.service"), .string("io.antre.Queue")]))
        #expect(info["version"] == .string("test"))
        #expect(reply == CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2", waiting: 4))
        #expect(QueueText.called(reply) == "B-012 Kartu Keluarga -> Loket 2 (4 menunggu)")
    }

    @Test func remoteErrorIsThrownWithTheQueueMessage() async throws {
        let server = try TestVarlinkServer()
        let path = server.path
        let error = try await onThread { () -> VarlinkRemoteError? in
            let client = try VarlinkClient(path: path, timeout: 2)
            do {
                _ = try client.call("io.antre.Queue.CallNext", ["counter": .string("loket1"), "services": .array([.string("ktp")])])
                return nil
            } catch let error as VarlinkRemoteError {
                // The connection stays usable after an error reply.
                _ = try client.call("io.antre.Queue.Status")
                return error
            }
        }
        let received = try #require(error)
        #expect(received.name == "io.antre.Queue.NoTicketWaiting")
        #expect(received.description == "no ticket waiting for counter loket1 (services: ktp)")
        #expect(QueueError(received) == .noTicketWaiting(counter: "loket1", services: ["ktp"]))
    }

    @Test func monitorStreamsUntilTheServiceEndsIt() async throws {
        let server = try TestVarlinkServer()
        let path = server.path
        let events = try await onThread { () -> [QueueEventInfo] in
            let client = try VarlinkClient(path: path, timeout: 2)
            var events: [QueueEventInfo] = []
            do {
                try client.callMore("io.antre.Queue.Monitor") { reply in
                    events.append(try JSONValue.object(reply).decode(as: MonitorReply.self).event)
                    return true
                }
            } catch VarlinkClientError.connectionClosed {
                // The stub's event stream ends after three events and the server hangs up.
            }
            return events
        }
        #expect(events == [Samples.event(1), Samples.event(2), Samples.event(3)])
    }

    @Test func callbackCanStopTheStream() async throws {
        let server = try TestVarlinkServer(handler: StubQueue(endlessMonitor: true))
        let path = server.path
        let count = try await onThread { () -> Int in
            let client = try VarlinkClient(path: path, timeout: 2)
            var count = 0
            try client.callMore("io.antre.Queue.Monitor") { _ in
                count += 1
                return count < 2
            }
            return count
        }
        #expect(count == 2)
    }

    @Test func missingSocketSaysDaemonNotRunning() throws {
        let path = "/tmp/aw-none-\(UUID().uuidString.prefix(8))/antred.sock"
        #expect(throws: VarlinkClientError.noSocket(path: path)) { try VarlinkClient(path: path) }
        #expect(VarlinkClientError.noSocket(path: path).description == "antred is not running (no socket at \(path))")
    }

    @Test func staleSocketSaysSo() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/antred.sock"
        // Bound, never listened on, then closed: the file stays, nobody answers.
        close(try bindUnixSocket(path))
        #expect(throws: VarlinkClientError.staleSocket(path: path)) { try VarlinkClient(path: path) }
        #expect(VarlinkClientError.staleSocket(path: path).description == "antred is not running (stale socket \(path))")
    }

    @Test(.enabled(if: getuid() != 0, "root bypasses file permissions"))
    func permissionDeniedNamesTheGroup() throws {
        let server = try TestVarlinkServer()
        chmod(server.path, 0)
        #expect(throws: VarlinkClientError.permissionDenied(path: server.path)) { try VarlinkClient(path: server.path) }
        #expect(VarlinkClientError.permissionDenied(path: server.path).description
            == "permission denied on \(server.path): are you in the antre group?")
    }

    @Test func silentServerTimesOut() async throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/antred.sock"
        let fd = try bindUnixSocket(path)
        defer { close(fd) }
        _ = listen(fd, 4)  // connections queue in the backlog; nobody ever answers
        let started = ContinuousClock.now
        let error = try await onThread { () -> VarlinkClientError? in
            let client = try VarlinkClient(path: path, timeout: 0.3)
            do {
                _ = try client.call("io.antre.Queue.Status")
                return nil
            } catch let error as VarlinkClientError {
                return error
            }
        }
        #expect(error == .timedOut(path: path, seconds: 0.3))
        #expect(error?.isUnreachable == true)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(error?.description == "antred did not answer within 0.3 s (\(path))")
    }

    @Test func garbageClosesThatConnectionOnlyAndValidJSONGetsAnError() async throws {
        let server = try TestVarlinkServer(maxMessageSize: 1024)
        let path = server.path
        let results = try await onThread { () -> [String] in
            var results: [String] = []
            // Valid JSON that is not a call: an error reply, connection kept.
            let polite = try VarlinkClient(path: path, timeout: 2)
            try polite.sendRaw(Array("[1,2,3]\0".utf8))
            results.append(try polite.receive(deadline: .now + .seconds(2)).error?.name ?? "no error")
            results.append(try polite.call("org.varlink.service.GetInfo")["version"]?.stringValue ?? "?")
            // Not JSON: the server hangs up.
            let rude = try VarlinkClient(path: path, timeout: 2)
            try rude.sendRaw(Array("GET / HTTP/1.1\r\n\r\n\0".utf8))
            do {
                _ = try rude.receive(deadline: .now + .seconds(2))
                results.append("answered")
            } catch VarlinkClientError.connectionClosed {
                results.append("closed")
            }
            // Too big without a NUL: the server hangs up too.
            let flood = try VarlinkClient(path: path, timeout: 2)
            do {
                try flood.sendRaw([UInt8](repeating: UInt8(ascii: "{"), count: 4096))
                _ = try flood.receive(deadline: .now + .seconds(2))
                results.append("answered")
            } catch VarlinkClientError.connectionClosed {
                results.append("closed")
            }
            // The next client is served normally.
            let next = try VarlinkClient(path: path, timeout: 2)
            results.append(try next.call("io.antre.Queue.Issue", IssueParameters(service: "ktp"), as: IssueReply.self).ticket.number)
            return results
        }
        #expect(results == ["org.varlink.service.InvalidParameter", "test", "closed", "closed", "T-004"])
    }
}
