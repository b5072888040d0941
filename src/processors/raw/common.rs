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
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
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
// NBA.com helpers shared by the `nbac_*` raw processors (stats-API result sets, team and game-id rules).
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────

/// One table of a stats.nba.com response (`{"resultSets": [{"name", "headers", "rowSet"}]}`), with every row
/// checked to have one cell per header, so cell access never goes out of bounds.
pub struct ResultSet<'a> {
    pub name: &'a str,
    pub headers: Vec<&'a str>,
    pub rows: Vec<&'a [Value]>,
    path: &'a str,
}

impl<'a> ResultSet<'a> {
    /// The result set called `name` (`resultSets` array or a single `resultSet` object).
    pub fn find(v: &'a Value, path: &'a str, name: &str) -> Result<Self, ProcessorError> {
        Self::find_opt(v, path, name)?.ok_or_else(|| bad(path, format!("no {name} result set")))
    }

    /// Like [`ResultSet::find`], but a missing set is `None` (a missing `resultSets` is still an error).
    pub fn find_opt(v: &'a Value, path: &'a str, name: &str) -> Result<Option<Self>, ProcessorError> {
        let sets: Vec<&Value> = match (v.get("resultSets"), v.get("resultSet")) {
            (Some(Value::Array(a)), _) => a.iter().collect(),
            (_, Some(o @ Value::Object(_))) => vec![o],
            _ => return Err(bad(path, "no resultSets array")),
        };
        let Some(set) = sets.into_iter().find(|s| s.get("name").and_then(Value::as_str) == Some(name)) else {
            return Ok(None);
        };
        let headers: Vec<&str> = set
            .get("headers")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(path, format!("{name}: no headers")))?
            .iter()
            .map(|h| h.as_str().unwrap_or(""))
            .collect();
        let raw = set.get("rowSet").and_then(Value::as_array).ok_or_else(|| bad(path, format!("{name}: no rowSet")))?;
        let mut rows = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let cells = r.as_array().ok_or_else(|| bad(path, format!("{name} row {i} is not an array")))?;
            if cells.len() != headers.len() {
                return Err(bad(
                    path,
                    format!("{name} row {i} has {} cells for {} headers", cells.len(), headers.len()),
                ));
            }
            rows.push(cells.as_slice());
        }
        Ok(Some(ResultSet { name: set.get("name").and_then(Value::as_str).unwrap_or(""), headers, rows, path }))
    }

    /// Index of a required column.
    pub fn col(&self, header: &str) -> Result<usize, ProcessorError> {
        self.opt_col(header).ok_or_else(|| bad(self.path, format!("{}: no {header} column", self.name)))
    }

    pub fn opt_col(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| *h == header)
    }
}

/// A cell of a checked row (`Null` when the index is absent).
pub fn cell(row: &[Value], idx: Option<usize>) -> &Value {
    static NULL: Value = Value::Null;
    idx.and_then(|i| row.get(i)).unwrap_or(&NULL)
}

/// A trimmed, non-empty string cell or value.
pub fn text_of(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// The canonical tricode of an NBA team from NBA.com's tricode and/or team id, `None` for anything that is not
/// one of the 30 NBA teams (All-Star teams, international clubs, G League, TBD playoff slots). When both are
/// given they must agree.
pub fn nba_team(tricode: Option<&str>, team_id: Option<i64>) -> Option<&'static str> {
    let by_code = tricode.map(str::trim).filter(|s| !s.is_empty()).map(crate::domain::team_abbr);
    let by_id = team_id.filter(|id| *id > 0).map(|id| crate::domain::team_abbr(&id.to_string()));
    match (by_code, by_id) {
        (Some(Some(a)), Some(Some(b))) if a == b => Some(a),
        (Some(Some(a)), None) => Some(a),
        (None, Some(Some(b))) => Some(b),
        _ => None,
    }
}

/// The first season year of a 10-digit NBA.com game id (`0022400561` → 2024).
pub fn season_of_nba_game_id(id: &str) -> Option<i32> {
    let yy: i32 = id.get(3..5)?.parse().ok()?;
    (id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit())).then_some(2000 + yy)
}

/// The season type of an NBA.com game id, from its 3-digit prefix.
pub fn season_type_of_nba_game_id(id: &str) -> &'static str {
    match id.get(..3) {
        Some("001") => "preseason",
        Some("002") => "regular",
        Some("003") => "all_star",
        Some("004") => "playoffs",
        Some("005") => "play_in",
        Some("006") => "in_season_final",
        _ => "unknown",
    }
}

/// The date of the leading `YYYY-MM-DD` of a timestamp-like string (`2025-01-15T00:00:00`).
pub fn date_prefix(s: &str) -> Option<SlateDate> {
    s.trim().get(..10)?.parse().ok()
}

/// A date written `MM/DD/YYYY[ hh:mm:ss]` (NBA.com's `gameDate`) or `YYYY-MM-DD…`.
pub fn us_or_iso_date(s: &str) -> Option<SlateDate> {
    let s = s.trim();
    if let Some(d) = date_prefix(s) {
        return Some(d);
    }
    let mut it = s.get(..10)?.split('/');
    let (m, d, y) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    SlateDate::from_ymd(y, m, d)
}

/// An RFC 3339 instant (`2024-10-04T16:00:00Z`) in canonical UTC form.
pub fn utc_instant(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The NBA.com game id a per-game path names (`.../0022400561/...` or `.../game_0022400561/...`), if any.
pub fn path_nba_game_id(path: &str) -> Option<&str> {
    path.split('/')
        .map(|seg| seg.strip_prefix("game_").unwrap_or(seg))
        .find(|seg| seg.len() == 10 && seg.starts_with("00") && seg.bytes().all(|b| b.is_ascii_digit()))
}

/// A JSON value or `Null` for `None`.
pub fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
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
