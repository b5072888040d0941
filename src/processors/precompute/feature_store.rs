//! `ml_feature_store_v2` (MLFS): one 25-feature vector (`v1_baseline_25`) per scheduled player and game, the
//! input of Phase 5 (spec §3.7). Written to `nba_predictions.ml_feature_store_v2`.
//!
//! Invariants:
//! - one row per `upcoming_player_game_context` row of the date (injured players included, so Phase 5 can
//!   say why it skipped them); the vector comes from [`features::build`] — Phase 4 rows first, Phase 3
//!   fallbacks from history strictly before the date, then documented defaults — with per-feature sources;
//! - during the bootstrap window every row is a placeholder: `features` all NULL, quality 0,
//!   `data_source = 'early_season'`, `early_season_flag` (the original's behaviour, spec §6.2);
//! - `is_production_ready` needs ≥ 10 games of history and production-ready PDC, PCF, PSZA and the
//!   opponent's TDZA rows (the original's CASCADE rule);
//! - the write replaces the date's partition in one step (the original deleted and re-inserted in chunks and
//!   could duplicate rows when the delete failed).

use serde_json::{json, Value};

use super::features::{self, FeatureInput, FEATURE_NAMES, FEATURE_VERSION};
use super::games::{player_games, round, team_defense, team_offense};
use super::row_of;
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{season, Row, RowExt, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "ml_feature_store_v2";
pub const NAME: &str = "ml_feature_store";
pub const PDC: &str = "nba_precompute.player_daily_cache";
pub const PCF: &str = "nba_precompute.player_composite_factors";
pub const PSZA: &str = "nba_precompute.player_shot_zone_analysis";
pub const TDZA: &str = "nba_precompute.team_defense_zone_analysis";
pub const UPGC: &str = "nba_analytics.upcoming_player_game_context";
pub const UTGC: &str = "nba_analytics.upcoming_team_game_context";
pub const PGS: &str = "nba_analytics.player_game_summary";
pub const TOGS: &str = "nba_analytics.team_offense_game_summary";
pub const TDGS: &str = "nba_analytics.team_defense_game_summary";

pub struct MlFeatureStore;

pub fn schema() -> TableSchema {
    TableSchema::new("nba_predictions", TABLE)
        .required("player_lookup", T::String)
        .required("game_date", T::Date)
        .required("game_id", T::String)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("is_home", T::Bool)
        .col("days_rest", T::Int64)
        .required("features", T::Json)
        .required("feature_names", T::Json)
        .required("feature_sources", T::Json)
        .required("feature_count", T::Int64)
        .required("feature_version", T::String)
        .required("feature_quality_score", T::Float64)
        .required("quality_tier", T::String)
        .required("data_source", T::String)
        .required("games_in_history", T::Int64)
        .required("has_prop_line", T::Bool)
        .required("early_season_flag", T::Bool)
        .required("is_production_ready", T::Bool)
        .col("data_quality_issues", T::Json)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "player_lookup"])
}

/// Scorer tiers: high ≥ 95, medium ≥ 70, else low.
pub fn quality_tier(score: f64) -> &'static str {
    if score >= 95.0 {
        "high"
    } else if score >= 70.0 {
        "medium"
    } else {
        "low"
    }
}

fn base(date: SlateDate, c: &Row) -> Option<Value> {
    Some(json!({
        "player_lookup": c.str_of("player_lookup")?,
        "game_date": date.to_string(),
        "game_id": c.str_of("game_id")?,
        "team_abbr": c.str_of("team_abbr")?,
        "opponent_team_abbr": c.str_of("opponent_team_abbr")?,
        "is_home": c.bool_of("home_game").unwrap_or(false),
        "days_rest": c.i64_of("days_rest"),
        "feature_names": FEATURE_NAMES,
        "feature_count": 25,
        "feature_version": FEATURE_VERSION,
        "has_prop_line": c.bool_of("has_prop_line").unwrap_or(false),
    }))
}

fn placeholder(date: SlateDate, c: &Row) -> Option<Row> {
    let mut v = base(date, c)?;
    let o = v.as_object_mut()?;
    o.insert("features".into(), Value::Array(vec![Value::Null; 25]));
    o.insert("feature_sources".into(), json!(vec!["early_season"; 25]));
    o.insert("feature_quality_score".into(), json!(0.0));
    o.insert("quality_tier".into(), json!("low"));
    o.insert("data_source".into(), json!("early_season"));
    o.insert("games_in_history".into(), json!(0));
    o.insert("early_season_flag".into(), json!(true));
    o.insert("is_production_ready".into(), json!(false));
    row_of(v)
}

