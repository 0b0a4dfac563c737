import AntreCore
import AntreWire
import Foundation
import Testing

@Suite struct CallDecodingTests {
    private func decode(_ text: String) throws(VarlinkCallError) -> VarlinkCall {
        try VarlinkCall(decoding: Array(text.utf8))
    }

    @Test func decodesMethodParametersAndFlags() throws {
        let call = try decode(#"{"method":"io.antre.Queue.CallNext","parameters":{"counter":"loket2","services":["ktp","kk"]},"more":true}"#)
        #expect(call.method == "io.antre.Queue.CallNext")
        #expect(call.interface == "io.antre.Queue")
        #expect(call.memberName == "CallNext")
        #expect(call.parameters == ["counter": .string("loket2"), "services": .array([.string("ktp"), .string("kk")])])
        #expect(call.more)
        #expect(!call.oneway)
    }

    @Test func parametersMayBeAbsent() throws {
        let call = try decode(#"{"method":"org.varlink.service.GetInfo","oneway":true}"#)
        #expect(call.parameters.isEmpty)
        #expect(call.oneway)
    }

    @Test func rejectsMalformedCallsWithTheRightReason() {
        #expect(throws: VarlinkCallError.invalidJSON) { try decode("{\"method\":") }
        #expect(throws: VarlinkCallError.invalidJSON) { try decode("") }
        #expect(throws: VarlinkCallError.notAnObject) { try decode("[1,2]") }
        #expect(throws: VarlinkCallError.notAnObject) { try decode("\"io.antre.Queue.Status\"") }
        #expect(throws: VarlinkCallError.missingMethod) { try decode(#"{"parameters":{}}"#) }
        #expect(throws: VarlinkCallError.methodNotString) { try decode(#"{"method":42}"#) }
        #expect(throws: VarlinkCallError.methodWithoutInterface("Foo")) { try decode(#"{"method":"Foo"}"#) }
        #expect(throws: VarlinkCallError.methodWithoutInterface("io.antre.")) { try decode(#"{"method":"io.antre."}"#) }
        #expect(throws: VarlinkCallError.invalidField("parameters")) {
            try decode(#"{"method":"a.B","parameters":[1]}"#)
        }
        #expect(throws: VarlinkCallError.invalidField("more")) { try decode(#"{"method":"a.B","more":"yes"}"#) }
    }

    @Test func encodedCallIsCompactJSONWithNul() {
        let call = VarlinkCall(method: "io.antre.Queue.Monitor", more: true)
        #expect(call.encoded() == Array(#"{"method":"io.antre.Queue.Monitor","more":true}"#.utf8) + [0])
    }
}

@Suite struct ReplyEncodingTests {
    @Test func replyIsParametersObjectWithNulAndSnakeCaseKeys() throws {
        let reply = CallNextReply(ticket: Samples.ticketB12, counterName: "Loket 2")
        let bytes = try VarlinkReply.encode(reply)
        #expect(bytes.last == 0)
        let text = String(decoding: bytes.dropLast(), as: UTF8.self)
        #expect(text == #"{"parameters":{"counter_name":"Loket 2","ticket":{"call_count":1,"counter":"loket2","#
            + #""issued_at":"2026-11-28T08:05:00+07:00","number":"B-012","print_state":"printed","priority":false,"#
            + #""service":"kk","service_name":"Kartu Keluarga","state":"called"}}}"#)
        #expect(!bytes.dropLast().contains(0))
    }

    @Test func streamingReplySaysContinues() throws {
        let bytes = try VarlinkReply.encode(NoParameters(), continues: true)
        #expect(String(decoding: bytes.dropLast(), as: UTF8.self) == #"{"continues":true,"parameters":{}}"#)
    }

    @Test func errorCarriesNameAndParameters() {
        let bytes = QueueError.ticketNotFound(number: "B-099").varlinkError.encoded()
        #expect(String(decoding: bytes.dropLast(), as: UTF8.self)
            == #"{"error":"io.antre.Queue.TicketNotFound","parameters":{"number":"B-099"}}"#)
        #expect(bytes.last == 0)
    }

    @Test func responseDecodingReadsErrorsAndContinues() throws {
        let error = try #require(VarlinkResponse(decoding: Array(#"{"error":"io.antre.Queue.NothingCalled","parameters":{"counter":"loket1"}}"#.utf8)))
        #expect(error.error == VarlinkError(name: "io.antre.Queue.NothingCalled", parameters: ["counter": .string("loket1")]))
        let more = try #require(VarlinkResponse(decoding: Array(#"{"parameters":{"a":1},"continues":true}"#.utf8)))
        #expect(more.continues && more.error == nil && more.parameters == ["a": .int(1)])
        #expect(VarlinkResponse(decoding: Array("[]".utf8)) == nil)
        #expect(VarlinkResponse(decoding: Array(#"{"error":7}"#.utf8)) == nil)
    }
}

@Suite struct JSONValueTests {
    @Test func valuesRoundTripThroughText() throws {
        let text = #"{"a":null,"b":true,"c":1,"d":-2.5,"e":"x\"y","f":[false,0,"0"],"g":{"h":{}}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value == .object(["a": .null, "b": .bool(true), "c": .int(1), "d": .double(-2.5),
                                  "e": .string("x\"y"), "f": .array([.bool(false), .int(0), .string("0")]),
                                  "g": .object(["h": .object([:])])]))
        #expect(try JSONValue.parse(Array(value.compactText().utf8)) == value)
        #expect(value.compactText() == text)
    }

    @Test func prettyTextIsIndentedWithSortedKeys() {
        let value = JSONValue.object(["b": .int(1), "a": .string("/run")])
        #expect(value.prettyText() == "{\n  \"a\" : \"/run\",\n  \"b\" : 1\n}")
    }
}

