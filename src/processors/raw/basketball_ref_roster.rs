//! `basketball_ref_roster`: Basketball-Reference season roster → `nba_raw.br_rosters_current` and
//! `nba_raw.br_roster_changes`.
//!
//! **No real capture exists** for this source. The input format is the JSON the original scraper wrote to
//! `basketball-ref/season-rosters/{season}/{TEAM}.json` (spec §1.3 #5), reconstructed from the spec's
//! column list; the sample in `tests/raw_bdl_espn.rs` documents it:
//! `{"team_abbrev": "LAL", "season": "2023-24", "timestamp": "2024-01-15T14:00:00Z", "players": [{"full_name",
//! "last_name", "normalized", "position", "jersey_number", "height": "6-9", "weight": "250", "birth_date":
//! "December 30, 1984", "college", "experience": "20" | "R"}]}`. Aliases seen in scraped variants are
//! accepted (`name`/`player`, `number`/`no`, `exp`, `team`, `season_year`, `scrape_date`).
//!
//! Invariants:
//! - `br_rosters_current` is current state keyed on (season_year, team_abbrev, player_lookup), written by
//!   `Upsert`; `team_abbrev` is the canonical tricode (`BRK`, `CHO`, `PHO` mapped); `season_year` is the
//!   season's first year (`2023-24` → 2023) from the content, else the path;
//! - the scrape date is the content's `scrape_date`/`timestamp` (ET date), else the run date; no clock;
//! - `first_seen_date` / `br_roster_changes` need the prior state: when the host passes
//!   `nba_raw.br_rosters_current` rows in `input.tables`, a player's `first_seen_date` is kept from them, a
//!   player first seen today is `added`, and a player on the team's latest earlier scrape but not in this
//!   file is `removed`; the changes are a `ReplaceSlice` of the scrape date scoped on (season_year,
//!   team_abbrev), so reloading a file yields the same rows. Without prior state `first_seen_date` is the
//!   scrape date and no change rows are written (metadata `roster_changes = "unknown"`);
//! - a file without a known team, season or players list, or a player without a name, fails the whole file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, canonical_lookup, eastern_date, non_blank, opt, raw_schema, raw_table, row_of, stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "br_rosters_current";
pub const CHANGES: &str = "br_roster_changes";
const HASH_FIELDS: [&str; 10] = [
    "season_year",
    "team_abbrev",
    "player_full_name",
    "position",
    "jersey_number",
    "height",
    "weight",
    "birth_date",
    "college",
    "experience_years",
];
const CHANGE_HASH: [&str; 5] = ["change_date", "season_year", "team_abbrev", "player_lookup", "change_type"];

pub struct BasketballRefRoster;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("season_year", T::Int64)
            .required("season_display", T::String)
            .required("team_abbrev", T::String)
            .required("player_full_name", T::String)
            .col("player_last_name", T::String)
            .col("player_normalized", T::String)
            .required("player_lookup", T::String)
            .col("position", T::String)
            .col("jersey_number", T::String)
            .col("height", T::String)
            .col("weight", T::String)
            .col("birth_date", T::String)
            .col("college", T::String)
            .col("experience_years", T::Int64)
            .required("first_seen_date", T::Date)
            .required("last_scraped_date", T::Date)
            .keyed_by(&["season_year", "team_abbrev", "player_lookup"])
    })
}

pub fn changes_schema() -> TableSchema {
    raw_schema(CHANGES, |s| {
        s.required("change_date", T::Date)
            .required("season_year", T::Int64)
            .required("team_abbrev", T::String)
            .required("player_lookup", T::String)
            .required("player_full_name", T::String)
            .required("change_type", T::String)
            .col("position", T::String)
            .col("jersey_number", T::String)
            .partitioned_by("change_date")
            .keyed_by(&["change_date", "season_year", "team_abbrev", "player_lookup"])
    })
}

/// `2023-24` / `2024` (the ending year, as Basketball-Reference names seasons) → 2023.
fn season_year(text: &str) -> Option<i64> {
    let t = text.trim();
    match t.split_once('-') {
        Some((a, _)) => a.parse().ok(),
        None if t.len() == 4 => t.parse::<i64>().ok().map(|y| y - 1),
        None => None,
    }
}

/// The parsed roster file.
pub struct Roster {
    pub season_year: i64,
    pub team: &'static str,
    pub scraped: SlateDate,
    pub rows: Vec<Row>,
}

