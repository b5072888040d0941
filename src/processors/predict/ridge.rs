//! `ridge_v1`: the learned system (replaces the original's `xgboost_v1`, a mock model at v1.0), a
//! [`learned::Model`] applied to the 25 features, clamped 0–60.
//!
//! Confidence and recommendation follow the original XGBoost system (spec §4.4), already on 0–100:
//! confidence 70; feature_quality_score ≥ 90 +10, ≥ 80 +7, ≥ 70 +5, ≥ 60 +2; points_std_last_10 < 4 +10,
//! < 6 +7, < 8 +5, else +2. Recommendation: PASS if confidence < 60; OVER/UNDER if |edge| ≥ 1.5; else PASS.
//!
//! Invariant: a model whose [`learned::Model::trained_before`] is after the predicted date is refused
//! ([`PredictError::LookAhead`], which counts as a system failure: it is a caller bug); a model with a
//! non-finite parameter is [`PredictError::Numerical`].

use super::common::{check_line, finish_points, round2, threshold_recommendation};
use super::{f, learned, PlayerContext, PredictError, Prediction};

pub const SYSTEM_ID: &str = "ridge_v1";
pub const MIN_CONFIDENCE: f64 = 60.0;
pub const MIN_EDGE: f64 = 1.5;

/// Confidence from the feature quality and the player's volatility.
pub fn confidence(ctx: &PlayerContext) -> f64 {
    let q = ctx.feature_quality_score;
    let std = ctx.features[f::PTS_STD_L10];
    let quality = if q >= 90.0 {
        10.0
    } else if q >= 80.0 {
        7.0
    } else if q >= 70.0 {
        5.0
    } else if q >= 60.0 {
        2.0
    } else {
        0.0
    };
    let spread = if std < 4.0 {
        10.0
    } else if std < 6.0 {
        7.0
    } else if std < 8.0 {
        5.0
    } else {
        2.0
    };
    round2(70.0 + quality + spread)
}

pub fn predict(model: &learned::Model, ctx: &PlayerContext, line: Option<f64>) -> Result<Prediction, PredictError> {
    ctx.validate()?;
    check_line(line)?;
    if let Some(cut) = model.trained_before.filter(|cut| *cut > ctx.date) {
        return Err(PredictError::LookAhead { trained_before: cut, date: ctx.date });
    }
    if !model.is_finite() {
        return Err(PredictError::Numerical { system: SYSTEM_ID });
    }
    let predicted_points = finish_points(SYSTEM_ID, model.predict_points(&ctx.features))?;
    let confidence = confidence(ctx);
    Ok(Prediction {
        system_id: SYSTEM_ID,
        predicted_points,
        confidence,
        recommendation: threshold_recommendation(predicted_points, line, confidence, MIN_CONFIDENCE, MIN_EDGE),
    })
}
