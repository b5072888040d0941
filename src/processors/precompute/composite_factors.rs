//! `player_composite_factors` (PCF): per player and game date, four adjustment factors and their total
//! (spec §3.6, `calculation_version = v1_4factors`).
//!
//! Invariants:
//! - players are the date's `upcoming_player_game_context` rows; opponent defence is the same-day TDZA row of
//!   the opponent, shot profile the player's same-day PSZA row, usage and pace come from games strictly
//!   before the date (no look-ahead);
//! - `fatigue_score` is 0–100 and **high means rested**, everywhere (the original's prediction systems read it
//!   the other way, spec §8.11); its adjustment `(score − 100)/20` lies in [−5, 0];
//! - each factor is clamped to its documented range and is 0 when an input is missing, and the context JSON
//!   of each factor says which inputs were defaults; deferred factors are stored as 0;
//! - `pace_score` uses the expected game pace (mean of both teams' last-10 pace) against the league mean of
//!   the window (the original's `pace_differential` was NULL); `usage_spike_score` projects the player's usage
//!   from his average over the 45-day window plus the usage of teammates ruled out (the original had no
//!   projection) and compares it with his last 7 games.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::factors::{fatigue, pace_score, shot_zone_mismatch, usage_spike, FatigueInput};
use super::games::{last, mean, player_games, round, team_offense, PlayerGame};
use super::{bootstrap_skip, row_of};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, RowExt};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "player_composite_factors";
pub const UPGC: &str = "nba_analytics.upcoming_player_game_context";
pub const UTGC: &str = "nba_analytics.upcoming_team_game_context";
pub const PSZA: &str = "nba_precompute.player_shot_zone_analysis";
pub const TDZA: &str = "nba_precompute.team_defense_zone_analysis";
pub const PGS: &str = "nba_analytics.player_game_summary";
pub const TOGS: &str = "nba_analytics.team_offense_game_summary";
pub const VERSION: &str = "v1_4factors";

pub struct PlayerCompositeFactors;

pub fn schema() -> TableSchema {
    let mut s = TableSchema::new("nba_precompute", TABLE)
        .required("player_lookup", T::String)
        .required("game_date", T::Date)
        .required("analysis_date", T::Date)
        .required("game_id", T::String)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("fatigue_score", T::Int64);
    for c in [
        "shot_zone_mismatch_score",
        "pace_score",
        "usage_spike_score",
        "referee_favorability_score",
        "look_ahead_pressure_score",
        "travel_impact_score",
        "opponent_strength_score",
        "total_composite_adjustment",
    ] {
        s = s.required(c, T::Float64);
    }
    for c in ["fatigue_context_json", "shot_zone_context_json", "pace_context_json", "usage_context_json"] {
        s = s.required(c, T::Json);
    }
    s.required("calculation_version", T::String)
        .required("early_season_flag", T::Bool)
        .required("data_completeness_pct", T::Float64)
        .col("missing_data_fields", T::Json)
        .required("has_warnings", T::Bool)
        .required("is_production_ready", T::Bool)
        .col("data_quality_issues", T::Json)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "player_lookup"])
}

/// Usage of the teammates of `team` ruled out on the date: (Σ usage × minutes share, stars out).
fn teammates_out(ctxs: &[Row], team: &str, me: &str, players: &BTreeMap<String, Vec<PlayerGame>>) -> (f64, usize) {
    let mut share = 0.0;
    let mut stars = 0;
    for c in ctxs.iter().filter(|c| c.str_of("team_abbr") == Some(team) && c.str_of("player_lookup") != Some(me)) {
        if c.bool_of("is_expected_to_play") != Some(false) {
            continue;
        }
        let Some(g) = c.str_of("player_lookup").and_then(|p| players.get(p)) else { continue };
        let w = last(g, 10);
        let (Some(u), Some(m)) = (mean(w.iter().map(|x| x.usage_rate)), mean(w.iter().map(|x| Some(x.minutes)))) else {
            continue;
        };
        share += u * (m / 48.0).min(1.0);
        if u >= 25.0 && m >= 25.0 {
            stars += 1;
        }
    }
    (share, stars)
}

