//! Content hashes of tables: a pure function of the set of rows, for reproducibility checks (two runs of
//! the same backfill must produce identical tables).
//!
//! A row's canonical text is its compact JSON with object keys sorted at every depth and the
//! [`VOLATILE_COLUMNS`] left out; its digest is the SHA-256 of that text. A table's hash is the SHA-256 of
//! its row digests in sorted order; [`TableDigest::hash`] is the first 16 hex characters.
//!
//! Invariants:
//! - independent of row order and of the order of a row's columns (storage or schema order);
//! - a multiset hash: duplicate rows count (two copies of a row hash differently from one);
//! - any change of one value, one column name or one row changes the hash (up to SHA-256 collisions);
//! - the empty table hashes to the SHA-256 of nothing (`e3b0c44298fc1c14`), distinct from any table with rows;
//! - pure: no I/O, no clock, no randomness; the same rows give the same hash on every machine and backend,
//!   provided the backend reads values back typed as the schema says (see `super::table_digest`).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::Row;

/// Columns that record *when* or *by which run* a row was processed rather than what it says; left out of
/// the hash wherever they occur. No table of this build has one (raw rows carry `source_file_path`,
/// `source_generation` and `data_hash`, which are deterministic on the embedded landing); the list guards
/// processors that add processing metadata.
pub const VOLATILE_COLUMNS: [&str; 7] =
    ["processed_at", "run_id", "execution_id", "created_at", "updated_at", "loaded_at", "ingested_at"];

/// Row count and content hash of one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableDigest {
    pub rows: u64,
    /// First 16 hex characters of the table's SHA-256.
    pub hash: String,
}

/// Accumulates row digests in any order; [`TableHasher::finish`] sorts them.
#[derive(Debug, Default, Clone)]
pub struct TableHasher {
    digests: Vec<[u8; 32]>,
    buf: Vec<u8>,
}

impl TableHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one row.
    pub fn add(&mut self, row: &Row) {
        self.buf.clear();
        canonical_row(row, &mut self.buf);
        self.digests.push(Sha256::digest(&self.buf).into());
    }

    pub fn len(&self) -> usize {
        self.digests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    pub fn finish(mut self) -> TableDigest {
        self.digests.sort_unstable();
        let mut h = Sha256::new();
        for d in &self.digests {
            h.update(d);
        }
        TableDigest { rows: self.digests.len() as u64, hash: hex16(&h.finalize()) }
    }
}

/// The digest of a set of rows.
pub fn digest_rows<'a>(rows: impl IntoIterator<Item = &'a Row>) -> TableDigest {
    let mut h = TableHasher::new();
    for r in rows {
        h.add(r);
    }
    h.finish()
}

/// A row's canonical text: keys sorted, volatile columns left out.
pub fn canonical_row(row: &Row, out: &mut Vec<u8>) {
    let mut keys: Vec<&String> = row.keys().filter(|k| !VOLATILE_COLUMNS.contains(&k.as_str())).collect();
    keys.sort_unstable();
    out.push(b'{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(k, out);
        out.push(b':');
        if let Some(v) = row.get(k) {
            canonical_value(v, out);
        }
    }
    out.push(b'}');
}

/// Compact JSON with object keys sorted at every depth.
fn canonical_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_unstable();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                if let Some(x) = m.get(k) {
                    canonical_value(x, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_value(x, out);
            }
            out.push(b']');
        }
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_str(s, out),
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // Serialising a `str` to a Vec cannot fail; fall back to a lossless debug form if it ever did.
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(format!("{s:?}").as_bytes());
    }
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Row {
        match v {
            Value::Object(m) => m,
            _ => Row::new(),
        }
    }

    #[test]
    fn empty_table_hash_is_sha256_of_nothing() {
        let d = digest_rows([]);
        assert_eq!(d, TableDigest { rows: 0, hash: "e3b0c44298fc1c14".into() });
    }

    #[test]
    fn order_of_rows_and_columns_does_not_matter() {
        let a = row(json!({"a": 1, "b": "x", "j": {"k": 1, "l": [1, 2]}}));
        let b = row(json!({"b": "y", "a": 2.5, "j": null}));
        let a2 = row(json!({"j": {"l": [1, 2], "k": 1}, "b": "x", "a": 1}));
        assert_eq!(digest_rows([&a, &b]), digest_rows([&b, &a2]));
    }

    #[test]
    fn any_change_changes_the_hash() {
        let a = row(json!({"a": 1, "b": "x"}));
        let b = row(json!({"a": 2, "b": "x"}));
        let base = digest_rows([&a, &b]);
        assert_ne!(base.hash, digest_rows([]).hash);
        let changed = row(json!({"a": 2, "b": "y"}));
        assert_ne!(base.hash, digest_rows([&a, &changed]).hash);
        let renamed = row(json!({"a": 2, "c": "x"}));
        assert_ne!(base.hash, digest_rows([&a, &renamed]).hash);
        assert_ne!(base.hash, digest_rows([&a, &b, &b]).hash, "duplicates count");
        let typed = row(json!({"a": "2", "b": "x"}));
        assert_ne!(base.hash, digest_rows([&a, &typed]).hash, "2 and \"2\" differ");
    }

    #[test]
    fn volatile_columns_are_left_out() {
        let a = row(json!({"a": 1, "processed_at": "2025-01-01T00:00:00Z", "run_id": "r1"}));
        let b = row(json!({"run_id": "r2", "a": 1, "processed_at": "2026-01-01T00:00:00Z"}));
        assert_eq!(digest_rows([&a]), digest_rows([&b]));
    }
}
