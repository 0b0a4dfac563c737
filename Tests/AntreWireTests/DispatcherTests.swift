import AntreCore
import AntreWire
import Foundation
import Testing

@Suite struct DispatcherTests {
    let stub = StubQueue()
    var dispatcher: VarlinkDispatcher {
        VarlinkDispatcher(info: ServiceInfo(vendor: "Antre", product: "antred", version: "0.1.0",
                                            url: "https://example.org/antre"), handler: stub)
    }

    /// Sends `text` and returns the single reply decoded.
    private func ask(_ text: String, caller: Caller = Caller()) async throws -> VarlinkResponse {
        let outcome = await dispatcher.handle(Array(text.utf8), caller: caller)
        guard case let .reply(bytes) = outcome else {
            Issue.record("expected one reply, got \(outcome)")
            throw Boom()
        }
        #expect(bytes.last == 0)
        #expect(bytes.dropLast().contains(0) == false)
        return try #require(VarlinkResponse(decoding: bytes.dropLast()))
    }

    @Test func getInfoListsBothInterfaces() async throws {
        let reply = try await ask(#"{"method":"org.varlink.service.GetInfo"}"#)
        #expect(reply.error == nil)
        #expect(reply.parameters == [
            "vendor": .string("Antre"), "product": .string("antred"), "version": .string("0.1.0"),
            "url": .string("https://example.org/antre"),
            "interfaces": .array([.string("org.varlink.service"), .string("io.antre.Queue")]),
        ])
    }

    @Test func getInterfaceDescriptionReturnsTheIDL() async throws {
        let queue = try await ask(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.antre.Queue"}}"#)
        #expect(queue.parameters["description"] == .string(QueueInterface.idl))
        let service = try await ask(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.varlink.service"}}"#)
        #expect(service.parameters["description"]?.stringValue?.contains("method GetInfo() -> (") == true)
        let unknown = try await ask(#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"com.example.Nope"}}"#)
        #expect(unknown.error == VarlinkErrors.interfaceNotFound("com.example.Nope"))
    }

    @Test func unknownInterfaceAndMethod() async throws {
        let interface = try await ask(#"{"method":"com.example.Nope.Do"}"#)
        #expect(interface.error == VarlinkError(name: "org.varlink.service.InterfaceNotFound",
                                                parameters: ["interface": .string("com.example.Nope")]))
        let method = try await ask(#"{"method":"io.antre.Queue.Explode"}"#)
        #expect(method.error == VarlinkError(name: "org.varlink.service.MethodNotFound",
                                             parameters: ["method": .string("io.antre.Queue.Explode")]))
        let serviceMethod = try await ask(#"{"method":"org.varlink.service.Shutdown"}"#)
        #expect(serviceMethod.error?.name == "org.varlink.service.MethodNotFound")
        let bare = try await ask(#"{"method":"CallNext"}"#)
        #expect(bare.error == VarlinkErrors.methodNotFound("CallNext"))
        #expect(stub.calls.withLock { $0 }.isEmpty)
    }

    @Test func missingOrIllTypedParameterIsInvalidParameterNamingIt() async throws {
        let missing = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{}}"#)
        #expect(missing.error == VarlinkError(name: "org.varlink.service.InvalidParameter",
                                              parameters: ["parameter": .string("counter")]))
        let wrongType = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":2}}"#)
        #expect(wrongType.error == VarlinkErrors.invalidParameter("counter"))
        let wrongElement = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"x","services":["ktp",3]}}"#)
        #expect(wrongElement.error == VarlinkErrors.invalidParameter("services"))
        let transfer = try await ask(#"{"method":"io.antre.Queue.Transfer","parameters":{"number":"B-012"}}"#)
        #expect(transfer.error == VarlinkErrors.invalidParameter("service"))
        let notObject = try await ask("[1]")
        #expect(notObject.error == VarlinkErrors.invalidParameter("method"))
        #expect(stub.calls.withLock { $0 }.isEmpty)
    }

    @Test func routesParametersAndCallerToTheHandler() async throws {
        let caller = Caller(uid: 1000, gid: 998, pid: 4242)
        let reply = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"loket2","services":["kk"]}}"#,
                                  caller: caller)
        #expect(try JSONValue.object(reply.parameters).decode(as: CallNextReply.self)
            == CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2", waiting: 4))
        #expect(reply.parameters["counter_name"] == .string("Loket 2"))
        #expect(stub.calls.withLock { $0 } == ["callNext loket2 [\"kk\"]"])
        #expect(stub.callers.withLock { $0 } == [caller])

        let issue = try await ask(#"{"method":"io.antre.Queue.Issue","parameters":{"service":"ktp","dispenser":"lobby"}}"#)
        #expect(issue.parameters["ahead"] == .int(3))
        #expect(issue.parameters["printed"] == .bool(true))
        let status = try await ask(#"{"method":"io.antre.Queue.Status"}"#)
        #expect(try JSONValue.object(status.parameters).decode(as: StatusReply.self) == Samples.status)
        #expect(status.parameters["print_failed"] != nil)
        #expect(stub.calls.withLock { $0 }.suffix(2) == ["issue ktp lobby", "status"])
    }

    @Test func handlerErrorsBecomeVarlinkErrors() async throws {
        let queue = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"loket1","services":["ktp"]}}"#)
        #expect(queue.error == VarlinkError(name: "io.antre.Queue.NoTicketWaiting", parameters: [
            "counter": .string("loket1"), "services": .array([.string("ktp")])]))
        let varlink = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"denied"}}"#)
        #expect(varlink.error == VarlinkError(name: "io.antre.Queue.PermissionDenied",
                                              parameters: ["method": .string("io.antre.Queue.CallNext")]))
        let other = try await ask(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"boom"}}"#)
        #expect(other.error == VarlinkError(name: "io.antre.Queue.InternalError",
                                            parameters: ["message": .string("database is locked")]))
        let reload = try await ask(#"{"method":"io.antre.Queue.Reload"}"#)
        #expect(reload.error == VarlinkErrors.configInvalid(["antre.toml:3: service[0].name: missing"]))
        let confirm = try await ask(#"{"method":"io.antre.Queue.ConfirmPrinted","parameters":{"number":"T-005"}}"#)
        #expect(confirm.error == VarlinkError(name: "io.antre.Queue.NotConfirmable", parameters: [
            "number": .string("T-005"), "print_state": .string("pending")]))
        let confirmed = try await ask(#"{"method":"io.antre.Queue.ConfirmPrinted","parameters":{"number":"T-004"}}"#)
        #expect(confirmed.error == nil)
        #expect(stub.calls.withLock { $0 }.suffix(2) == ["confirm T-005", "confirm T-004"])
    }

    @Test func onewayRunsTheCallAndAnswersNothing() async throws {
        let outcome = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Reprint","parameters":{"number":"T-004"},"oneway":true}"#.utf8))
        guard case .none = outcome else {
            Issue.record("expected no reply, got \(outcome)")
            return
        }
        #expect(stub.calls.withLock { $0 } == ["reprint T-004"])
    }

    @Test func invalidJSONClosesTheConnection() async {
        for garbage in ["hello", "{\"method\":", "\u{1}\u{2}"] {
            let outcome = await dispatcher.handle(Array(garbage.utf8))
            guard case .close = outcome else {
                Issue.record("expected close for \(garbage), got \(outcome)")
                continue
            }
        }
    }

    @Test func upgradeIsRefusedNotIgnored() async throws {
        let reply = try await ask(#"{"method":"io.antre.Queue.Status","upgrade":true}"#)
        #expect(reply.error == VarlinkErrors.invalidParameter("upgrade"))
        #expect(stub.calls.withLock { $0 }.isEmpty)
        let wrongType = try await ask(#"{"method":"io.antre.Queue.Status","upgrade":1}"#)
        #expect(wrongType.error == VarlinkErrors.invalidParameter("upgrade"))
    }

    @Test func monitorWithoutMoreIsExpectedMore() async throws {
        let reply = try await ask(#"{"method":"io.antre.Queue.Monitor"}"#)
        #expect(reply.error == VarlinkError(name: "org.varlink.service.ExpectedMore"))
        #expect(stub.calls.withLock { $0 }.isEmpty)
    }

    @Test func monitorStreamsEventsWithContinues() async throws {
        let outcome = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Monitor","more":true}"#.utf8))
        guard case let .stream(stream) = outcome else {
            Issue.record("expected a stream, got \(outcome)")
            return
        }
        var events: [QueueEventInfo] = []
        for await bytes in stream {
            #expect(bytes.last == 0)
            let response = try #require(VarlinkResponse(decoding: bytes.dropLast()))
            #expect(response.continues)
            events.append(try JSONValue.object(response.parameters).decode(as: MonitorReply.self).event)
        }
        #expect(events == [Samples.event(1), Samples.event(2), Samples.event(3)])
    }

    @Test func aFeedThatEndsWithAnErrorSendsItLastWithoutContinues() async throws {
        let feed = StubFeed(events: [Samples.event(1)], endless: false, onCancel: {},
                            endError: VarlinkErrors.monitorTooSlow(limit: 512))
        var replies: [VarlinkResponse] = []
        for await bytes in VarlinkReplyStream(feed: feed) {
            replies.append(try #require(VarlinkResponse(decoding: bytes.dropLast())))
        }
        #expect(replies.map(\.continues) == [true, false])
        #expect(replies.last?.error == VarlinkErrors.monitorTooSlow(limit: 512))
        #expect(replies.last?.error?.description == "antred dropped this monitor: it fell more than 512 events behind")
    }

    @Test func droppingTheMonitorStreamStopsTheEventSource() async throws {
        let endless = StubQueue(endlessMonitor: true)
        let dispatcher = VarlinkDispatcher(info: ServiceInfo(version: "0"), handler: endless)
        let outcome = await dispatcher.handle(Array(#"{"method":"io.antre.Queue.Monitor","more":true}"#.utf8))
        guard case let .stream(stream) = outcome else {
            Issue.record("expected a stream, got \(outcome)")
            return
        }
        let consumer = Task {
            var count = 0
            for await _ in stream { count += 1 }
            return count
        }
        // Wait until the three queued events went through, then hang up.
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        #expect(await consumer.value == 3)
        let deadline = ContinuousClock.now + .seconds(2)
        while !endless.monitorTerminated.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(endless.monitorTerminated.withLock { $0 })
    }
}
