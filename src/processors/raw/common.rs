//! What every raw processor shares: reading the landed object, typed access to JSON, the standard columns,
//! and the original's `data_hash`.
//!
//! Invariants:
//! - a raw row carries `source_file_path` (the `gs://bucket/path` it came from), `source_generation` and
//!   `data_hash`; there is no wall-clock `processed_at` in rows, so reloading the same object writes identical
//!   rows (the run's time lives in `processor_run_history`);
//! - every failure to read the object is `ProcessorError::BadInput` naming the object, never a panic;
//! - gzip is detected by its magic bytes, not by the file name.

use std::borrow::Cow;
use std::io::Read;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, SlateDate};
use crate::processors::{ProcessorError, ProcessorInput};

/// Largest object a raw processor will inflate (a season schedule is ~3 MB of JSON).
pub const MAX_INFLATED: u64 = 256 * 1024 * 1024;

/// The landed object a raw run reads.
#[derive(Debug, Clone)]
pub struct RawFile<'a> {
    /// Path inside the bucket.
    pub path: &'a str,
    pub generation: i64,
    /// The object's bytes, inflated when they were gzip.
    pub bytes: Cow<'a, [u8]>,
}

impl<'a> RawFile<'a> {
    /// The object of a raw run's input.
    pub fn of(input: &'a ProcessorInput) -> Result<Self, ProcessorError> {
        let o =
            input.object.as_ref().ok_or_else(|| ProcessorError::Failed("raw run without a landed object".into()))?;
        Self::new(&o.path, o.generation, &o.data)
    }

    pub fn new(path: &'a str, generation: i64, data: &'a [u8]) -> Result<Self, ProcessorError> {
        let bytes = if data.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(data)
                .take(MAX_INFLATED)
                .read_to_end(&mut out)
                .map_err(|e| bad(path, format!("corrupt gzip: {e}")))?;
            Cow::Owned(out)
        } else {
            Cow::Borrowed(data)
        };
        Ok(RawFile { path, generation, bytes })
    }

    /// Fail on an empty object.
    pub fn non_empty(&self) -> Result<&[u8], ProcessorError> {
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(bad(self.path, "the file is empty"));
        }
        Ok(&self.bytes)
    }

    /// The object parsed as JSON.
    pub fn json(&self) -> Result<Value, ProcessorError> {
        serde_json::from_slice(self.non_empty()?).map_err(|e| bad(self.path, format!("not valid JSON: {e}")))
    }

    /// The object as UTF-8 text (lossy: a stray byte in a scraped page is not fatal).
    pub fn text(&self) -> Result<Cow<'_, str>, ProcessorError> {
        Ok(String::from_utf8_lossy(self.non_empty()?))
    }

    /// The `YYYY-MM-DD` segment of the path, if any (the data date of most layouts).
    pub fn path_date(&self) -> Option<SlateDate> {
        self.path.split('/').find_map(|seg| if seg.len() == 10 { seg.parse().ok() } else { None })
    }

    /// The path's data date, or a bad-input error.
    pub fn require_path_date(&self) -> Result<SlateDate, ProcessorError> {
        self.path_date().ok_or_else(|| bad(self.path, "the path has no YYYY-MM-DD segment"))
    }

    /// The value of `source_file_path`.
    pub fn source(&self, bucket: &str) -> String {
        format!("gs://{bucket}/{}", self.path)
    }
}

/// The bucket name written into `source_file_path` (the layout of the original).
pub const BUCKET: &str = "nba-scraped-data";

/// A bad-input error naming the object.
pub fn bad(path: &str, detail: impl Into<String>) -> ProcessorError {
    ProcessorError::BadInput { what: path.to_string(), detail: detail.into() }
}

/// Add the standard columns to a schema.
pub fn with_standard_columns(s: TableSchema) -> TableSchema {
    s.required("source_file_path", T::String).col("source_generation", T::Int64).required("data_hash", T::String)
}

/// A schema in `nba_raw` with the standard columns appended.
pub fn raw_schema(table: &str, build: impl FnOnce(TableSchema) -> TableSchema) -> TableSchema {
    with_standard_columns(build(TableSchema::new("nba_raw", table)))
}

pub fn raw_table(table: &str) -> TableRef {
    TableRef::new("nba_raw", table)
}

/// Stamp the standard columns on a row: source, generation and the hash of `hash_fields`.
pub fn stamp(row: &mut Row, file: &RawFile<'_>, hash_fields: &[&str]) {
    let h = data_hash(row, hash_fields);
    row.insert("source_file_path".into(), Value::String(file.source(BUCKET)));
    row.insert("source_generation".into(), Value::from(file.generation));
    row.insert("data_hash".into(), Value::String(h));
}

