//! `espn_team_roster`: ESPN team roster → `nba_raw.espn_team_rosters`.
//!
//! Input: `espn/rosters/{date}/team_{ABBR}/{ts}.json`, in either of the two shapes ESPN serves:
//! - the roster page `espn.com/nba/team/roster/_/name/{abbr}` (HTML, often gzip), whose embedded
//!   `window['__espnfitt__']={...};` state holds `page.content.roster` with `team {id, abbrev}` and a flat
//!   `athletes` list (`name`, `id`, `jersey`, `position`, `height` `6' 6"`, `weight` `223 lbs`, `age`,
//!   `experience`, `birthDate` `10/24/96`, `college`);
//! - the site API `site.api.espn.com/.../nba/teams/{id}?enable=roster`: `{"team": {"id", "abbreviation",
//!   "athletes": [{"fullName", "jersey", "position": {"abbreviation"}, "height": 78.0, "weight": 223.0,
//!   "experience": {"years"}, "dateOfBirth", "status": {"type"}, "injuries": [...]}]}}`.
//!
//! Invariants:
//! - one row per (roster_date, team, player); `roster_date` is the path date (else the run date);
//!   `scrape_hour` is the hour of a `YYYYMMDD_HHMMSS` file name when present;
//! - the team comes from the content (`team_abbr`); a `team_{ABBR}` path segment naming another team is a
//!   mislabelled file (bad input); the write is a `ReplaceSlice`
//!   of `roster_date` scoped on `team_abbr` (the latest roster of the day for a team replaces the earlier
//!   one; the other teams' rosters are untouched);
//! - both shapes give the same columns: height in inches, weight in pounds, `source_format` = `html` | `api`;
//!   `roster_status` is `active` unless the API marks the player otherwise or lists a current `Out` injury
//!   (`injured`);
//! - a page or response without a known team or with an athlete lacking a name or id fails the whole file;
//!   an empty roster is no data.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, canonical_lookup, data_date, embedded_json, non_blank, opt, raw_schema, raw_table, row_of, stamp, Obj,
    RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "espn_team_rosters";
const MARKER: &str = "window['__espnfitt__']=";
const HASH_FIELDS: [&str; 10] = [
    "roster_date",
    "team_abbr",
    "espn_player_id",
    "player_full_name",
    "jersey_number",
    "position",
    "height",
    "weight",
    "status",
    "roster_status",
];

pub struct EspnTeamRoster;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("roster_date", T::Date)
            .col("scrape_hour", T::Int64)
            .required("season_year", T::Int64)
            .required("team_abbr", T::String)
            .col("espn_team_id", T::String)
            .required("espn_player_id", T::String)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .col("jersey_number", T::String)
            .col("position", T::String)
            .col("height", T::String)
            .col("height_inches", T::Int64)
            .col("weight", T::Int64)
            .col("age", T::Int64)
            .col("experience_years", T::Int64)
            .col("birth_date", T::Date)
            .col("college", T::String)
            .col("status", T::String)
            .required("roster_status", T::String)
            .col("injury_status", T::String)
            .required("source_format", T::String)
            .partitioned_by("roster_date")
            .keyed_by(&["roster_date", "team_abbr", "espn_player_id"])
    })
}

/// A parsed roster: the team and its rows.
pub struct Roster {
    pub team: &'static str,
    pub rows: Vec<Row>,
}

/// Parse a roster page or API response for `date`.
pub fn parse(file: &RawFile<'_>, date: SlateDate) -> Result<Roster, ProcessorError> {
    let p = file.path;
    let text = file.text()?;
    let trimmed = text.trim_start();
    let (team, athletes, format) = if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(trimmed).map_err(|e| bad(p, format!("not valid JSON: {e}")))?;
        let team = v.get("team").cloned().ok_or_else(|| bad(p, "no team object: not a team API response"))?;
        let athletes = team.get("athletes").cloned().unwrap_or(Value::Array(Vec::new()));
        (team, athletes, "api")
    } else {
        let state = embedded_json(&text, MARKER).ok_or_else(|| bad(p, "no embedded __espnfitt__ JSON in the page"))?;
        let roster = state.pointer("/page/content/roster").ok_or_else(|| bad(p, "the page has no roster"))?;
        let team = roster.get("team").cloned().ok_or_else(|| bad(p, "the roster has no team"))?;
        (team, roster.get("athletes").cloned().unwrap_or(Value::Array(Vec::new())), "html")
    };
    let t = Obj::new(&team, p, "team")?;
    let raw =
        t.opt_str("abbreviation").or_else(|| t.opt_str("abbrev")).ok_or_else(|| bad(p, "team has no abbreviation"))?;
    let abbr = team_abbr(raw).ok_or_else(|| bad(p, format!("unknown team {raw:?}")))?;
    let path_team = p.split('/').find_map(|seg| seg.strip_prefix("team_")).and_then(team_abbr);
    if path_team.is_some_and(|t| t != abbr) {
        return Err(bad(p, format!("the file holds the {abbr} roster, the path names another team")));
    }
    let athletes = athletes.as_array().ok_or_else(|| bad(p, "athletes is not an array"))?;
    let common = row_of(json!({
        "roster_date": date.to_string(),
        "scrape_hour": opt(scrape_hour(p)),
        "season_year": date.season_year(),
        "team_abbr": abbr,
        "espn_team_id": opt(t.opt_str("id")),
        "source_format": format,
    }));
    let mut rows = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, a) in athletes.iter().enumerate() {
        let mut row = common.clone();
        let r = if format == "api" { api_athlete(a, &mut row) } else { html_athlete(a, &mut row) };
        r.map_err(|d| bad(p, format!("athlete {i}: {d}")))?;
        let id = row.get("espn_player_id").and_then(Value::as_str).unwrap_or_default().to_string();
        if ids.insert(id) {
            stamp(&mut row, file, &HASH_FIELDS);
            rows.push(row);
        }
    }
    Ok(Roster { team: abbr, rows })
}

