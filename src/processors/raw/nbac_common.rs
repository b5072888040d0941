//! NBA.com helpers shared by the `nbac_*` raw processors: stats-API result sets (every row checked to have one
//! cell per header, so cell access never goes out of bounds), team and game-id rules, NBA.com date forms.
//! Re-exported from `common`.

use serde_json::Value;

use super::common::bad;
use crate::domain::SlateDate;
use crate::processors::ProcessorError;

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
