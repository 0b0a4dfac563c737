import Foundation

/// How long one resident took at a counter today (call to finish).
public struct ServiceDuration: Sendable, Equatable {
    public var counterID: String
    public var seconds: TimeInterval

    public init(counterID: String, seconds: TimeInterval) {
        self.counterID = counterID
        self.seconds = seconds
    }
}

/// A waiting-time range printed on the ticket ("Perkiraan tunggu: 10-20 menit"):
/// whole minutes, multiples of 5, `maxMinutes > minMinutes`. A range, never a
/// single figure: it is a guess from today's pace, not a promise.
public struct WaitEstimate: Sendable, Equatable {
    public var minMinutes: Int
    public var maxMinutes: Int

    public init(minMinutes: Int, maxMinutes: Int) {
        self.minMinutes = minMinutes
        self.maxMinutes = maxMinutes
    }

    /// Below this many finished residents today the pace is a guess: no estimate.
    public static let minimumSamples = 3
    static let step = 5

    /// The range for a resident with `ahead` tickets to be called before them at
    /// counters whose finished residents today took `durations`. The counters
    /// that finished someone today share the work; the quick quarter and the
    /// slow quarter of today's durations bound the range (plus the resident
    /// being served now for the upper end). Nil until `minimumSamples` finished.
    public static func estimate(ahead: Int, durations: [ServiceDuration]) -> WaitEstimate? {
        let seconds = durations.map(\.seconds).filter { $0.isFinite && $0 >= 0 }.sorted()
        guard seconds.count >= minimumSamples, ahead >= 0 else { return nil }
        let counters = Double(max(1, Set(durations.map(\.counterID)).count))
        let quick = quantile(seconds, 0.25), slow = quantile(seconds, 0.75)
        let low = Double(ahead) * quick / counters / 60
        let high = Double(ahead + 1) * slow / counters / 60
        let step = Double(Self.step)
        let minMinutes = Int((low / step).rounded(.down)) * Self.step
        let maxMinutes = max(minMinutes + Self.step, Int((high / step).rounded(.up)) * Self.step)
        return WaitEstimate(minMinutes: minMinutes, maxMinutes: maxMinutes)
    }

    /// Linear interpolation between the two nearest ranks of sorted `values`.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard let first = values.first else { return 0 }
        guard values.count > 1 else { return first }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }
}
