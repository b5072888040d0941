//! SQLite helpers shared by the embedded `StateStore` and `Warehouse` adapters.
//!
//! Role: open connections with the durability settings of the embedded backends, quote and validate
//! identifiers, map JSON values onto schema column types (and back), screen read-only SQL and hash rows.
//!
//! Invariants:
//! - file databases run in WAL mode with `synchronous=NORMAL`: a committed transaction survives a killed
//!   process, the last transactions before a power loss may be lost (never corrupted);
//! - a value is written only if it matches its column type exactly (see [`to_cell`]); reading it back with
//!   [`from_sql`] yields the same JSON value, except that integers in FLOAT64 columns come back as floats and
//!   timestamps come back normalised to RFC 3339 UTC;
//! - identifiers are validated ([`check_ident`]) before they are quoted into SQL, values are always bound.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, DatabaseName, ToSql};
use serde_json::{Number, Value};

use crate::backends::{ColumnType, PortError, PortResult};

/// How long a connection waits on a lock held by another process before reporting contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Page cache per file database, in KiB (as a negative `cache_size`).
const CACHE_KIB: i64 = -32 * 1024;

/// Open (creating if needed) a file database in WAL mode with `synchronous=NORMAL`.
pub(crate) fn open_file(path: &Path) -> PortResult<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    set_durability(&conn, "main")?;
    Ok(conn)
}

/// Open a private in-memory database.
pub(crate) fn open_memory() -> PortResult<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// WAL + `synchronous=NORMAL` on one schema (`main` or an attached database backed by a file).
pub(crate) fn set_durability(conn: &Connection, schema: &str) -> PortResult<()> {
    let mode: String =
        conn.pragma_update_and_check(Some(DatabaseName::Attached(schema)), "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(PortError::Storage(format!("cannot enable wal on {schema}: journal_mode is {mode}")));
    }
    let db = Some(DatabaseName::Attached(schema));
    conn.pragma_update(db, "synchronous", "NORMAL")?;
    // Big enough that a 26k-row partition replace does not spill dirty pages mid-transaction.
    conn.pragma_update(db, "cache_size", CACHE_KIB)?;
    Ok(())
}

/// Whether `name` is a plain identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters. Dataset, table
/// and column names must be; it keeps them valid in both SQLite and BigQuery.
pub(crate) fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
}

/// [`is_ident`] as a `PortError::Invalid`.
pub(crate) fn check_ident(kind: &str, name: &str) -> PortResult<()> {
    if is_ident(name) {
        Ok(())
    } else {
        Err(PortError::Invalid(format!(
            "{kind} name {name:?} must match [A-Za-z_][A-Za-z0-9_]* (at most 128 characters)"
        )))
    }
}

/// Quote an identifier for SQL (`"name"`, inner quotes doubled).
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A value bound to a statement parameter; text borrows from the row when it needs no normalisation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl Cell<'_> {
    /// Detach the cell from the row it borrows from.
    pub(crate) fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Int(i) => Cell::Int(i),
            Cell::Real(f) => Cell::Real(f),
            Cell::Text(s) => Cell::Text(Cow::Owned(s.into_owned())),
        }
    }
}

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Cell::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// Map a JSON value onto a column type (null → NULL; nullability is the caller's check); `Err` says what
/// was expected and what was found.
///
/// STRING takes a string; DATE a `YYYY-MM-DD` string; TIMESTAMP an RFC 3339 string (or
/// `YYYY-MM-DD HH:MM:SS[.f]`, taken as UTC), stored as RFC 3339 UTC; INT64 an integer (an integral float
/// such as `3.0` is accepted); FLOAT64 any number; BOOL a boolean; JSON any value, stored as its JSON text.
pub(crate) fn to_cell(ty: ColumnType, v: &Value) -> Result<Cell<'_>, String> {
    let mismatch = || format!("expected {}, got {}", type_name(ty), describe(v));
    match (ty, v) {
        (_, Value::Null) => Ok(Cell::Null),
        (ColumnType::String, Value::String(s)) => Ok(Cell::Text(Cow::Borrowed(s))),
        (ColumnType::Date, Value::String(s)) if is_date(s) => Ok(Cell::Text(Cow::Borrowed(s))),
        (ColumnType::Timestamp, Value::String(s)) => {
            let ts = parse_timestamp(s).ok_or_else(mismatch)?;
            let canonical = ts.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            Ok(Cell::Text(if canonical == *s { Cow::Borrowed(s.as_str()) } else { Cow::Owned(canonical) }))
        }
        (ColumnType::Int64, Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| is_integral_i64(*f)).map(|f| f as i64))
            .map(Cell::Int)
            .ok_or_else(mismatch),
        (ColumnType::Float64, Value::Number(n)) => n.as_f64().map(Cell::Real).ok_or_else(mismatch),
        (ColumnType::Bool, Value::Bool(b)) => Ok(Cell::Int(i64::from(*b))),
        (ColumnType::Json, v) => Ok(Cell::Text(Cow::Owned(v.to_string()))),
        _ => Err(mismatch()),
    }
}

