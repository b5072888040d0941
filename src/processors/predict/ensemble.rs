//! `ensemble_v1` (spec §4.4): the confidence-weighted mean of the component predictions that succeeded.
//!
//! Invariants: at least 2 components ([`PredictError::InsufficientComponents`] otherwise; an `ensemble_v1`
//! entry among them is ignored, a component given twice counts twice). Components are combined as
//! stored: one-decimal predictions and 0–100 confidences (the original converted 0–1 confidences first).
//! If every component has confidence 0 the plain mean is used.
//!
//! Prediction `Σ cᵢ·pᵢ / Σ cᵢ`, clamped 0–60. Confidence: mean component confidence; population std of the
//! component predictions < 2 +10, < 3 +5, < 6 −5, else −10; +5 when all four components predicted; clamp
//! 20–95. Recommendation: PASS if confidence < 65 or |edge| < 1.5; else the majority (> 50 %) of the
//! component recommendations if OVER or UNDER has one, else by the sign of the edge.

use super::common::{check_line, edge, finish_points, round2};
use super::{PredictError, Prediction, Recommendation, COMPONENT_IDS};

pub const SYSTEM_ID: &str = "ensemble_v1";
pub const MIN_COMPONENTS: usize = 2;
pub const MIN_CONFIDENCE: f64 = 65.0;
pub const MIN_EDGE: f64 = 1.5;

/// Combine component predictions (any other ensemble entry is ignored).
pub fn combine(components: &[Prediction], line: Option<f64>) -> Result<Prediction, PredictError> {
    check_line(line)?;
    let parts: Vec<&Prediction> = components.iter().filter(|p| p.system_id != SYSTEM_ID).collect();
    if parts.len() < MIN_COMPONENTS {
        return Err(PredictError::InsufficientComponents { found: parts.len() });
    }
    if parts.iter().any(|p| !p.predicted_points.is_finite() || !p.confidence.is_finite() || p.confidence < 0.0) {
        return Err(PredictError::InvalidInput("component prediction is not finite".into()));
    }
    let n = parts.len() as f64;
    let weight: f64 = parts.iter().map(|p| p.confidence).sum();
    let raw = if weight > 0.0 {
        parts.iter().map(|p| p.confidence * p.predicted_points).sum::<f64>() / weight
    } else {
        parts.iter().map(|p| p.predicted_points).sum::<f64>() / n
    };
    let predicted_points = finish_points(SYSTEM_ID, raw)?;
    let mean = parts.iter().map(|p| p.predicted_points).sum::<f64>() / n;
    let std = (parts.iter().map(|p| (p.predicted_points - mean).powi(2)).sum::<f64>() / n).sqrt();
    let mut c = weight / n;
    c += if std < 2.0 {
        10.0
    } else if std < 3.0 {
        5.0
    } else if std < 6.0 {
        -5.0
    } else {
        -10.0
    };
    if COMPONENT_IDS.iter().all(|id| parts.iter().any(|p| p.system_id == *id)) {
        c += 5.0;
    }
    let confidence = round2(c.clamp(20.0, 95.0));
    let recommendation = match line {
        None => Recommendation::NoLine,
        Some(l) => {
            let e = edge(predicted_points, l);
            if confidence < MIN_CONFIDENCE || e.abs() < MIN_EDGE {
                Recommendation::Pass
            } else {
                let count = |r| parts.iter().filter(|p| p.recommendation == r).count() as f64;
                if count(Recommendation::Over) > n / 2.0 {
                    Recommendation::Over
                } else if count(Recommendation::Under) > n / 2.0 {
                    Recommendation::Under
                } else {
                    super::common::by_sign(e)
                }
            }
        }
    };
    Ok(Prediction { system_id: SYSTEM_ID, predicted_points, confidence, recommendation })
}

/// The ensemble of the model-free components for one context (convenience; [`super::run_all`] combines
/// whatever succeeded, the learned model included).
pub fn predict(ctx: &super::PlayerContext, line: Option<f64>) -> Result<Prediction, PredictError> {
    ctx.validate()?;
    let parts: Vec<Prediction> = [
        super::moving_average::predict(ctx, line),
        super::zone_matchup::predict(ctx, line),
        super::similarity::predict(ctx, line),
    ]
    .into_iter()
    .filter_map(Result::ok)
    .collect();
    combine(&parts, line)
}
