import GRDB

/// The schema, one migration per change; never edit a shipped migration.
///
/// Times are REAL seconds since 1970 (UTC), days are "YYYY-MM-DD" text in the
/// office's time zone, so comparing days as text orders them.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE ticket (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    day TEXT NOT NULL,
                    service TEXT NOT NULL,
                    issued_service TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    sequence INTEGER NOT NULL CHECK (sequence > 0),
                    state TEXT NOT NULL
                        CHECK (state IN ('waiting', 'called', 'served', 'skipped', 'expired')),
                    counter TEXT,
                    print_state TEXT NOT NULL
                        CHECK (print_state IN ('pending', 'printed', 'print_failed', 'none')),
                    dispenser TEXT,
                    issued_at REAL NOT NULL,
                    called_at REAL,
                    finished_at REAL,
                    call_count INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (day, prefix, sequence)
                );
                -- callNext / ahead: today's waiting tickets of some services in queue order.
                CREATE INDEX ticket_queue ON ticket (day, state, service, issued_at, id);
                -- "the ticket called at counter X".
                CREATE INDEX ticket_counter ON ticket (counter, state, day);

                -- Last sequence handed out per day and prefix: survives deleted rows,
                -- so a number is never issued twice in a day.
                CREATE TABLE sequence_counter (
                    day TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (day, prefix)
                ) WITHOUT ROWID;

                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_id INTEGER NOT NULL REFERENCES ticket (id),
                    kind TEXT NOT NULL,
                    service TEXT NOT NULL,
                    counter TEXT,
                    at REAL NOT NULL,
                    detail TEXT,
                    actor TEXT
                );
                CREATE INDEX event_ticket ON event (ticket_id);
                """)
        }
        // Presses that did not become a ticket (printer down...): counted per day
        // so officers see them, never silently lost.
        migrator.registerMigration("v2-missed-press") { db in
            try db.execute(sql: """
                CREATE TABLE missed_press (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    day TEXT NOT NULL,
                    at REAL NOT NULL,
                    dispenser TEXT NOT NULL,
                    service TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX missed_press_day ON missed_press (day, dispenser);
                """)
        }
        // A ticket whose printing was interrupted by a crash is "unconfirmed",
        // not print_failed: most of them did come out. SQLite cannot alter a
        // CHECK constraint, so the table is rebuilt (GRDB defers foreign-key
        // checks to the end of the migration, as SQLite's procedure requires).
        migrator.registerMigration("v3-print-unconfirmed") { db in
            try db.execute(sql: """
                CREATE TABLE ticket_v3 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    day TEXT NOT NULL,
                    service TEXT NOT NULL,
                    issued_service TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    sequence INTEGER NOT NULL CHECK (sequence > 0),
                    state TEXT NOT NULL
                        CHECK (state IN ('waiting', 'called', 'served', 'skipped', 'expired')),
                    counter TEXT,
                    print_state TEXT NOT NULL
                        CHECK (print_state IN ('pending', 'printed', 'print_failed', 'unconfirmed', 'none')),
                    dispenser TEXT,
                    issued_at REAL NOT NULL,
                    called_at REAL,
                    finished_at REAL,
                    call_count INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (day, prefix, sequence)
                );
                INSERT INTO ticket_v3 (id, day, service, issued_service, prefix, sequence, state, counter,
                                       print_state, dispenser, issued_at, called_at, finished_at, call_count)
                SELECT id, day, service, issued_service, prefix, sequence, state, counter,
                       print_state, dispenser, issued_at, called_at, finished_at, call_count FROM ticket;
                DROP TABLE ticket;
                ALTER TABLE ticket_v3 RENAME TO ticket;
                CREATE INDEX ticket_queue ON ticket (day, state, service, issued_at, id);
                CREATE INDEX ticket_counter ON ticket (counter, state, day);
                """)
        }
        // Reports and pruning: a ticket's first call is found by (ticket, kind)
        // without reading its other events; the old (ticket_id) index is a
        // prefix of the new one. Missed presses are read by day range.
        migrator.registerMigration("v4-report") { db in
            try db.execute(sql: """
                CREATE INDEX event_ticket_kind ON event (ticket_id, kind, at);
                DROP INDEX event_ticket;
                CREATE INDEX missed_press_report ON missed_press (day, service, reason);
                """)
        }
        // Priority tickets (lansia, difabel, ibu hamil; issue 11). The call
        // order needs each counter's latest calls (how many priority tickets in
        // a row): a partial index on call events only, newest found first.
        migrator.registerMigration("v5-priority") { db in
            try db.execute(sql: """
                ALTER TABLE ticket ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1));
                CREATE INDEX event_counter_call ON event (counter, id) WHERE kind = 'called';
                """)
        }
        // How many wait in each line, kept by triggers (whoever writes: this
        // daemon, another process, a hand edit), so a new ticket's "ahead"
        // costs a few index probes instead of a walk over every waiting
        // ticket of the day (issue 13). One row per day, service and kind
        // (priority or not); a ticket counts while its state is 'waiting'.
        // The page this adds to a ticket's commit is won back from the
        // counter index, which uncalled tickets leave alone from now on.
        migrator.registerMigration("v6-waiting-line") { db in
            try db.execute(sql: """
                CREATE TABLE waiting_line (
                    day TEXT NOT NULL,
                    service TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    waiting INTEGER NOT NULL,
                    PRIMARY KEY (day, service, priority)
                ) WITHOUT ROWID;
                INSERT INTO waiting_line (day, service, priority, waiting)
                    SELECT day, service, priority, COUNT(*) FROM ticket WHERE state = 'waiting'
                    GROUP BY day, service, priority;
                CREATE TRIGGER waiting_line_insert AFTER INSERT ON ticket WHEN NEW.state = 'waiting' BEGIN
                    INSERT INTO waiting_line (day, service, priority, waiting)
                        VALUES (NEW.day, NEW.service, NEW.priority, 1)
                        ON CONFLICT (day, service, priority) DO UPDATE SET waiting = waiting + 1;
                END;
                CREATE TRIGGER waiting_line_leave AFTER UPDATE OF state, service, priority, day ON ticket
                WHEN OLD.state = 'waiting' BEGIN
                    UPDATE waiting_line SET waiting = waiting - 1
                        WHERE day = OLD.day AND service = OLD.service AND priority = OLD.priority;
                END;
                CREATE TRIGGER waiting_line_join AFTER UPDATE OF state, service, priority, day ON ticket
                WHEN NEW.state = 'waiting' BEGIN
                    INSERT INTO waiting_line (day, service, priority, waiting)
                        VALUES (NEW.day, NEW.service, NEW.priority, 1)
                        ON CONFLICT (day, service, priority) DO UPDATE SET waiting = waiting + 1;
                END;
                CREATE TRIGGER waiting_line_delete AFTER DELETE ON ticket WHEN OLD.state = 'waiting' BEGIN
                    UPDATE waiting_line SET waiting = waiting - 1
                        WHERE day = OLD.day AND service = OLD.service AND priority = OLD.priority;
                END;
                -- A new ticket has no counter yet: only called tickets are looked
                -- up by counter, so a press no longer writes this index's page.
                DROP INDEX ticket_counter;
                CREATE INDEX ticket_counter ON ticket (counter, state, day) WHERE counter IS NOT NULL;
                """)
        }
        return migrator
    }
}
