//! `bdl_injuries`: balldontlie `player_injuries` → `nba_raw.bdl_injuries`.
//!
//! Input: `ball-dont-lie/injuries/{date}/{ts}.json`, `{"data": [{"player": {..., "team_id"}, "status",
//! "return_date": "Oct 1", "description"}], "meta": {...}}`.
//!
//! Invariants:
//! - the table is a time series partitioned by `scrape_date` (the path date, else the run date): each file
//!   is one snapshot, written as a `ReplaceSlice` scoped on its own `source_file_path`, so every snapshot of
//!   a day is kept and reloading a file replaces exactly its rows;
//! - `injury_status_normalized` is the status lower-cased with spaces/underscores as `-`, whatever the case
//!   of the input (`Day-To-Day`, `OUT`, `day to day` → `day-to-day`, `out`);
//! - `return_date` is the month-day text resolved to the first such date no more than 31 days before the
//!   scrape date (`Feb 1` scraped in July is next February); `return_date_parsed` says whether it parsed;
//! - the team is the balldontlie `team_id` mapped to a tricode; an unknown team keeps `team_abbr` null and
//!   flags `unknown_team` in `data_quality_flags`;
//! - `{"data": []}` is no data; a player without an id or name fails the whole file.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::common::{
    bad, bdl_team_abbr, canonical_lookup, data_date, non_blank, opt, raw_schema, raw_table, row_of, stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bdl_injuries";
const HASH_FIELDS: [&str; 5] =
    ["player_lookup", "team_abbr", "injury_status_normalized", "return_date", "reason_category"];

pub struct BdlInjuries;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("scrape_date", T::Date)
            .required("season_year", T::Int64)
            .required("bdl_player_id", T::Int64)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .col("bdl_team_id", T::Int64)
            .col("team_abbr", T::String)
            .col("position", T::String)
            .col("injury_status", T::String)
            .col("injury_status_normalized", T::String)
            .col("return_date_original", T::String)
            .col("return_date", T::Date)
            .required("return_date_parsed", T::Bool)
            .col("injury_description", T::String)
            .required("reason_category", T::String)
            .required("parsing_confidence", T::Float64)
            .col("data_quality_flags", T::Json)
            .partitioned_by("scrape_date")
            .keyed_by(&["scrape_date", "source_file_path", "bdl_player_id"])
    })
}

/// Lower-case status with `-` separators.
pub fn normalize_status(s: &str) -> String {
    let low = s.trim().to_lowercase();
    low.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// `Oct 1` / `October 1` / `2025-10-01` relative to the scrape date.
pub fn parse_return_date(text: &str, scraped: SlateDate) -> Option<SlateDate> {
    let t = text.trim();
    if let Ok(d) = t.parse::<SlateDate>() {
        return Some(d);
    }
    let base = scraped.date();
    let this_year = NaiveDate::parse_from_str(&format!("{t} {}", base.year()), "%b %d %Y")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{t} {}", base.year()), "%B %d %Y"))
        .ok()?;
    let d = if (base - this_year).num_days() > 31 {
        this_year.with_year(base.year() + 1).unwrap_or(this_year)
    } else {
        this_year
    };
    Some(SlateDate(d))
}

/// A coarse category of the description.
pub fn reason_category(description: &str) -> &'static str {
    let d = description.to_lowercase();
    if d.contains("suspen") {
        "suspension"
    } else if d.contains("illness") || d.contains("sick") || d.contains("health and safety") {
        "illness"
    } else if d.contains("personal") {
        "personal"
    } else if d.contains("rest") && !d.contains("rest of") {
        "rest"
    } else if d.contains('(') || d.contains("injur") || d.contains("surgery") || d.contains("torn") {
        "injury"
    } else {
        "unknown"
    }
}

/// Parse one injuries page into rows of the scrape date.
pub fn parse(file: &RawFile<'_>, scraped: SlateDate) -> Result<Vec<Row>, ProcessorError> {
    let v = file.json()?;
    let data = Obj::new(&v, file.path, "response")?.arr("data")?;
    let mut rows = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, item) in data.iter().enumerate() {
        let row = parse_item(file, item, scraped).map_err(|d| bad(file.path, format!("injury {i}: {d}")))?;
        if ids.insert(row.get("bdl_player_id").and_then(Value::as_i64).unwrap_or_default()) {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn parse_item(file: &RawFile<'_>, item: &Value, scraped: SlateDate) -> Result<Row, String> {
    let o = Obj::new(item, file.path, "injury").map_err(|e| e.to_string())?;
    let p = o.obj("player").map_err(|e| e.to_string())?;
    let id = p.opt_i64("id").ok_or("player has no integer id")?;
    let name = format!("{} {}", p.opt_str("first_name").unwrap_or(""), p.opt_str("last_name").unwrap_or(""))
        .trim()
        .to_string();
    let lookup = canonical_lookup(&name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    let team_id = p.opt_i64("team_id");
    let team = team_id.and_then(bdl_team_abbr);
    let status = non_blank(o.opt_str("status"));
    let ret_text = non_blank(o.opt_str("return_date"));
    let ret = ret_text.and_then(|t| parse_return_date(t, scraped));
    let desc = non_blank(o.opt_str("description"));
    let mut flags = Vec::new();
    if team.is_none() {
        flags.push("unknown_team");
    }
    if status.is_none() {
        flags.push("no_status");
    }
    if ret_text.is_some() && ret.is_none() {
        flags.push("return_date_unparsed");
    }
    let confidence = 1.0 - 0.2 * flags.len() as f64;
    let mut row = row_of(json!({
        "scrape_date": scraped.to_string(),
        "season_year": scraped.season_year(),
        "bdl_player_id": id,
        "player_full_name": name,
        "player_lookup": lookup,
        "bdl_team_id": opt(team_id),
        "team_abbr": opt(team),
        "position": opt(non_blank(p.opt_str("position"))),
        "injury_status": opt(status),
        "injury_status_normalized": opt(status.map(normalize_status)),
        "return_date_original": opt(ret_text),
        "return_date": opt(ret.map(|d| d.to_string())),
        "return_date_parsed": ret.is_some(),
        "injury_description": opt(desc),
        "reason_category": reason_category(desc.unwrap_or("")),
        "parsing_confidence": (confidence.max(0.0) * 100.0).round() / 100.0,
        "data_quality_flags": flags,
    }));
    stamp(&mut row, file, &HASH_FIELDS);
    Ok(row)
}

impl Processor for BdlInjuries {
    fn name(&self) -> &str {
        "bdl_injuries"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let scraped = data_date(&file, input)?;
        let rows = parse(&file, scraped)?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("the injuries response lists no players".into());
            return Ok(out);
        }
        out.metadata.insert("injuries".into(), json!(rows.len()));
        out.writes.push(TableWrite::ReplaceSlice {
            table: raw_table(TABLE),
            date: scraped,
            scope: vec![("source_file_path".into(), json!(file.source(super::common::BUCKET)))],
            rows,
        });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
