//! A small in-process cache of lookback reads, shared by the processor hosts of one pipeline.
//!
//! Several runs of a date read the same window of the same table: `upcoming_player_game_context` re-runs as
//! sportsbook snapshots land and reads the season's box scores each time, `upcoming_team_game_context` reads
//! the same window, the composite factors and the feature store read the same 45 days of player games. The
//! cache hands them one shared read (`Arc`), neither re-reading nor copying it.
//!
//! Invariants:
//! - an entry is served only if no write to its table touched a date in its window after the read began:
//!   every write through the host is noted (per table and date, or table-wide for keyed upserts) with a
//!   sequence number, and an entry remembers the sequence number taken *before* its read, so a write racing
//!   with the read invalidates it;
//! - it is only correct when this process is the warehouse's only writer (the embedded profile); a
//!   deployment with writers elsewhere turns it off (`PipelineOptions::read_cache`);
//! - it is bounded: at most [`MAX_ENTRIES`] reads and [`MAX_ROWS`] rows are kept, oldest evicted first, and
//!   a read of a window ending more than a day before the newest one is dropped (its date is done).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::domain::{Row, SlateDate};

/// Most reads kept.
pub const MAX_ENTRIES: usize = 8;
/// Most rows kept over all entries.
pub const MAX_ROWS: usize = 120_000;

/// What identifies a read: table, window, projected columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReadKey {
    pub table: String,
    pub from: SlateDate,
    pub to: SlateDate,
    pub columns: Option<Vec<String>>,
}

struct Entry {
    key: ReadKey,
    /// Sequence number taken before the read began.
    since: u64,
    rows: Arc<Vec<Row>>,
}

#[derive(Default)]
struct Inner {
    entries: VecDeque<Entry>,
    /// Last write sequence per table and date.
    writes: HashMap<String, BTreeMap<SlateDate, u64>>,
    /// Last table-wide write (keyed upserts) per table.
    wide: HashMap<String, u64>,
    hits: u64,
    misses: u64,
}

/// The cache.
#[derive(Default)]
pub struct ReadCache {
    seq: AtomicU64,
    inner: Mutex<Inner>,
}

impl ReadCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token to take before reading (pass it to [`ReadCache::put`]).
    pub fn begin(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    fn written_since(inner: &Inner, key: &ReadKey, since: u64) -> bool {
        inner.wide.get(&key.table).is_some_and(|s| *s >= since)
            || inner.writes.get(&key.table).is_some_and(|m| m.range(key.from..=key.to).any(|(_, s)| *s >= since))
    }

    /// The cached rows of `key`, if still valid.
    pub fn get(&self, key: &ReadKey) -> Option<Arc<Vec<Row>>> {
        let mut inner = self.inner.lock();
        let found = inner.entries.iter().position(|e| &e.key == key);
        let valid = found.filter(|i| !Self::written_since(&inner, key, inner.entries[*i].since));
        match (found, valid) {
            (Some(_), Some(i)) => {
                inner.hits += 1;
                Some(inner.entries[i].rows.clone())
            }
            (Some(i), None) => {
                inner.entries.remove(i);
                inner.misses += 1;
                None
            }
            _ => {
                inner.misses += 1;
                None
            }
        }
    }

    /// Keep a read that began at `token`, unless its window was written since.
    pub fn put(&self, key: ReadKey, token: u64, rows: Arc<Vec<Row>>) {
        let mut inner = self.inner.lock();
        if Self::written_since(&inner, &key, token) || rows.len() > MAX_ROWS {
            return;
        }
        // Reads of windows ending more than a day before this one belong to dates already done.
        let stale = key.to.pred();
        inner.entries.retain(|e| e.key != key && e.key.to >= stale);
        inner.entries.push_back(Entry { key, since: token, rows });
        while inner.entries.len() > MAX_ENTRIES || inner.entries.iter().map(|e| e.rows.len()).sum::<usize>() > MAX_ROWS
        {
            inner.entries.pop_front();
        }
    }

    /// Note a write to `table` on `date` (`None`: anywhere in the table).
    pub fn note_write(&self, table: &str, date: Option<SlateDate>) {
        let s = self.seq.fetch_add(1, Ordering::SeqCst);
        let mut inner = self.inner.lock();
        match date {
            Some(d) => {
                inner.writes.entry(table.to_string()).or_default().insert(d, s);
            }
            None => {
                inner.wide.insert(table.to_string(), s);
            }
        }
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        let inner = self.inner.lock();
        (inner.hits, inner.misses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str, from: &str, to: &str) -> ReadKey {
        ReadKey { table: t.into(), from: from.parse().unwrap(), to: to.parse().unwrap(), columns: None }
    }

    #[test]
    fn serves_until_a_write_lands_in_the_window() {
        let c = ReadCache::new();
        let k = key("a.t", "2025-01-01", "2025-01-10");
        let tok = c.begin();
        c.put(k.clone(), tok, Arc::new(vec![Row::new()]));
        assert_eq!(c.get(&k).map(|r| r.len()), Some(1));
        c.note_write("a.t", Some("2025-01-11".parse().unwrap()));
        c.note_write("b.t", Some("2025-01-05".parse().unwrap()));
        assert!(c.get(&k).is_some(), "writes outside the window or table keep it");
        c.note_write("a.t", Some("2025-01-05".parse().unwrap()));
        assert!(c.get(&k).is_none(), "a write inside the window invalidates it");
        assert_eq!(c.stats(), (2, 1));
    }

    #[test]
    fn a_write_racing_with_the_read_is_never_cached_and_upserts_invalidate_everything() {
        let c = ReadCache::new();
        let k = key("a.t", "2025-01-01", "2025-01-10");
        let tok = c.begin();
        c.note_write("a.t", Some("2025-01-03".parse().unwrap()));
        c.put(k.clone(), tok, Arc::new(vec![]));
        assert!(c.get(&k).is_none());
        let tok = c.begin();
        c.put(k.clone(), tok, Arc::new(vec![]));
        assert!(c.get(&k).is_some());
        c.note_write("a.t", None);
        assert!(c.get(&k).is_none());
    }

    #[test]
    fn windows_of_dates_already_done_are_dropped() {
        let c = ReadCache::new();
        let old = key("a.t", "2025-01-01", "2025-01-10");
        c.put(old.clone(), c.begin(), Arc::new(vec![]));
        c.put(key("a.t", "2025-01-02", "2025-01-11"), c.begin(), Arc::new(vec![]));
        assert!(c.get(&old).is_some(), "a day older: still in use");
        c.put(key("a.t", "2025-01-03", "2025-01-12"), c.begin(), Arc::new(vec![]));
        assert!(c.get(&old).is_none());
    }

    #[test]
    fn it_is_bounded() {
        let c = ReadCache::new();
        for i in 0..(MAX_ENTRIES + 3) {
            let k = key(&format!("a.t{i}"), "2025-01-01", "2025-01-10");
            let tok = c.begin();
            c.put(k, tok, Arc::new(vec![Row::new(); 10]));
        }
        assert!(c.get(&key("a.t0", "2025-01-01", "2025-01-10")).is_none());
        assert!(c.get(&key(&format!("a.t{}", MAX_ENTRIES + 2), "2025-01-01", "2025-01-10")).is_some());
    }
}
