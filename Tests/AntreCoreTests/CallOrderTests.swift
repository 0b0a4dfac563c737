import Foundation
import Testing
@testable import AntreCore

/// A waiting ticket issued `minute` minutes into the morning.
private func entry(_ id: Int64, _ service: String, priority: Bool = false, minute: Double? = nil) -> QueueEntry {
    QueueEntry(id: id, serviceID: service, priority: priority,
               issuedAt: Date(timeIntervalSince1970: 1_795_831_200 + 60 * (minute ?? Double(id))))
}

/// Deterministic mix (linear congruential), so a failure repeats.
private struct Mix {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

/// One counter calling until nothing waits; returns the called entries in order.
private func callAll(_ waiting: [QueueEntry], order: CallOrder, streak start: Int = 0) -> [QueueEntry] {
    var left = waiting, streak = start, called: [QueueEntry] = []
    while let next = order.next(from: left, priorityStreak: streak) {
        called.append(next)
        left.removeAll { $0.id == next.id }
        streak = CallOrder.streak(after: next, from: streak)
    }
    return called
}

@Suite struct CallOrderTests {
    @Test func withoutPriorityTicketsTheOldestGoesFirst() {
        let order = CallOrder(priorityRatio: 2)
        let waiting = [entry(3, "kk"), entry(1, "ktp"), entry(2, "kk")]
        #expect(callAll(waiting, order: order).map(\.id) == [1, 2, 3])
        // Same issue time: the lower id (issued first) goes first.
        let tie = [entry(8, "kk", minute: 5), entry(7, "kk", minute: 5)]
        #expect(order.next(from: tie, priorityStreak: 0)?.id == 7)
        #expect(order.next(from: [], priorityStreak: 0) == nil)
    }

    @Test func priorityGoesFirstUpToTheRatioThenARegular() {
        let order = CallOrder(priorityRatio: 2)
        let waiting = [entry(1, "ktp"), entry(2, "ktp"), entry(3, "ktp", priority: true),
                       entry(4, "ktp", priority: true), entry(5, "ktp", priority: true)]
        #expect(callAll(waiting, order: order).map(\.id) == [3, 4, 1, 5, 2])
        // A counter that already called two priority tickets in a row calls a regular one now.
        #expect(order.next(from: waiting, priorityStreak: 2)?.id == 1)
        // Only priority tickets wait: the streak does not hold them back.
        #expect(order.next(from: [entry(3, "ktp", priority: true)], priorityStreak: 5)?.id == 3)
        // Ratio 1: strictly alternating while both wait.
        #expect(callAll(waiting, order: CallOrder(priorityRatio: 1)).map(\.id) == [3, 1, 4, 2, 5])
    }