@Suite struct ErrorMappingTests {
    static let all: [QueueError] = [
        .noTicketWaiting(counter: "loket1", services: ["ktp", "kk"]),
        .noTicketWaiting(counter: "loket1", services: []),
        .ticketNotFound(number: "B-012"), .serviceNotFound(service: "paspor"),
        .counterNotFound(counter: "loket9"),
        .invalidState(number: "B-012", state: .waiting, action: "finish"),
        .nothingCalled(counter: "loket1"), .notPrintable(number: "B-012", reason: "issued without dispenser"),
        .printerDown(dispenser: "lobi", reason: "paper out"),
        .storageFailed(reason: "database or disk is full"),
        .notConfirmable(number: "B-012", printState: .pending),
        .notConfirmable(number: "B-012", printState: .none),
        .notServedAtCounter(number: "B-012", service: "ktp", counter: "2"),
        .serviceClosed(service: "ktp", reason: "closed until Wednesday at 08:00"),
        .dailyQuotaReached(service: "ktp", quota: 30, reason: "daily quota of 30 reached"),
    ]

    @Test(arguments: all)
    func everyQueueErrorRoundTripsThroughItsVarlinkError(error: QueueError) throws {
        let varlink = error.varlinkError
        #expect(varlink.name.hasPrefix("io.antre.Queue."))
        // The name must be one the IDL declares.
        let errorName = String(varlink.name.dropFirst("io.antre.Queue.".count))
        #expect(QueueInterface.idl.contains("\nerror \(errorName) ("))
        // Through the wire and back.
        let response = try #require(VarlinkResponse(decoding: varlink.encoded().dropLast()))
        let received = try #require(response.error)
        #expect(QueueError(received) == error)
        #expect(received.description == error.description)
    }

    @Test func messagesForNonQueueErrors() {
        #expect(VarlinkErrors.configInvalid(["antre.toml:12: service 'kk': prefix 'T' already used"]).description
            == "configuration invalid, the running configuration is kept:\n  antre.toml:12: service 'kk': prefix 'T' already used")
        #expect(VarlinkErrors.permissionDenied("io.antre.Queue.Reload").description
            == "permission denied for io.antre.Queue.Reload")
        #expect(VarlinkErrors.internalError("disk full").description == "internal error in antred: disk full")
        #expect(VarlinkErrors.invalidParameter("counter").description == "invalid parameter 'counter'")
        #expect(VarlinkError(name: "com.example.Odd", parameters: ["x": .int(1)]).description
            == #"com.example.Odd {"x":1}"#)
        // A known name with a missing parameter does not pretend to be a QueueError.
        #expect(QueueError(VarlinkError(name: VarlinkErrors.Name.ticketNotFound)) == nil)
        #expect(QueueError(VarlinkError(name: VarlinkErrors.Name.invalidState, parameters: [
            "number": .string("B-1"), "state": .string("flying"), "action": .string("call")])) == nil)
    }
}

@Suite struct WireTimeTests {
    @Test func writesLocalTimeWithOffset() throws {
        // 2026-11-28 01:05:09 UTC is 08:05:09 in Jakarta (UTC+7, no DST).
        let date = Date(timeIntervalSince1970: 1_795_827_909)
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        #expect(WireTime.string(date, in: jakarta) == "2026-11-28T08:05:09+07:00")
        let jayapura = try #require(TimeZone(identifier: "Asia/Jayapura"))
        #expect(WireTime.string(date, in: jayapura) == "2026-11-28T10:05:09+09:00")
        #expect(WireTime.string(date, in: try #require(TimeZone(secondsFromGMT: -(3 * 3600 + 1800))))
            == "2026-11-27T21:35:09-03:30")
        #expect(WireTime.date("2026-11-28T08:05:09+07:00") == date)
        #expect(WireTime.clock("2026-11-28T08:05:09+07:00") == "08:05:09")
    }

    @Test func ticketInfoFromAStoredTicket() throws {
        let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let ticket = Ticket(id: 7, number: TicketNumber(prefix: "T", sequence: 4), day: LocalDay(year: 2026, month: 11, day: 28),
                            serviceID: "ktp", issuedServiceID: "ktp", state: .waiting, counterID: nil,
                            printState: .failed, dispenserID: "lobby", issuedAt: Date(timeIntervalSince1970: 1_795_827_909),
                            calledAt: nil, finishedAt: nil, callCount: 0)
        let info = TicketInfo(ticket, serviceName: "KTP-el", ahead: 3, timeZone: jakarta)
        let json = try JSONValue.from(info)
        #expect(json == .object(["number": .string("T-004"), "service": .string("ktp"),
                                 "service_name": .string("KTP-el"), "state": .string("waiting"),
                                 "print_state": .string("print_failed"),
                                 "issued_at": .string("2026-11-28T08:05:09+07:00"), "call_count": .int(0),
                                 "priority": .bool(false), "ahead": .int(3)]))
    }
}
