//! `player_daily_cache` (PDC): per player and cache date, the slowly changing numbers the feature store and
//! the prediction systems read — scoring averages, team pace, fatigue and shot profile (spec §3.5).
//!
//! Invariants:
//! - players are the date's `upcoming_player_game_context` rows; their history is the season's games strictly
//!   before the cache date (no look-ahead), the team's history its last 10 offence games before it;
//! - a player with fewer than [`MIN_GAMES`] games gets no row (the original's `absolute_min_games`); under 10
//!   games the row carries `early_season_flag` and `insufficient_data_reason`;
//! - fatigue fields are copied from the player's context row, shot-profile fields from his same-day
//!   `player_shot_zone_analysis` row (the cascade runs PDC after it); `assisted_rate_last_10` is a fraction;
//! - `points_std_last_10` is the sample standard deviation (n − 1) and NULL below two games;
//! - the original's `fourth_quarter_minutes_last_7` and `player_age` have no source in this build (no quarter
//!   splits, no birth dates are landed): the columns exist and stay NULL.

use serde_json::{json, Value};

use super::games::{last, mean, player_games, round, sample_std, team_offense, PlayerGame, TeamGame};
use super::{bootstrap_skip, row_of};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, RowExt, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "player_daily_cache";
pub const PGS: &str = "nba_analytics.player_game_summary";
pub const TOGS: &str = "nba_analytics.team_offense_game_summary";
pub const UPGC: &str = "nba_analytics.upcoming_player_game_context";
pub const PSZA: &str = "nba_precompute.player_shot_zone_analysis";
pub const CACHE_VERSION: &str = "v1";
/// Fewest games for a row.
pub const MIN_GAMES: usize = 5;

pub struct PlayerDailyCache;

pub fn schema() -> TableSchema {
    let mut s = TableSchema::new("nba_precompute", TABLE)
        .required("player_lookup", T::String)
        .required("cache_date", T::Date)
        .required("game_id", T::String)
        .required("team_abbr", T::String);
    for c in [
        "points_avg_last_5",
        "points_avg_last_10",
        "points_avg_season",
        "points_std_last_10",
        "minutes_avg_last_10",
        "minutes_avg_season",
        "usage_rate_last_10",
        "ts_pct_last_10",
        "player_usage_rate_season",
        "team_pace_last_10",
        "team_off_rating_last_10",
        "minutes_in_last_7_days",
        "minutes_in_last_14_days",
        "avg_minutes_per_game_last_7",
        "fourth_quarter_minutes_last_7",
        "paint_rate_last_10",
        "three_pt_rate_last_10",
        "assisted_rate_last_10",
    ] {
        s = s.col(c, T::Float64);
    }
    s.required("games_played_season", T::Int64)
        .col("games_in_last_7_days", T::Int64)
        .col("games_in_last_14_days", T::Int64)
        .col("back_to_backs_last_14_days", T::Int64)
        .col("player_age", T::Int64)
        .col("primary_scoring_zone", T::String)
        .required("early_season_flag", T::Bool)
        .col("insufficient_data_reason", T::String)
        .required("cache_version", T::String)
        .required("is_production_ready", T::Bool)
        .partitioned_by("cache_date")
        .keyed_by(&["cache_date", "player_lookup"])
}

