//! Phase 5 grading (spec §4.5): a date's predictions (`nba_predictions.player_prop_predictions`) against the
//! players' actual points (`nba_analytics.player_game_summary`), written to `nba_predictions.prediction_results`
//! and summarised per system in `nba_predictions.system_daily_performance`; and the pure figures of
//! `hoopflow report` ([`report`], [`plot`]).
//!
//! Invariants (decisions in `docs/decisions.md`, "Phase 5 grading and report"):
//! - pure and deterministic: no clock; rows sorted by key; numbers rounded;
//! - a prediction of a player who did not play (no box-score row that date, or 0 minutes) gets no result row;
//!   it is counted in the run's metadata (`did_not_play`) and in the daily `predictions` count;
//! - the daily summary is over base lines only (`line_offset = 0`);
//! - [`predictions_schema`] is the contract with the prediction coordinator and workers.

use std::sync::Arc;

use super::raw::checked::Checked;
use super::ProcessorRegistry;

pub mod grade;
pub mod plot;
pub mod processor;
pub mod report;
pub mod report_lined;
pub mod schema;

pub use schema::{daily_schema, predictions_schema, results_schema};

/// Register the grading processor behind the output check.
pub fn register(reg: &mut ProcessorRegistry) {
    reg.register(Arc::new(Checked::new(Arc::new(processor::PredictionGrading))));
}