impl Processor for MlFeatureStore {
    fn name(&self) -> &str {
        NAME
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no game date".into()))?;
        let ctxs = input.rows(UPGC);
        let early = season::is_early_season(date);
        let mut out = ProcessorOutput::default();
        let mut rows = Vec::new();
        if early {
            rows.extend(ctxs.iter().filter_map(|c| placeholder(date, c)));
            out.metadata.insert("processing_decision".into(), json!("early_season_placeholders"));
        } else {
            let players = player_games(input.rows(PGS), date);
            let offence = team_offense(input.rows(TOGS), date);
            let defence_games = team_defense(input.rows(TDGS), date);
            let (cache, factors, zones) = (
                super::rows_by(input, PDC, "player_lookup"),
                super::rows_by(input, PCF, "player_lookup"),
                super::rows_by(input, PSZA, "player_lookup"),
            );
            let defence = super::rows_by(input, TDZA, "team_abbr");
            let team_ctx = super::rows_by(input, UTGC, "team_abbr");
            for c in ctxs {
                let (Some(p), Some(team), Some(opp)) =
                    (c.str_of("player_lookup"), c.str_of("team_abbr"), c.str_of("opponent_team_abbr"))
                else {
                    continue;
                };
                let games = players.get(p).map(Vec::as_slice).unwrap_or_default();
                let fi = FeatureInput {
                    cache: cache.get(p).copied(),
                    factors: factors.get(p).copied(),
                    shot_zone: zones.get(p).copied(),
                    opp_defence: defence.get(opp).copied(),
                    context: Some(c),
                    opp_context_days_rest: team_ctx.get(opp).and_then(|r| r.i64_of("team_days_rest")),
                    games,
                    team_games: offence.get(team).map(Vec::as_slice).unwrap_or_default(),
                    opp_defence_games: defence_games.get(opp).map(Vec::as_slice).unwrap_or_default(),
                };
                let vec = features::build(&fi);
                let played =
                    cache.get(p).and_then(|r| r.i64_of("games_played_season")).map_or(games.len(), |n| n as usize);
                let ready = |r: Option<&&Row>| r.and_then(|r| r.bool_of("is_production_ready")).unwrap_or(false);
                let issues: Vec<&str> = [
                    (!ready(cache.get(p)), "player_daily_cache_not_ready"),
                    (!ready(factors.get(p)), "composite_factors_not_ready"),
                    (!ready(zones.get(p)), "shot_zone_not_ready"),
                    (!ready(defence.get(opp)), "opponent_defense_not_ready"),
                    (played < 10, "fewer_than_10_games"),
                ]
                .into_iter()
                .filter_map(|(b, s)| b.then_some(s))
                .collect();
                let score = round(vec.quality_score(), 2);
                let Some(mut v) = base(date, c) else { continue };
                if let Some(o) = v.as_object_mut() {
                    o.insert("features".into(), json!(vec.values));
                    o.insert("feature_sources".into(), json!(vec.sources.map(|s| s.as_str())));
                    o.insert("feature_quality_score".into(), json!(score));
                    o.insert("quality_tier".into(), json!(quality_tier(score)));
                    o.insert("data_source".into(), json!(vec.data_source()));
                    o.insert("games_in_history".into(), json!(played));
                    o.insert("early_season_flag".into(), json!(played < 10));
                    o.insert("is_production_ready".into(), json!(issues.is_empty()));
                    if !issues.is_empty() {
                        o.insert("data_quality_issues".into(), json!(issues));
                    }
                }
                rows.extend(row_of(v));
            }
        }
        out.metadata.insert("players".into(), json!(rows.len()));
        let ready = rows.iter().filter(|r| r.bool_of("is_production_ready") == Some(true)).count();
        out.metadata.insert("players_ready".into(), json!(ready));
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no scheduled players on {date}"));
            return Ok(out);
        }
        rows.sort_by(|a, b| a.str_of("player_lookup").cmp(&b.str_of("player_lookup")));
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_predictions", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        super::scoring_columns_for(table)
    }
}
