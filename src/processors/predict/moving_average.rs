//! `moving_average` (spec §4.4): `0.5·L5 + 0.3·L10 + 0.2·season` plus adjustments, clamped 0–60.
//!
//! Adjustments: fatigue (feature 5, 0–100, **high = rested**): score < 30 → −2.5, < 50 → −1.0, i.e. the
//! original's thresholds (> 70, > 50) applied to tiredness `100 − score` — the original applied them to the
//! score itself and so penalised rested players; shot-zone mismatch ×0.3; back-to-back (feature 16) −1.5;
//! pace score ×0.3; home +0.5 / away −0.5; usage spike ×0.4.
//! Confidence and recommendation: the base rules of [`super::common`] (0–100).

use super::common::{base_confidence, base_recommendation, check_line, finish_points, venue};
use super::{f, PlayerContext, PredictError, Prediction};

pub const SYSTEM_ID: &str = "moving_average";

/// Fatigue adjustment from PCF's score (high = rested).
pub fn fatigue_adjustment(fatigue_score: f64) -> f64 {
    if fatigue_score < 30.0 {
        -2.5
    } else if fatigue_score < 50.0 {
        -1.0
    } else {
        0.0
    }
}

/// The unclamped, unrounded prediction.
pub fn raw_points(ctx: &PlayerContext) -> f64 {
    let x = &ctx.features;
    let base = 0.5 * x[f::PTS_L5] + 0.3 * x[f::PTS_L10] + 0.2 * x[f::PTS_SEASON];
    let b2b = if x[f::BACK_TO_BACK] >= 0.5 { -1.5 } else { 0.0 };
    base + fatigue_adjustment(x[f::FATIGUE])
        + 0.3 * x[f::SHOT_ZONE_MISMATCH]
        + b2b
        + 0.3 * x[f::PACE]
        + venue(ctx, 0.5, -0.5)
        + 0.4 * x[f::USAGE_SPIKE]
}

pub fn predict(ctx: &PlayerContext, line: Option<f64>) -> Result<Prediction, PredictError> {
    ctx.validate()?;
    check_line(line)?;
    let predicted_points = finish_points(SYSTEM_ID, raw_points(ctx))?;
    let confidence = base_confidence(ctx);
    Ok(Prediction {
        system_id: SYSTEM_ID,
        predicted_points,
        confidence,
        recommendation: base_recommendation(predicted_points, line, confidence),
    })
}
