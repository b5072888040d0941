//! Phase 5 prediction systems (spec §4.4) and prop-line selection (spec §4.2) as pure logic.
//!
//! A caller (the prediction worker) builds one [`PlayerContext`] per player and date from the feature store
//! and the player's earlier games, picks the line(s) with [`lines`], and calls [`run_all`] once per line. No
//! actor, clock, network or warehouse access happens here.
//!
//! Invariants:
//! - **No look-ahead.** A context describes one player before one date: every [`PastGame`] is dated strictly
//!   before [`PlayerContext::date`] and the history is oldest first ([`PlayerContext::validate`] rejects
//!   anything else). A [`learned::Model`] must be trained only on games dated before the predicted date; a
//!   model that records its cut-off ([`learned::Model::trained_before`]) is refused for earlier dates.
//! - **One scale.** Every system's `confidence` is on 0–100 (two decimals); `predicted_points` has one
//!   decimal and is clamped to 0–60. The line comparisons (edge, recommendation) use the rounded prediction,
//!   so a stored row's `line_margin = predicted_points − line` explains its recommendation.
//! - **Typed failures, no panics.** A non-finite feature, history value or line is a [`PredictError`], never
//!   a panic or a NaN prediction. `line = None` gives [`Recommendation::NoLine`].
//! - **Isolation.** In [`run_all`] a failing system is skipped (and counted by a pure [`CircuitBreaker`])
//!   without failing the others; the ensemble runs last over the components that succeeded.
//!
//! Departures from the original (decisions in `docs/decisions.md`, "Phase 5 prediction systems"):
//! - confidence 0–100 everywhere (the original mixed 0–1 and 0–100, and stored `zone_matchup` unscaled); the
//!   base rule's thresholds are scaled with it (conf > 45, clamp 20–80);
//! - `fatigue_score` (feature 5) is PCF's 0–100 with **high = rested**: the moving average and zone matchup
//!   penalise *low* scores (the original penalised high, i.e. rested, players);
//! - the zone matchup's zone score rises with the opponent's defensive rating (a weak defence, high rating,
//!   gives points; the original's `110 − rating` rewarded strong defences), around the feature's default 112;
//! - the similarity system reads its context from [`PlayerContext`] (`is_home`, `days_rest`,
//!   `opponent_def_rating`) and each past game's own context, instead of names absent from the feature vector;
//! - `xgboost_v1` (a mock model at v1.0) is replaced by `ridge_v1`, a closed-form ridge regression on the 25
//!   standardised features ([`learned`]), with the XGBoost system's confidence and recommendation rules.

pub mod batch;
pub mod circuit;
pub mod common;
pub mod coordinator;
pub mod ensemble;
pub mod learned;
pub mod lines;
pub mod moving_average;
pub mod ridge;
pub mod similarity;
pub mod zone_matchup;

#[cfg(test)]
mod tests;

pub use circuit::{CircuitBreaker, CoolDown};

use crate::domain::SlateDate;
use crate::processors::precompute::features::FEATURE_NAMES;

/// Feature indices (order of [`FEATURE_NAMES`]).
pub mod f {
    pub const PTS_L5: usize = 0;
    pub const PTS_L10: usize = 1;
    pub const PTS_SEASON: usize = 2;
    pub const PTS_STD_L10: usize = 3;
    pub const GAMES_L7: usize = 4;
    pub const FATIGUE: usize = 5;
    pub const SHOT_ZONE_MISMATCH: usize = 6;
    pub const PACE: usize = 7;
    pub const USAGE_SPIKE: usize = 8;
    pub const OPP_DEF_RATING: usize = 13;
    pub const BACK_TO_BACK: usize = 16;
    pub const PCT_PAINT: usize = 18;
    pub const PCT_MID: usize = 19;
    pub const PCT_THREE: usize = 20;
    pub const PCT_FT: usize = 21;
}

/// Component system ids, in the order [`run_all`] runs them; the ensemble runs after them.
pub const COMPONENT_IDS: [&str; 4] =
    [moving_average::SYSTEM_ID, zone_matchup::SYSTEM_ID, similarity::SYSTEM_ID, ridge::SYSTEM_ID];

