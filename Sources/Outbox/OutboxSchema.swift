import GRDB

/// The store's tables. Migrations only ever add; a store written by an older agent opens in a newer one.
enum OutboxSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    -- last_seq is the high-water mark: seqs are never reused, even after delivery empties the lane.
                    CREATE TABLE lanes (lane INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL);
                    -- Undelivered events only; delivered ones are deleted on acknowledgement.
                    CREATE TABLE events (
                        lane INTEGER NOT NULL, seq INTEGER NOT NULL, id BLOB NOT NULL,
                        accepted_at INTEGER NOT NULL, fields TEXT NOT NULL,
                        PRIMARY KEY (lane, seq)) WITHOUT ROWID;
                    -- Sealed batches. The lowest first_seq of a lane is the one in flight; more than one exists
                    -- only after a split (413, poison isolation), and they go in seq order.
                    CREATE TABLE batches (
                        lane INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
                        gateway TEXT NOT NULL, sealed_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (lane, first_seq)) WITHOUT ROWID;
                    CREATE TABLE device_messages (
                        device TEXT NOT NULL, message_id TEXT NOT NULL, accepted_at INTEGER NOT NULL,
                        PRIMARY KEY (device, message_id)) WITHOUT ROWID;
                    CREATE INDEX device_messages_age ON device_messages (accepted_at);
                    CREATE TABLE rejected (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, device TEXT,
                        source TEXT NOT NULL, reason TEXT NOT NULL, payload BLOB NOT NULL);
                    CREATE TABLE deadletter (
                        id BLOB PRIMARY KEY, lane INTEGER NOT NULL, seq INTEGER NOT NULL, dead_at INTEGER NOT NULL,
                        reason TEXT NOT NULL, fields TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    -- Requests from the CLI to the running agent (dead-letter replay and purge).
                    CREATE TABLE commands (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, argument TEXT NOT NULL,
                        requested_at INTEGER NOT NULL, done_at INTEGER, result TEXT);
                    """)
        }
        return migrator
    }
}
