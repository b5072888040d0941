//! `espn_scoreboard`: ESPN scoreboard API (`site.api.espn.com/.../nba/scoreboard?dates=`) →
//! `nba_raw.espn_scoreboard`.
//!
//! Input: `espn/scoreboard/{date}/{ts}.json`, `{"leagues": [...], "events": [event, ...]}`; an event has
//! `id`, UTC `date`, `season {year, type}`, `status.type {name, state, completed, detail}` and
//! `competitions[0].competitors` (`homeAway`, `team {id, abbreviation}`, `score`, `winner`).
//!
//! Invariants:
//! - one row per game; `game_date` is the ET date of the tip-off (the scoreboard's own date), else the path
//!   date; `game_id` is the standard `YYYYMMDD_AWAY_HOME` with ESPN's `GS`/`NY`/`SA`/`UTAH`/`WSH`/`NO`
//!   mapped to tricodes (the raw ESPN abbreviations are kept in `home/away_espn_abbr`);
//! - writes are one `ReplaceSlice` per game on `game_id` (the original MERGE on game_id, game_date): a later
//!   scoreboard of the day updates scores and status; reloading changes nothing;
//! - `game_status` is `scheduled` | `in_progress` | `final` | `postponed` | `cancelled` from the ESPN state;
//!   scores are null before tip-off;
//! - no events (All-Star break, off days) is no data; an event without two known teams fails the file.

use serde_json::{json, Value};

use super::common::{bad, eastern_date, opt, raw_schema, raw_table, row_of, stamp, utc_rfc3339, Obj, RawFile};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "espn_scoreboard";
const HASH_FIELDS: [&str; 7] =
    ["game_id", "game_status", "home_team_score", "away_team_score", "home_team_abbr", "away_team_abbr", "espn_state"];

pub struct EspnScoreboard;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("espn_game_id", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("season_type", T::Int64)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .col("home_espn_team_id", T::String)
            .col("away_espn_team_id", T::String)
            .col("home_espn_abbr", T::String)
            .col("away_espn_abbr", T::String)
            .required("game_status", T::String)
            .col("game_status_detail", T::String)
            .col("espn_state", T::String)
            .required("is_completed", T::Bool)
            .col("scheduled_start_time", T::Timestamp)
            .col("home_team_score", T::Int64)
            .col("away_team_score", T::Int64)
            .col("home_team_winner", T::Bool)
            .col("away_team_winner", T::Bool)
            .required("processing_confidence", T::Float64)
            .col("data_quality_flags", T::Json)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id"])
    })
}

/// One game row with its date.
pub fn parse(file: &RawFile<'_>) -> Result<Vec<(SlateDate, Row)>, ProcessorError> {
    let v = file.json()?;
    let top = Obj::new(&v, file.path, "scoreboard")?;
    let events = match top.get("events") {
        Some(e) => e.as_array().ok_or_else(|| bad(file.path, "events is not an array"))?,
        None if top.get("leagues").is_some() => return Ok(Vec::new()),
        None => return Err(bad(file.path, "neither events nor leagues: not a scoreboard response")),
    };
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        out.push(parse_event(file, e).map_err(|d| bad(file.path, format!("event {i}: {d}")))?);
    }
    Ok(out)
}

fn status_of(name: &str, state: &str) -> &'static str {
    match (name, state) {
        ("STATUS_POSTPONED", _) => "postponed",
        ("STATUS_CANCELED", _) | ("STATUS_CANCELLED", _) => "cancelled",
        (_, "post") => "final",
        (_, "in") => "in_progress",
        _ => "scheduled",
    }
}