/// Map a stored SQLite value back to JSON according to the column type.
pub(crate) fn from_sql(ty: ColumnType, v: ValueRef<'_>) -> PortResult<Value> {
    let bad = |v: ValueRef<'_>| {
        PortError::Storage(format!("stored {:?} value does not fit column type {}", v.data_type(), type_name(ty)))
    };
    Ok(match (ty, v) {
        (_, ValueRef::Null) => Value::Null,
        (ColumnType::Int64, ValueRef::Integer(i)) => Value::from(i),
        (ColumnType::Float64, ValueRef::Real(f)) => float(f),
        (ColumnType::Float64, ValueRef::Integer(i)) => float(i as f64),
        (ColumnType::Bool, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (ColumnType::Json, ValueRef::Text(t)) => {
            serde_json::from_slice(t).map_err(|e| PortError::Storage(format!("stored json is not valid: {e}")))?
        }
        (ColumnType::String | ColumnType::Date | ColumnType::Timestamp, ValueRef::Text(t)) => Value::String(text(t)?),
        (_, other) => return Err(bad(other)),
    })
}

/// A SQLite value as JSON without a schema (for ad-hoc queries): integers, reals, text; blobs as hex text.
pub(crate) fn raw_to_json(v: ValueRef<'_>) -> PortResult<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => float(f),
        ValueRef::Text(t) => Value::String(text(t)?),
        ValueRef::Blob(b) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
    })
}

fn text(t: &[u8]) -> PortResult<String> {
    String::from_utf8(t.to_vec()).map_err(|e| PortError::Storage(format!("stored text is not utf-8: {e}")))
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn is_integral_i64(f: f64) -> bool {
    f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64
}

pub(crate) use crate::backends::schema::{is_date, parse_timestamp};

/// The BigQuery name of a column type.
pub(crate) fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::String => "STRING",
        ColumnType::Int64 => "INT64",
        ColumnType::Float64 => "FLOAT64",
        ColumnType::Bool => "BOOL",
        ColumnType::Date => "DATE",
        ColumnType::Timestamp => "TIMESTAMP",
        ColumnType::Json => "JSON",
    }
}

fn describe(v: &Value) -> String {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut shown = v.to_string();
    if shown.len() > 40 {
        let cut = (0..=40).rev().find(|i| shown.is_char_boundary(*i)).unwrap_or(0);
        shown.truncate(cut);
        shown.push('…');
    }
    format!("{kind} {shown}")
}

/// Screen ad-hoc SQL before it is prepared: exactly one statement, starting with `SELECT`, `WITH` or
/// `VALUES`. Returns the statement without its trailing semicolons. The caller must also check
/// `Statement::readonly` (a `WITH … DELETE` passes this screen) and run it with `query_only` set.
pub(crate) fn screen_read_only(sql: &str) -> PortResult<&str> {
    let end = first_statement_end(sql);
    let rest = &sql[end..];
    if !only_comments(rest) {
        return Err(PortError::Invalid("query must be a single statement".into()));
    }
    let stmt = &sql[..end];
    let body = skip_space_and_comments(stmt);
    let word: String = body.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let word = word.to_ascii_uppercase();
    if !matches!(word.as_str(), "SELECT" | "WITH" | "VALUES") {
        let shown = if word.is_empty() { "an empty statement".to_string() } else { word };
        return Err(PortError::Invalid(format!(
            "query is read-only: only SELECT, WITH or VALUES are accepted, got {shown}"
        )));
    }
    Ok(stmt)
}

