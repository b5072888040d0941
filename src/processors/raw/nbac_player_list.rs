//! `nbac_player_list`: NBA.com `playerindex` → `nba_raw.nbac_player_list_current` (current state).
//!
//! Input: `nba-com/player-list/{date}/{ts}.json`, the stats API response with the `PlayerIndex` result set
//! (one row per player of the requested season, `parameters.Season` = `2025-26`).
//!
//! Invariants:
//! - one row per (player, season): the table is current state, unpartitioned, written by `Upsert` keyed on
//!   (`player_id`, `season_year`). The original MERGEd on (player_lookup, team_abbr, season_year), which keeps
//!   a traded player's old-team row beside the new one (two "current" teams); keying on NBA.com's person id
//!   moves the row with the player instead, and two players who share a name cannot overwrite each other. A
//!   full replace is not used: an index fetched for one team (`TeamID` ≠ 0) would wipe the others. Players
//!   who drop out of the index keep their last row (`last_seen_date` tells how current it is);
//! - `player_lookup` from "first last" through `player_lookup`; teams are canonical tricodes (`team_abbr` is
//!   null for a player without a team); `is_active` = `ROSTER_STATUS` 1;
//! - `season_year` from `parameters.Season`, else the path date; `last_seen_date` is the path's date (the data
//!   date, not the wall clock), so reloading a file writes identical rows;
//! - a missing column, a row without a person id or name, or a team that is not an NBA team is `BadInput`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{as_i64, bad, cell, nba_team, opt, raw_schema, raw_table, stamp, text_of, RawFile, ResultSet};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{player_lookup, Row};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_player_list_current";
const HASH_FIELDS: [&str; 5] = ["player_lookup", "team_abbr", "position", "jersey_number", "is_active"];

pub struct NbacPlayerList;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("player_id", T::Int64)
            .required("season_year", T::Int64)
            .required("player_lookup", T::String)
            .required("player_full_name", T::String)
            .col("first_name", T::String)
            .col("last_name", T::String)
            .col("player_slug", T::String)
            .col("team_id", T::Int64)
            .col("team_abbr", T::String)
            .col("team_city", T::String)
            .col("team_name", T::String)
            .col("jersey_number", T::String)
            .col("position", T::String)
            .col("height", T::String)
            .col("weight", T::Int64)
            .col("college", T::String)
            .col("country", T::String)
            .col("draft_year", T::Int64)
            .col("draft_round", T::Int64)
            .col("draft_number", T::Int64)
            .col("from_year", T::Int64)
            .col("to_year", T::Int64)
            .col("years_pro", T::Int64)
            .col("roster_status", T::Int64)
            .required("is_active", T::Bool)
            .required("season", T::String)
            .required("last_seen_date", T::Date)
            .keyed_by(&["player_id", "season_year"])
    })
}

pub fn parse(file: &RawFile<'_>) -> Result<Vec<Row>, ProcessorError> {
    let path = file.path;
    let date = file.require_path_date()?;
    let v = file.json()?;
    let set = ResultSet::find(&v, path, "PlayerIndex")?;
    let season_year = v
        .get("parameters")
        .and_then(|p| p.get("Season"))
        .and_then(text_of)
        .and_then(|s| s.get(..4))
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or_else(|| date.season_year());
    let (c_id, c_first, c_last) = (set.col("PERSON_ID")?, set.col("PLAYER_FIRST_NAME")?, set.col("PLAYER_LAST_NAME")?);
    let (c_team, c_abbr) = (set.col("TEAM_ID")?, set.col("TEAM_ABBREVIATION")?);
    let c = |h: &str| set.opt_col(h);
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(set.rows.len());
    for (i, r) in set.rows.iter().enumerate() {
        let err = |d: String| bad(path, format!("PlayerIndex row {i}: {d}"));
        let id = as_i64(cell(r, Some(c_id))).filter(|p| *p > 0).ok_or_else(|| err("no PERSON_ID".into()))?;
        if !seen.insert(id) {
            continue;
        }
        let first = text_of(cell(r, Some(c_first)));
        let last = text_of(cell(r, Some(c_last)));
        let full = match (first, last) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (None, Some(n)) | (Some(n), None) => n.to_string(),
            (None, None) => return Err(err("no name".into())),
        };
        let lookup = player_lookup(&full);
        if lookup.is_empty() {
            return Err(err(format!("name {full:?} has no letters")));
        }
        let team_id = as_i64(cell(r, Some(c_team))).filter(|t| *t > 0);
        let code = text_of(cell(r, Some(c_abbr)));
        let team = match (team_id, code) {
            (None, None) => None,
            _ => Some(nba_team(code, team_id).ok_or_else(|| err(format!("not an NBA team: {code:?} {team_id:?}")))?),
        };
        let int = |h: &str| as_i64(cell(r, c(h)));
        let txt = |h: &str| opt(text_of(cell(r, c(h))));
        let status = int("ROSTER_STATUS");
        let (from, to) = (int("FROM_YEAR"), int("TO_YEAR"));
        let mut row = Row::new();
        row.insert("player_id".into(), json!(id));
        row.insert("season_year".into(), json!(season_year));
        row.insert("player_lookup".into(), json!(lookup));
        row.insert("player_full_name".into(), json!(full));
        row.insert("first_name".into(), opt(first));
        row.insert("last_name".into(), opt(last));
        row.insert("player_slug".into(), txt("PLAYER_SLUG"));
        row.insert("team_id".into(), opt(team_id));
        row.insert("team_abbr".into(), opt(team));
        row.insert("team_city".into(), txt("TEAM_CITY"));
        row.insert("team_name".into(), txt("TEAM_NAME"));
        row.insert("jersey_number".into(), txt("JERSEY_NUMBER"));
        row.insert("position".into(), txt("POSITION"));
        row.insert("height".into(), txt("HEIGHT"));
        row.insert("weight".into(), opt(int("WEIGHT")));
        row.insert("college".into(), txt("COLLEGE"));
        row.insert("country".into(), txt("COUNTRY"));
        row.insert("draft_year".into(), opt(int("DRAFT_YEAR")));
        row.insert("draft_round".into(), opt(int("DRAFT_ROUND")));
        row.insert("draft_number".into(), opt(int("DRAFT_NUMBER")));
        row.insert("from_year".into(), opt(from));
        row.insert("to_year".into(), opt(to));
        row.insert("years_pro".into(), opt(from.zip(to).map(|(f, t)| (t - f).max(0))));
        row.insert("roster_status".into(), opt(status));
        row.insert("is_active".into(), json!(status == Some(1) && team.is_some()));
        row.insert("season".into(), json!(format!("{}-{:02}", season_year, (season_year + 1) % 100)));
        row.insert("last_seen_date".into(), json!(date.to_string()));
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok(rows)
}

impl Processor for NbacPlayerList {
    fn name(&self) -> &str {
        "nbac_player_list"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let rows = parse(&file)?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("the player index is empty".into());
            return Ok(out);
        }
        let active = rows.iter().filter(|r| r.get("is_active") == Some(&Value::Bool(true))).count();
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("active_players".into(), json!(active));
        out.writes.push(TableWrite::Upsert { table: raw_table(TABLE), rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
