//! `bdl_active_players`: balldontlie `players/active` → `nba_raw.bdl_active_players_current`.
//!
//! Input: `ball-dont-lie/active-players/{date}/{ts}.json`, one page of `{"data": [player, ...], "meta":
//! {"next_cursor", "per_page"}}`; a player carries `id`, names, `position`, `height`, `weight`,
//! `jersey_number`, draft fields and its `team` object.
//!
//! Invariants:
//! - the table is current state (unpartitioned) keyed on `bdl_player_id`; a file is one page of a paginated
//!   list, so it is an `Upsert` of the players it holds (the original's `DELETE WHERE TRUE` full replace
//!   would keep only the last page); `last_seen_date` is the path's data date;
//! - the team goes through `team_abbr` (the abbreviation, else the balldontlie team id); a player without a
//!   known team keeps `team_abbr` null with `has_validation_issues = true` and `validation_status =
//!   "unknown_team"`, otherwise `validation_status = "valid"`;
//! - `{"data": []}` is no data; a player without an id or a name fails the whole file.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{
    bad, bdl_team_abbr, canonical_lookup, non_blank, opt, raw_schema, raw_table, row_of, stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bdl_active_players_current";
const HASH_FIELDS: [&str; 5] = ["player_lookup", "team_abbr", "position", "jersey_number", "is_active"];

pub struct BdlActivePlayers;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("bdl_player_id", T::Int64)
            .required("player_lookup", T::String)
            .col("first_name", T::String)
            .col("last_name", T::String)
            .required("player_full_name", T::String)
            .col("bdl_team_id", T::Int64)
            .col("team_abbr", T::String)
            .col("team_full_name", T::String)
            .col("conference", T::String)
            .col("division", T::String)
            .col("position", T::String)
            .col("height", T::String)
            .col("weight", T::String)
            .col("jersey_number", T::String)
            .col("college", T::String)
            .col("country", T::String)
            .col("draft_year", T::Int64)
            .col("draft_round", T::Int64)
            .col("draft_number", T::Int64)
            .required("is_active", T::Bool)
            .required("has_validation_issues", T::Bool)
            .required("validation_status", T::String)
            .col("last_seen_date", T::Date)
            .keyed_by(&["bdl_player_id"])
    })
}

/// Parse one page of active players.
pub fn parse(file: &RawFile<'_>, seen_date: Option<SlateDate>) -> Result<Vec<Row>, ProcessorError> {
    let v = file.json()?;
    let data = Obj::new(&v, file.path, "response")?.arr("data")?;
    let mut rows = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, p) in data.iter().enumerate() {
        let row = parse_player(file, p, seen_date).map_err(|d| bad(file.path, format!("player {i}: {d}")))?;
        let id = row.get("bdl_player_id").and_then(Value::as_i64).unwrap_or_default();
        if ids.insert(id) {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn parse_player(file: &RawFile<'_>, p: &Value, seen: Option<SlateDate>) -> Result<Row, String> {
    let o = Obj::new(p, file.path, "player").map_err(|e| e.to_string())?;
    let id = o.opt_i64("id").ok_or("no integer id")?;
    let first = non_blank(o.opt_str("first_name"));
    let last = non_blank(o.opt_str("last_name"));
    let name = format!("{} {}", first.unwrap_or(""), last.unwrap_or("")).trim().to_string();
    let lookup = canonical_lookup(&name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    let team = o.get("team").and_then(|t| Obj::new(t, file.path, "team").ok());
    let team_id = team.as_ref().and_then(|t| t.opt_i64("id"));
    let abbr = team
        .as_ref()
        .and_then(|t| t.opt_str("abbreviation"))
        .and_then(team_abbr)
        .or_else(|| team_id.and_then(bdl_team_abbr));
    let mut row = row_of(json!({
        "bdl_player_id": id,
        "player_lookup": lookup,
        "first_name": opt(first),
        "last_name": opt(last),
        "player_full_name": name,
        "bdl_team_id": opt(team_id),
        "team_abbr": opt(abbr),
        "team_full_name": opt(team.as_ref().and_then(|t| t.opt_str("full_name"))),
        "conference": opt(team.as_ref().and_then(|t| t.opt_str("conference"))),
        "division": opt(team.as_ref().and_then(|t| t.opt_str("division"))),
        "position": opt(non_blank(o.opt_str("position"))),
        "height": opt(non_blank(o.opt_str("height"))),
        "weight": opt(non_blank(o.opt_str("weight"))),
        "jersey_number": opt(non_blank(o.opt_str("jersey_number"))),
        "college": opt(non_blank(o.opt_str("college"))),
        "country": opt(non_blank(o.opt_str("country"))),
        "draft_year": opt(o.opt_i64("draft_year")),
        "draft_round": opt(o.opt_i64("draft_round")),
        "draft_number": opt(o.opt_i64("draft_number")),
        "is_active": true,
        "has_validation_issues": abbr.is_none(),
        "validation_status": if abbr.is_some() { "valid" } else { "unknown_team" },
        "last_seen_date": opt(seen.map(|d| d.to_string())),
    }));
    stamp(&mut row, file, &HASH_FIELDS);
    Ok(row)
}

impl Processor for BdlActivePlayers {
    fn name(&self) -> &str {
        "bdl_active_players"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let rows = parse(&file, file.path_date().or(input.date))?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("the active-players page lists no players".into());
            return Ok(out);
        }
        let issues = rows.iter().filter(|r| r.get("has_validation_issues") == Some(&Value::Bool(true))).count();
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("validation_issues".into(), json!(issues));
        out.writes.push(TableWrite::Upsert { table: raw_table(TABLE), rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