/// The original's `data_hash`: first 16 hex chars of SHA-256 over `"|".join(sorted("field:value"))`, with
/// None → `NULL`, strings stripped and numbers in their shortest text form.
pub fn data_hash(row: &Row, fields: &[&str]) -> String {
    let mut parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let v = match row.get(*f) {
                None | Some(Value::Null) => "NULL".to_string(),
                Some(Value::String(s)) => s.trim().to_string(),
                Some(other) => other.to_string(),
            };
            format!("{f}:{v}")
        })
        .collect();
    parts.sort();
    let digest = Sha256::digest(parts.join("|").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Typed reads from a JSON object, with errors naming the field.
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: &'a str,
    pub what: &'a str,
}

impl<'a> Obj<'a> {
    pub fn new(v: &'a Value, path: &'a str, what: &'a str) -> Result<Self, ProcessorError> {
        let map = v.as_object().ok_or_else(|| bad(path, format!("{what}: expected an object")))?;
        Ok(Obj { map, path, what })
    }
    fn err(&self, field: &str, detail: &str) -> ProcessorError {
        bad(self.path, format!("{}.{field}: {detail}", self.what))
    }
    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }
    pub fn req(&self, field: &str) -> Result<&'a Value, ProcessorError> {
        self.get(field).ok_or_else(|| self.err(field, "missing"))
    }
    pub fn str(&self, field: &str) -> Result<&'a str, ProcessorError> {
        self.req(field)?.as_str().ok_or_else(|| self.err(field, "expected a string"))
    }
    pub fn opt_str(&self, field: &str) -> Option<&'a str> {
        self.get(field).and_then(Value::as_str)
    }
    pub fn arr(&self, field: &str) -> Result<&'a Vec<Value>, ProcessorError> {
        self.req(field)?.as_array().ok_or_else(|| self.err(field, "expected an array"))
    }
    pub fn obj(&self, field: &str) -> Result<Obj<'a>, ProcessorError> {
        Obj::new(self.req(field)?, self.path, self.what)
    }
    pub fn i64(&self, field: &str) -> Result<i64, ProcessorError> {
        as_i64(self.req(field)?).ok_or_else(|| self.err(field, "expected an integer"))
    }
    pub fn opt_i64(&self, field: &str) -> Option<i64> {
        self.get(field).and_then(as_i64)
    }
    pub fn f64(&self, field: &str) -> Result<f64, ProcessorError> {
        as_f64(self.req(field)?).ok_or_else(|| self.err(field, "expected a number"))
    }
    pub fn opt_f64(&self, field: &str) -> Option<f64> {
        self.get(field).and_then(as_f64)
    }
}

/// An integer from a JSON number or numeric string.
///
/// Values beyond ±2^53 are refused: no count, score or id in these feeds is that large, and refusing them
/// here means downstream arithmetic on parsed integers cannot overflow.
pub fn as_i64(v: &Value) -> Option<i64> {
    const LIMIT: i64 = 1 << 53;
    match v {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= LIMIT as f64).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|i: &i64| i.abs() <= LIMIT)
}

/// A finite float from a JSON number or numeric string.
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// Minutes from "mm:ss", "PT34M12.00S", "34" or 34.5, as decimal minutes.
pub fn parse_minutes(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite() && *f >= 0.0),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            if let Some(rest) = s.strip_prefix("PT") {
                let (m, rest) = rest.split_once('M')?;
                let secs = rest.trim_end_matches('S');
                let secs: f64 = if secs.is_empty() { 0.0 } else { secs.parse().ok()? };
                return Some(m.parse::<f64>().ok()? + secs / 60.0);
            }
            if let Some((m, sec)) = s.split_once(':') {
                return Some(m.parse::<f64>().ok()? + sec.parse::<f64>().ok()? / 60.0);
            }
            s.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0)
        }
        _ => None,
    }
}

/// Round to `places` decimals (stable values for hashes and comparisons).
pub fn round(x: f64, places: i32) -> f64 {
    let p = 10f64.powi(places);
    (x * p).round() / p
}

/// An American price from a decimal one (2.0 → +100, 1.5 → -200).
pub fn american_from_decimal(d: f64) -> Option<i64> {
    if !d.is_finite() || d <= 1.0 {
        return None;
    }
    Some(if d >= 2.0 { ((d - 1.0) * 100.0).round() as i64 } else { (-100.0 / (d - 1.0)).round() as i64 })
}

/// A decimal price from an American one.
pub fn decimal_from_american(a: f64) -> Option<f64> {
    if a >= 100.0 {
        Some(round(1.0 + a / 100.0, 4))
    } else if a <= -100.0 {
        Some(round(1.0 + 100.0 / -a, 4))
    } else {
        None
    }
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
// Shared by the balldontlie / ESPN / Basketball-Reference / BigDataBall processors (added with raw-b).
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────

/// balldontlie team ids 1..=30 (alphabetical by franchise name); ids above 30 are historic teams.
const BDL_TEAMS: [&str; 30] = [
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM", "MIA",
    "MIL", "MIN", "NOP", "NYK", "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
];

/// The canonical tricode of a balldontlie team id (never pass these ids to `team_abbr`: NBA.com ids differ).
pub fn bdl_team_abbr(id: i64) -> Option<&'static str> {
    usize::try_from(id).ok().and_then(|i| i.checked_sub(1)).and_then(|i| BDL_TEAMS.get(i).copied())
}

