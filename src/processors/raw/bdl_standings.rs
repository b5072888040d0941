//! `bdl_standings`: balldontlie `standings?season=` → `nba_raw.bdl_standings`.
//!
//! Input: `ball-dont-lie/standings/{season}/{date}/{ts}.json`, `{"data": [{"team": {...}, "wins",
//! "losses", "conference_rank", "division_rank", "home_record": "34-7", ...}]}`.
//!
//! Invariants:
//! - one row per team and `date_recorded` (the path date, else the run date); the file is the whole league
//!   table of that date, so the write is a `ReplacePartition` of `date_recorded` (a later file of the day
//!   supersedes an earlier one; reloading changes nothing);
//! - records such as `"12-4 "` are trimmed and split into wins/losses columns; `win_percentage` is
//!   wins / games played rounded to 3 places;
//! - `{"data": []}` is no data (the date is not wiped); an unknown team, a missing win/loss count or a team
//!   listed twice fails the whole file.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{
    bad, data_date, non_blank, opt, raw_schema, raw_table, round, row_of, stamp, win_loss, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bdl_standings";
const HASH_FIELDS: [&str; 6] = ["team_abbr", "date_recorded", "wins", "losses", "win_percentage", "conference_rank"];
/// (balldontlie field, column prefix) of the W-L records.
const RECORDS: [(&str, &str); 4] = [
    ("home_record", "home"),
    ("road_record", "road"),
    ("conference_record", "conference"),
    ("division_record", "division"),
];

pub struct BdlStandings;

pub fn schema() -> TableSchema {
    let s = raw_schema(TABLE, |s| {
        s.required("date_recorded", T::Date)
            .required("season_year", T::Int64)
            .col("season_display", T::String)
            .required("team_abbr", T::String)
            .col("bdl_team_id", T::Int64)
            .col("team_city", T::String)
            .col("team_name", T::String)
            .col("team_full_name", T::String)
            .col("conference", T::String)
            .col("division", T::String)
            .col("conference_rank", T::Int64)
            .col("division_rank", T::Int64)
            .required("wins", T::Int64)
            .required("losses", T::Int64)
            .col("win_percentage", T::Float64)
            .required("games_played", T::Int64)
    });
    RECORDS
        .iter()
        .fold(s, |s, (_, p)| {
            s.col(&format!("{p}_record"), T::String)
                .col(&format!("{p}_wins"), T::Int64)
                .col(&format!("{p}_losses"), T::Int64)
        })
        .partitioned_by("date_recorded")
        .keyed_by(&["date_recorded", "season_year", "team_abbr"])
}

/// Parse a standings response recorded on `date`.
pub fn parse(file: &RawFile<'_>, date: SlateDate) -> Result<Vec<Row>, ProcessorError> {
    let v = file.json()?;
    let data = Obj::new(&v, file.path, "response")?.arr("data")?;
    let mut rows = Vec::new();
    let mut teams = BTreeSet::new();
    for (i, t) in data.iter().enumerate() {
        let row = parse_team(file, t, date).map_err(|d| bad(file.path, format!("standing {i}: {d}")))?;
        let abbr = row.get("team_abbr").and_then(Value::as_str).unwrap_or_default().to_string();
        if !teams.insert(abbr.clone()) {
            return Err(bad(file.path, format!("team {abbr} is listed twice")));
        }
        rows.push(row);
    }
    Ok(rows)
}

fn parse_team(file: &RawFile<'_>, t: &Value, date: SlateDate) -> Result<Row, String> {
    let o = Obj::new(t, file.path, "standing").map_err(|e| e.to_string())?;
    let team = o.obj("team").map_err(|e| e.to_string())?;
    let raw = team.str("abbreviation").map_err(|e| e.to_string())?;
    let abbr = team_abbr(raw).ok_or_else(|| format!("unknown team {raw:?}"))?;
    let wins = o.opt_i64("wins").ok_or("no integer wins")?;
    let losses = o.opt_i64("losses").ok_or("no integer losses")?;
    if wins < 0 || losses < 0 || wins + losses > 100 {
        return Err(format!("record {wins}-{losses} out of range"));
    }
    let gp = wins + losses;
    let season = o.opt_i64("season").unwrap_or_else(|| i64::from(date.season_year()));
    let mut row = row_of(json!({
        "date_recorded": date.to_string(),
        "season_year": season,
        "season_display": format!("{}-{:02}", season, (season + 1) % 100),
        "team_abbr": abbr,
        "bdl_team_id": opt(team.opt_i64("id")),
        "team_city": opt(team.opt_str("city")),
        "team_name": opt(team.opt_str("name")),
        "team_full_name": opt(team.opt_str("full_name")),
        "conference": opt(team.opt_str("conference")),
        "division": opt(team.opt_str("division")),
        "conference_rank": opt(o.opt_i64("conference_rank")),
        "division_rank": opt(o.opt_i64("division_rank")),
        "wins": wins,
        "losses": losses,
        "win_percentage": if gp > 0 { json!(round(wins as f64 / gp as f64, 3)) } else { Value::Null },
        "games_played": gp,
    }));
    for (field, prefix) in RECORDS {
        let text = non_blank(o.opt_str(field));
        let wl = text.and_then(win_loss);
        row.insert(format!("{prefix}_record"), opt(text));
        row.insert(format!("{prefix}_wins"), opt(wl.map(|x| x.0)));
        row.insert(format!("{prefix}_losses"), opt(wl.map(|x| x.1)));
    }
    stamp(&mut row, file, &HASH_FIELDS);
    Ok(row)
}

impl Processor for BdlStandings {
    fn name(&self) -> &str {
        "bdl_standings"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let date = data_date(&file, input)?;
        let rows = parse(&file, date)?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("the standings response lists no teams".into());
            return Ok(out);
        }
        out.metadata.insert("teams".into(), json!(rows.len()));
        out.writes.push(TableWrite::ReplacePartition { table: raw_table(TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