fn cache_row(
    date: SlateDate,
    ctx: &Row,
    games: &[PlayerGame],
    team: Option<&Vec<TeamGame>>,
    zone: Option<&&Row>,
) -> Option<Value> {
    let lookup = ctx.str_of("player_lookup")?;
    let pts: Vec<f64> = games.iter().map(|g| g.points).collect();
    let avg = |v: &[f64]| mean(v.iter().map(|x| Some(*x)));
    let l10 = last(games, 10);
    let r = |x: Option<f64>, d: i32| x.map(|v| round(v, d));
    let team_l10 = team.map(|t| last(t, 10)).unwrap_or_default();
    let n = games.len();
    Some(json!({
        "player_lookup": lookup,
        "cache_date": date.to_string(),
        "game_id": ctx.str_of("game_id"),
        "team_abbr": ctx.str_of("team_abbr"),
        "points_avg_last_5": r(avg(last(&pts, 5)), 2),
        "points_avg_last_10": r(avg(last(&pts, 10)), 2),
        "points_avg_season": r(avg(&pts), 2),
        "points_std_last_10": r(sample_std(last(&pts, 10)), 2),
        "minutes_avg_last_10": r(mean(l10.iter().map(|g| Some(g.minutes))), 2),
        "minutes_avg_season": r(mean(games.iter().map(|g| Some(g.minutes))), 2),
        "usage_rate_last_10": r(mean(l10.iter().map(|g| g.usage_rate)), 2),
        "ts_pct_last_10": r(mean(l10.iter().map(|g| g.ts_pct)), 3),
        "player_usage_rate_season": r(mean(games.iter().map(|g| g.usage_rate)), 2),
        "games_played_season": n,
        "team_pace_last_10": r(mean(team_l10.iter().map(|g| g.pace)), 2),
        "team_off_rating_last_10": r(mean(team_l10.iter().map(|g| g.offensive_rating)), 2),
        "games_in_last_7_days": ctx.i64_of("games_in_last_7_days"),
        "games_in_last_14_days": ctx.i64_of("games_in_last_14_days"),
        "minutes_in_last_7_days": ctx.f64_of("minutes_in_last_7_days"),
        "minutes_in_last_14_days": ctx.f64_of("minutes_in_last_14_days"),
        "back_to_backs_last_14_days": ctx.i64_of("back_to_backs_last_14_days"),
        "avg_minutes_per_game_last_7": ctx.f64_of("avg_minutes_per_game_last_7"),
        "primary_scoring_zone": zone.and_then(|z| z.str_of("primary_scoring_zone")),
        "paint_rate_last_10": zone.and_then(|z| z.f64_of("paint_rate_last_10")),
        "three_pt_rate_last_10": zone.and_then(|z| z.f64_of("three_pt_rate_last_10")),
        "assisted_rate_last_10": zone.and_then(|z| z.f64_of("assisted_rate_last_10")).map(|p| round(p / 100.0, 4)),
        "early_season_flag": n < 10,
        "insufficient_data_reason": (n < 10).then(|| format!("Only {n} games played, need 10 minimum")),
        "cache_version": CACHE_VERSION,
        "is_production_ready": n >= 10,
    }))
}

impl Processor for PlayerDailyCache {
    fn name(&self) -> &str {
        TABLE
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no cache date".into()))?;
        if let Some(out) = bootstrap_skip(date) {
            return Ok(out);
        }
        let players = player_games(input.rows(PGS), date);
        let teams = team_offense(input.rows(TOGS), date);
        let zones = super::rows_by(input, PSZA, "player_lookup");
        let mut rows = Vec::new();
        let mut skipped = 0usize;
        for ctx in input.rows(UPGC) {
            let Some(lookup) = ctx.str_of("player_lookup") else { continue };
            let games = players.get(lookup).map(Vec::as_slice).unwrap_or_default();
            if games.len() < MIN_GAMES {
                skipped += 1;
                continue;
            }
            let team = ctx.str_of("team_abbr").and_then(|t| teams.get(t));
            if let Some(r) = cache_row(date, ctx, games, team, zones.get(lookup)).and_then(row_of) {
                rows.push(r);
            }
        }
        let mut out = ProcessorOutput::default();
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("players_below_minimum".into(), json!(skipped));
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no scheduled player has {MIN_GAMES} games before {date}"));
            return Ok(out);
        }
        rows.sort_by(|a, b| a.str_of("player_lookup").cmp(&b.str_of("player_lookup")));
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_precompute", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        super::scoring_columns_for(table)
    }
}
