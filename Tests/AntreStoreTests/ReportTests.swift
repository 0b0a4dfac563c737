import AntreCore
import AntreStore
import Foundation
import GRDB
import Testing

/// The fixture day, 2026-11-28 in Jakarta, with times chosen so every figure
/// below can be worked out by hand (the expected values are literals, not
/// recomputed by the test).
///
/// ktp (T): T-001..T-010 issued 08:00, 08:03, ... 08:27 (every 3 min). T-i is
///   called at 07:57 + 5i min (wait 2i min), odd ones at counter 1, even ones at
///   counter 2, and finished after i min (T-001..T-009); T-010 is skipped.
/// kk (B): B-001 09:00, called 09:01 at 2, finished 09:04.
///   B-002 09:10, called 09:40 at 2, skipped 09:42.
///   B-003 09:20, called 09:45 at 1, transferred to ktp 09:46, called again at
///   1 09:50, finished 09:55 (counts as issued+transferred for kk, served for ktp).
///   B-004 10:30, called 10:31:30 at 2, finished 10:33.
///   B-005 10:40, never called: expired at the rollover.
/// Missed presses: kk 2 x "paper out", ktp 1 x "cover open".
func makeFixtureDay(_ s: QueueStore) throws {
    for i in 0..<10 {
        _ = try s.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .printed,
                        now: try local(8, 3 * i))
    }
    for (hour, minute) in [(9, 0), (9, 10), (9, 20), (10, 30), (10, 40)] {
        _ = try s.issue(serviceID: "kk", prefix: "B", dispenserID: "lobi", printState: .printed,
                        now: try local(hour, minute))
    }
    for i in 1...10 {
        let counter = i % 2 == 1 ? "1" : "2"
        let call = try local(7, 57).addingTimeInterval(Double(5 * i) * 60)
        let called = try s.callNext(counterID: counter, serviceIDs: ["ktp"], now: call)
        #expect(called.number.description == String(format: "T-%03d", i))
        if i == 10 {
            _ = try s.skip(counterID: counter, number: nil, now: call.addingTimeInterval(180))
        } else {
            _ = try s.finish(counterID: counter, number: nil, now: call.addingTimeInterval(Double(i) * 60))
        }
    }
    #expect(try s.callNext(counterID: "2", serviceIDs: ["kk"], now: local(9, 1)).number.description == "B-001")
    _ = try s.finish(counterID: "2", number: nil, now: local(9, 4))
    #expect(try s.callNext(counterID: "2", serviceIDs: ["kk"], now: local(9, 40)).number.description == "B-002")
    _ = try s.skip(counterID: "2", number: nil, now: local(9, 42))
    #expect(try s.callNext(counterID: "1", serviceIDs: ["kk"], now: local(9, 45)).number.description == "B-003")
    _ = try s.transfer(number: num("B-003"), toServiceID: "ktp", now: local(9, 46))
    #expect(try s.callNext(counterID: "1", serviceIDs: ["ktp"], now: local(9, 50)).number.description == "B-003")
    _ = try s.finish(counterID: "1", number: nil, now: local(9, 55))
    #expect(try s.callNext(counterID: "2", serviceIDs: ["kk"], now: local(10, 31, second: 30)).number.description == "B-004")
    _ = try s.finish(counterID: "2", number: nil, now: local(10, 33))
    _ = try s.recordMissedPress(dispenserID: "lobi", serviceID: "kk", reason: "paper out", now: local(11, 0))
    _ = try s.recordMissedPress(dispenserID: "lobi", serviceID: "kk", reason: "paper out", now: local(11, 1))
    _ = try s.recordMissedPress(dispenserID: "lobi", serviceID: "ktp", reason: "cover open", now: local(11, 2))
    #expect(try s.rollover(now: local(7, 0, day: 29)) == 1)
}

