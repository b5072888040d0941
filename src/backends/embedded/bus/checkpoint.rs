//! Background WAL checkpointing of a file-backed bus.
//!
//! Role: copying WAL frames into the database file (and its fsync) is the one slow step of WAL mode; left to
//! SQLite's auto-checkpoint it runs inside a publish/pull/ack while the bus lock is held, stalling every
//! caller for milliseconds (measured: 25-54 ms worst-case hops, ~15 % less throughput). A thread with its
//! own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every [`INTERVAL`] instead, so the bulk of the copying
//! and syncing happens off the hot path.
//!
//! Invariants: a PASSIVE checkpoint never blocks the bus connection. Under sustained writes it can never
//! finish the whole WAL (frames keep arriving), and SQLite starts the WAL over only after a complete
//! checkpoint; the bus connection's own auto-checkpoint (see `schema.rs`) does that: being the only writer it
//! always completes, and it finds only the residue the thread has not copied yet, so the WAL stays bounded
//! (~8 MiB) at a small cost on the hot path. The thread stops (and is joined) when the bus is dropped.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use rusqlite::Connection;

use crate::backends::{PortError, PortResult};

/// How often the checkpointer runs.
pub(super) const INTERVAL: Duration = Duration::from_millis(20);

/// The running checkpoint thread.
pub(super) struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> PortResult<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = stop.clone();
        let label = path.display().to_string();
        let handle = std::thread::Builder::new()
            .name("bus-checkpoint".into())
            .spawn(move || run(conn, &flag, &label))
            .map_err(|e| PortError::Storage(format!("cannot start the bus checkpoint thread: {e}")))?;
        Ok(Checkpointer { stop, handle: Some(handle) })
    }
}

fn run(conn: Connection, stop: &(Mutex<bool>, Condvar), label: &str) {
    let (lock, cvar) = stop;
    let mut failures = 0u32;
    loop {
        {
            let mut stopped = lock.lock();
            if !*stopped {
                cvar.wait_for(&mut stopped, INTERVAL);
            }
            if *stopped {
                return;
            }
        }
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => failures = 0,
            Err(e) => {
                failures += 1;
                // Log the first failure of a streak and then every 100th, not every tick.
                if failures % 100 == 1 {
                    tracing::warn!(path = %label, error = %e, failures, "bus wal checkpoint failed");
                }
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.stop;
        *lock.lock() = true;
        cvar.notify_all();
        if let Some(h) = self.handle.take() {
            if h.join().is_err() {
                tracing::warn!("bus checkpoint thread panicked");
            }
        }
    }
}
