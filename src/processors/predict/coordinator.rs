//! `prediction_coordinator`: a slate's prediction batch — the fan-out of [`batch::select`], a walk-forward
//! ridge model trained on earlier dates, every system on each requested player's line ladder, and the coverage
//! of every scheduled player (spec §4).
//!
//! Invariants:
//! - the model is trained only on feature vectors of dates before the slate, paired with the points then
//!   scored ([`batch::training_samples`], [`learned::train_before`]), and only from [`MIN_TRAINING_SAMPLES`]
//!   of them; histories stop the day before;
//! - one row per (player, system, line offset): a player with a real line gets the five-line ladder
//!   (base − 2 … base + 2), one without gets one `NO_LINE` row per system at offset 0 with the estimated line
//!   recorded; prediction ids are deterministic, so a re-run replaces the date's rows instead of adding to them;
//! - every scheduled player gets one `prediction_coverage` row: `predicted`, or `excluded` with the reason;
//! - this build runs the fan-out in process, one compute per batch; the per-player work is
//!   [`predict_player`], the unit a worker actor runs.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::batch::{self, Decision, PlayerRequest};
use super::{learned, lines, run_all, CircuitBreaker, PastGame, PlayerContext};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, SlateDate};
use crate::processors::grading::predictions_schema;
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const NAME: &str = "prediction_coordinator";
pub const UPGC: &str = "nba_analytics.upcoming_player_game_context";
pub const MLFS: &str = "nba_predictions.ml_feature_store_v2";
pub const PROPS: &str = "nba_raw.odds_api_player_points_props";
pub const PGS: &str = "nba_analytics.player_game_summary";
pub const TDGS: &str = "nba_analytics.team_defense_game_summary";
/// The lookback read of the feature store (key of the second declaration of the same table).
pub const MLFS_HISTORY: &str = "nba_predictions.ml_feature_store_v2:lookback";
/// Fewest training samples for the ridge model: below it the model is skipped (a day or two of vectors
/// overfits, and the 0–60 clamp then answers 60 for everyone — what the three-date demo showed).
pub const MIN_TRAINING_SAMPLES: usize = 1000;
/// Most history games handed to the systems.
pub const HISTORY_GAMES: usize = 30;

pub struct PredictionCoordinator;

pub fn coverage_schema() -> TableSchema {
    TableSchema::new("nba_predictions", "prediction_coverage")
        .required("game_date", T::Date)
        .required("player_lookup", T::String)
        .required("game_id", T::String)
        .required("has_prop_line", T::Bool)
        .required("status", T::String)
        .col("reason", T::String)
        .required("predictions", T::Int64)
        .required("batch_id", T::String)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "player_lookup"])
}

/// The prediction rows of one player: every system on each line of his ladder.
pub fn predict_player(
    date: SlateDate,
    batch_id: &str,
    req: &PlayerRequest,
    history: &[PastGame],
    model: Option<&learned::Model>,
    breaker: &mut CircuitBreaker,
) -> Vec<Row> {
    let features = req.features;
    let ctx = PlayerContext {
        date,
        features,
        feature_quality_score: req.feature_quality_score,
        history: history[history.len().saturating_sub(HISTORY_GAMES)..].to_vec(),
        is_home: req.is_home,
        days_rest: req.days_rest,
        opponent_def_rating: features[super::f::OPP_DEF_RATING],
    };
    let ladder: Vec<(f64, Option<f64>)> = match req.line.base_line {
        Some(base) => lines::ladder(base).iter().map(|l| (l - base, Some(*l))).collect(),
        None => vec![(0.0, None)],
    };
    let mut rows = Vec::new();
    for (offset, line) in ladder {
        for p in run_all(&ctx, line, model, breaker) {
            let base = offset == 0.0;
            let v: Value = json!({
                "prediction_id": format!("{}:{}:{}:{}", p.system_id, req.player_lookup, date, offset),
                "system_id": p.system_id,
                "player_lookup": req.player_lookup,
                "game_date": date.to_string(),
                "game_id": req.game_id,
                "team_abbr": req.team_abbr,
                "opponent_team_abbr": req.opponent_team_abbr,
                "prediction_version": 1,
                "predicted_points": p.predicted_points,
                "confidence_score": p.confidence,
                "recommendation": p.recommendation.as_str(),
                "has_prop_line": req.line.has_prop_line,
                "current_points_line": line,
                "line_offset": offset,
                "line_margin": line.map(|l| ((p.predicted_points - l) * 10.0).round() / 10.0),
                "line_source": req.line.line_source,
                "estimated_line_value": req.line.estimated_line_value,
                "estimation_method": req.line.estimation_method,
                "bookmaker": req.line.bookmaker,
                "over_price": req.line.over_price.filter(|_| base),
                "under_price": req.line.under_price.filter(|_| base),
                "feature_quality_score": req.feature_quality_score,
                "batch_id": batch_id,
            });
            rows.extend(super::super::precompute::row_of(v));
        }
    }
    rows
}

