//! `nbac_referee`: NBA.com official assignments → `nba_raw.nbac_referee_game_assignments` and
//! `nba_raw.nbac_referee_replay_center`.
//!
//! Input: `nba-com/referee-assignments/{date}/{ts}.json`, `{"nba": {"Table": {"rows": [...]}, "Table1":
//! {"rows": [...]}}, "gl": {...}, "wnba": {...}}` (or the original scraper's `{"metadata",
//! "refereeAssignments": {...}}`): `Table` has one row per game with up to four officials
//! (`official{N}`, `official{N}_code`, `official{N}_JNum`), `Table1` the replay-center officials of the day.
//!
//! Invariants:
//! - only the `nba` league is read (G League and WNBA rows are counted in metadata, not loaded); a game whose
//!   teams are not two NBA teams is skipped and counted;
//! - one assignment row per (game, official), `official_position` 1–4 in the file's order; `game_id` is the
//!   standard `YYYYMMDD_AWAY_HOME` from the game date (`MM/DD/YYYY`) and the tricodes, `nba_game_id` NBA.com's;
//! - write: the original MERGEd on (game_id, official_position, official_code) within the file's dates. The
//!   file lists every game and every replay official of its date, so each date present is authoritative and
//!   replaced (`ReplacePartition`, both tables): a reassigned referee does not linger beside the new one and
//!   re-loading changes nothing. A file without NBA games writes no assignments (no wipe);
//! - a row without a game id, a parseable date or an official code where a name is given, or the same
//!   official twice in one game, is `BadInput` for the whole file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::common::{as_i64, bad, nba_team, opt, raw_schema, raw_table, stamp, text_of, us_or_iso_date, RawFile};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_referee_game_assignments";
pub const REPLAY_TABLE: &str = "nbac_referee_replay_center";
const HASH_FIELDS: [&str; 4] = ["game_id", "official_code", "official_name", "assignment_type"];
const REPLAY_HASH_FIELDS: [&str; 3] = ["game_date", "official_code", "official_name"];

pub struct NbacReferee;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("nba_game_id", T::String)
            .col("game_code", T::String)
            .required("game_date", T::Date)
            .col("season", T::String)
            .required("season_year", T::Int64)
            .col("home_team_id", T::Int64)
            .required("home_team_abbr", T::String)
            .col("home_team_name", T::String)
            .col("away_team_id", T::Int64)
            .required("away_team_abbr", T::String)
            .col("away_team_name", T::String)
            .required("official_position", T::Int64)
            .required("official_name", T::String)
            .required("official_code", T::Int64)
            .col("official_jersey_number", T::String)
            .required("assignment_type", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id", "official_code"])
    })
}

pub fn replay_schema() -> TableSchema {
    raw_schema(REPLAY_TABLE, |s| {
        s.required("game_date", T::Date)
            .required("season_year", T::Int64)
            .required("official_code", T::Int64)
            .required("official_name", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "official_code"])
    })
}

/// What a referee file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    pub assignments: BTreeMap<SlateDate, Vec<Row>>,
    pub replay: BTreeMap<SlateDate, Vec<Row>>,
    pub skipped_games: usize,
    pub other_league_games: usize,
}

fn rows_of<'v>(league: &'v Value, table: &str) -> &'v [Value] {
    league.get(table).and_then(|t| t.get("rows")).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