pub fn parse(file: &RawFile<'_>, run_date: Option<SlateDate>) -> Result<Roster, ProcessorError> {
    let p = file.path;
    let v = file.json()?;
    let o = Obj::new(&v, p, "roster")?;
    let segs: Vec<&str> = p.split('/').collect();
    let stem = segs.last().and_then(|f| f.split('.').next()).unwrap_or("");
    let team_raw = o.opt_str("team_abbrev").or_else(|| o.opt_str("team")).unwrap_or(stem);
    let team = team_abbr(team_raw).ok_or_else(|| bad(p, format!("unknown team {team_raw:?}")))?;
    let season = o
        .opt_i64("season_year")
        .or_else(|| o.opt_str("season").and_then(season_year))
        .or_else(|| segs.iter().rev().nth(1).and_then(|s| season_year(s)))
        .ok_or_else(|| bad(p, "no season"))?;
    let scraped = o
        .opt_str("scrape_date")
        .and_then(|d| d.get(..10)?.parse().ok())
        .or_else(|| o.opt_str("timestamp").and_then(eastern_date))
        .or(run_date)
        .ok_or_else(|| bad(p, "no scrape date (scrape_date, timestamp or the run date)"))?;
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, pl) in o.arr("players")?.iter().enumerate() {
        let q = Obj::new(pl, p, "player")?;
        let s = |keys: &[&str]| keys.iter().find_map(|k| non_blank(q.opt_str(k)));
        let name = s(&["full_name", "name", "player"]).ok_or_else(|| bad(p, format!("player {i}: no name")))?;
        let lookup = canonical_lookup(name);
        if lookup.is_empty() || !seen.insert(lookup.clone()) {
            continue;
        }
        let exp = ["experience", "exp", "experience_years"].iter().find_map(|k| q.get(k)).and_then(|e| match e {
            Value::String(t) if t.trim().eq_ignore_ascii_case("r") => Some(0),
            other => as_i64(other),
        });
        let text = |keys: &[&str]| {
            keys.iter().find_map(|k| q.get(k)).and_then(|v| match v {
                Value::String(t) => non_blank(Some(t)).map(str::to_string),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let last = s(&["last_name"]).map(str::to_string).or_else(|| name.rsplit(' ').next().map(str::to_string));
        let mut row = row_of(json!({
            "season_year": season,
            "season_display": format!("{}-{:02}", season, (season + 1) % 100),
            "team_abbrev": team,
            "player_full_name": name,
            "player_last_name": opt(last),
            "player_normalized": opt(s(&["normalized"]).map(str::to_string).or_else(|| Some(name.to_lowercase()))),
            "player_lookup": lookup,
            "position": opt(s(&["position", "pos"])),
            "jersey_number": opt(text(&["jersey_number", "number", "no"])),
            "height": opt(text(&["height", "ht"])),
            "weight": opt(text(&["weight", "wt"])),
            "birth_date": opt(s(&["birth_date", "birthdate"])),
            "college": opt(s(&["college"])),
            "experience_years": opt(exp),
            "first_seen_date": scraped.to_string(),
            "last_scraped_date": scraped.to_string(),
        }));
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok(Roster { season_year: season, team, scraped, rows })
}

fn text_of<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// Keep first-seen dates from the prior state and derive the day's changes (see the module invariants).
fn apply_prior(file: &RawFile<'_>, roster: &mut Roster, prior: &[Row]) -> Vec<Row> {
    let day = roster.scraped.to_string();
    let mine: Vec<&Row> = prior
        .iter()
        .filter(|r| r.get("season_year").and_then(Value::as_i64) == Some(roster.season_year))
        .filter(|r| text_of(r, "team_abbrev") == roster.team)
        .collect();
    let by_lookup: BTreeMap<&str, &Row> = mine.iter().map(|r| (text_of(r, "player_lookup"), *r)).collect();
    let mut changes = Vec::new();
    for row in &mut roster.rows {
        let lookup = text_of(row, "player_lookup").to_string();
        if let Some(first) =
            by_lookup.get(lookup.as_str()).map(|r| text_of(r, "first_seen_date")).filter(|d| !d.is_empty())
        {
            if first < day.as_str() {
                row.insert("first_seen_date".into(), json!(first));
            }
        }
        if text_of(row, "first_seen_date") == day {
            changes.push(change(row, "added"));
        }
    }
    let current: BTreeSet<String> = roster.rows.iter().map(|r| text_of(r, "player_lookup").to_string()).collect();
    let previous = mine.iter().map(|r| text_of(r, "last_scraped_date")).filter(|d| *d < day.as_str()).max();
    for r in mine.iter().filter(|r| Some(text_of(r, "last_scraped_date")) == previous) {
        if !current.contains(text_of(r, "player_lookup")) {
            changes.push(change(r, "removed"));
        }
    }
    for c in &mut changes {
        c.insert("change_date".into(), json!(day));
        stamp(c, file, &CHANGE_HASH);
    }
    changes
}

fn change(r: &Row, kind: &str) -> Row {
    let mut c = Row::new();
    for k in ["season_year", "team_abbrev", "player_lookup", "player_full_name", "position", "jersey_number"] {
        c.insert(k.into(), r.get(k).cloned().unwrap_or(Value::Null));
    }
    c.insert("change_type".into(), json!(kind));
    c
}

impl Processor for BasketballRefRoster {
    fn name(&self) -> &str {
        "basketball_ref_roster"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let mut roster = parse(&file, input.date)?;
        let mut out = ProcessorOutput::default();
        if roster.rows.is_empty() {
            out.no_data_reason = Some(format!("the {} {} roster lists no players", roster.team, roster.season_year));
            return Ok(out);
        }
        let prior = input.tables.get(&format!("nba_raw.{TABLE}")).map(|v| v.as_slice());
        let changes = prior.map(|p| apply_prior(&file, &mut roster, p));
        out.metadata.insert("players".into(), json!(roster.rows.len()));
        out.metadata.insert("roster_changes".into(), changes.as_ref().map_or(json!("unknown"), |c| json!(c.len())));
        out.writes.push(TableWrite::Upsert { table: raw_table(TABLE), rows: roster.rows });
        if let Some(rows) = changes {
            out.writes.push(TableWrite::ReplaceSlice {
                table: raw_table(CHANGES),
                date: roster.scraped,
                scope: vec![
                    ("season_year".into(), json!(roster.season_year)),
                    ("team_abbrev".into(), json!(roster.team)),
                ],
                rows,
            });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema(), changes_schema()]
    }
}