    @Test(arguments: [1, 2, 3])
    func fairnessOverAHundredMixedTickets(ratio: Int) {
        var mix = Mix(state: UInt64(ratio) * 7919)
        let services = ["ktp", "kk", "pindah", "kia"]
        let waiting = (1...100).map { id in
            entry(Int64(id), services[mix.next(services.count)], priority: mix.next(10) < 4)
        }
        let order = CallOrder(priorityRatio: ratio)
        let called = callAll(waiting, order: order)

        // Every ticket is called, once.
        #expect(called.count == 100)
        #expect(Set(called.map(\.id)) == Set(waiting.map(\.id)))
        // Within each kind, oldest first.
        for kind in [true, false] {
            let ids = called.filter { $0.priority == kind }.map(\.id)
            #expect(ids == ids.sorted(), "priority \(kind)")
        }
        // Never more than `ratio` priority calls in a row while a regular ticket waits;
        // and priority first whenever the ratio allows it.
        var run = 0
        for (index, ticket) in called.enumerated() {
            let regularWaits = called[index...].contains { !$0.priority }
            let priorityWaits = called[index...].contains { $0.priority }
            if ticket.priority {
                run += 1
                if regularWaits { #expect(run <= ratio, "call \(index + 1): \(run) priority calls in a row") }
            } else {
                if priorityWaits { #expect(run == ratio, "call \(index + 1): regular called while priority could go") }
                run = 0
            }
        }
        // Regulars never starve: the k-th regular ticket is called by call k*(ratio+1) at the latest.
        for (k, position) in called.indices.filter({ !called[$0].priority }).enumerated() {
            #expect(position < (k + 1) * (ratio + 1))
        }
    }

    @Test func arrivalsDuringTheDayKeepTheRatio() {
        // Priority tickets keep arriving: regular ones still get every third call (ratio 2).
        let order = CallOrder(priorityRatio: 2)
        var waiting = (1...10).map { entry(Int64($0), "ktp") }
        var nextID: Int64 = 100, streak = 0, run = 0, regularCalls = 0
        for _ in 0..<30 {
            waiting.append(entry(nextID, "ktp", priority: true, minute: Double(nextID)))
            nextID += 1
            guard let next = order.next(from: waiting, priorityStreak: streak) else { break }
            waiting.removeAll { $0.id == next.id }
            streak = CallOrder.streak(after: next, from: streak)
            run = next.priority ? run + 1 : 0
            if !next.priority { regularCalls += 1 }
            #expect(run <= 2 || !waiting.contains { !$0.priority })
        }
        #expect(regularCalls == 10)
    }

    // MARK: ahead

    /// Loket 1 serves four services, as in the shipped config.
    static let loket1 = CallingCounter(id: "1", serviceIDs: ["ktp", "kk", "pindah", "kia"], priorityStreak: 0)

    /// Plays the counters forward (same turns as `ahead`) and returns, for each
    /// ticket, how many calls happened at its own counters before it.
    static func simulatedCalls(_ waiting: [QueueEntry], counters: [CallingCounter], order: CallOrder) -> [Int64: Int] {
        var left = waiting, streaks = counters.map(\.priorityStreak)
        var callsAt: [String: Int] = [:], before: [Int64: Int] = [:]
        while !left.isEmpty {
            var calledAny = false
            for (index, counter) in counters.enumerated() {
                guard let next = order.next(from: left.filter { counter.serves($0.serviceID) },
                                            priorityStreak: streaks[index]) else { continue }
                let own = counters.filter { $0.serves(next.serviceID) }.map(\.id)
                before[next.id] = own.reduce(0) { $0 + (callsAt[$1] ?? 0) }
                callsAt[counter.id, default: 0] += 1
                streaks[index] = CallOrder.streak(after: next, from: streaks[index])
                left.removeAll { $0.id == next.id }
                calledAny = true
            }
            if !calledAny { break }
        }
        return before
    }

    @Test func aheadCountsOtherServicesAtTheSameCounter() {
        // The case: T-102 printed "0 orang" and was called 4th, after K-001..K-003.
        let waiting = [entry(1, "kk"), entry(2, "kk"), entry(3, "kk"), entry(4, "ktp"), entry(5, "pindah")]
        let order = CallOrder(priorityRatio: 2)
        #expect(order.ahead(of: 4, waiting: waiting, counters: [Self.loket1]) == 3)
        #expect(order.ahead(of: 5, waiting: waiting, counters: [Self.loket1]) == 4)
        #expect(order.ahead(of: 1, waiting: waiting, counters: [Self.loket1]) == 0)
        // A counter that serves all services counts everything before it.
        let all = CallingCounter(id: "9", serviceIDs: [], priorityStreak: 0)
        #expect(order.ahead(of: 5, waiting: waiting + [entry(6, "sktm", minute: 0)], counters: [all]) == 5)
        // Nobody serves it, or it does not wait: no answer.
        #expect(order.ahead(of: 4, waiting: waiting, counters: [CallingCounter(id: "2", serviceIDs: ["kk"],
                                                                              priorityStreak: 0)]) == nil)
        #expect(order.ahead(of: 42, waiting: waiting, counters: [Self.loket1]) == nil)
    }

    @Test func aheadIncludesPriorityTicketsIssuedLater() {
        let waiting = [entry(1, "ktp"), entry(2, "kk"), entry(3, "kk", priority: true),
                       entry(4, "ktp", priority: true), entry(5, "kia", priority: true)]
        let order = CallOrder(priorityRatio: 2)
        // Calls: 3 (P), 4 (P), 1, 5 (P), 2.
        #expect(order.ahead(of: 1, waiting: waiting, counters: [Self.loket1]) == 2)
        #expect(order.ahead(of: 2, waiting: waiting, counters: [Self.loket1]) == 4)
        #expect(order.ahead(of: 5, waiting: waiting, counters: [Self.loket1]) == 3)
        // The counter's current streak counts: after two priority calls, a regular one first.
        var tired = Self.loket1
        tired.priorityStreak = 2
        #expect(order.ahead(of: 3, waiting: waiting, counters: [tired]) == 1)
    }

    @Test func aheadWithSeveralCountersSharingServices() {
        // Loket 1: ktp and kk; Loket 2: kk only; Loket 3: sktm only (unrelated).
        let counters = [CallingCounter(id: "1", serviceIDs: ["ktp", "kk"], priorityStreak: 0),
                        CallingCounter(id: "2", serviceIDs: ["kk"], priorityStreak: 0),
                        CallingCounter(id: "3", serviceIDs: ["sktm"], priorityStreak: 0)]
        let waiting = [entry(1, "kk"), entry(2, "kk"), entry(3, "kk"), entry(4, "ktp"), entry(5, "sktm"),
                       entry(6, "kk")]
        let order = CallOrder(priorityRatio: 2)
        // Loket 1 calls K1, Loket 2 K2, Loket 1 K3, Loket 2 K6, Loket 1 T4: two calls at Loket 1 first.
        #expect(order.ahead(of: 4, waiting: waiting, counters: counters) == 2)
        // K6 is called at both counters: Loket 2 takes it in round 2, after K1, K2 and K3.
        #expect(order.ahead(of: 6, waiting: waiting, counters: counters) == 3)
        #expect(order.ahead(of: 5, waiting: waiting, counters: counters) == 0)
        // `ahead` agrees with the calls actually played, for every ticket of a mixed run.
        var mix = Mix(state: 42)
        let services = ["ktp", "kk", "sktm"]
        let many = (1...60).map { entry(Int64($0), services[mix.next(3)], priority: mix.next(4) == 0) }
        let played = Self.simulatedCalls(many, counters: counters, order: order)
        for ticket in many {
            #expect(order.ahead(of: ticket.id, waiting: many, counters: counters) == played[ticket.id],
                    "ticket \(ticket.id)")
        }
    }
}