@Suite struct ReportTests {
    @Test func fixtureDayFiguresMatchTheHandComputedOnes() throws {
        let dir = try TempDir()
        let s = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        try makeFixtureDay(s)
        let report = try s.report(from: nov28, to: nov28)
        #expect(report.from == "2026-11-28" && report.to == "2026-11-28")

        #expect(report.total == ReportFigures(
            id: "", issued: 15, called: 14, served: 12, skipped: 2, expired: 1, transferred: 1, missed: 3,
            wait: DurationStats(count: 14, mean: 10050.0 / 14, median: 660, p90: 1500, max: 1800),
            service: DurationStats(count: 12, mean: 272.5, median: 270, p90: 480, max: 540)))

        let services = Dictionary(uniqueKeysWithValues: report.services.map { ($0.id, $0) })
        #expect(report.services.map(\.id) == ["kk", "ktp"])
        #expect(services["ktp"] == ReportFigures(
            id: "ktp", issued: 10, called: 10, served: 10, skipped: 1, expired: 0, transferred: 0, missed: 1,
            wait: DurationStats(count: 10, mean: 660, median: 660, p90: 1080, max: 1200),
            service: DurationStats(count: 10, mean: 300, median: 300, p90: 480, max: 540)))
        #expect(services["kk"] == ReportFigures(
            id: "kk", issued: 5, called: 4, served: 2, skipped: 1, expired: 1, transferred: 1, missed: 2,
            wait: DurationStats(count: 4, mean: 862.5, median: 795, p90: 1800, max: 1800),
            service: DurationStats(count: 2, mean: 135, median: 135, p90: 180, max: 180)))

        let counters = Dictionary(uniqueKeysWithValues: report.counters.map { ($0.id, $0) })
        #expect(counters["1"] == ReportFigures(
            id: "1", called: 6, served: 6, transferred: 1,
            wait: DurationStats(count: 6, mean: 750, median: 720, p90: 1500, max: 1500),
            service: DurationStats(count: 6, mean: 300, median: 300, p90: 540, max: 540)))
        #expect(counters["2"] == ReportFigures(
            id: "2", called: 8, served: 6, skipped: 2,
            wait: DurationStats(count: 8, mean: 693.75, median: 600, p90: 1800, max: 1800),
            service: DurationStats(count: 6, mean: 245, median: 210, p90: 480, max: 480)))

        #expect(report.missed == [MissedFigure(service: "kk", reason: "paper out", count: 2),
                                  MissedFigure(service: "ktp", reason: "cover open", count: 1)])
        #expect(report.hours.filter { $0.service == nil } == [
            HourFigures(service: nil, hour: 8, arrivals: 10, meanWait: 660),
            HourFigures(service: nil, hour: 9, arrivals: 3, meanWait: 1120),
            HourFigures(service: nil, hour: 10, arrivals: 2, meanWait: 90)])
        #expect(report.hours.filter { $0.service == "kk" }.map { [$0.hour, $0.arrivals] } == [[9, 3], [10, 2]])
        #expect(report.hours.filter { $0.service == "ktp" }.map { [$0.hour, $0.arrivals] } == [[8, 10]])
    }

    @Test func rangeOutsideTheFixtureIsEmptyAndARangeAroundItIsTheSame() throws {
        let dir = try TempDir()
        let s = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        try makeFixtureDay(s)
        let empty = try s.report(from: nov29, to: nov29.adding(days: 5))
        #expect(empty.total == ReportFigures(id: ""))
        #expect(empty.services.isEmpty && empty.hours.isEmpty && empty.missed.isEmpty)
        let around = try s.report(from: nov28.adding(days: -30), to: nov29)
        let day = try s.report(from: nov28, to: nov28)
        #expect(around.total == day.total && around.services == day.services && around.hours == day.hours)
        #expect(throws: StoreError.self) { try s.report(from: nov29, to: nov28) }
    }

    @Test func arrangedFollowsTheConfigurationAndNamesEveryService() throws {
        let dir = try TempDir()
        let s = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        try makeFixtureDay(s)
        let report = try s.report(from: nov28, to: nov28)
            .arranged(services: [("ktp", "KTP-el"), ("akta", "Akta"), ("kk", "Kartu Keluarga")],
                      counters: [("2", "Loket 2"), ("1", "Loket 1"), ("3", "Loket 3")])
        #expect(report.services.map(\.id) == ["ktp", "akta", "kk"])
        #expect(report.services.map(\.name) == ["KTP-el", "Akta", "Kartu Keluarga"])
        #expect(report.services[1] == ReportFigures(id: "akta", name: "Akta"))
        #expect(report.counters.map(\.id) == ["2", "1", "3"])
        #expect(report.hours.map(\.service) == [nil, nil, nil, "ktp", "kk", "kk"])
    }

    @Test func durationStatsUseNearestRankP90AndMiddleMeanMedian() {
        #expect(DurationStats(samples: []) == DurationStats())
        #expect(DurationStats(samples: [5]) == DurationStats(count: 1, mean: 5, median: 5, p90: 5, max: 5))
        #expect(DurationStats(samples: [4, 1, 3, 2]) == DurationStats(count: 4, mean: 2.5, median: 2.5, p90: 4, max: 4))
        let hundred = DurationStats(samples: (1...100).map(Double.init).reversed())
        #expect(hundred.p90 == 90 && hundred.median == 50.5 && hundred.max == 100)
    }
}

@Suite struct RetentionTests {
    @Test func pruneRemovesDaysBeforeTheKeptOnesWithTheirJournalAndMissedPresses() throws {
        let dir = try TempDir()
        let s = try QueueStore(path: dir.dbPath, timeZone: jakarta)
        // One ticket (with a call) and one missed press on each of nov28-10 ... nov28.
        for back in 0...10 {
            let day = try local(9, 0).addingTimeInterval(-Double(back) * 86_400)
            _ = try s.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: day)
            _ = try s.callNext(counterID: "1", serviceIDs: [], now: day.addingTimeInterval(60))
            _ = try s.finish(counterID: "1", number: nil, now: day.addingTimeInterval(120))
            _ = try s.recordMissedPress(dispenserID: "lobi", serviceID: "ktp", reason: "paper out", now: day)
        }
        let pruned = try s.pruneHistory(now: local(7, 0), keepDays: 7)
        // Kept: nov21 (28 - 7) ... nov28; removed: nov18, 19, 20.
        #expect(pruned == PruneResult(tickets: 3, events: 9, missedPresses: 3))
        #expect(try s.oldestTicketDay() == LocalDay(year: 2026, month: 11, day: 21))
        let kept = try s.report(from: LocalDay(year: 2026, month: 1, day: 1), to: nov28)
        #expect(kept.total.issued == 8 && kept.total.missed == 8 && kept.total.served == 8)
        #expect(try s.pruneHistory(now: local(7, 0), keepDays: 7) == PruneResult())
        // In batches: two tickets (with their three events each) per call, oldest first.
        #expect(try s.pruneHistory(now: local(7, 0), keepDays: 3, batch: 2) == PruneResult(tickets: 2, events: 6, missedPresses: 4))
        #expect(try s.oldestTicketDay() == LocalDay(year: 2026, month: 11, day: 23))
        #expect(try s.pruneHistory(now: local(7, 0), keepDays: 3, batch: 2) == PruneResult(tickets: 2, events: 6))
        #expect(try s.pruneHistory(now: local(7, 0), keepDays: 3, batch: 2) == PruneResult())
        #expect(try s.oldestTicketDay() == LocalDay(year: 2026, month: 11, day: 25))
        // Today's numbering is untouched.
        let next = try s.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: local(10, 0))
        #expect(next.ticket.number.description == "T-002")
    }
}