/// The first JSON value after `marker` in a page (ESPN embeds its state as `window['__espnfitt__']={...};`).
/// Trailing script text after the value is ignored.
pub fn embedded_json(text: &str, marker: &str) -> Option<Value> {
    let start = text.find(marker)? + marker.len();
    let rest = text.get(start..)?;
    serde_json::Deserializer::from_str(rest).into_iter::<Value>().next()?.ok()
}

/// A UTC instant as ESPN and balldontlie write it (`2024-01-16T03:30Z`, `…:00Z`, `…:00.000Z`, `+00:00`).
pub fn parse_utc(utc: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let s = utc.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%MZ").ok().map(|n| n.and_utc()))
}

/// The RFC 3339 text of a UTC instant (the warehouse's TIMESTAMP form).
pub fn utc_rfc3339(utc: &str) -> Option<String> {
    parse_utc(utc).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The US-Eastern calendar date of a UTC instant: the NBA's game date of a tip-off.
pub fn eastern_date(utc: &str) -> Option<SlateDate> {
    parse_utc(utc).map(|t| SlateDate(t.with_timezone(&chrono_tz::America::New_York).date_naive()))
}

pub use super::nbac_common::*;

/// A JSON value or `Null` for `None`.
pub fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// A trimmed, non-empty string.
pub fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The object of a `json!({...})` literal as a row (anything else gives an empty row).
pub fn row_of(v: Value) -> Row {
    match v {
        Value::Object(m) => m,
        _ => Row::new(),
    }
}

/// The data date of a run: the path's `YYYY-MM-DD` segment, else the run's date, else bad input.
pub fn data_date(file: &RawFile<'_>, input: &ProcessorInput) -> Result<SlateDate, ProcessorError> {
    file.path_date().or(input.date).ok_or_else(|| bad(file.path, "no data date: the path has no YYYY-MM-DD segment"))
}

/// `"41-11"` → (41, 11).
pub fn win_loss(s: &str) -> Option<(i64, i64)> {
    let (w, l) = s.trim().split_once('-')?;
    Some((w.trim().parse().ok()?, l.trim().parse().ok()?))
}

/// A source's display name as the canonical `player_lookup`: folded by `player_lookup`, then mapped through the
/// built-in alias table (`config/player_aliases.csv`). A raw file knows no player list, so suffix matching is
/// left to the resolver downstream.
pub fn canonical_lookup(name: &str) -> String {
    use crate::domain::{Aliases, NameResolver};
    static RESOLVER: std::sync::OnceLock<NameResolver> = std::sync::OnceLock::new();
    RESOLVER.get_or_init(|| NameResolver::aliases_only(Aliases::builtin())).resolve(name).lookup().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gzip_is_inflated_and_garbage_is_a_typed_error() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"a\": 1}").unwrap();
        let gz = enc.finish().unwrap();
        let f = RawFile::new("x/2025-01-15/a.json", 1, &gz).unwrap();
        assert_eq!(f.json().unwrap(), json!({"a": 1}));
        assert_eq!(f.path_date().unwrap().to_string(), "2025-01-15");
        let truncated = &gz[..gz.len() / 2];
        assert!(matches!(RawFile::new("x", 1, truncated), Err(ProcessorError::BadInput { .. })));
        assert!(matches!(RawFile::new("x", 1, b" \n").unwrap().json(), Err(ProcessorError::BadInput { .. })));
        assert!(matches!(RawFile::new("x", 1, b"{").unwrap().json(), Err(ProcessorError::BadInput { .. })));
    }

    #[test]
    fn data_hash_follows_the_original_rule() {
        let mut r = Row::new();
        r.insert("b".into(), json!(" x "));
        r.insert("a".into(), json!(3));
        // sorted "a:3|b:x|c:NULL"
        let want: String = Sha256::digest(b"a:3|b:x|c:NULL").iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!(data_hash(&r, &["b", "a", "c"]), want);
        assert_eq!(data_hash(&r, &["a", "b", "c"]).len(), 16);
    }

    #[test]
    fn minutes_and_prices_parse() {
        assert_eq!(parse_minutes(&json!("34:30")), Some(34.5));
        assert_eq!(parse_minutes(&json!("PT34M12.00S")), Some(34.2));
        assert_eq!(parse_minutes(&json!(26)), Some(26.0));
        assert_eq!(parse_minutes(&json!("")), None);
        assert_eq!(parse_minutes(&json!("abc")), None);
        assert_eq!(american_from_decimal(2.0), Some(100));
        assert_eq!(american_from_decimal(1.5), Some(-200));
        assert_eq!(american_from_decimal(1.0), None);
        assert_eq!(decimal_from_american(-110.0), Some(1.9091));
        assert_eq!(decimal_from_american(150.0), Some(2.5));
        assert_eq!(decimal_from_american(50.0), None);
    }
}
