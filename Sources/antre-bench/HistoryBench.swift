import AntreCore
import AntreStore
import Foundation

/// `antre-bench --history`: a year of a busy office through the store, then
/// what reports cost on it and whether they slow presses down.
struct HistoryBench {
    var days: Int
    var ticketsPerDay: Int
    var work: String

    static let services = [("ktp", "T", 0.35), ("kk", "B", 0.30), ("akta-lahir", "L", 0.15),
                           ("pindah", "P", 0.10), ("sktm", "S", 0.10)]
    static let counters = ["1", "2", "3", "4", "5", "6"]
    /// Relative arrivals per half hour from 08:00 to 15:00: a morning rush, a
    /// lunch dip at 12:00, a smaller afternoon wave.
    static let curve: [Double] = [0.7, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.25, 0.3, 0.5, 0.45, 0.35, 0.2]

    func run() throws {
        let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        // Generated on tmpfs (fsync costs nothing there), then measured as a
        // file on the benchmark's disk: the generation is not what is timed.
        let shm = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : work
        let scratch = "\(shm)/antre-history-\(getpid()).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        let lastDay = LocalDay(containing: Date(), in: zone).adding(days: -1)
        let firstDay = lastDay.adding(days: -(days - 1))
        var random = SplitMix64(seed: 2026)
        let generated = ContinuousClock.now
        var tickets = 0
        do {
            let store = try QueueStore(path: scratch, timeZone: zone)
            var day = firstDay
            while day <= lastDay {
                tickets += try simulate(day, store: store, zone: zone, random: &random)
                _ = try store.rollover(now: day.adding(days: 1).start(in: zone).addingTimeInterval(6 * 3600))
                day = day.adding(days: 1)
            }
            try store.close()
        }
        let generation = ContinuousClock.now - generated
        let path = work + "/history.db"
        try FileManager.default.copyItem(atPath: scratch, toPath: path)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        let store = try QueueStore(path: path, timeZone: zone)
        let monthStart = LocalDay(year: lastDay.year, month: lastDay.month, day: 1)
        let month = try timed(5) { _ = try store.report(from: monthStart, to: lastDay) }
        let year = try timed(3) { _ = try store.report(from: firstDay, to: lastDay) }
        let report = try store.report(from: firstDay, to: lastDay)

        // Presses alone and with year reports running, in alternating rounds
        // so a noisy disk affects both alike.
        var alone: [Double] = [], during: [Double] = []
        for _ in 0..<3 {
            alone += try pressLatency(store, count: 100)
            let stop = Stop()
            let reader = Thread {
                while !stop.value { _ = try? store.report(from: firstDay, to: lastDay) }
                stop.finished()
            }
            reader.start()
            Thread.sleep(forTimeInterval: 0.2)
            during += try pressLatency(store, count: 100)
            stop.set()
            stop.waitFinished()
        }
        func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
            let sorted = samples.sorted()
            return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        }
        let pressAlone = percentiles(alone), pressDuring = percentiles(during)
        try store.close()

