import AntreCore
import Foundation
import GRDB
import Synchronization

/// The durable queue (SQLite through GRDB, WAL, synchronous=FULL). Every method
/// is one transaction; each change is committed (fsync) before it returns, and
/// appends event rows to the journal. Thread-safe: writes are serialised, so two
/// officers calling at once never get the same ticket.
///
/// Several instances (or processes) may open the same file: writes take the
/// SQLite write lock up front (`BEGIN IMMEDIATE`) and wait up to `busyTimeout`
/// for it, so they never interleave.
///
/// Rules worth knowing:
/// - Operations act on the local day of `now` in `timeZone`; numbering restarts
///   at 1 each local day and a number is never handed out twice in a day.
/// - Queue position is (issue time, id), also after a transfer.
/// - `callNext` marks the ticket still called at that counter as served
///   (officers forget `finish`); its event says "auto-finished".
/// - A failing method changes nothing: when `callNext` finds no ticket waiting,
///   the ticket called at the counter stays called.
public final class QueueStore: Sendable {
    /// The office's time zone: decides which local day `now` belongs to.
    public let timeZone: TimeZone
    /// The database file.
    public let path: String

    private let pool: DatabasePool
    private let file: DatabaseFile
    private let commits: CommitCount
    private let group: GroupCommit

