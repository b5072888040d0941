//! The Phase 5 tables: the predictions the prediction workers write (a fixed contract, declared here so the
//! workers and the grader share one definition) and the two tables the grader writes.
//!
//! Invariants: each table is partitioned by `game_date`; keys are as documented on each function. The schema of
//! `player_prop_predictions` is the contract with the prediction coordinator/workers — change it only together.

use crate::backends::ColumnType as T;
use crate::backends::TableSchema;

pub const DATASET: &str = "nba_predictions";
pub const PREDICTIONS: &str = "player_prop_predictions";
pub const RESULTS: &str = "prediction_results";
pub const DAILY: &str = "system_daily_performance";

/// `nba_predictions.player_prop_predictions`, key (game_date, player_lookup, system_id, line_offset).
/// `prediction_id` is `"{system_id}:{player_lookup}:{game_date}:{line_offset}"`; `confidence_score` is 0–100;
/// `recommendation` is OVER | UNDER | PASS | NO_LINE; `line_offset` is −2..2 (0 = the base line);
/// `line_source` is ACTUAL_PROP | ESTIMATED_AVG; prices are American odds.
pub fn predictions_schema() -> TableSchema {
    TableSchema::new(DATASET, PREDICTIONS)
        .required("prediction_id", T::String)
        .required("system_id", T::String)
        .required("player_lookup", T::String)
        .required("game_date", T::Date)
        .required("game_id", T::String)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("prediction_version", T::Int64)
        .required("predicted_points", T::Float64)
        .required("confidence_score", T::Float64)
        .required("recommendation", T::String)
        .required("has_prop_line", T::Bool)
        .col("current_points_line", T::Float64)
        .required("line_offset", T::Float64)
        .col("line_margin", T::Float64)
        .required("line_source", T::String)
        .col("estimated_line_value", T::Float64)
        .col("estimation_method", T::String)
        .col("bookmaker", T::String)
        .col("over_price", T::Int64)
        .col("under_price", T::Int64)
        .required("feature_quality_score", T::Float64)
        .required("batch_id", T::String)
        .col("correlation_id", T::String)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "player_lookup", "system_id", "line_offset"])
}

/// `nba_predictions.prediction_results`, key (game_date, player_lookup, system_id, line_offset): one row per
/// prediction of a player who played.
pub fn results_schema() -> TableSchema {
    TableSchema::new(DATASET, RESULTS)
        .required("prediction_id", T::String)
        .required("system_id", T::String)
        .required("player_lookup", T::String)
        .required("game_date", T::Date)
        .required("game_id", T::String)
        .required("line_offset", T::Float64)
        .required("predicted_points", T::Float64)
        .required("actual_points", T::Float64)
        .required("absolute_error", T::Float64)
        .required("signed_error", T::Float64)
        .required("recommendation", T::String)
        .col("current_points_line", T::Float64)
        .required("outcome", T::String)
        .required("within_3", T::Bool)
        .required("within_5", T::Bool)
        .required("confidence_tier", T::String)
        .required("profit_units", T::Float64)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "player_lookup", "system_id", "line_offset"])
}

/// `nba_predictions.system_daily_performance`, key (game_date, system_id): base lines (`line_offset = 0`) only.
pub fn daily_schema() -> TableSchema {
    TableSchema::new(DATASET, DAILY)
        .required("game_date", T::Date)
        .required("system_id", T::String)
        .required("predictions", T::Int64)
        .required("graded", T::Int64)
        .col("mae", T::Float64)
        .col("rmse", T::Float64)
        .col("bias", T::Float64)
        .required("picks", T::Int64)
        .required("wins", T::Int64)
        .required("losses", T::Int64)
        .required("pushes", T::Int64)
        .col("hit_rate", T::Float64)
        .required("profit_units", T::Float64)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "system_id"])
}