        let rows: [(String, String)] = [
            ("days of history", "\(days) (\(firstDay) .. \(lastDay), weekdays open)"),
            ("tickets", "\(tickets) (report: \(report.total.issued) issued, \(report.total.served) served)"),
            ("generated through QueueStore in", "\(generation.components.seconds) s in \(shm)"),
            ("database size", String(format: "%.1f MiB (%.0f bytes per ticket)", Double(size) / 1_048_576,
                                     Double(size) / Double(max(1, tickets)))),
            ("Report, month \(monthStart.description.prefix(7)) p50", String(format: "%.0f ms", month)),
            ("Report, all \(days) days p50", String(format: "%.0f ms", year)),
            ("press (QueueStore.issue) p50 / p99, alone", String(format: "%.2f / %.2f ms", pressAlone.p50, pressAlone.p99)),
            ("press p50 / p99 while year reports run", String(format: "%.2f / %.2f ms", pressDuring.p50, pressDuring.p99)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        print("antre-bench --history: a year of synthetic history, reports and presses")
        for (name, value) in rows { print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }

    /// One office day: arrivals from the curve, six counters serving all
    /// services first come first served. Returns the tickets issued.
    private func simulate(_ day: LocalDay, store: QueueStore, zone: TimeZone,
                          random: inout SplitMix64) throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let weekday = calendar.component(.weekday, from: day.start(in: zone))
        guard weekday != 1 && weekday != 7 else { return 0 }
        let friday = weekday == 6
        let open = day.start(in: zone).addingTimeInterval(8 * 3600)
        let slots = friday ? 6 : Self.curve.count
        let weights = Array(Self.curve.prefix(slots))
        // Seasonality: busier in January (new school year papers) and July.
        let season = 1 + 0.25 * cos(Double(day.month - 1) / 12 * 2 * .pi)
        let mean = Double(ticketsPerDay) * season * (friday ? 0.5 : 1.1)
        let count = max(0, Int(mean + (random.unit() - 0.5) * mean * 0.4))
        let totalWeight = weights.reduce(0, +)
        var arrivals: [(Double, Int)] = (0..<count).map { _ in
            var pick = random.unit() * totalWeight
            var slot = 0
            while slot < weights.count - 1 && pick > weights[slot] { pick -= weights[slot]; slot += 1 }
            let at = (Double(slot) + random.unit()) * 1800
            var which = random.unit(), service = 0
            while service < Self.services.count - 1 && which > Self.services[service].2 {
                which -= Self.services[service].2
                service += 1
            }
            return (at, service)
        }
        arrivals.sort { $0.0 < $1.0 }

        // A few days a year the printer runs out of paper for a while.
        if random.unit() < 0.03 {
            for index in 0..<(5 + Int(random.unit() * 15)) {
                _ = try store.recordMissedPress(dispenserID: "lobi", serviceID: Self.services[index % 5].0,
                                                reason: "paper out", now: open.addingTimeInterval(3600 + Double(index) * 30))
            }
        }

        var freeAt = Array(repeating: 0.0, count: Self.counters.count)
        var waiting = 0
        var next = 0
        let close = Double(slots) * 1800 + 1800
        while true {
            let counter = freeAt.indices.min { freeAt[$0] < freeAt[$1] } ?? 0
            if next < arrivals.count && (waiting == 0 || arrivals[next].0 <= freeAt[counter]) {
                let (at, service) = arrivals[next]
                _ = try store.issue(serviceID: Self.services[service].0, prefix: Self.services[service].1,
                                    dispenserID: "lobi", printState: .printed, now: open.addingTimeInterval(at))
                waiting += 1
                next += 1
                continue
            }
            guard waiting > 0, freeAt[counter] < close else { break }
            let t = freeAt[counter]
            let id = Self.counters[counter]
            let called = try store.callNext(counterID: id, serviceIDs: [], now: open.addingTimeInterval(t))
            waiting -= 1
            let roll = random.unit()
            if roll < 0.04 {
                _ = try store.skip(counterID: id, number: nil, now: open.addingTimeInterval(t + 60))
                freeAt[counter] = t + 90
            } else if roll < 0.06 {
                let from = Self.services.firstIndex { $0.0 == called.serviceID } ?? 0
                let to = Self.services[(from + 1) % Self.services.count].0
                _ = try store.transfer(number: called.number, toServiceID: to, now: open.addingTimeInterval(t + 120))
                waiting += 1
                freeAt[counter] = t + 150
            } else {
                // Service time: 2 to 12 minutes, most around 4-5.
                let minutes = 2 + 10 * pow(random.unit(), 2.2)
                _ = try store.finish(counterID: id, number: nil, now: open.addingTimeInterval(t + minutes * 60))
                freeAt[counter] = t + minutes * 60 + 15
            }
        }
        return count
    }

    private func timed(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }

    /// Durable issues (synchronous=FULL) on the benchmark's disk, today, in ms.
    private func pressLatency(_ store: QueueStore, count: Int) throws -> [Double] {
        var samples: [Double] = []
        for _ in 0..<count {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try store.issue(serviceID: "ktp", prefix: "T", dispenserID: "lobi", printState: .pending, now: Date())
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples
    }
}

/// Deterministic random numbers: the same history on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// The flag that stops the background reader, and its answer that it did.
// @unchecked: both flags are guarded by `condition` (the caller waits on it).
final class Stop: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false, done = false
    var value: Bool { condition.withLock { stopped } }
    func set() { condition.withLock { stopped = true } }
    func finished() { condition.withLock { done = true; condition.broadcast() } }
    /// The benchmark's main thread (not async code) waits for the reader.
    func waitFinished() { condition.withLock { while !done { condition.wait() } } }
}