/// One earlier game of the player (this season, strictly before the predicted date).
#[derive(Debug, Clone, PartialEq)]
pub struct PastGame {
    pub date: SlateDate,
    pub points: f64,
    pub minutes: f64,
    /// The opponent's defensive rating before that game, when known.
    pub opponent_def_rating: Option<f64>,
    /// Days since his previous game (UPGC convention: 1 = back-to-back), `None` for his first game.
    pub days_rest: Option<i64>,
    pub is_home: bool,
}

/// Everything a player's prediction reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerContext {
    /// The predicted game's date.
    pub date: SlateDate,
    /// `v1_baseline_25`, in the order of [`FEATURE_NAMES`].
    pub features: [f64; 25],
    /// 0–100 (spec §3.7).
    pub feature_quality_score: f64,
    /// His earlier games this season, oldest first, all before `date`.
    pub history: Vec<PastGame>,
    pub is_home: bool,
    /// Days since his previous game (UPGC convention: 1 = back-to-back).
    pub days_rest: Option<i64>,
    /// The opponent's defensive rating (feature 13).
    pub opponent_def_rating: f64,
}

impl PlayerContext {
    /// A context with every feature at its documented default (spec §3.7) and no history.
    pub fn with_defaults(date: SlateDate) -> Self {
        PlayerContext {
            date,
            features: DEFAULT_FEATURES,
            feature_quality_score: 40.0,
            history: Vec::new(),
            is_home: false,
            days_rest: None,
            opponent_def_rating: DEFAULT_FEATURES[f::OPP_DEF_RATING],
        }
    }

    /// Check everything a system relies on: finite features, quality and ratings; a history that is finite,
    /// non-negative, oldest first and strictly before `date`.
    pub fn validate(&self) -> Result<(), PredictError> {
        if let Some((index, value)) = self.features.iter().copied().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(PredictError::InvalidFeature { index, name: FEATURE_NAMES[index], value });
        }
        let bad = |what: &str| Err(PredictError::InvalidInput(what.to_string()));
        if !(0.0..=100.0).contains(&self.feature_quality_score) {
            return bad(&format!("feature_quality_score {} outside 0–100", self.feature_quality_score));
        }
        if !self.opponent_def_rating.is_finite() {
            return bad("opponent_def_rating is not finite");
        }
        if self.days_rest.is_some_and(|d| d < 0) {
            return bad("negative days_rest");
        }
        let mut prev: Option<SlateDate> = None;
        for (i, g) in self.history.iter().enumerate() {
            let finite = g.points.is_finite() && g.minutes.is_finite() && g.points >= 0.0 && g.minutes >= 0.0;
            if !finite || g.opponent_def_rating.is_some_and(|r| !r.is_finite()) {
                return bad(&format!("history game {i} ({}) has a non-finite or negative value", g.date));
            }
            if g.date >= self.date {
                return bad(&format!("history game {i} ({}) is not before {}", g.date, self.date));
            }
            if prev.is_some_and(|p| p > g.date) {
                return bad("history is not oldest first");
            }
            prev = Some(g.date);
        }
        Ok(())
    }
}

/// The documented defaults of the 25 features (spec §3.7), in vector order.
pub const DEFAULT_FEATURES: [f64; 25] = [
    10.0, 10.0, 10.0, 5.0, 3.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 112.0, 100.0, 0.0, 0.0, 0.0, 0.30, 0.20, 0.35,
    0.15, 100.0, 112.0, 0.5,
];

/// What a system recommends against a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recommendation {
    Over,
    Under,
    Pass,
    /// No line was given.
    NoLine,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Over => "OVER",
            Recommendation::Under => "UNDER",
            Recommendation::Pass => "PASS",
            Recommendation::NoLine => "NO_LINE",
        }
    }
}

/// One system's prediction for one player and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub system_id: &'static str,
    /// One decimal, 0–60.
    pub predicted_points: f64,
    /// 0–100, two decimals.
    pub confidence: f64,
    pub recommendation: Recommendation,
}

