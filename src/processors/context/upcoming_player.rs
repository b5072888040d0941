//! `upcoming_player_game_context` (UPGC): one row per (player, game) on the target date — the driver of
//! Phases 4 and 5 (spec §2.6).
//!
//! Inputs (`input.tables`): the date's schedule (`nba_raw.nbac_schedule`), box scores of the season before the
//! date (`nba_raw.nbac_player_boxscores`, lookback), the date's sportsbook snapshots
//! (`nba_raw.odds_api_player_points_props`) and injury lists (`nba_raw.bdl_injuries`,
//! `nba_raw.nbac_injury_report`).
//!
//! Invariants:
//! - no look-ahead: players, form and rest come only from games before the date ([`History`]); lines only from
//!   pre-game snapshots; injuries from the date's lists (published before tip-off);
//! - the players of a game are those whose most recent game this season was for one of its teams (a traded
//!   player moves with his last team); an injured player keeps his row with `player_status` and
//!   `is_expected_to_play = false`, so coverage can name why he has no prediction;
//! - `back_to_back` means one day of rest (`days_rest == 1`); injury statuses are compared case-insensitively
//!   (both original defects, spec §8);
//! - lines: per book, the latest pre-game main line is current and the earliest is opening; the row's
//!   `current_points_line` is the median across books (`points_line_books` counts them).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::history::{days_between, mean_last, r2, season_phase, History};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, RowExt, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "upcoming_player_game_context";
pub const SCHEDULE: &str = "nba_raw.nbac_schedule";
pub const BOXSCORES: &str = "nba_raw.nbac_player_boxscores";
pub const PROPS: &str = "nba_raw.odds_api_player_points_props";
pub const BDL_INJURIES: &str = "nba_raw.bdl_injuries";
pub const NBA_INJURIES: &str = "nba_raw.nbac_injury_report";

pub struct UpcomingPlayerGameContext;

pub fn schema() -> TableSchema {
    TableSchema::new("nba_analytics", TABLE)
        .required("player_lookup", T::String)
        .col("player_name", T::String)
        .required("game_id", T::String)
        .col("nba_game_id", T::String)
        .required("game_date", T::Date)
        .required("season_year", T::Int64)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("home_game", T::Bool)
        .col("game_start_time", T::Timestamp)
        .required("has_prop_line", T::Bool)
        .col("current_points_line", T::Float64)
        .col("opening_points_line", T::Float64)
        .col("line_movement", T::Float64)
        .col("points_line_books", T::Int64)
        .col("days_rest", T::Int64)
        .required("back_to_back", T::Bool)
        .required("games_in_last_7_days", T::Int64)
        .required("games_in_last_14_days", T::Int64)
        .required("minutes_in_last_7_days", T::Float64)
        .required("minutes_in_last_14_days", T::Float64)
        .col("avg_minutes_per_game_last_7", T::Float64)
        .required("back_to_backs_last_14_days", T::Int64)
        .col("points_avg_last_5", T::Float64)
        .col("points_avg_last_10", T::Float64)
        .col("points_avg_season", T::Float64)
        .required("games_played_season", T::Int64)
        .required("season_phase", T::String)
        .col("player_status", T::String)
        .col("injury_reason", T::String)
        .required("is_expected_to_play", T::Bool)
        .required("data_quality_tier", T::String)
        .required("quality_score", T::Int64)
        .required("is_production_ready", T::Bool)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "game_id", "player_lookup"])
}

/// One scheduled game of the date.
#[derive(Debug, Clone)]
pub(super) struct Game {
    pub game_id: String,
    pub nba_game_id: Option<String>,
    pub home: String,
    pub away: String,
    pub start: Option<String>,
}

pub(super) fn games_of(rows: &[Row], date: SlateDate) -> Vec<Game> {
    let mut seen = BTreeSet::new();
    rows.iter()
        .filter(|r| r.str_of("game_date") == Some(&date.to_string()))
        .filter_map(|r| {
            let g = Game {
                game_id: r.str_of("game_id")?.to_string(),
                nba_game_id: r.str_of("nba_game_id").map(str::to_string),
                home: r.str_of("home_team_tricode")?.to_string(),
                away: r.str_of("away_team_tricode")?.to_string(),
                start: r.str_of("game_date_time_utc").map(str::to_string),
            };
            seen.insert(g.game_id.clone()).then_some(g)
        })
        .collect()
}

/// Latest injury status per player (lower-case), from both lists; NBA.com's report wins over balldontlie.
pub(super) fn injuries(input: &ProcessorInput) -> BTreeMap<String, (String, Option<String>)> {
    let mut out = BTreeMap::new();
    for r in input.rows(BDL_INJURIES).iter() {
        if let (Some(p), Some(s)) = (r.str_of("player_lookup"), r.str_of("injury_status_normalized")) {
            out.insert(p.to_string(), (s.to_ascii_lowercase(), r.str_of("injury_description").map(str::to_string)));
        }
    }
    for r in input.rows(NBA_INJURIES).iter() {
        if let (Some(p), Some(s)) = (r.str_of("player_lookup"), r.str_of("injury_status")) {
            out.insert(p.to_string(), (s.to_ascii_lowercase(), r.str_of("reason").map(str::to_string)));
        }
    }
    out
}

/// A (snapshot time, line) pair.
type Snap<'a> = (&'a str, f64);

