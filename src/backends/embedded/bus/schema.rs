//! SQLite schema of the embedded bus: connection settings, tables, indexes and the schema version.
//!
//! Tables:
//! - `meta`: the message-id high-water mark (`last_msg_id`), so message ids are never reused, even after every
//!   delivery was acked and the file reopened;
//! - `topics`, `subscriptions`: the declared resources;
//! - `deliveries`: one row per (subscription, unacked message), carrying its own copy of the payload so a
//!   publish is one insert per subscription and an ack is one delete.
//!
//! Invariants: a delivery is deliverable when `visible_at <= now` (clock milliseconds); a delivery held back
//! behind an earlier message with the same ordering key on an ordering subscription has `visible_at =`
//! [`BLOCKED`], and exactly the oldest delivery of each (subscription, key) is not blocked.
//!
//! Durability: WAL with `synchronous=NORMAL`: a committed transaction survives a crash or SIGKILL of the
//! process; the last transactions before a power loss or OS crash may be lost (no fsync per commit; the
//! database file is fsynced by checkpoints, which a background thread runs).

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::backends::{PortError, PortResult};

/// The schema version this build writes (`PRAGMA user_version`).
pub(super) const SCHEMA_VERSION: i64 = 1;

/// WAL length (pages) at which the bus connection completes a checkpoint itself so the WAL starts over; the
/// checkpoint thread has usually copied all but the last frames by then (`checkpoint.rs`).
const WAL_AUTOCHECKPOINT_PAGES: i64 = 2_048;
/// Size the WAL file is truncated to after a checkpoint reset it.
const WAL_SIZE_LIMIT_BYTES: i64 = 16 << 20;

/// Reads of a large backlog go through a memory map instead of one `pread` per page.
const MMAP_BYTES: i64 = 256 << 20;
/// Page cache of the bus connection (KiB).
const CACHE_KIB: i64 = 16_000;

/// `visible_at` of a delivery waiting behind an earlier message with the same ordering key.
pub(super) const BLOCKED: i64 = i64::MAX;

const DDL: &str = "
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_msg_id', 0);
CREATE TABLE IF NOT EXISTS topics (
    name       TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT NOT NULL UNIQUE,
    topic                 TEXT NOT NULL,
    ack_deadline_ms       INTEGER NOT NULL,
    max_delivery_attempts INTEGER NOT NULL,
    dead_letter_topic     TEXT,
    ordering              INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_topic ON subscriptions (topic);
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY,
    sub_id       INTEGER NOT NULL,
    msg_id       INTEGER NOT NULL,
    visible_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL,
    ordering_key TEXT,
    publish_ms   INTEGER NOT NULL,
    attributes   TEXT,
    data         BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_ready ON deliveries (sub_id, visible_at, msg_id, attempts);
CREATE INDEX IF NOT EXISTS deliveries_by_key ON deliveries (sub_id, ordering_key, msg_id)
    WHERE ordering_key IS NOT NULL;
COMMIT;
";

/// Open (creating if needed) a file-backed bus database.
pub(super) fn open_file(path: &Path) -> PortResult<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| PortError::Storage(format!("cannot create {}: {e}", dir.display())))?;
    }
    let conn = Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), journal_mode = %mode, "bus database is not in wal mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT_BYTES)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    init(conn)
}

/// Open a private in-memory bus database (gone when dropped).
pub(super) fn open_memory() -> PortResult<Connection> {
    init(Connection::open_in_memory()?)
}

fn init(conn: Connection) -> PortResult<Connection> {
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.set_prepared_statement_cache_capacity(64);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(PortError::Storage(format!(
            "bus database schema version {version} is newer than this build supports ({SCHEMA_VERSION})"
        )));
    }
    conn.execute_batch(DDL)?;
    if version < SCHEMA_VERSION {
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    Ok(conn)
}