@Suite struct WaitEstimateTests {
    static func durations(_ minutes: [Double], counter: String = "1") -> [ServiceDuration] {
        minutes.map { ServiceDuration(counterID: counter, seconds: $0 * 60) }
    }

    @Test func hiddenUntilThreeResidentsWereServedToday() {
        #expect(WaitEstimate.estimate(ahead: 4, durations: []) == nil)
        #expect(WaitEstimate.estimate(ahead: 4, durations: Self.durations([5, 6])) == nil)
        #expect(WaitEstimate.estimate(ahead: 4, durations: Self.durations([5, 6, 7])) != nil)
    }

    @Test func rangeIsRoundedToFiveMinutes() throws {
        // Residents take 4-6 minutes; four ahead at one counter: 16-30 minutes -> 15-30.
        let estimate = try #require(WaitEstimate.estimate(ahead: 4, durations: Self.durations([4, 4, 5, 6, 6])))
        #expect(estimate == WaitEstimate(minMinutes: 15, maxMinutes: 30))
        #expect(estimate.minMinutes % 5 == 0 && estimate.maxMinutes % 5 == 0)
        // Next in line: from now to one slow resident.
        #expect(WaitEstimate.estimate(ahead: 0, durations: Self.durations([4, 4, 5, 6, 6]))
            == WaitEstimate(minMinutes: 0, maxMinutes: 10))
        // Always a range, never a single figure.
        let quick = try #require(WaitEstimate.estimate(ahead: 0, durations: Self.durations([0.1, 0.1, 0.1])))
        #expect(quick.maxMinutes > quick.minMinutes)
    }

    @Test func twoCountersAtWorkHalveTheWait() throws {
        let one = try #require(WaitEstimate.estimate(ahead: 10, durations: Self.durations([6, 6, 6, 6])))
        let two = try #require(WaitEstimate.estimate(
            ahead: 10, durations: Self.durations([6, 6], counter: "1") + Self.durations([6, 6], counter: "2")))
        #expect(one == WaitEstimate(minMinutes: 60, maxMinutes: 70))
        #expect(two == WaitEstimate(minMinutes: 30, maxMinutes: 35))
    }
}

@Suite struct TicketPriorityCodingTests {
    @Test func ticketsWrittenBeforePriorityDecodeAsRegular() throws {
        var ticket = Ticket(id: 7, number: TicketNumber(prefix: "T", sequence: 7),
                            day: LocalDay(year: 2026, month: 11, day: 28), serviceID: "ktp", issuedServiceID: "ktp",
                            state: .waiting, counterID: nil, printState: .printed, dispenserID: "lobi",
                            issuedAt: Date(timeIntervalSince1970: 1_795_831_200), calledAt: nil, finishedAt: nil,
                            callCount: 0, priority: true)
        let data = try JSONEncoder().encode(ticket)
        #expect(try JSONDecoder().decode(Ticket.self, from: data) == ticket)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["priority"] as? Bool == true)
        object["priority"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        ticket.priority = false
        #expect(try JSONDecoder().decode(Ticket.self, from: old) == ticket)
    }
}
