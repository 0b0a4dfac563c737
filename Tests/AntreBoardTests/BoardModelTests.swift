import AntreCore
import AntreWire
import Foundation
import Testing
@testable import AntreBoard

/// Event -> board rules, without sockets: what the TV shows after Status and Monitor events.
struct BoardModelTests {
    static func ticket(_ number: String, service: String = "ktp", state: TicketState = .called,
                       counter: String? = "1", calledAt: String? = "2026-11-30T09:00:00+07:00",
                       callCount: Int = 1) -> TicketInfo {
        TicketInfo(number: number, service: service, serviceName: service == "ktp" ? "KTP-el" : "Kartu Keluarga",
                   state: state, counter: counter, printState: .printed, issuedAt: "2026-11-30T08:00:00+07:00",
                   calledAt: calledAt, callCount: callCount)
    }

    static func status(day: String = "2026-11-30", waiting: (ktp: Int, kk: Int) = (3, 1),
                       current: [String: TicketInfo] = [:]) -> StatusReply {
        StatusReply(day: day, office: "Kantor Desa Sukamaju",
                    services: [ServiceStatus(service: "ktp", name: "KTP-el", prefix: "T", waiting: waiting.ktp,
                                             issued: 9, served: 2, skipped: 0),
                               ServiceStatus(service: "kk", name: "Kartu Keluarga", prefix: "K", waiting: waiting.kk,
                                             issued: 2, served: 0, skipped: 0)],
                    counters: [CounterStatus(counter: "1", name: "Loket 1", current: current["1"]),
                               CounterStatus(counter: "2", name: "Loket 2", current: current["2"])],
                    printers: [], printFailed: [])
    }

    static func called(_ number: String, counter: String = "1", kind: String = "called", callCount: Int = 1,
                       service: String = "ktp") -> QueueEventInfo {
        QueueEventInfo(kind: kind, at: "2026-11-30T09:05:00+07:00", number: number, service: service,
                       counter: counter, counterName: "Loket \(counter)",
                       ticket: ticket(number, service: service, counter: counter, callCount: callCount))
    }

    static func model(services: [String] = [], counters: [String] = [], history: Int = 7) -> BoardModel {
        BoardModel(settings: .init(office: "Kantor Desa Sukamaju", runningText: "Selamat datang",
                                   timeZone: "Asia/Jakarta", services: services, counters: counters,
                                   historySize: history))
    }

    @Test func startsReconnectingUntilAntredAnswers() {
        var model = Self.model()
        #expect(model.view.connection == "reconnecting")
        model.apply(status: Self.status())
        #expect(model.view.connection == "connected")
        #expect(model.view.services.map(\.waiting) == [3, 1])
        #expect(model.view.title == "Kantor Desa Sukamaju")
        model.disconnected("antred is not running")
        #expect(model.view.connection == "reconnecting" && model.view.connectionDetail == "antred is not running")
        // What was on screen stays while antred is away.
        #expect(model.view.services.count == 2)
    }

    @Test func aCallGoesOnTopAndOlderCallsMoveDown() throws {
        var model = Self.model()
        model.apply(status: Self.status())
        let firstApplied = model.apply(event: Self.called("T-001"))
        let first = try #require(firstApplied)
        let secondApplied = model.apply(event: Self.called("K-001", counter: "2", service: "kk"))
        let second = try #require(secondApplied)
        #expect(second.sequence > first.sequence)
        #expect(model.view.calls.map(\.number) == ["K-001", "T-001"])
        #expect(model.view.calls[0].counterName == "Loket 2" && model.view.calls[0].serviceName == "Kartu Keluarga")
        #expect(model.view.counters.first { $0.counter == "2" }?.current == "K-001")
    }

    @Test func aRecallShowsAgainOnTopWithANewSequence() throws {
        var model = Self.model()
        model.apply(status: Self.status())
        let callApplied = model.apply(event: Self.called("T-001"))
        let call = try #require(callApplied)
        _ = model.apply(event: Self.called("T-002", counter: "2"))
        let recallApplied = model.apply(event: Self.called("T-001", kind: "recalled", callCount: 2))
        let recall = try #require(recallApplied)
        #expect(recall.recall && recall.sequence > call.sequence)
        #expect(model.view.calls.map(\.number) == ["T-001", "T-002"])  // listed once
    }

    @Test func otherEventsChangeNoCall() {
        var model = Self.model()
        model.apply(status: Self.status())
        for kind in ["issued", "served", "skipped", "printed", "transferred", "printer", "reloaded"] {
            #expect(model.apply(event: QueueEventInfo(kind: kind, at: "2026-11-30T09:00:00+07:00", number: "T-003")) == nil)
        }
        #expect(model.view.calls.isEmpty)
        #expect(BoardModel.changesCounts("issued") && BoardModel.changesCounts("served") && !BoardModel.changesCounts("printed"))
    }

    @Test func historyIsBounded() {
        var model = Self.model(history: 4)
        for sequence in 1...50 { _ = model.apply(event: Self.called(String(format: "T-%03d", sequence))) }
        #expect(model.view.calls.map(\.number) == ["T-050", "T-049", "T-048", "T-047"])
    }

