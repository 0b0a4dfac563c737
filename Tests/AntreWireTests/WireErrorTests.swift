import AntreCore
import AntreWire
import Foundation
import Synchronization
import Testing

/// Errors a handler throws, as the client receives them through the dispatcher.
@Suite struct WireErrorTests {
    /// What a client gets back when CallNext throws `error`.
    static func received(_ error: any Error) async throws -> VarlinkError? {
        let dispatcher = VarlinkDispatcher(info: ServiceInfo(version: "0"), handler: StubQueue(thrown: error))
        let outcome = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"thrown"}}"#.utf8))
        guard case let .reply(bytes) = outcome else {
            Issue.record("expected a reply, got \(outcome)")
            return nil
        }
        return try #require(VarlinkResponse(decoding: bytes.dropLast())).error
    }

    enum Sensor: Error { case fault(Detail) }
    enum Detail { case reading(code: Int, text: String, nested: [String: [Int]]) }

    @Test func aNestedEnumReachesTheClientAsItsTypeNameNotADump() async throws {
        let error = try await Self.received(Sensor.fault(.reading(code: 5, text: "x", nested: ["a": [1, 2]])))
        #expect(error == VarlinkErrors.internalError("Sensor"))
        #expect(error?.description == "internal error in antred: Sensor")
    }

    struct Chatty: Error, CustomStringConvertible {
        var description: String
    }

    @Test func aDescribedErrorSendsItsFirstLineOnly() async throws {
        let multiLine = try await Self.received(Chatty(description: "  disk is read-only  \nstack:\n  frame 1\n"))
        #expect(multiLine == VarlinkErrors.internalError("disk is read-only"))
        let long = try await Self.received(Chatty(description: String(repeating: "abc ", count: 100)))
        let message = try #require(long?.parameters["message"]?.stringValue)
        #expect(message.count == 200 && message.hasSuffix("…") && message.hasPrefix("abc abc"))
        let blank = try await Self.received(Chatty(description: "\n"))
        #expect(blank == VarlinkErrors.internalError("Chatty"))
    }

    @Test func anNSErrorSendsItsLocalizedDescription() async throws {
        let error = NSError(domain: "org.example.Disk", code: 28,
                            userInfo: [NSLocalizedDescriptionKey: "No space left on device", "path": "/var/lib/antre"])
        #expect(try await Self.received(error) == VarlinkErrors.internalError("No space left on device"))
    }

    struct Localized: LocalizedError {
        var errorDescription: String? { "the clock went backwards" }
    }

    @Test func aLocalizedErrorSendsItsErrorDescription() async throws {
        #expect(try await Self.received(Localized()) == VarlinkErrors.internalError("the clock went backwards"))
    }

    @Test func domainErrorsBecomeTheirVarlinkError() async throws {
        #expect(try await Self.received(QueueError.printerDown(dispenser: "lobi", reason: "paper out"))
            == QueueError.printerDown(dispenser: "lobi", reason: "paper out").varlinkError)
        let config = ConfigError(issues: [
            ConfigIssue(file: "/etc/antre/antre.toml", line: 12, key: "service[1].prefix", message: "'T' already used"),
            ConfigIssue(file: "/etc/antre/antre.toml", line: 30, key: "counter[0].services", message: "unknown service 'kk'"),
        ])
        let received = try await Self.received(config)
        #expect(received == VarlinkError(name: "io.antre.Queue.ConfigInvalid", parameters: ["issues": .array([
            .string("/etc/antre/antre.toml:12: service[1].prefix: 'T' already used"),
            .string("/etc/antre/antre.toml:30: counter[0].services: unknown service 'kk'"),
        ])]))
        #expect(try await Self.received(VarlinkErrors.permissionDenied("io.antre.Queue.CallNext"))
            == VarlinkErrors.permissionDenied("io.antre.Queue.CallNext"))
        #expect(try await Self.received(MappedQuota(service: "ktp"))
            == VarlinkError(name: "io.antre.Queue.QuotaReached", parameters: ["service": .string("ktp")]))
    }

    @Test func theDaemonHearsOfEveryUnexpectedErrorInFull() async throws {
        let heard = Mutex<[String]>([])
        let dispatcher = VarlinkDispatcher(
            info: ServiceInfo(version: "0"),
            handler: StubQueue(thrown: Sensor.fault(.reading(code: 5, text: "x", nested: [:]))),
            onInternalError: { method, error in heard.withLock { $0.append("\(method) \(error)") } })
        let call = Array(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"thrown"}}"#.utf8)
        guard case let .reply(bytes) = await dispatcher.handle(call) else {
            Issue.record("expected a reply")
            return
        }
        #expect(VarlinkResponse(decoding: bytes.dropLast())?.error == VarlinkErrors.internalError("Sensor"))
        #expect(heard.withLock { $0 } == [#"io.antre.Queue.CallNext fault(AntreWireTests.WireErrorTests.Detail.reading(code: 5, text: "x", nested: [:]))"#])
        // Errors with a Varlink error of their own are answers, not faults.
        _ = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Skip","parameters":{"counter":"loket1"}}"#.utf8))
        _ = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Nope"}"#.utf8))
        #expect(heard.withLock { $0 }.count == 1)
    }

    @Test func monitorErrorsAreMappedTheSameWay() async throws {
        let dispatcher = VarlinkDispatcher(info: ServiceInfo(version: "0"), handler: StubQueue(thrown: Sensor.fault(
            .reading(code: 1, text: "", nested: [:]))))
        let outcome = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Monitor","more":true}"#.utf8))
        guard case let .reply(bytes) = outcome else {
            Issue.record("expected an error reply, got \(outcome)")
            return
        }
        #expect(VarlinkResponse(decoding: bytes.dropLast())?.error == VarlinkErrors.internalError("Sensor"))
    }
}

/// How a service layer maps its own error (see Sources/AntreDaemon/WireErrors.swift).
struct MappedQuota: Error, VarlinkErrorConvertible {
    var service: String
    var varlinkError: VarlinkError {
        VarlinkError(name: "io.antre.Queue.QuotaReached", parameters: ["service": .string(service)])
    }
}
