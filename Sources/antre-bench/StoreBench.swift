import AntreStore
import ArgumentParser
import Foundation

/// `QueueStore.issue` alone against a bare one-INSERT commit (WAL, FULL), both
/// on the same disk in the same run: what the commit path adds to the fsync.
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "QueueStore.issue against a bare WAL+FULL one-INSERT commit on the same disk.")

    @Option(help: "Commits of each kind.")
    var count = 500

    @Option(help: "Directory on the disk to measure (default: the temp dir).")
    var directory: String?

    func run() throws {
        let work = try directory ?? makeTemporaryDirectory()
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: work) } }
        // Interleaved rounds so both see the same disk weather.
        var floor: [Double] = [], issue: [Double] = []
        for _ in 0..<5 {
            floor += try CommitFloor.measure(path: work + "/floor.db", count: count / 5)
            let store = try measureStoreCommits(in: work, count: count / 5)
            issue += store.samples
        }
        let f = Latencies(floor), i = Latencies(issue)
        print("antre-bench store: \(count) commits each in \(work)")
        print(String(format: "bare one-INSERT commit p50 / p99   %.3f / %.3f ms", f.p50, f.p99))
        print(String(format: "QueueStore.issue p50 / p99         %.3f / %.3f ms", i.p50, i.p99))
        print(String(format: "issue - floor p50 / p99            %.3f / %.3f ms", i.p50 - f.p50, i.p99 - f.p99))
    }
}