impl Processor for PlayerCompositeFactors {
    fn name(&self) -> &str {
        TABLE
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no analysis date".into()))?;
        if let Some(out) = bootstrap_skip(date) {
            return Ok(out);
        }
        let ctxs = input.rows(UPGC);
        let players = player_games(input.rows(PGS), date);
        let teams = team_offense(input.rows(TOGS), date);
        let zones = super::rows_by(input, PSZA, "player_lookup");
        let defence = super::rows_by(input, TDZA, "team_abbr");
        let team_ctx = super::rows_by(input, UTGC, "team_abbr");
        let pace10 = |t: &str| teams.get(t).and_then(|g| mean(last(g, 10).iter().map(|x| x.pace)));
        let league_pace = mean(teams.keys().map(|t| pace10(t)));
        let mut rows = Vec::new();
        for c in ctxs {
            let (Some(lookup), Some(team), Some(opp)) =
                (c.str_of("player_lookup"), c.str_of("team_abbr"), c.str_of("opponent_team_abbr"))
            else {
                continue;
            };
            let hist = players.get(lookup).map(Vec::as_slice).unwrap_or_default();
            let (f_score, f_ctx) = fatigue(&FatigueInput {
                back_to_back: c.bool_of("back_to_back").unwrap_or(false),
                days_rest: c.i64_of("days_rest"),
                games_last_7: c.i64_of("games_in_last_7_days"),
                minutes_last_7: c.f64_of("minutes_in_last_7_days"),
                avg_mpg_last_7: c.f64_of("avg_minutes_per_game_last_7"),
                back_to_backs_last_14: c.i64_of("back_to_backs_last_14_days"),
                age: None,
            });
            let zone = zones.get(lookup);
            let opp_def = defence.get(opp);
            let (sz, sz_ctx) = shot_zone_mismatch(zone.copied(), opp_def.copied());
            let (pace, pace_ctx) = pace_score(pace10(team), pace10(opp), league_pace);
            let recent = mean(last(hist, 7).iter().map(|g| g.usage_rate));
            let base = mean(hist.iter().map(|g| g.usage_rate));
            let (out_share, stars) = teammates_out(ctxs, team, lookup, &players);
            let projected = base.map(|b| b * (1.0 + (out_share / 100.0).min(0.5)));
            let (usage, usage_ctx) = usage_spike(projected, recent, stars);
            let fatigue_adj = (f_score as f64 - 100.0) / 20.0;
            let total = round(fatigue_adj + sz + pace + usage, 2);
            let mut missing = Vec::new();
            if zone.is_none() {
                missing.push("player_shot_zone_analysis");
            }
            if opp_def.is_none() {
                missing.push("team_defense_zone_analysis");
            }
            if !team_ctx.contains_key(team) {
                missing.push("upcoming_team_game_context");
            }
            if hist.len() < 10 {
                missing.push("player_game_summary_last_10");
            }
            let ready = |r: Option<&&Row>| r.and_then(|r| r.bool_of("is_production_ready")).unwrap_or(false);
            let issues: Vec<String> = [
                (!ready(zone), "upstream_player_shot_zone_incomplete"),
                (!ready(opp_def), "upstream_team_defense_zone_incomplete"),
                (c.bool_of("is_production_ready") != Some(true), "upstream_player_context_incomplete"),
                (!team_ctx.contains_key(team), "upstream_team_context_missing"),
            ]
            .into_iter()
            .filter(|(b, _)| *b)
            .map(|(_, s)| s.to_string())
            .collect();
            let v: Value = json!({
                "player_lookup": lookup,
                "game_date": date.to_string(),
                "analysis_date": date.to_string(),
                "game_id": c.str_of("game_id"),
                "team_abbr": team,
                "opponent_team_abbr": opp,
                "fatigue_score": f_score,
                "shot_zone_mismatch_score": sz,
                "pace_score": pace,
                "usage_spike_score": usage,
                "referee_favorability_score": 0.0,
                "look_ahead_pressure_score": 0.0,
                "travel_impact_score": 0.0,
                "opponent_strength_score": 0.0,
                "total_composite_adjustment": total,
                "fatigue_context_json": f_ctx,
                "shot_zone_context_json": sz_ctx,
                "pace_context_json": pace_ctx,
                "usage_context_json": usage_ctx,
                "calculation_version": VERSION,
                "early_season_flag": hist.len() < 10,
                "data_completeness_pct": round(100.0 * (4 - missing.len()) as f64 / 4.0, 1),
                "missing_data_fields": (!missing.is_empty()).then(|| json!(missing)),
                "has_warnings": !issues.is_empty(),
                "is_production_ready": issues.is_empty() && hist.len() >= 10,
                "data_quality_issues": (!issues.is_empty()).then(|| json!(issues)),
            });
            rows.extend(row_of(v));
        }
        let mut out = ProcessorOutput::default();
        out.metadata.insert("players".into(), json!(rows.len()));
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no scheduled players on {date}"));
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