/// The one error enum of the prediction layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictError {
    /// A feature is NaN or infinite.
    #[error("feature {index} ({name}) is not finite: {value}")]
    InvalidFeature { index: usize, name: &'static str, value: f64 },
    /// Any other bad input: history, line, quality score, training sample.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The system needs more (or more similar) earlier games than the player has.
    #[error("{system}: needs {needed} games, has {found}")]
    InsufficientHistory { system: &'static str, needed: usize, found: usize },
    /// The ensemble needs at least two component predictions.
    #[error("ensemble needs at least 2 component predictions, has {found}")]
    InsufficientComponents { found: usize },
    /// No learned model was supplied.
    #[error("no learned model")]
    NoModel,
    /// The model was trained on games on or after the predicted date.
    #[error("model trained on games up to {trained_before} (exclusive) cannot predict {date}")]
    LookAhead { trained_before: SlateDate, date: SlateDate },
    /// Training failed (no samples, singular system).
    #[error("training failed: {0}")]
    Training(String),
    /// A computation produced a non-finite number.
    #[error("{system}: non-finite result")]
    Numerical { system: &'static str },
    /// The system's circuit breaker is open.
    #[error("{system}: circuit open")]
    CircuitOpen { system: &'static str },
}

impl PredictError {
    /// Whether this error counts as a failure of the *system* for its circuit breaker. Input problems and
    /// "not applicable" outcomes (too little history, no model, too few components) do not.
    pub fn is_system_failure(&self) -> bool {
        matches!(self, PredictError::LookAhead { .. } | PredictError::Training(_) | PredictError::Numerical { .. })
    }
}

/// What [`run_all_detailed`] did: the predictions, and each skipped system with its reason.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunReport {
    pub predictions: Vec<Prediction>,
    pub skipped: Vec<(&'static str, PredictError)>,
}

/// Run every system (components in [`COMPONENT_IDS`] order, then the ensemble) for one player and line.
/// A failing or open system is skipped without failing the others. See [`run_all_detailed`].
pub fn run_all(
    ctx: &PlayerContext,
    line: Option<f64>,
    model: Option<&learned::Model>,
    breaker: &mut CircuitBreaker,
) -> Vec<Prediction> {
    run_all_detailed(ctx, line, model, breaker).predictions
}

/// [`run_all`] with the reasons of the skipped systems. An invalid context or line skips every system
/// without touching the breaker (the input is at fault, not the systems).
pub fn run_all_detailed(
    ctx: &PlayerContext,
    line: Option<f64>,
    model: Option<&learned::Model>,
    breaker: &mut CircuitBreaker,
) -> RunReport {
    let mut report = RunReport::default();
    if let Err(e) = ctx.validate().and_then(|_| common::check_line(line)) {
        report.skipped = COMPONENT_IDS.iter().chain([&ensemble::SYSTEM_ID]).map(|id| (*id, e.clone())).collect();
        return report;
    }
    let mut guarded = |id: &'static str, run: &dyn Fn() -> Result<Prediction, PredictError>, r: &mut RunReport| {
        if !breaker.allow(id) {
            r.skipped.push((id, PredictError::CircuitOpen { system: id }));
            return;
        }
        match run() {
            Ok(p) => {
                breaker.record_success(id);
                r.predictions.push(p);
            }
            Err(e) => {
                if e.is_system_failure() {
                    breaker.record_failure(id);
                } else {
                    breaker.record_not_applicable(id);
                }
                r.skipped.push((id, e));
            }
        }
    };
    guarded(moving_average::SYSTEM_ID, &|| moving_average::predict(ctx, line), &mut report);
    guarded(zone_matchup::SYSTEM_ID, &|| zone_matchup::predict(ctx, line), &mut report);
    guarded(similarity::SYSTEM_ID, &|| similarity::predict(ctx, line), &mut report);
    guarded(
        ridge::SYSTEM_ID,
        &|| model.map_or(Err(PredictError::NoModel), |m| ridge::predict(m, ctx, line)),
        &mut report,
    );
    let components = report.predictions.clone();
    guarded(ensemble::SYSTEM_ID, &|| ensemble::combine(&components, line), &mut report);
    report
}