/// Per player: (current line = median of each book's latest pre-game main line, opening = median of each
/// book's earliest, books).
fn lines(rows: &[Row]) -> BTreeMap<String, (f64, f64, usize)> {
    // player → book → (earliest (ts, line), latest (ts, line))
    let mut per: BTreeMap<&str, BTreeMap<&str, (Snap, Snap)>> = BTreeMap::new();
    for r in rows {
        if r.bool_of("is_pregame") != Some(true) || r.bool_of("is_main_line") != Some(true) {
            continue;
        }
        let (Some(p), Some(b), Some(ts), Some(line)) =
            (r.str_of("player_lookup"), r.str_of("bookmaker"), r.str_of("snapshot_timestamp"), r.f64_of("points_line"))
        else {
            continue;
        };
        let e = per.entry(p).or_default().entry(b).or_insert(((ts, line), (ts, line)));
        if ts < e.0 .0 {
            e.0 = (ts, line);
        }
        if ts > e.1 .0 {
            e.1 = (ts, line);
        }
    }
    per.into_iter()
        .map(|(p, books)| {
            let cur: Vec<f64> = books.values().map(|(_, l)| l.1).collect();
            let open: Vec<f64> = books.values().map(|(o, _)| o.1).collect();
            (p.to_string(), (median(cur.clone()), median(open), cur.len()))
        })
        .collect()
}

/// Median (mean of the middle two for an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Processor for UpcomingPlayerGameContext {
    fn name(&self) -> &str {
        TABLE
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no target date".into()))?;
        let games = games_of(input.rows(SCHEDULE), date);
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some(format!("no games scheduled on {date}"));
            return Ok(out);
        }
        let history = History::build(input.rows(BOXSCORES), date);
        let lines = lines(input.rows(PROPS));
        let hurt = injuries(input);
        let mut team_game: BTreeMap<&str, (&Game, bool)> = BTreeMap::new();
        for g in &games {
            team_game.insert(&g.home, (g, true));
            team_game.insert(&g.away, (g, false));
        }
        let mut rows = Vec::new();
        for (lookup, log) in &history.players {
            let Some(team) = history.current_team(lookup) else { continue };
            let Some((g, home)) = team_game.get(team) else { continue };
            rows.push(player_row(date, lookup, log, team, g, *home, lines.get(lookup), hurt.get(lookup)));
        }
        let lined: BTreeSet<&String> = lines.keys().collect();
        let covered: BTreeSet<&String> = history
            .players
            .keys()
            .filter(|p| history.current_team(p).is_some_and(|t| team_game.contains_key(t)))
            .collect();
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("lined_without_history".into(), json!(lined.difference(&covered).count()));
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_analytics", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        super::history::input_columns(table)
    }
}

#[allow(clippy::too_many_arguments)]
fn player_row(
    date: SlateDate,
    lookup: &str,
    log: &[super::history::PlayerGameLine],
    team: &str,
    g: &Game,
    home: bool,
    line: Option<&(f64, f64, usize)>,
    hurt: Option<&(String, Option<String>)>,
) -> Row {
    let within = |days: i64| log.iter().filter(|x| days_between(x.date, date) <= days).collect::<Vec<_>>();
    let (l7, l14) = (within(7), within(14));
    let min7: f64 = l7.iter().map(|x| x.minutes).sum();
    let min14: f64 = l14.iter().map(|x| x.minutes).sum();
    let b2b14 = l14.windows(2).filter(|w| days_between(w[0].date, w[1].date) == 1).count();
    let pts: Vec<f64> = log.iter().map(|x| x.points as f64).collect();
    let days_rest = log.last().map(|x| days_between(x.date, date));
    let n = log.len();
    let (tier, score) = match n {
        10.. => ("gold", 95),
        5..=9 => ("silver", 75),
        _ => ("bronze", 50),
    };
    let status = hurt.map(|(s, _)| s.as_str());
    let out = matches!(status, Some("out") | Some("doubtful") | Some("suspended") | Some("inactive"));
    let opp = if home { &g.away } else { &g.home };
    let v = json!({
        "player_lookup": lookup,
        "player_name": log.last().map(|x| x.name.clone()),
        "game_id": g.game_id,
        "nba_game_id": g.nba_game_id,
        "game_date": date.to_string(),
        "season_year": date.season_year(),
        "team_abbr": team,
        "opponent_team_abbr": opp,
        "home_game": home,
        "game_start_time": g.start,
        "has_prop_line": line.is_some(),
        "current_points_line": line.map(|l| l.0),
        "opening_points_line": line.map(|l| l.1),
        "line_movement": line.map(|l| r2(l.0 - l.1)),
        "points_line_books": line.map(|l| l.2),
        "days_rest": days_rest,
        "back_to_back": days_rest == Some(1),
        "games_in_last_7_days": l7.len(),
        "games_in_last_14_days": l14.len(),
        "minutes_in_last_7_days": r2(min7),
        "minutes_in_last_14_days": r2(min14),
        "avg_minutes_per_game_last_7": (!l7.is_empty()).then(|| r2(min7 / l7.len() as f64)),
        "back_to_backs_last_14_days": b2b14,
        "points_avg_last_5": mean_last(&pts, 5).map(r2),
        "points_avg_last_10": mean_last(&pts, 10).map(r2),
        "points_avg_season": mean_last(&pts, usize::MAX).map(r2),
        "games_played_season": n,
        "season_phase": season_phase(date),
        "player_status": status,
        "injury_reason": hurt.and_then(|(_, r)| r.clone()),
        "is_expected_to_play": !out,
        "data_quality_tier": tier,
        "quality_score": score,
        "is_production_ready": n >= 5,
    });
    let mut row = v.as_object().cloned().unwrap_or_default();
    row.retain(|_, v| !v.is_null());
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_lines() {
        assert_eq!(median(vec![20.5, 21.5, 19.5]), 20.5);
        assert_eq!(median(vec![20.5, 21.5]), 21.0);
        assert!(median(vec![]).is_nan());
    }
}