/// The hour of a `…/YYYYMMDD_HHMMSS.json` file name.
fn scrape_hour(path: &str) -> Option<i64> {
    let name = path.rsplit('/').next()?;
    let (_, time) = name.split_once('_')?;
    let hh = time.get(..2)?;
    hh.parse::<i64>()
        .ok()
        .filter(|h| (0..24).contains(h) && time.get(..6).is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit())))
}

fn id_text(v: Option<&Value>) -> Option<String> {
    v.and_then(|v| v.as_str().map(str::to_string).or_else(|| as_i64(v).map(|n| n.to_string())))
}

/// `6' 6"` → 78.
fn inches(text: &str) -> Option<i64> {
    let (ft, rest) = text.split_once('\'')?;
    let inch = rest.trim().trim_end_matches('"').trim();
    Some(ft.trim().parse::<i64>().ok()? * 12 + if inch.is_empty() { 0 } else { inch.parse::<i64>().ok()? })
}

fn name_and_id(row: &mut Row, name: Option<&str>, id: Option<String>) -> Result<(), String> {
    let name = non_blank(name).ok_or("no name")?;
    let lookup = canonical_lookup(name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    row.insert("espn_player_id".into(), json!(id.ok_or("no id")?));
    row.insert("player_full_name".into(), json!(name));
    row.insert("player_lookup".into(), json!(lookup));
    Ok(())
}

fn html_athlete(a: &Value, row: &mut Row) -> Result<(), String> {
    let s = |k: &str| non_blank(a.get(k).and_then(Value::as_str));
    name_and_id(row, s("name"), id_text(a.get("id")))?;
    let height = s("height");
    // `%y`: 69-99 → 19xx, 00-68 → 20xx (right for every active player).
    let birth =
        s("birthDate").and_then(|b| chrono::NaiveDate::parse_from_str(b, "%m/%d/%y").ok()).map(|d| d.to_string());
    row.insert("jersey_number".into(), opt(s("jersey")));
    row.insert("position".into(), opt(s("position")));
    row.insert("height".into(), opt(height));
    row.insert("height_inches".into(), opt(height.and_then(inches)));
    row.insert("weight".into(), opt(s("weight").and_then(|w| w.trim_end_matches("lbs").trim().parse::<i64>().ok())));
    row.insert("age".into(), opt(a.get("age").and_then(as_i64)));
    row.insert("experience_years".into(), opt(a.get("experience").and_then(as_i64)));
    row.insert("birth_date".into(), opt(birth));
    row.insert("college".into(), opt(s("college")));
    row.insert("status".into(), Value::Null);
    row.insert("roster_status".into(), json!("active"));
    row.insert("injury_status".into(), Value::Null);
    Ok(())
}

fn api_athlete(a: &Value, row: &mut Row) -> Result<(), String> {
    let s = |ptr: &str| non_blank(a.pointer(ptr).and_then(Value::as_str));
    name_and_id(row, s("/fullName").or_else(|| s("/displayName")), id_text(a.get("id")))?;
    let height = s("/displayHeight");
    let injury = a.get("injuries").and_then(Value::as_array).and_then(|i| i.first()).and_then(|i| i.get("status"));
    let injury = injury.and_then(Value::as_str).map(str::to_lowercase);
    let status = s("/status/type").map(str::to_lowercase);
    let roster_status = match (status.as_deref(), injury.as_deref()) {
        (Some(st), _) if st != "active" => st.to_string(),
        (_, Some("out")) => "injured".to_string(),
        _ => "active".to_string(),
    };
    row.insert("jersey_number".into(), opt(s("/jersey")));
    row.insert("position".into(), opt(s("/position/abbreviation")));
    row.insert("height".into(), opt(height));
    let h = a.get("height").and_then(Value::as_f64).map(|h| h.round() as i64).or_else(|| height.and_then(inches));
    row.insert("height_inches".into(), opt(h));
    row.insert("weight".into(), opt(a.get("weight").and_then(Value::as_f64).map(|w| w.round() as i64)));
    row.insert("age".into(), opt(a.get("age").and_then(as_i64)));
    row.insert("experience_years".into(), opt(a.pointer("/experience/years").and_then(as_i64)));
    row.insert(
        "birth_date".into(),
        opt(s("/dateOfBirth").and_then(|d| d.get(..10)).filter(|d| d.parse::<SlateDate>().is_ok()).map(str::to_string)),
    );
    row.insert("college".into(), opt(s("/college/name")));
    row.insert("status".into(), opt(status));
    row.insert("roster_status".into(), json!(roster_status));
    row.insert("injury_status".into(), opt(injury));
    Ok(())
}

impl Processor for EspnTeamRoster {
    fn name(&self) -> &str {
        "espn_team_roster"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let date = data_date(&file, input)?;
        let roster = parse(&file, date)?;
        let mut out = ProcessorOutput::default();
        if roster.rows.is_empty() {
            out.no_data_reason = Some(format!("the {} roster lists no players", roster.team));
            return Ok(out);
        }
        out.metadata.insert("team".into(), json!(roster.team));
        out.metadata.insert("players".into(), json!(roster.rows.len()));
        out.writes.push(TableWrite::ReplaceSlice {
            table: raw_table(TABLE),
            date,
            scope: vec![("team_abbr".into(), json!(roster.team))],
            rows: roster.rows,
        });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
