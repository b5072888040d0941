//! Field access and value parsing for the decoder: a [`Fields`] reader that removes every key it reads (whatever is
//! left goes to `metadata`), and the strict parsers of dates, timestamps, statuses, table names and object paths.
//!
//! Invariants: no function panics on any input; every failure is a typed [`MessageError`] naming the field; error
//! details quote at most 64 characters of the offending value.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use serde_json::{Map, Value};

use super::Result;
use crate::domain::{Phase, SlateDate};
use crate::messages::{MessageError, Status, UnifiedMessage};

/// The fields of a message object; every read removes its key, so what is left at the end is unknown.
pub(super) struct Fields(pub Map<String, Value>);

impl Fields {
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.0.shift_remove(key)
    }

    pub fn opt_str(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong(key, "string")),
        }
    }

    pub fn req_str(&mut self, key: &'static str) -> Result<String> {
        self.opt_str(key)?.ok_or(MessageError::MissingField(key))
    }

    pub fn opt_bool(&mut self, key: &'static str) -> Result<Option<bool>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(wrong(key, "boolean")),
        }
    }

    /// A non-negative integer count; an integral float (`12.0`) is accepted.
    pub fn opt_count(&mut self, key: &'static str) -> Result<Option<i64>> {
        let n = match self.take(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n,
            Some(_) => return Err(wrong(key, "integer")),
        };
        let value = match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e18 => x as i64,
            _ => return Err(invalid(key, format!("{n} is not an integer count"))),
        };
        if value < 0 {
            return Err(invalid(key, format!("{value} is negative")));
        }
        Ok(Some(value))
    }

    pub fn opt_duration(&mut self, key: &'static str) -> Result<Option<f64>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x >= 0.0 => Ok(Some(x)),
                _ => Err(invalid(key, format!("{n} is not a duration in seconds"))),
            },
            Some(_) => Err(wrong(key, "number")),
        }
    }

    pub fn opt_object(&mut self, key: &'static str) -> Result<Option<Map<String, Value>>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(wrong(key, "object")),
        }
    }

    /// An optional timestamp; the epoch (and `true`: synthetic) when absent.
    pub fn opt_time(&mut self, key: &'static str) -> Result<(DateTime<Utc>, bool)> {
        match self.opt_str(key)? {
            Some(s) => Ok((parse_time(key, &s)?, false)),
            None => Ok((DateTime::UNIX_EPOCH, true)),
        }
    }

    /// Move every field not read into `metadata` (keys already there win).
    pub fn finish(self, mut m: UnifiedMessage) -> UnifiedMessage {
        for (k, v) in self.0 {
            m.metadata.entry(k).or_insert(v);
        }
        m
    }
}

pub(super) fn wrong(field: &'static str, expected: &'static str) -> MessageError {
    MessageError::WrongType { field, expected }
}

pub(super) fn invalid(field: &'static str, detail: String) -> MessageError {
    MessageError::InvalidValue { field, detail }
}

/// At most 64 characters of a value, for error details.
pub(super) fn shown(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(super) fn or_execution(correlation_id: Option<String>, execution_id: &str) -> String {
    correlation_id.filter(|c| !c.is_empty()).unwrap_or_else(|| execution_id.to_string())
}

pub(super) fn mark_synthetic(m: &mut UnifiedMessage, synthetic: bool) {
    if synthetic {
        m.metadata.insert("timestamp_synthetic".into(), true.into());
    }
}

pub(super) fn parse_status(s: &str) -> Result<Status> {
    Status::parse(s)
        .ok_or_else(|| invalid("status", format!("`{}` is not one of success, partial, no_data, failed", shown(s))))
}

/// Strict `YYYY-MM-DD` that is a calendar date.
pub(super) fn parse_date(field: &'static str, s: &str) -> Result<SlateDate> {
    strict_date(s).ok_or_else(|| invalid(field, format!("`{}` is not a YYYY-MM-DD calendar date", shown(s))))
}

pub(super) fn strict_date(s: &str) -> Option<SlateDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10);
    shaped.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(SlateDate)).flatten()
}

/// RFC 3339 (any offset) or offset-less ISO 8601 read as UTC; converted to UTC, truncated to milliseconds.
pub(super) fn parse_time(field: &'static str, s: &str) -> Result<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc()))
        .map_err(|_| invalid(field, format!("`{}` is not an RFC 3339 timestamp", shown(s))))?;
    Ok(t.trunc_subsecs(3))
}

/// `dataset.table` or `project.dataset.table` → (dataset, bare table); a bare name has no dataset.
pub(super) fn split_table(field: &'static str, raw: &str, dataset: Option<String>) -> Result<(Option<String>, String)> {
    let parts: Vec<&str> = raw.split('.').collect();
    let (prefix, table) = match parts.as_slice() {
        [table] => (None, *table),
        [ds, table] | [_, ds, table] if !ds.is_empty() && !table.is_empty() => (Some(*ds), *table),
        _ => return Err(invalid(field, format!("`{}` is not [dataset.]table", shown(raw)))),
    };
    match (prefix, dataset) {
        (Some(p), Some(d)) if p != d => {
            Err(invalid("output_dataset", format!("`{}` contradicts the table prefix `{}`", shown(&d), shown(p))))
        }
        (Some(p), _) => Ok((Some(p.to_string()), table.to_string())),
        (None, d) => Ok((d, table.to_string())),
    }
}

/// The first `YYYY-MM-DD` segment of an object path, else a `YYYYMMDD` prefix of its file name.
pub(super) fn date_in_path(path: &str) -> Option<SlateDate> {
    path.split('/').find_map(strict_date).or_else(|| {
        let file = path.rsplit('/').next()?;
        let prefix = file.get(..8).filter(|p| p.bytes().all(|b| b.is_ascii_digit()))?;
        NaiveDate::parse_from_str(prefix, "%Y%m%d").ok().map(SlateDate)
    })
}

/// The scraper family of an object path: its first two directory segments (`nba-com/player-boxscores`).
pub(super) fn scraper_family(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let dirs = &segments[..segments.len().saturating_sub(1)];
    match dirs.len() {
        0 => path.to_string(),
        n => dirs[..n.min(2)].join("/"),
    }
}

/// The phase named in an orchestrator name: the digit after the first `phase`.
pub(super) fn phase_in_name(name: &str) -> Option<Phase> {
    let at = name.find("phase")?;
    let digit = name[at + 5..].chars().next()?.to_digit(10)?;
    Phase::from_number(u8::try_from(digit).ok()?)
}