fn parse_event(file: &RawFile<'_>, e: &Value) -> Result<(SlateDate, Row), String> {
    let err = |x: ProcessorError| x.to_string();
    let ev = Obj::new(e, file.path, "event").map_err(err)?;
    let id = ev.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
    let id = id.ok_or("no event id")?;
    let start = ev.opt_str("date");
    let date = start.and_then(eastern_date).or_else(|| file.path_date()).ok_or("no game date")?;
    let comp = ev.arr("competitions").map_err(err)?.first().ok_or("no competition")?;
    let comp = Obj::new(comp, file.path, "competition").map_err(err)?;
    let mut sides: [Option<(&'static str, Obj<'_>)>; 2] = [None, None];
    for c in comp.arr("competitors").map_err(err)? {
        let c = Obj::new(c, file.path, "competitor").map_err(err)?;
        let raw = c.obj("team").and_then(|t| t.str("abbreviation")).map_err(err)?;
        let abbr = team_abbr(raw).ok_or_else(|| format!("unknown team {raw:?}"))?;
        let slot = match c.opt_str("homeAway") {
            Some("home") => 0,
            Some("away") => 1,
            other => return Err(format!("competitor homeAway {other:?}")),
        };
        sides[slot] = Some((abbr, c));
    }
    let [Some((home, h)), Some((away, a))] = sides else { return Err("not one home and one away team".into()) };
    if home == away {
        return Err(format!("{home} plays itself"));
    }
    let st = ev.get("status").and_then(|s| s.get("type"));
    let s = |k: &str| st.and_then(|t| t.get(k)).and_then(Value::as_str);
    let completed = st.and_then(|t| t.get("completed")).and_then(Value::as_bool).unwrap_or(false);
    let state = s("state").unwrap_or("");
    let status = status_of(s("name").unwrap_or(""), state);
    let score = |o: &Obj<'_>| if state == "pre" { None } else { o.opt_i64("score") };
    let (hs, as_) = (score(&h), score(&a));
    let mut flags = Vec::new();
    if status == "final" && (hs.is_none() || as_.is_none()) {
        flags.push("final_without_scores");
    }
    if start.is_none() {
        flags.push("no_start_time");
    }
    let team_id = |o: &Obj<'_>| o.get("team").and_then(|t| t.get("id")).and_then(Value::as_str).map(str::to_string);
    let mut row = row_of(json!({
        "game_id": standard_game_id(date, away, home),
        "espn_game_id": id,
        "game_date": date.to_string(),
        "season_year": date.season_year(),
        "season_type": opt(ev.get("season").and_then(|s| s.get("type")).and_then(Value::as_i64)),
        "home_team_abbr": home,
        "away_team_abbr": away,
        "home_espn_team_id": opt(team_id(&h)),
        "away_espn_team_id": opt(team_id(&a)),
        "home_espn_abbr": opt(h.get("team").and_then(|t| t.get("abbreviation")).and_then(Value::as_str)),
        "away_espn_abbr": opt(a.get("team").and_then(|t| t.get("abbreviation")).and_then(Value::as_str)),
        "game_status": status,
        "game_status_detail": opt(s("detail")),
        "espn_state": opt(non_empty(state)),
        "is_completed": completed,
        "scheduled_start_time": opt(start.and_then(utc_rfc3339)),
        "home_team_score": opt(hs),
        "away_team_score": opt(as_),
        "home_team_winner": opt(h.get("winner").and_then(Value::as_bool)),
        "away_team_winner": opt(a.get("winner").and_then(Value::as_bool)),
        "processing_confidence": if flags.is_empty() { 1.0 } else { 0.8 },
        "data_quality_flags": flags,
    }));
    stamp(&mut row, file, &HASH_FIELDS);
    Ok((date, row))
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

impl Processor for EspnScoreboard {
    fn name(&self) -> &str {
        "espn_scoreboard"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let games = parse(&file)?;
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some("the scoreboard lists no games".into());
            return Ok(out);
        }
        out.metadata.insert("games".into(), json!(games.len()));
        for (date, row) in games {
            let game_id = row.get("game_id").cloned().unwrap_or(Value::Null);
            out.writes.push(TableWrite::ReplaceSlice {
                table: raw_table(TABLE),
                date,
                scope: vec![("game_id".into(), game_id)],
                rows: vec![row],
            });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
