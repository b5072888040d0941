//! Embedded `StateStore`: JSON documents in one SQLite table keyed by (collection, id).
//!
//! Role: the default document store (ledger records, completion documents, fire-once markers).
//!
//! Invariants:
//! - a document is a JSON object; anything else is refused with `PortError::Invalid`;
//! - collection names and ids are non-empty and contain no `/` (the Firestore rules), else `Invalid`;
//! - `update` is an atomic read-modify-write: `BEGIN IMMEDIATE`, read, run the mutator, write if it returned
//!   `Some`, commit; all calls on one store are serialised by a mutex and the immediate transaction keeps
//!   the read-modify-write atomic against other processes that open the same file;
//! - the mutator runs under the store's lock: it must not call back into the same store;
//! - `create` inserts only if absent, so exactly one of many concurrent callers gets `true`;
//! - durability: WAL with `synchronous=NORMAL`, so a committed write survives a killed process but the last
//!   commits before a power loss may be lost.

use std::path::Path;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::sqlite_util;
use crate::backends::{Mutator, PortError, PortResult, StateStore};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID";

/// SQLite-backed documents.
pub struct EmbeddedState {
    conn: Mutex<Connection>,
}

impl EmbeddedState {
    /// Open (creating if needed) the store in the SQLite file at `path`.
    pub fn open(path: impl AsRef<Path>) -> PortResult<Self> {
        let path = path.as_ref();
        let conn = sqlite_util::open_file(path)?;
        tracing::debug!(path = %path.display(), "state store opened");
        Self::init(conn)
    }

    /// A private store that lives as long as this value (tests, dry runs).
    pub fn in_memory() -> PortResult<Self> {
        Self::init(sqlite_util::open_memory()?)
    }

    fn init(conn: Connection) -> PortResult<Self> {
        conn.execute_batch(SCHEMA)?;
        Ok(EmbeddedState { conn: Mutex::new(conn) })
    }
}

fn check_name(kind: &str, v: &str) -> PortResult<()> {
    if v.is_empty() || v.contains('/') {
        return Err(PortError::Invalid(format!("{kind} {v:?} must be non-empty and contain no '/'")));
    }
    Ok(())
}

fn check_key(collection: &str, id: &str) -> PortResult<()> {
    check_name("collection", collection)?;
    check_name("document id", id)
}

fn check_doc(collection: &str, id: &str, doc: &Value) -> PortResult<()> {
    if doc.is_object() {
        Ok(())
    } else {
        Err(PortError::Invalid(format!("document {collection}/{id} must be a JSON object")))
    }
}

fn parse(collection: &str, id: &str, text: &str) -> PortResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| PortError::Storage(format!("stored document {collection}/{id} is not valid json: {e}")))
}

fn read(conn: &Connection, collection: &str, id: &str) -> PortResult<Option<Value>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT doc FROM documents WHERE collection = ?1 AND id = ?2")?
        .query_row(params![collection, id], |r| r.get(0))
        .optional()?;
    text.map(|t| parse(collection, id, &t)).transpose()
}

fn write(conn: &Connection, collection: &str, id: &str, doc: &Value) -> PortResult<()> {
    conn.prepare_cached(
        "INSERT INTO documents (collection, id, doc) VALUES (?1, ?2, ?3)
         ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc",
    )?
    .execute(params![collection, id, doc.to_string()])?;
    Ok(())
}

/// Whether a stored value equals the queried one; numbers compare by value (`1 == 1.0`, as in Firestore).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

#[async_trait]
impl StateStore for EmbeddedState {
    async fn get(&self, collection: &str, id: &str) -> PortResult<Option<Value>> {
        check_key(collection, id)?;
        read(&self.conn.lock(), collection, id)
    }

    async fn create(&self, collection: &str, id: &str, doc: &Value) -> PortResult<bool> {
        check_key(collection, id)?;
        check_doc(collection, id, doc)?;
        let conn = self.conn.lock();
        let inserted = conn
            .prepare_cached(
                "INSERT INTO documents (collection, id, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (collection, id) DO NOTHING",
            )?
            .execute(params![collection, id, doc.to_string()])?;
        Ok(inserted == 1)
    }

    async fn set(&self, collection: &str, id: &str, doc: &Value) -> PortResult<()> {
        check_key(collection, id)?;
        check_doc(collection, id, doc)?;
        write(&self.conn.lock(), collection, id, doc)
    }

    async fn update(&self, collection: &str, id: &str, f: Mutator<'_>) -> PortResult<Option<Value>> {
        check_key(collection, id)?;
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = read(&tx, collection, id)?;
        let Some(next) = f(current.as_ref()) else {
            // Nothing to write: the drop of `tx` rolls back the empty transaction.
            return Ok(current);
        };
        check_doc(collection, id, &next)?;
        write(&tx, collection, id, &next)?;
        tx.commit()?;
        Ok(Some(next))
    }

    async fn delete(&self, collection: &str, id: &str) -> PortResult<()> {
        check_key(collection, id)?;
        self.conn
            .lock()
            .prepare_cached("DELETE FROM documents WHERE collection = ?1 AND id = ?2")?
            .execute(params![collection, id])?;
        Ok(())
    }

    async fn list(&self, collection: &str, prefix: &str) -> PortResult<Vec<(String, Value)>> {
        check_name("collection", collection)?;
        let conn = self.conn.lock();
        // Ids sharing a prefix are contiguous in byte order from the prefix itself: scan from there.
        let mut stmt =
            conn.prepare_cached("SELECT id, doc FROM documents WHERE collection = ?1 AND id >= ?2 ORDER BY id")?;
        let mut rows = stmt.query(params![collection, prefix])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            if !id.starts_with(prefix) {
                break;
            }
            let doc = parse(collection, &id, &row.get::<_, String>(1)?)?;
            out.push((id, doc));
        }
        Ok(out)
    }

    async fn find_eq(&self, collection: &str, field: &str, value: &Value) -> PortResult<Vec<(String, Value)>> {
        check_name("collection", collection)?;
        if field.is_empty() || field.contains('"') {
            return Err(PortError::Invalid(format!("field name {field:?} must be non-empty without '\"'")));
        }
        let path = format!("$.\"{field}\"");
        let conn = self.conn.lock();
        // SQLite narrows by JSON type (and by value for scalars); the exact comparison happens below, so a
        // stored `true` never matches a queried `1` and a missing field never matches `null`.
        let json_type = match value {
            Value::Null => "null",
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(_) => "number",
            Value::String(_) => "text",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let scalar: Option<rusqlite::types::Value> = match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(i.into()),
                None => n.as_f64().map(Into::into),
            },
            Value::String(s) => Some(s.clone().into()),
            _ => None,
        };
        let mut stmt = conn.prepare_cached(
            "SELECT id, doc FROM documents
             WHERE collection = ?1
               AND (CASE json_type(doc, ?2) WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number'
                    ELSE json_type(doc, ?2) END) = ?3
               AND (?4 IS NULL OR json_extract(doc, ?2) = ?4)
             ORDER BY id",
        )?;
        let mut rows = stmt.query(params![collection, path, json_type, scalar])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let doc = parse(collection, &id, &row.get::<_, String>(1)?)?;
            if doc.get(field).is_some_and(|v| json_eq(v, value)) {
                out.push((id, doc));
            }
        }
        Ok(out)
    }
}