impl Processor for PredictionCoordinator {
    fn name(&self) -> &str {
        NAME
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no game date".into()))?;
        let batch_id = format!("batch_{date}");
        let decisions = batch::select(input.rows(UPGC), input.rows(MLFS), input.rows(PROPS));
        let mut out = ProcessorOutput::default();
        if decisions.is_empty() {
            out.no_data_reason = Some(format!("no scheduled players on {date}"));
            return Ok(out);
        }
        let samples = batch::training_samples(input.rows(MLFS_HISTORY), input.rows(PGS), date);
        let model = if samples.len() < MIN_TRAINING_SAMPLES {
            Err(super::PredictError::Training(format!(
                "{} training samples before {date}, fewer than {MIN_TRAINING_SAMPLES}",
                samples.len()
            )))
        } else {
            learned::train_before(&samples, learned::DEFAULT_LAMBDA, date)
        };
        let model_note = match &model {
            Ok(m) => json!({"system": "ridge_v1", "samples": m.n_samples, "lambda": m.lambda}),
            Err(e) => json!({"system": "ridge_v1", "skipped": e.to_string(), "samples": samples.len()}),
        };
        let histories = batch::histories(input.rows(PGS), input.rows(TDGS), date);
        let mut breaker = CircuitBreaker::default();
        let (mut rows, mut coverage) = (Vec::new(), Vec::new());
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for d in &decisions {
            let (player, game, lined, status, reason, n) = match d {
                Decision::Request(req) => {
                    let h = histories.get(&req.player_lookup).map(Vec::as_slice).unwrap_or_default();
                    let r = predict_player(date, &batch_id, req, h, model.as_ref().ok(), &mut breaker);
                    let n = r.len();
                    rows.extend(r);
                    let (status, reason) =
                        if n > 0 { ("predicted", None) } else { ("excluded", Some("every_system_failed".to_string())) };
                    (&req.player_lookup, &req.game_id, req.line.has_prop_line, status, reason, n)
                }
                Decision::Excluded { player_lookup, game_id, has_prop_line, reason } => {
                    (player_lookup, game_id, *has_prop_line, "excluded", Some(reason.clone()), 0)
                }
            };
            if let Some(r) = &reason {
                *reasons.entry(r.clone()).or_default() += 1;
            }
            coverage.extend(super::super::precompute::row_of(json!({
                "game_date": date.to_string(), "player_lookup": player, "game_id": game, "has_prop_line": lined,
                "status": status, "reason": reason, "predictions": n, "batch_id": batch_id,
            })));
        }
        let predicted = coverage.iter().filter(|r| r.get("status") == Some(&json!("predicted"))).count();
        out.metadata.insert("batch_id".into(), json!(batch_id));
        out.metadata.insert("expected_players".into(), json!(decisions.len()));
        out.metadata.insert("predicted_players".into(), json!(predicted));
        out.metadata.insert("excluded".into(), json!(reasons));
        out.metadata.insert("model".into(), model_note);
        let table = |t: &str| TableRef::new("nba_predictions", t);
        out.writes.push(TableWrite::ReplacePartition { table: table("prediction_coverage"), date, rows: coverage });
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no player of {date} was eligible for a prediction"));
        } else {
            out.writes.push(TableWrite::ReplacePartition { table: table("player_prop_predictions"), date, rows });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![predictions_schema(), coverage_schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        let cols: &[&str] = match table {
            PGS => &[
                "game_date",
                "game_id",
                "player_lookup",
                "opponent_team_abbr",
                "home_game",
                "points",
                "minutes_played",
            ],
            TDGS => &["game_date", "game_id", "defending_team_abbr", "defensive_rating"],
            _ => return None,
        };
        Some(cols.iter().map(|c| c.to_string()).collect())
    }
}