/// Whether `rest` holds nothing but semicolons, whitespace and comments.
fn only_comments(mut rest: &str) -> bool {
    loop {
        let next = skip_space_and_comments(rest).trim_start_matches(';');
        if next.is_empty() {
            return true;
        }
        if next.len() == rest.len() {
            return false;
        }
        rest = next;
    }
}

/// Byte offset of the first top-level `;` (outside literals, quoted identifiers and comments), or the end.
fn first_statement_end(sql: &str) -> usize {
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b';' => return i,
            q @ (b'\'' | b'"' | b'`') => i = skip_quoted(b, i, q),
            b'[' => i = b[i..].iter().position(|c| *c == b']').map_or(b.len(), |p| i + p + 1),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b[i..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| i + p + 1)
            }
            b'/' if b.get(i + 1) == Some(&b'*') => i = sql[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2),
            _ => i += 1,
        }
    }
    b.len()
}

/// Skip a quoted run starting at `start` (quote char `q`, doubled quotes escape), returning the offset after.
fn skip_quoted(b: &[u8], start: usize, q: u8) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn skip_space_and_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(r) = s.strip_prefix("--") {
            s = r.find('\n').map_or("", |p| &r[p + 1..]);
        } else if let Some(r) = s.strip_prefix("/*") {
            s = r.find("*/").map_or("", |p| &r[p + 2..]);
        } else {
            return s;
        }
    }
}

/// FNV-1a 64-bit hash (stable across Rust versions and platforms).
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn screen_accepts_single_selects_only() {
        assert!(screen_read_only("select 1").is_ok());
        assert!(screen_read_only("  -- c\n/* x */ WITH a AS (SELECT 1) SELECT * FROM a ;  ").is_ok());
        assert_eq!(screen_read_only("SELECT ';' ; ").ok(), Some("SELECT ';' "));
        assert!(screen_read_only("SELECT 1; DELETE FROM t").is_err());
        assert!(screen_read_only("ATTACH 'x' AS y").is_err());
        assert!(screen_read_only("PRAGMA query_only=OFF").is_err());
        assert!(screen_read_only("BEGIN").is_err());
        assert!(screen_read_only("").is_err());
        assert!(screen_read_only("SELECT 1; -- trailing\n").is_ok());
    }

    #[test]
    fn cells_follow_column_types() {
        assert_eq!(to_cell(ColumnType::Int64, &json!(3.0)), Ok(Cell::Int(3)));
        assert!(to_cell(ColumnType::Int64, &json!(3.5)).is_err());
        assert!(to_cell(ColumnType::Int64, &json!("3")).is_err());
        assert_eq!(to_cell(ColumnType::Bool, &json!(true)), Ok(Cell::Int(1)));
        assert!(to_cell(ColumnType::Date, &json!("2025-1-05")).is_err());
        assert!(to_cell(ColumnType::Date, &json!("2025-02-30")).is_err());
        let local = json!("2025-01-15T19:30:00-05:00");
        assert_eq!(to_cell(ColumnType::Timestamp, &local), Ok(Cell::Text(Cow::Owned("2025-01-16T00:30:00Z".into()))));
        let utc = json!("2025-01-16T00:30:00Z");
        assert_eq!(to_cell(ColumnType::Timestamp, &utc), Ok(Cell::Text(Cow::Borrowed("2025-01-16T00:30:00Z"))));
        let doc = json!({"a": [1]});
        assert_eq!(to_cell(ColumnType::Json, &doc), Ok(Cell::Text(Cow::Owned("{\"a\":[1]}".into()))));
    }

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