pub fn parse(file: &RawFile<'_>) -> Result<Parsed, ProcessorError> {
    let path = file.path;
    let root = file.json()?;
    // The original scraper's output wraps the response in `refereeAssignments` (beside its `metadata`).
    let v = root.get("refereeAssignments").unwrap_or(&root);
    let nba = v.get("nba").filter(|n| n.is_object()).ok_or_else(|| bad(path, "no nba object"))?;
    if nba.get("Table").and_then(|t| t.get("rows")).and_then(Value::as_array).is_none() {
        return Err(bad(path, "nba.Table.rows is not an array"));
    }
    let mut out = Parsed {
        other_league_games: ["gl", "wnba"].iter().filter_map(|l| v.get(*l)).map(|l| rows_of(l, "Table").len()).sum(),
        ..Default::default()
    };
    for (i, g) in rows_of(nba, "Table").iter().enumerate() {
        let err = |d: &str| bad(path, format!("nba game {i}: {d}"));
        let s = |k: &str| g.get(k).and_then(text_of);
        let nba_id = s("game_id").ok_or_else(|| err("no game_id"))?;
        let date = s("game_date").and_then(us_or_iso_date).ok_or_else(|| err("bad game_date"))?;
        let (hid, aid) = (g.get("home_team_id").and_then(as_i64), g.get("away_team_id").and_then(as_i64));
        let (Some(home), Some(away)) = (nba_team(s("home_team_abbr"), hid), nba_team(s("away_team_abbr"), aid)) else {
            out.skipped_games += 1;
            continue;
        };
        // "22024": season type digit + start year.
        let season_year = s("season")
            .and_then(|x| x.get(x.len().saturating_sub(4)..))
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or_else(|| date.season_year());
        let game_id = standard_game_id(date, away, home);
        let mut codes = BTreeSet::new();
        for n in 1..=4 {
            let Some(name) = s(&format!("official{n}")) else { continue };
            let code = g
                .get(format!("official{n}_code").as_str())
                .and_then(as_i64)
                .ok_or_else(|| err(&format!("official{n} {name:?} has no code")))?;
            if !codes.insert(code) {
                return Err(err(&format!("official {code} assigned twice")));
            }
            let mut row = Row::new();
            row.insert("game_id".into(), json!(game_id));
            row.insert("nba_game_id".into(), json!(nba_id));
            row.insert("game_code".into(), opt(s("game_code")));
            row.insert("game_date".into(), json!(date.to_string()));
            row.insert("season".into(), json!(format!("{}-{:02}", season_year, (season_year + 1) % 100)));
            row.insert("season_year".into(), json!(season_year));
            row.insert("home_team_id".into(), opt(hid));
            row.insert("home_team_abbr".into(), json!(home));
            row.insert("home_team_name".into(), opt(s("home_team")));
            row.insert("away_team_id".into(), opt(aid));
            row.insert("away_team_abbr".into(), json!(away));
            row.insert("away_team_name".into(), opt(s("away_team")));
            row.insert("official_position".into(), json!(n));
            row.insert("official_name".into(), json!(name));
            row.insert("official_code".into(), json!(code));
            row.insert("official_jersey_number".into(), opt(s(&format!("official{n}_JNum"))));
            // Replay-center officials live in their own table: every row here is an on-court assignment.
            row.insert("assignment_type".into(), json!("game"));
            stamp(&mut row, file, &HASH_FIELDS);
            out.assignments.entry(date).or_default().push(row);
        }
    }
    let mut seen = BTreeSet::new();
    for (i, r) in rows_of(nba, "Table1").iter().enumerate() {
        let err = |d: &str| bad(path, format!("replay official {i}: {d}"));
        let date = r.get("game_date").and_then(text_of).and_then(us_or_iso_date).ok_or_else(|| err("bad game_date"))?;
        let code = r.get("official_code").and_then(as_i64).ok_or_else(|| err("no official_code"))?;
        let name = r.get("replaycenter_official").and_then(text_of).ok_or_else(|| err("no name"))?;
        if !seen.insert((date, code)) {
            continue;
        }
        let mut row = Row::new();
        row.insert("game_date".into(), json!(date.to_string()));
        row.insert("season_year".into(), json!(date.season_year()));
        row.insert("official_code".into(), json!(code));
        row.insert("official_name".into(), json!(name));
        stamp(&mut row, file, &REPLAY_HASH_FIELDS);
        out.replay.entry(date).or_default().push(row);
    }
    Ok(out)
}

impl Processor for NbacReferee {
    fn name(&self) -> &str {
        "nbac_referee"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let p = parse(&file)?;
        let mut out = ProcessorOutput::default();
        let games: BTreeSet<&str> =
            p.assignments.values().flatten().filter_map(|r| r.get("game_id").and_then(Value::as_str)).collect();
        out.metadata.insert("games".into(), json!(games.len()));
        out.metadata.insert("skipped_non_nba_games".into(), json!(p.skipped_games));
        out.metadata.insert("other_league_games".into(), json!(p.other_league_games));
        if p.assignments.is_empty() && p.replay.is_empty() {
            out.no_data_reason = Some("no NBA referee assignments".into());
            return Ok(out);
        }
        for (date, rows) in p.assignments {
            out.writes.push(TableWrite::ReplacePartition { table: raw_table(TABLE), date, rows });
        }
        for (date, rows) in p.replay {
            out.writes.push(TableWrite::ReplacePartition { table: raw_table(REPLAY_TABLE), date, rows });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema(), replay_schema()]
    }
}
