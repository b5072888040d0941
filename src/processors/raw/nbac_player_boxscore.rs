//! `nbac_player_boxscore`: NBA.com `leaguegamelog` (PlayerOrTeam=P) → `nba_raw.nbac_player_boxscores`.
//!
//! Input: `nba-com/player-boxscores/{date}/{ts}.json`, the stats API response
//! `{"resultSets": [{"name": "LeagueGameLog", "headers": [...], "rowSet": [[...], ...]}]}`.
//!
//! Invariants:
//! - one row per (game, team, player); `game_id` is the standard `YYYYMMDD_AWAY_HOME` built from the date and
//!   the MATCHUP (`AAA vs. BBB` = AAA at home, `AAA @ BBB` = AAA away), so games key on date + teams even when
//!   `GAME_ID` is missing; `nba_game_id` keeps NBA.com's id when present;
//! - the file is authoritative for every date it contains: each date's partition is replaced, so a later file
//!   of the same date supersedes an earlier one and re-loading a file changes nothing;
//! - a missing column, an unknown team or a malformed row fails the whole file (no partial write).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::common::{as_f64, as_i64, bad, parse_minutes, raw_schema, raw_table, round, stamp, RawFile};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{player_lookup, team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_player_boxscores";
const HASH_FIELDS: [&str; 8] = [
    "game_id",
    "player_lookup",
    "points",
    "total_rebounds",
    "assists",
    "minutes",
    "field_goals_made",
    "field_goals_attempted",
];

pub struct NbacPlayerBoxscore;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .col("nba_game_id", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("season_type", T::String)
            .required("team_abbr", T::String)
            .col("team_id", T::Int64)
            .required("opponent_team_abbr", T::String)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .required("is_home", T::Bool)
            .col("nba_player_id", T::Int64)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .col("win_loss", T::String)
            .col("minutes", T::Float64)
            .required("points", T::Int64)
            .col("field_goals_made", T::Int64)
            .col("field_goals_attempted", T::Int64)
            .col("field_goal_percentage", T::Float64)
            .col("three_pointers_made", T::Int64)
            .col("three_pointers_attempted", T::Int64)
            .col("free_throws_made", T::Int64)
            .col("free_throws_attempted", T::Int64)
            .col("offensive_rebounds", T::Int64)
            .col("defensive_rebounds", T::Int64)
            .col("total_rebounds", T::Int64)
            .col("assists", T::Int64)
            .col("steals", T::Int64)
            .col("blocks", T::Int64)
            .col("turnovers", T::Int64)
            .col("personal_fouls", T::Int64)
            .col("plus_minus", T::Int64)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id", "team_abbr", "player_lookup"])
    })
}

/// Parse a leaguegamelog response into rows grouped by date.
pub fn parse(file: &RawFile<'_>) -> Result<BTreeMap<SlateDate, Vec<Row>>, ProcessorError> {
    let v = file.json()?;
    let sets = v.get("resultSets").and_then(Value::as_array).ok_or_else(|| bad(file.path, "no resultSets array"))?;
    let set = sets
        .iter()
        .find(|s| s.get("name").and_then(Value::as_str) == Some("LeagueGameLog"))
        .or_else(|| sets.first())
        .ok_or_else(|| bad(file.path, "resultSets is empty"))?;
    let headers: Vec<&str> = set
        .get("headers")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(file.path, "result set has no headers"))?
        .iter()
        .map(|h| h.as_str().unwrap_or(""))
        .collect();
    let col =
        |name: &str| headers.iter().position(|h| *h == name).ok_or_else(|| bad(file.path, format!("no {name} column")));
    let c = Cols {
        season: col("SEASON_ID")?,
        player_id: col("PLAYER_ID")?,
        player: col("PLAYER_NAME")?,
        team_id: col("TEAM_ID").ok(),
        team: col("TEAM_ABBREVIATION")?,
        game_id: col("GAME_ID")?,
        date: col("GAME_DATE")?,
        matchup: col("MATCHUP")?,
        wl: col("WL").ok(),
        min: col("MIN")?,
        pts: col("PTS")?,
        plus_minus: col("PLUS_MINUS").ok(),
        stats: STATS.iter().map(|(h, _)| col(h).ok()).collect(),
    };
    let rows = set.get("rowSet").and_then(Value::as_array).ok_or_else(|| bad(file.path, "no rowSet array"))?;
    let mut out: BTreeMap<SlateDate, Vec<Row>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let cells = r.as_array().ok_or_else(|| bad(file.path, format!("row {i} is not an array")))?;
        if cells.len() != headers.len() {
            return Err(bad(file.path, format!("row {i} has {} cells for {} headers", cells.len(), headers.len())));
        }
        let (date, row) = parse_row(file, &c, cells).map_err(|d| bad(file.path, format!("row {i}: {d}")))?;
        out.entry(date).or_default().push(row);
    }
    for (date, rows) in out.iter_mut() {
        settle_conflicting_sides(file, *date, rows);
    }
    Ok(out)
}