    /// Opens (creating if needed) and migrates the queue database at `path`.
    /// The directory must exist.
    public init(path: String, timeZone: TimeZone, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.timeZone = timeZone
        try DatabaseFile.prepare(path)
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        config.label = "antre.queue"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StorageFailure.queueError(for: error) ?? error
        }
        // A commit must be on disk when it returns (WAL + FULL). Set after
        // opening: DatabasePool switches its writer connection to WAL with
        // synchronous=NORMAL after `prepareDatabase` runs. The writer is one
        // long-lived connection, so the setting holds for every commit.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            try Schema.migrator.migrate(pool)
        } catch {
            // Another process may have applied the same migration a moment
            // before us; a second pass sees it applied. A real failure repeats.
            try Schema.migrator.migrate(pool)
        }
        self.pool = pool
        let file = try DatabaseFile(path: path)
        self.file = file
        let commits = CommitCount()
        self.commits = commits
        // The committer thread holds what a commit needs, not the store: the
        // store going away stops it (deinit).
        self.group = GroupCommit(name: "antre.commit") { batch in
            Self.commit(batch, pool: pool, file: file, commits: commits)
        }
        DatabaseFile.restrictPermissions(path)
    }

    deinit { group.stop() }

    /// Nil while `path` still names the file this store opened; else a
    /// sentence saying it was deleted or replaced. Every commit checks it first.
    public func fileProblem() -> String? { file.problem() }

    /// Proves a commit can be written (a read-only file, directory or mount
    /// otherwise only shows at the first press). Throws `QueueError.storageFailed`.
    public func verifyWritable() throws {
        try write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
    }

    /// The local day containing `now` in the store's time zone.
    public func day(of now: Date) -> LocalDay {
        LocalDay(containing: now, in: timeZone)
    }

    /// Reads a PRAGMA on the writer connection (the one that commits tickets),
    /// e.g. `pragma("journal_mode")` -> "wal", `pragma("synchronous")` -> "2".
    public func pragma(_ name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) else {
            throw StoreError("not a pragma name: '\(name)'")
        }
        return try pool.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)") ?? ""
        }
    }

    // MARK: - Issuing

    /// Commits a new ticket for `serviceID` numbered `prefix` + next sequence of
    /// the local day. `ahead` counts the tickets the `counters` serving that
    /// service will call before it by the call order (`CallOrder`, with
    /// `priorityRatio`); without counters, today's waiting tickets of that
    /// service before it. The wait estimate needs counters and today's pace.
    /// The prefix is stored upper-cased, as officers' typed numbers are parsed.
    ///
    /// `applying`: print results of earlier tickets, written in the same
    /// transaction (one fsync for both: the spooler defers "printed" rows to
    /// ride along with the next ticket or a short timer).
    ///
    /// `admit`, when given, runs inside the same transaction before a number is
    /// taken, with a way to count today's tickets of the service (a daily
    /// quota): throwing refuses the ticket and changes nothing. Checked there,
    /// two officers issuing the last ticket of a quota at once cannot both get one.
    public func issue(serviceID: String, prefix: String, dispenserID: String?, printState: PrintState,
                      now: Date, actor: String? = nil, applying updates: [PrintStateUpdate] = [],
                      priority: Bool = false, counters: [Counter] = [],
                      priorityRatio: Int = CallOrder.defaultPriorityRatio,
                      admit: IssueAdmissionCheck? = nil) throws -> IssuedTicket {
        try write(issueChange(serviceID: serviceID, prefix: prefix, dispenserID: dispenserID, printState: printState,
                              now: now, actor: actor, updates: updates, priority: priority, counters: counters,
                              priorityRatio: priorityRatio, admit: admit))
    }

    /// The same, suspending the calling task (the socket's `antre issue`)
    /// instead of blocking a thread.
    public func issue(serviceID: String, prefix: String, dispenserID: String?, printState: PrintState,
                      now: Date, actor: String? = nil, applying updates: [PrintStateUpdate] = [],
                      priority: Bool = false, counters: [Counter] = [],
                      priorityRatio: Int = CallOrder.defaultPriorityRatio,
                      admit: IssueAdmissionCheck? = nil) async throws -> IssuedTicket {
        try await write(issueChange(serviceID: serviceID, prefix: prefix, dispenserID: dispenserID,
                                    printState: printState, now: now, actor: actor, updates: updates,
                                    priority: priority, counters: counters, priorityRatio: priorityRatio,
                                    admit: admit))
    }

    /// Checks a ticket may be issued, given a way to count today's tickets of
    /// its service; throws to refuse.
    public typealias IssueAdmissionCheck = @Sendable (_ issuedToday: () throws -> Int) throws -> Void

    private func issueChange(serviceID: String, prefix: String, dispenserID: String?, printState: PrintState,
                             now: Date, actor: String?, updates: [PrintStateUpdate], priority: Bool,
                             counters: [Counter], priorityRatio: Int,
                             admit: IssueAdmissionCheck?) throws -> @Sendable (Database) throws -> IssuedTicket {
        let prefix = prefix.uppercased()
        guard !prefix.isEmpty else { throw StoreError("service '\(serviceID)' has an empty prefix") }
        let day = day(of: now)
        return { db in
            try admit?({ try Self.issuedCount(db, serviceID: serviceID, day: day) })
            for update in updates { _ = try Self.apply(update, db) }
            // Three statements: sequence, ticket, journal. The ticket is built
            // from what was just written rather than read back.
            let sequence = try Self.nextSequence(db, day: day, prefix: prefix)
            let issuedAt = now.timeIntervalSince1970
            try db.cachedStatement(sql: """
                INSERT INTO ticket (day, service, issued_service, prefix, sequence, state, counter,
                                    print_state, dispenser, issued_at, call_count, priority)
                VALUES (?, ?, ?, ?, ?, 'waiting', NULL, ?, ?, ?, 0, ?)
                """).execute(arguments: [day.description, serviceID, serviceID, prefix, sequence,
                                         printState.rawValue, dispenserID, issuedAt, priority])
            let id = db.lastInsertedRowID
            let detail = [dispenserID.map { "dispenser \($0)" }, priority ? "priority" : nil].compactMap { $0 }
            try Self.appendEvent(db, ticketID: id, kind: .issued, serviceID: serviceID, counterID: nil,
                                 at: now, detail: detail.isEmpty ? nil : detail.joined(separator: ", "), actor: actor)
            let ticket = Ticket(id: id, number: TicketNumber(prefix: prefix, sequence: sequence), day: day,
                                serviceID: serviceID, issuedServiceID: serviceID, state: .waiting, counterID: nil,
                                printState: printState, dispenserID: dispenserID,
                                issuedAt: Date(timeIntervalSince1970: issuedAt), calledAt: nil, finishedAt: nil,
                                callCount: 0, priority: priority)
            let position = try Self.position(db, of: ticket, counters: counters, priorityRatio: priorityRatio)
            return IssuedTicket(ticket: ticket, ahead: position.ahead, waitEstimate: position.waitEstimate)
        }
    }

    /// Takes the next number of `prefix` on `day` in one statement. The counter
    /// table is the rule; MAX(sequence) (an index lookup) guards against a
    /// counter row that was lost or edited by hand.
    static func nextSequence(_ db: Database, day: LocalDay, prefix: String) throws -> Int {
        let sequence = try Int.fetchOne(db.cachedStatement(sql: """
            INSERT INTO sequence_counter (day, prefix, last)
            VALUES (?1, ?2, 1 + max(
                coalesce((SELECT last FROM sequence_counter WHERE day = ?1 AND prefix = ?2), 0),
                coalesce((SELECT MAX(sequence) FROM ticket WHERE day = ?1 AND prefix = ?2), 0)))
            ON CONFLICT (day, prefix) DO UPDATE SET last = excluded.last
            RETURNING last
            """), arguments: [day.description, prefix])
        guard let sequence else { throw StoreError("no sequence for \(prefix) on \(day)") }
        return sequence
    }

    // MARK: - Officers

    /// Calls the next waiting ticket of today among `serviceIDs` (empty = any
    /// service) to `counterID`, by the call order (`CallOrder`): the oldest
    /// priority ticket first, unless this counter already called
    /// `priorityRatio` priority tickets since its last regular call and a
    /// regular ticket waits; else the oldest regular one (by issue time, then id).
    /// The ticket still called at that counter, if any, is marked served first
    /// (event detail "auto-finished").
    /// Throws `QueueError.noTicketWaiting` and changes nothing when none waits.
    public func callNext(counterID: String, serviceIDs: [String], now: Date, actor: String? = nil,
                         priorityRatio: Int = CallOrder.defaultPriorityRatio) throws -> Ticket {
        let day = day(of: now)
        return try write { db in
            func oldest(priority: Bool) throws -> Ticket? {
                var sql = "SELECT * FROM ticket WHERE day = ? AND state = 'waiting' AND priority = ?"
                var arguments: StatementArguments = [day.description, priority]
                Self.restrict(&sql, &arguments, toServices: serviceIDs.isEmpty ? nil : serviceIDs)
                sql += " ORDER BY issued_at, id LIMIT 1"
                return try Row.fetchOne(db, sql: sql, arguments: arguments).map(Self.ticket(from:))
            }
            let order = CallOrder(priorityRatio: priorityRatio)
            let priority = try oldest(priority: true), regular = try oldest(priority: false)
            // The streak only matters when both kinds wait.
            var streak = 0
            if priority != nil && regular != nil {
                streak = try Self.priorityStreak(db, counterID: counterID, day: day, limit: order.priorityRatio)
            }
            guard let chosen = order.choose(priority: priority?.queueEntry, regular: regular?.queueEntry,
                                            priorityStreak: streak),
                  let next = [priority, regular].compactMap({ $0 }).first(where: { $0.id == chosen.id }) else {
                throw QueueError.noTicketWaiting(counter: counterID, services: serviceIDs)
            }
            return try Self.call(db, next, counterID: counterID, day: day, now: now, detail: nil, actor: actor)
        }
    }

    /// Shared by callNext and callNumber: finishes what the counter still has
    /// called ("auto-finished"), then calls `next` there.
    static func call(_ db: Database, _ next: Ticket, counterID: String, day: LocalDay, now: Date,
                     detail: String?, actor: String?) throws -> Ticket {
        for previous in try Self.calledTickets(db, counterID: counterID, day: day) {
            try db.execute(
                sql: "UPDATE ticket SET state = 'served', finished_at = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, previous.id])
            try Self.appendEvent(db, ticketID: previous.id, kind: .served, serviceID: previous.serviceID,
                                 counterID: counterID, at: now, detail: "auto-finished", actor: actor)
        }

        try db.execute(
            sql: """
                UPDATE ticket SET state = 'called', counter = ?, called_at = ?, call_count = call_count + 1
                WHERE id = ?
                """,
            arguments: [counterID, now.timeIntervalSince1970, next.id])
        try Self.appendEvent(db, ticketID: next.id, kind: .called, serviceID: next.serviceID,
                             counterID: counterID, at: now, detail: detail, actor: actor)
        return try Self.requireTicket(db, id: next.id)
    }

    /// Calls the called ticket again (call count + 1, event "recalled").
    /// For recall, skip and finish: `number` picks today's ticket of that number
    /// (it must be called, else `invalidState`; `counterID` is then ignored);
    /// otherwise the ticket called at `counterID` (none: `nothingCalled`).
    ///
    /// `recallsBeforeSkip` (`[office] recalls_before_skip`): when the ticket was
    /// already recalled that many times since it was called, this recall skips
    /// it instead (event "skipped", detail "not present after N recalls"): the
    /// returned ticket is then `.skipped`, which the caller tells the officer.
    public func recall(counterID: String?, number: TicketNumber?, now: Date, actor: String? = nil,
                       recallsBeforeSkip: Int? = nil) throws -> Ticket {
        try act(counterID: counterID, number: number, now: now, action: "recall") { db, ticket in
            if let limit = recallsBeforeSkip, try Self.recallsSinceCalled(db, ticketID: ticket.id) >= limit {
                try Self.close(db, ticket, as: .skipped, kind: .skipped, now: now,
                               detail: "not present after \(limit) recall\(limit == 1 ? "" : "s")", actor: actor)
                return
            }
            try db.execute(sql: "UPDATE ticket SET call_count = call_count + 1 WHERE id = ?",
                           arguments: [ticket.id])
            try Self.appendEvent(db, ticketID: ticket.id, kind: .recalled, serviceID: ticket.serviceID,
                                 counterID: ticket.counterID, at: now, detail: nil, actor: actor)
        }
    }

    /// The called resident did not come: called -> skipped.
    public func skip(counterID: String?, number: TicketNumber?, now: Date, actor: String? = nil) throws -> Ticket {
        try act(counterID: counterID, number: number, now: now, action: "skip") { db, ticket in
            try Self.close(db, ticket, as: .skipped, kind: .skipped, now: now, detail: nil, actor: actor)
        }
    }

    /// The resident was served: called -> served.
    public func finish(counterID: String?, number: TicketNumber?, now: Date, actor: String? = nil) throws -> Ticket {
        try act(counterID: counterID, number: number, now: now, action: "finish") { db, ticket in
            try Self.close(db, ticket, as: .served, kind: .served, now: now, detail: nil, actor: actor)
        }
    }

    /// Moves today's waiting or called ticket to `toServiceID`, waiting again. It
    /// keeps its number and its original issue time as queue position, so it goes
    /// before the target's tickets issued after it. The store does not know the
    /// configured services: the caller checks `toServiceID` exists.
    public func transfer(number: TicketNumber, toServiceID: String, now: Date, actor: String? = nil) throws -> Ticket {
        let day = day(of: now)
        return try write { db in
            let ticket = try Self.requireTicket(db, number: number, day: day)
            guard ticket.state == .waiting || ticket.state == .called else {
                throw QueueError.invalidState(number: number.description, state: ticket.state, action: "transfer")
            }
            try db.execute(
                sql: "UPDATE ticket SET service = ?, state = 'waiting', counter = NULL, called_at = NULL WHERE id = ?",
                arguments: [toServiceID, ticket.id])
            try Self.appendEvent(db, ticketID: ticket.id, kind: .transferred, serviceID: toServiceID,
                                 counterID: ticket.counterID, at: now, detail: "from \(ticket.serviceID)",
                                 actor: actor)
            return try Self.requireTicket(db, id: ticket.id)
        }
    }

    // MARK: - Printing

    /// Records what happened to the paper. `.printed`, `.failed` and
    /// `.unconfirmed` append a "printed" / "print_failed" / "print_unconfirmed"
    /// event (with `detail`, e.g. the failure reason); `.pending` and `.none`
    /// only set the field.
    public func setPrintState(ticketID: Int64, _ state: PrintState, detail: String?, now: Date,
                              actor: String? = nil) throws -> Ticket {
        try write { db in
            try Self.apply(PrintStateUpdate(ticketID: ticketID, state: state, detail: detail, at: now, actor: actor), db)
        }
    }

    /// Several print results in one transaction.
    public func applyPrintStates(_ updates: [PrintStateUpdate]) throws {
        guard !updates.isEmpty else { return }
        try write { db in
            for update in updates { _ = try Self.apply(update, db) }
        }
    }

    /// After an unclean stop: today's tickets still `pending` may or may not
    /// be on paper (most are: the "printed" row is written just after the
    /// paper). They become `unconfirmed`, shown in status for an officer to
    /// confirm or reprint; never reprinted automatically, never assumed printed.
    public func markInterruptedPrints(now: Date) throws -> [Ticket] {
        let day = day(of: now)
        return try write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM ticket WHERE day = ? AND print_state = 'pending'",
                                         arguments: [day.description])
            return try ids.map { id in
                try Self.apply(PrintStateUpdate(ticketID: id, state: .unconfirmed,
                                                detail: "antred stopped while printing: not known whether it came out",
                                                at: now, actor: "antred"), db)
            }
        }
    }

    /// An officer saw the resident's paper: today's ticket `number`, not
    /// confirmed (or failed), becomes printed (event "printed", "confirmed").
    /// Confirming a printed ticket changes nothing.
    public func confirmPrinted(number: TicketNumber, now: Date, actor: String? = nil) throws -> Ticket {
        let day = day(of: now)
        return try write { db in
            let ticket = try Self.requireTicket(db, number: number, day: day)
            switch ticket.printState {
            case .printed:
                return ticket
            case .unconfirmed, .failed:
                return try Self.apply(PrintStateUpdate(ticketID: ticket.id, state: .printed,
                                                       detail: "confirmed by an officer", at: now, actor: actor), db)
            case .pending, .none:
                throw QueueError.notConfirmable(number: number.description, printState: ticket.printState)
            }
        }
    }

    private static func apply(_ update: PrintStateUpdate, _ db: Database) throws -> Ticket {
        guard let ticket = try fetchTicket(db, id: update.ticketID) else {
            throw QueueError.ticketNotFound(number: "#\(update.ticketID)")
        }
        try db.execute(sql: "UPDATE ticket SET print_state = ? WHERE id = ?",
                       arguments: [update.state.rawValue, update.ticketID])
        let kind: QueueEvent.Kind? = switch update.state {
        case .printed: .printed
        case .failed: .printFailed
        case .unconfirmed: .printUnconfirmed
        case .pending, .none: nil
        }
        if let kind {
            try appendEvent(db, ticketID: update.ticketID, kind: kind, serviceID: ticket.serviceID,
                            counterID: ticket.counterID, at: update.at, detail: update.detail, actor: update.actor)
        }
        return try requireTicket(db, id: update.ticketID)
    }

    /// Today's ticket `number` is to be printed again: print state back to
    /// pending, event "reprint_requested". Its queue state is untouched.
    public func markReprintRequested(number: TicketNumber, now: Date, actor: String? = nil) throws -> Ticket {
        let day = day(of: now)
        return try write { db in
            let ticket = try Self.requireTicket(db, number: number, day: day)
            try db.execute(sql: "UPDATE ticket SET print_state = 'pending' WHERE id = ?", arguments: [ticket.id])
            try Self.appendEvent(db, ticketID: ticket.id, kind: .reprintRequested, serviceID: ticket.serviceID,
                                 counterID: ticket.counterID, at: now, detail: nil, actor: actor)
            return try Self.requireTicket(db, id: ticket.id)
        }
    }

    // MARK: - Day rollover

    /// Expires tickets of days before `now`'s local day that are still waiting or
    /// called (one "expired" event each). Returns how many; 0 when run again.
    public func rollover(now: Date, actor: String? = nil) throws -> Int {
        let day = day(of: now)
        return try write { db in
            let stale = try Row.fetchAll(
                db, sql: "SELECT * FROM ticket WHERE day < ? AND state IN ('waiting', 'called') ORDER BY id",
                arguments: [day.description]).map(Self.ticket(from:))
            for ticket in stale {
                try db.execute(sql: "UPDATE ticket SET state = 'expired' WHERE id = ?", arguments: [ticket.id])
                try Self.appendEvent(db, ticketID: ticket.id, kind: .expired, serviceID: ticket.serviceID,
                                     counterID: ticket.counterID, at: now,
                                     detail: "\(ticket.state.rawValue) at end of \(ticket.day)", actor: actor)
            }
            return stale.count
        }
    }

    // MARK: - Reading

    /// The ticket numbered `number` on `day`, if any.
    public func ticket(number: TicketNumber, day: LocalDay) throws -> Ticket? {
        try pool.read { db in try Self.fetchTicket(db, number: number, day: day) }
    }

    /// The ticket with this row id, if any.
    public func ticket(id: Int64) throws -> Ticket? {
        try pool.read { db in try Self.fetchTicket(db, id: id) }
    }

    /// How many tickets will be called before `ticket` now, as `issue` counts
    /// them (by the call order at the `counters` serving its service; without
    /// counters, the same service's waiting tickets before it). 0 when the
    /// ticket no longer waits.
    public func waitingAhead(of ticket: Ticket, counters: [Counter] = [],
                             priorityRatio: Int = CallOrder.defaultPriorityRatio) throws -> Int {
        try position(of: ticket, counters: counters, priorityRatio: priorityRatio).ahead
    }

    /// Tickets of the local day of `now` waiting for any of `serviceIDs` (all
    /// services when empty): what a counter still has to call.
    public func waitingCount(serviceIDs: [String], now: Date) throws -> Int {
        let day = day(of: now)
        return try pool.read { db in
            let filter = serviceIDs.isEmpty ? "" : " AND service IN (\(databaseQuestionMarks(count: serviceIDs.count)))"
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ticket WHERE day = ? AND state = 'waiting'" + filter,
                                    arguments: StatementArguments([day.description] + serviceIDs)) ?? 0
        }
    }

    /// Tickets issued on `day` for `serviceID` (where they were issued, whatever
    /// happened to them since): what a `daily_quota` counts (inside `issue`).
    static func issuedCount(_ db: Database, serviceID: String, day: LocalDay) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM ticket WHERE day = ? AND issued_service = ?"),
                         arguments: [day.description, serviceID]) ?? 0
    }

    /// Today's figures per service, called tickets, failed and unconfirmed prints.
    /// Services without a ticket today are not listed (the store does not know
    /// the configuration).
    public func snapshot(now: Date) throws -> QueueSnapshot {
        let day = day(of: now)
        return try pool.read { db in
            struct Figures {
                var waiting = 0, issued = 0, served = 0, skipped = 0, priorityWaiting = 0, priorityIssued = 0
                var last: TicketNumber?
            }
            var figures: [String: Figures] = [:]
            // Waiting/served/skipped count where the ticket is now (after transfers).
            for row in try Row.fetchAll(db, sql: """
                SELECT service,
                       SUM(state = 'waiting') AS waiting,
                       SUM(state = 'served') AS served,
                       SUM(state = 'skipped') AS skipped,
                       SUM(state = 'waiting' AND priority = 1) AS priority_waiting
                FROM ticket WHERE day = ? GROUP BY service
                """, arguments: [day.description]) {
                let service: String = try row.decode(forColumn: "service")
                figures[service, default: Figures()].waiting = try row.decode(forColumn: "waiting")
                figures[service, default: Figures()].served = try row.decode(forColumn: "served")
                figures[service, default: Figures()].skipped = try row.decode(forColumn: "skipped")
                figures[service, default: Figures()].priorityWaiting = try row.decode(forColumn: "priority_waiting")
            }
            // Issued and last number count where it was issued (its prefix).
            // SQLite takes the bare `prefix` from the row holding MAX(sequence).
            for row in try Row.fetchAll(db, sql: """
                SELECT issued_service, COUNT(*) AS issued, prefix, MAX(sequence) AS last,
                       SUM(priority) AS priority_issued
                FROM ticket WHERE day = ? GROUP BY issued_service
                """, arguments: [day.description]) {
                let service: String = try row.decode(forColumn: "issued_service")
                figures[service, default: Figures()].issued = try row.decode(forColumn: "issued")
                figures[service, default: Figures()].priorityIssued = try row.decode(forColumn: "priority_issued")
                figures[service, default: Figures()].last = TicketNumber(
                    prefix: try row.decode(forColumn: "prefix"), sequence: try row.decode(forColumn: "last"))
            }
            let lines = figures.keys.sorted().map { service in
                let f = figures[service] ?? Figures()
                return QueueSnapshot.ServiceLine(serviceID: service, waiting: f.waiting, issuedToday: f.issued,
                                                 served: f.served, skipped: f.skipped, lastNumber: f.last,
                                                 priorityWaiting: f.priorityWaiting, priorityIssued: f.priorityIssued)
            }
            let called = try Row.fetchAll(
                db, sql: "SELECT * FROM ticket WHERE day = ? AND state = 'called' ORDER BY counter, called_at, id",
                arguments: [day.description]).map(Self.ticket(from:))
            let failed = try Row.fetchAll(
                db, sql: "SELECT * FROM ticket WHERE day = ? AND print_state = 'print_failed' ORDER BY id",
                arguments: [day.description]).map(Self.ticket(from:))
            let unconfirmed = try Row.fetchAll(
                db, sql: "SELECT * FROM ticket WHERE day = ? AND print_state = 'unconfirmed' ORDER BY id",
                arguments: [day.description]).map(Self.ticket(from:))
            return QueueSnapshot(day: day, services: lines, called: called, printFailed: failed,
                                 unconfirmed: unconfirmed)
        }
    }

    /// Journal entries with id > `eventID`, oldest first, at most `limit`.
    public func events(after eventID: Int64, limit: Int) throws -> [QueueEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT event.*, ticket.prefix, ticket.sequence
                FROM event JOIN ticket ON ticket.id = event.ticket_id
                WHERE event.id > ? ORDER BY event.id LIMIT ?
                """, arguments: [eventID, max(0, limit)]).map(Self.event(from:))
        }
    }

    /// The newest journal entry's id, 0 when the journal is empty.
    public func lastEventID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM event") ?? 0 }
    }

    /// All tickets of `day` in queue order (issue time, then id).
    public func tickets(day: LocalDay) throws -> [Ticket] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ticket WHERE day = ? ORDER BY issued_at, id",
                             arguments: [day.description]).map(Self.ticket(from:))
        }
    }

    /// Closes the database: the WAL is checkpointed into the file and removed
    /// (SQLite removes it when the last connection closes, and only a writable
    /// one may: idle readers are closed first). Later calls fail.
    public func close() throws {
        group.stop()
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            // Still close: a checkpoint can fail on a full disk, the WAL then
            // stays and is replayed at the next open.
        }
        pool.releaseMemory()
        try pool.close()
        if file.problem() == nil, FileManager.default.fileExists(atPath: path + "-wal") {
            // A reader was still open: one more writable connection, alone, removes it.
            try DatabaseQueue(path: path).close()
        }
    }

    // MARK: - Internals

    /// For other files of this module (one transaction each, as below).
    func writeTransaction<T>(_ body: @escaping (Database) throws -> T) throws -> T { try write(body) }
    func readTransaction<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// One IMMEDIATE transaction: takes the write lock before reading, so two
    /// writers (threads or processes) never decide on the same snapshot.
    /// Writes from other threads that arrive while a commit is in flight share
    /// the next transaction (`GroupCommit`): one fsync for the batch, each in
    /// its own savepoint, so one failing write changes nothing and fails alone.
    /// Returns only once the commit holding this change is durable.
    ///
    /// Refuses when the file was deleted or replaced (the commit would go
    /// where nobody reads it); disk failures become `QueueError.storageFailed`.
    private func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        try group.write(body)
    }

    /// The same, suspending the calling task instead of blocking a thread.
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await group.write(body)
    }

    /// Commits `batch` as one transaction and finishes every write in it.
    private static func commit(_ batch: [PendingWrite], pool: DatabasePool, file: DatabaseFile, commits: CommitCount) {
        var errors = [Error?](repeating: nil, count: batch.count)
        do {
            if let problem = file.problem() { throw QueueError.storageFailed(reason: problem) }
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    if batch.count == 1 {
                        // Alone: no savepoint needed, a failure rolls the transaction back.
                        try batch[0].body(db)
                        return .commit
                    }
                    for (index, write) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try write.body(db)
                                return .commit
                            }
                        } catch {
                            // SQLite rolled the whole transaction back (disk full, I/O
                            // error): nothing of the batch will commit; all fail.
                            guard db.isInsideTransaction else { throw error }
                            errors[index] = error
                        }
                    }
                    return .commit
                }
            }
            commits.add()
        } catch {
            errors = [Error?](repeating: error, count: batch.count)
        }
        for (write, error) in zip(batch, errors) {
            write.finish(error.map { StorageFailure.queueError(for: $0) ?? $0 })
        }
    }

    /// Runs `body` on the writer connection outside a transaction: the one
    /// connection that surely holds the file this store opened, even after
    /// the path was deleted (a new reader would open whatever the path names now).
    func onWriterConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction(body)
    }

    /// Write transactions committed by this store since it was opened (each
    /// one fsync under synchronous=FULL): what the benchmark counts per ticket.
    public var commitCount: Int { commits.value }

    /// Shared by recall/skip/finish: resolves the called ticket, checks it is
    /// called, applies `change`, returns the updated ticket.
    private func act(counterID: String?, number: TicketNumber?, now: Date, action: String,
                     _ change: @escaping (Database, Ticket) throws -> Void) throws -> Ticket {
        let day = day(of: now)
        return try write { db in
            let ticket: Ticket
            if let number {
                ticket = try Self.requireTicket(db, number: number, day: day)
                guard ticket.state == .called else {
                    throw QueueError.invalidState(number: number.description, state: ticket.state, action: action)
                }
            } else if let counterID {
                // Newest first: normally there is at most one.
                guard let called = try Self.calledTickets(db, counterID: counterID, day: day).last else {
                    throw QueueError.nothingCalled(counter: counterID)
                }
                ticket = called
            } else {
                throw QueueError.nothingCalled(counter: "(no counter or number given)")
            }
            try change(db, ticket)
            return try Self.requireTicket(db, id: ticket.id)
        }
    }

    static func close(_ db: Database, _ ticket: Ticket, as state: TicketState, kind: QueueEvent.Kind,
                              now: Date, detail: String?, actor: String?) throws {
        try db.execute(sql: "UPDATE ticket SET state = ?, finished_at = ? WHERE id = ?",
                       arguments: [state.rawValue, now.timeIntervalSince1970, ticket.id])
        try appendEvent(db, ticketID: ticket.id, kind: kind, serviceID: ticket.serviceID,
                        counterID: ticket.counterID, at: now, detail: detail, actor: actor)
    }

    static func appendEvent(_ db: Database, ticketID: Int64, kind: QueueEvent.Kind, serviceID: String,
                                    counterID: String?, at: Date, detail: String?, actor: String?) throws {
        try db.cachedStatement(
            sql: "INSERT INTO event (ticket_id, kind, service, counter, at, detail, actor) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [ticketID, kind.rawValue, serviceID, counterID, at.timeIntervalSince1970, detail, actor])
    }

    /// Today's tickets called at `counterID`, oldest call first.
    static func calledTickets(_ db: Database, counterID: String, day: LocalDay) throws -> [Ticket] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM ticket WHERE counter = ? AND state = 'called' AND day = ? ORDER BY called_at, id",
            arguments: [counterID, day.description]).map(ticket(from:))
    }

    static func fetchTicket(_ db: Database, id: Int64) throws -> Ticket? {
        try Row.fetchOne(db, sql: "SELECT * FROM ticket WHERE id = ?", arguments: [id]).map(ticket(from:))
    }

    private static func fetchTicket(_ db: Database, number: TicketNumber, day: LocalDay) throws -> Ticket? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM ticket WHERE day = ? AND prefix = ? AND sequence = ?",
            arguments: [day.description, number.prefix.uppercased(), number.sequence]).map(ticket(from:))
    }

    static func requireTicket(_ db: Database, id: Int64) throws -> Ticket {
        guard let ticket = try fetchTicket(db, id: id) else { throw QueueError.ticketNotFound(number: "#\(id)") }
        return ticket
    }

    static func requireTicket(_ db: Database, number: TicketNumber, day: LocalDay) throws -> Ticket {
        guard let ticket = try fetchTicket(db, number: number, day: day) else {
            throw QueueError.ticketNotFound(number: number.description)
        }
        return ticket
    }

    static func ticket(from row: Row) throws -> Ticket {
        let id: Int64 = try row.decode(forColumn: "id")
        let dayText: String = try row.decode(forColumn: "day")
        let stateText: String = try row.decode(forColumn: "state")
        let printText: String = try row.decode(forColumn: "print_state")
        guard let day = LocalDay(dayText) else { throw StoreError("ticket \(id): bad day '\(dayText)'") }
        guard let state = TicketState(rawValue: stateText) else {
            throw StoreError("ticket \(id): unknown state '\(stateText)'")
        }
        guard let printState = PrintState(rawValue: printText) else {
            throw StoreError("ticket \(id): unknown print state '\(printText)'")
        }
        let calledAt: Double? = try row.decode(forColumn: "called_at")
        let finishedAt: Double? = try row.decode(forColumn: "finished_at")
        return Ticket(
            id: id,
            number: TicketNumber(prefix: try row.decode(forColumn: "prefix"),
                                 sequence: try row.decode(forColumn: "sequence")),
            day: day,
            serviceID: try row.decode(forColumn: "service"),
            issuedServiceID: try row.decode(forColumn: "issued_service"),
            state: state,
            counterID: try row.decode(forColumn: "counter"),
            printState: printState,
            dispenserID: try row.decode(forColumn: "dispenser"),
            issuedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "issued_at")),
            calledAt: calledAt.map(Date.init(timeIntervalSince1970:)),
            finishedAt: finishedAt.map(Date.init(timeIntervalSince1970:)),
            callCount: try row.decode(forColumn: "call_count"),
            priority: try row.decode(forColumn: "priority"))
    }

    private static func event(from row: Row) throws -> QueueEvent {
        let id: Int64 = try row.decode(forColumn: "id")
        let kindText: String = try row.decode(forColumn: "kind")
        guard let kind = QueueEvent.Kind(rawValue: kindText) else {
            throw StoreError("event \(id): unknown kind '\(kindText)'")
        }
        return QueueEvent(
            id: id,
            ticketID: try row.decode(forColumn: "ticket_id"),
            number: TicketNumber(prefix: try row.decode(forColumn: "prefix"),
                                 sequence: try row.decode(forColumn: "sequence")),
            kind: kind,
            serviceID: try row.decode(forColumn: "service"),
            counterID: try row.decode(forColumn: "counter"),
            at: Date(timeIntervalSince1970: try row.decode(forColumn: "at")),
            detail: try row.decode(forColumn: "detail"),
            actor: try row.decode(forColumn: "actor"))
    }
}