    @Test func boardFiltersCountersAndServices() {
        var model = Self.model(services: ["kk"], counters: ["2"])
        model.apply(status: Self.status())
        #expect(model.view.services.map(\.service) == ["kk"])
        #expect(model.view.counters.map(\.counter) == ["2"])
        #expect(model.apply(event: Self.called("T-001", counter: "1")) == nil)
        #expect(model.apply(event: Self.called("T-002", counter: "2")) != nil)
        #expect(model.view.calls.map(\.number) == ["T-002"])
        // A service not shown in the waiting counts still has its name on a call.
        let bare = model.apply(event: QueueEventInfo(kind: "called", at: "2026-11-30T09:06:00+07:00", number: "T-003",
                                                     service: "ktp", counter: "2", counterName: "Loket 2"))
        #expect(bare?.serviceName == "KTP-el")
    }

    @Test func callsMadeWhileAwayAreListedFromStatusOnce() {
        var model = Self.model()
        model.apply(status: Self.status())
        _ = model.apply(event: Self.called("T-001"))
        model.disconnected("antred closed the connection")
        // While away, counter 2 called K-004 and counter 1 still has T-001.
        let status = Self.status(current: ["1": Self.ticket("T-001"),
                                           "2": Self.ticket("K-004", service: "kk", counter: "2",
                                                            calledAt: "2026-11-30T09:10:00+07:00")])
        let added = model.apply(status: status)
        #expect(added.map(\.number) == ["K-004"])
        #expect(model.view.calls.map(\.number) == ["K-004", "T-001"])
        #expect(model.apply(status: status).isEmpty)  // the next Status adds nothing
    }

    @Test func aStatusAfterACallWhoseEventLacksTheTicketAddsNoDuplicate() {
        var model = Self.model()
        model.apply(status: Self.status())
        let bare = QueueEventInfo(kind: "called", at: "2026-11-30T09:05:00+07:00", number: "T-001", service: "ktp",
                                  counter: "1", counterName: "Loket 1")
        let call = model.apply(event: bare)
        #expect(call?.sequence == 1)
        #expect(model.apply(status: Self.status(current: ["1": Self.ticket("T-001")])).isEmpty)
        #expect(model.view.calls.map(\.sequence) == [1])
        // A recall while the board was away is listed again from Status.
        model.disconnected("away")
        let added = model.apply(status: Self.status(current: ["1": Self.ticket("T-001", callCount: 2)]))
        #expect(added.map(\.number) == ["T-001"] && added.first?.recall == true)
    }

    @Test func aNewDayStartsBlank() {
        var model = Self.model()
        model.apply(status: Self.status())
        _ = model.apply(event: Self.called("T-001"))
        model.apply(status: Self.status(day: "2026-12-01", waiting: (0, 0)))
        #expect(model.view.calls.isEmpty && model.view.day == "2026-12-01")
    }
}

/// The hub: what pages receive, and that a page that stops reading is dropped.
struct BoardHubTests {
    static func next(_ iterator: inout AsyncStream<String>.Iterator) async -> String? { await iterator.next() }

    @Test func aPageGetsTheBoardThenACallThenTheAudio() async throws {
        let hub = BoardHub(model: BoardModelTests.model())
        var page = hub.subscribe().makeAsyncIterator()
        let first = try #require(await Self.next(&page))
        #expect(first.hasPrefix("event: board\ndata: {") && first.contains("\"connection\":\"reconnecting\""))
        hub.apply(.status(BoardModelTests.status()))
        #expect(try #require(await Self.next(&page)).contains("\"connection\":\"connected\""))
        let callOuts = hub.apply(.event(BoardModelTests.called("T-007")))
        #expect(callOuts.map(\.call.number) == ["T-007"])
        #expect(try #require(await Self.next(&page)).hasPrefix("event: queue\n"))
        let call = try #require(await Self.next(&page))
        #expect(call.hasPrefix("event: call\n") && call.contains("\"number\":\"T-007\""))
        #expect(try #require(await Self.next(&page)).hasPrefix("event: board\n"))
        hub.announce(callOuts[0].call, audioURL: "/audio/abc.wav")
        let announce = try #require(await Self.next(&page))
        #expect(announce.hasPrefix("event: announce\n") && announce.contains("\"audio\":\"/audio/abc.wav\""))
    }

    @Test func aPageThatDoesNotReadIsDroppedAndOthersKeepGoing() async throws {
        let hub = BoardHub(model: BoardModelTests.model(), clientBuffer: 8)
        let stalled = hub.subscribe()
        var reader = hub.subscribe().makeAsyncIterator()
        #expect(hub.subscriberCount == 2)
        for sequence in 1...20 {
            _ = await Self.next(&reader)
            hub.apply(.disconnected("antred away \(sequence)"))
        }
        #expect(hub.subscriberCount == 1)
        // The stalled page's stream ends after what it buffered: it reconnects for a fresh board.
        var received = 0
        for await _ in stalled { received += 1 }
        #expect(received == 8)
        #expect(try #require(await Self.next(&reader)).contains("antred away"))
    }

    @Test func eventsAreValidServerSentEvents() {
        let event = ServerSentEvent(name: "board", data: "{\"a\":1}\n{\"b\":2}")
        #expect(event.text == "event: board\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n")
    }
}