/// A neutral-site game may list both teams as away (or both at home). Such a game gets one id: the later
/// tricode is taken as the designated home, and neither team's row claims home court.
fn settle_conflicting_sides(file: &RawFile<'_>, date: SlateDate, rows: &mut [Row]) {
    let side = |r: &Row, k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut claims: BTreeMap<(String, String), std::collections::BTreeSet<String>> = BTreeMap::new();
    for r in rows.iter() {
        let (h, a) = (side(r, "home_team_abbr"), side(r, "away_team_abbr"));
        let key = if h <= a { (h, a) } else { (a, h) };
        claims.entry(key).or_default().insert(side(r, "game_id"));
    }
    for r in rows.iter_mut() {
        let (h, a) = (side(r, "home_team_abbr"), side(r, "away_team_abbr"));
        let key = if h <= a { (h, a) } else { (a, h) };
        if claims.get(&key).is_some_and(|ids| ids.len() > 1) {
            let (away, home) = key;
            r.insert("game_id".into(), json!(standard_game_id(date, &away, &home)));
            r.insert("home_team_abbr".into(), json!(home));
            r.insert("away_team_abbr".into(), json!(away));
            r.insert("is_home".into(), json!(false));
            stamp(r, file, &HASH_FIELDS);
        }
    }
}

struct Cols {
    season: usize,
    player_id: usize,
    player: usize,
    team_id: Option<usize>,
    team: usize,
    game_id: usize,
    date: usize,
    matchup: usize,
    wl: Option<usize>,
    min: usize,
    pts: usize,
    plus_minus: Option<usize>,
    stats: Vec<Option<usize>>,
}

const STATS: [(&str, &str); 14] = [
    ("FGM", "field_goals_made"),
    ("FGA", "field_goals_attempted"),
    ("FG3M", "three_pointers_made"),
    ("FG3A", "three_pointers_attempted"),
    ("FTM", "free_throws_made"),
    ("FTA", "free_throws_attempted"),
    ("OREB", "offensive_rebounds"),
    ("DREB", "defensive_rebounds"),
    ("REB", "total_rebounds"),
    ("AST", "assists"),
    ("STL", "steals"),
    ("BLK", "blocks"),
    ("TOV", "turnovers"),
    ("PF", "personal_fouls"),
];

