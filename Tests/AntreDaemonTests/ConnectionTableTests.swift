@testable import AntreDaemon
import Testing

/// Who gets a slot on the control socket, with instants chosen by the test.
@Suite struct ConnectionTableTests {
    typealias Table = ConnectionTable<String>
    let start = ContinuousClock.now

    func table(max: Int = 4, perUID: Int = 2, reserved: Int = 1) -> Table {
        Table(limits: .init(maxConnections: max, maxPerUID: perUID, reserved: reserved, evictAfter: .seconds(2),
                            idleTimeout: .seconds(60), writeStall: .seconds(5)))
    }

    func reader(_ uid: UInt32) -> Table.Peer { .init(uid: uid, privileged: false, exempt: false) }
    let officer = Table.Peer(uid: 1000, privileged: true, exempt: false)
    let root = Table.Peer(uid: 0, privileged: true, exempt: true)

    func admitted(_ admission: Table.Admission) -> (UInt64, String?)? {
        if case let .admitted(id, evicted) = admission { return (id, evicted) }
        return nil
    }

    @Test func oneUIDCannotTakeMoreThanItsShare() {
        let table = table()
        #expect(admitted(table.admit(reader(7), handle: "a1", now: start)) != nil)
        #expect(admitted(table.admit(reader(7), handle: "a2", now: start)) != nil)
        guard case let .refused(limit, perUID) = table.admit(reader(7), handle: "a3", now: start) else {
            Issue.record("a third connection for uid 7")
            return
        }
        #expect(limit == 2 && perUID)
        #expect(admitted(table.admit(reader(8), handle: "b1", now: start)) != nil)
        // Root is exempt from the per-uid limit.
        #expect(admitted(table.admit(root, handle: "r1", now: start)) != nil)
    }

    @Test func readersCannotTakeTheReservedSlots() {
        let table = table(max: 4, perUID: 4, reserved: 1)
        for n in 0..<3 { #expect(admitted(table.admit(reader(UInt32(10 + n)), handle: "r\(n)", now: start)) != nil) }
        guard case .refused = table.admit(reader(20), handle: "late", now: start) else {
            Issue.record("a reader took the reserved slot")
            return
        }
        #expect(admitted(table.admit(officer, handle: "officer", now: start))?.1 == nil)
    }

    @Test func whenFullTheLongestIdleConnectionMakesRoom() {
        let table = table(max: 2, perUID: 4, reserved: 0)
        let (first, _) = admitted(table.admit(reader(1), handle: "old", now: start))!
        let (second, _) = admitted(table.admit(reader(2), handle: "newer", now: start + .seconds(1)))!
        // Too fresh to be evicted: refused.
        guard case .refused = table.admit(reader(3), handle: "x", now: start + .milliseconds(1500)) else {
            Issue.record("evicted a connection idle for only a second")
            return
        }
        // Busy or streaming connections are never evicted; the idle one goes.
        table.beginRequest(second, now: start + .seconds(1))
        #expect(admitted(table.admit(reader(3), handle: "y", now: start + .seconds(5)))?.1 == "old")
        _ = first
        guard case .refused = table.admit(reader(4), handle: "z", now: start + .seconds(6)) else {
            Issue.record("evicted a connection with a request in flight")
            return
        }
    }

    @Test func sweepClosesIdleAndStalledButNotStreaming() {
        let table = table(max: 8, perUID: 8, reserved: 0)
        let (idle, _) = admitted(table.admit(reader(1), handle: "idle", now: start))!
        let (stream, _) = admitted(table.admit(reader(1), handle: "stream", now: start))!
        let (stalled, _) = admitted(table.admit(reader(2), handle: "stalled", now: start))!
        _ = idle
        table.setStreaming(stream)
        table.setStreaming(stalled)
        table.beginWrite(stalled, now: start + .seconds(50))
        let doomed = table.sweep(now: start + .seconds(61)).map { "\($0.handle) \($0.reason)" }.sorted()
        #expect(doomed == ["idle idle", "stalled writeStalled"])
        #expect(table.handles == ["stream"])
    }

    /// The sweep runs only while something can come due: an idle daemon, or one
    /// with only Monitor streams that have nothing to write, is not woken.
    @Test func sweeperRunsOnlyWhileAConnectionCanGoIdleOrAWriteIsPending() {
        let table = table(max: 8, perUID: 8, reserved: 0)
        #expect(table.releaseSweeper(pending: false), "an empty table needs no sweeper")
        let (cli, _) = admitted(table.admit(reader(1), handle: "cli", now: start))!
        #expect(table.claimSweeper())
        #expect(!table.claimSweeper(), "a second sweeper while one runs")
        #expect(!table.releaseSweeper(pending: false), "a connection that may go idle is watched")
        table.setStreaming(cli)
        #expect(!table.releaseSweeper(pending: true), "a suppressed warning still has to be summed up")
        #expect(table.releaseSweeper(pending: false), "a stream with nothing to write cannot come due")
        table.beginWrite(cli, now: start + .seconds(1))
        #expect(table.claimSweeper(), "a write starts the sweeper again")
        #expect(!table.releaseSweeper(pending: false), "a write in flight may stall")
        table.endWrite(cli, now: start + .seconds(2))
        #expect(table.releaseSweeper(pending: false))
    }
}
