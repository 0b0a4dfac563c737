import AntreStore
import ArgumentParser
import Foundation
import Synchronization

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
        var floor: [Double] = [], issue: [Double] = [], handedOver: [Double] = []
        for _ in 0..<5 {
            floor += try CommitFloor.measure(path: work + "/floor.db", count: count / 5)
            let store = try measureStoreCommits(in: work, count: count / 5)
            issue += store.samples
            handedOver += try measureAsyncStoreCommits(in: work, count: count / 5)
        }
        let f = Latencies(floor), i = Latencies(issue), a = Latencies(handedOver)
        print("antre-bench store: \(count) commits each in \(work)")
        print(String(format: "bare one-INSERT commit p50 / p99   %.3f / %.3f ms", f.p50, f.p99))
        print(String(format: "QueueStore.issue p50 / p99         %.3f / %.3f ms", i.p50, i.p99))
        print(String(format: "issue - floor p50 / p99            %.3f / %.3f ms", i.p50 - f.p50, i.p99 - f.p99))
        print(String(format: "the same from async code p50 / p99 %.3f / %.3f ms (the committer thread commits for it)",
                     a.p50, a.p99))
    }
}

/// `QueueStore.issue` awaited from a task, as the socket's `antre issue` does:
/// the write is handed to the store's committer thread and the task resumed
/// after the commit (two thread hand-offs the blocking path does not pay).
func measureAsyncStoreCommits(in directory: String, count: Int) throws -> [Double] {
    let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    let path = directory + "/store-async-probe.db"
    let store = try QueueStore(path: path, timeZone: zone)
    defer {
        try? store.close()
        for file in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
    }
    let result = Mutex<Result<[Double], any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            var samples: [Double] = []
            for _ in 0..<max(1, count) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await store.issue(serviceID: "ktp", prefix: "T", dispenserID: nil, printState: .none, now: Date())
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            result.withLock { $0 = .success(samples) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    // The benchmark's main thread, not the cooperative pool, waits here.
    done.wait()
    return try result.withLock { $0 }?.get() ?? []
}