fn parse_row(file: &RawFile<'_>, c: &Cols, cells: &[Value]) -> Result<(SlateDate, Row), String> {
    let s = |i: usize| cells[i].as_str().map(str::trim).filter(|s| !s.is_empty());
    let date_text = s(c.date).ok_or("no GAME_DATE")?;
    let date: SlateDate =
        date_text.get(..10).unwrap_or(date_text).parse().map_err(|_| format!("bad GAME_DATE {date_text:?}"))?;
    let team_raw = s(c.team).ok_or("no TEAM_ABBREVIATION")?;
    let team = team_abbr(team_raw).ok_or_else(|| format!("unknown team {team_raw:?}"))?;
    let matchup = s(c.matchup).ok_or("no MATCHUP")?;
    let (is_home, opp_raw) = if let Some((_, o)) = matchup.split_once(" vs. ") {
        (true, o)
    } else if let Some((_, o)) = matchup.split_once(" @ ") {
        (false, o)
    } else {
        return Err(format!("bad MATCHUP {matchup:?}"));
    };
    let opp = team_abbr(opp_raw).ok_or_else(|| format!("unknown opponent {opp_raw:?}"))?;
    if opp == team {
        return Err(format!("MATCHUP {matchup:?} names one team twice"));
    }
    let (home, away) = if is_home { (team, opp) } else { (opp, team) };
    let name = s(c.player).ok_or("no PLAYER_NAME")?;
    let lookup = player_lookup(name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    let points = as_i64(&cells[c.pts]).ok_or("PTS is not an integer")?;
    if !(0..=150).contains(&points) {
        return Err(format!("PTS {points} out of range"));
    }
    let season = s(c.season).map(str::to_string).or_else(|| as_i64(&cells[c.season]).map(|n| n.to_string()));
    let season_type = match season.as_deref().and_then(|s| s.chars().next()) {
        Some('1') => "preseason",
        Some('2') => "regular",
        Some('3') => "all_star",
        Some('4') => "playoffs",
        Some('5') => "play_in",
        Some('6') => "in_season_final",
        _ => "unknown",
    };
    let mut row = Row::new();
    row.insert("game_id".into(), json!(standard_game_id(date, away, home)));
    row.insert("nba_game_id".into(), s(c.game_id).map_or(Value::Null, |g| json!(g)));
    row.insert("game_date".into(), json!(date.to_string()));
    row.insert("season_year".into(), json!(date.season_year()));
    row.insert("season_type".into(), json!(season_type));
    row.insert("team_abbr".into(), json!(team));
    row.insert("team_id".into(), c.team_id.and_then(|i| as_i64(&cells[i])).map_or(Value::Null, Value::from));
    row.insert("opponent_team_abbr".into(), json!(opp));
    row.insert("home_team_abbr".into(), json!(home));
    row.insert("away_team_abbr".into(), json!(away));
    row.insert("is_home".into(), json!(is_home));
    row.insert("nba_player_id".into(), as_i64(&cells[c.player_id]).map_or(Value::Null, Value::from));
    row.insert("player_full_name".into(), json!(name));
    row.insert("player_lookup".into(), json!(lookup));
    row.insert("win_loss".into(), c.wl.and_then(s).map_or(Value::Null, |w| json!(w)));
    row.insert("minutes".into(), parse_minutes(&cells[c.min]).map_or(Value::Null, |m| json!(round(m, 2))));
    row.insert("points".into(), json!(points));
    for ((_, name), idx) in STATS.iter().zip(&c.stats) {
        let v = match idx {
            Some(i) if !cells[*i].is_null() => {
                Value::from(as_i64(&cells[*i]).ok_or_else(|| format!("{name} is not an integer"))?)
            }
            _ => Value::Null,
        };
        row.insert((*name).into(), v);
    }
    let fg_pct = match (row.get("field_goals_made").and_then(as_f64), row.get("field_goals_attempted").and_then(as_f64))
    {
        (Some(m), Some(a)) if a > 0.0 => json!(round(m / a, 3)),
        _ => Value::Null,
    };
    row.insert("field_goal_percentage".into(), fg_pct);
    let pm = c.plus_minus.and_then(|i| as_f64(&cells[i])).map(|p| p.round() as i64);
    row.insert("plus_minus".into(), pm.map_or(Value::Null, Value::from));
    stamp(&mut row, file, &HASH_FIELDS);
    Ok((date, row))
}

impl Processor for NbacPlayerBoxscore {
    fn name(&self) -> &str {
        "nbac_player_boxscore"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let by_date = parse(&file)?;
        let mut out = ProcessorOutput::default();
        if by_date.is_empty() {
            // No games that date: nothing to replace (an empty response must not wipe a loaded date).
            out.no_data_reason = Some("the game log has no rows".into());
            return Ok(out);
        }
        let games: std::collections::BTreeSet<&str> =
            by_date.values().flatten().filter_map(|r| r.get("game_id").and_then(Value::as_str)).collect();
        out.metadata.insert("games".into(), json!(games.len()));
        for (date, rows) in by_date {
            out.writes.push(TableWrite::ReplacePartition { table: raw_table(TABLE), date, rows });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
