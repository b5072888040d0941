//! Helpers shared by the systems (the original's `base_predictor`, spec §4.4), on the 0–100 scale.
//!
//! Invariants: predictions are clamped to [`MIN_POINTS`]–[`MAX_POINTS`] and rounded to one decimal before any
//! line comparison; the edge `prediction − line` is itself rounded to one decimal so that thresholds such as
//! "edge ≥ 2.0" are decided on the numbers a stored row shows, not on binary fractions.

use super::{f, PlayerContext, PredictError, Recommendation};

pub const MIN_POINTS: f64 = 0.0;
pub const MAX_POINTS: f64 = 60.0;
/// The base rule's minimum edge (exclusive) and confidence (exclusive), 0–100 scale.
pub const BASE_EDGE: f64 = 2.0;
pub const BASE_MIN_CONFIDENCE: f64 = 45.0;

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A line must be finite and non-negative when present.
pub fn check_line(line: Option<f64>) -> Result<(), PredictError> {
    match line {
        Some(l) if !l.is_finite() || l < 0.0 => Err(PredictError::InvalidInput(format!("line {l}"))),
        _ => Ok(()),
    }
}

/// Clamp to 0–60 and round to one decimal; a non-finite raw value is a [`PredictError::Numerical`].
pub fn finish_points(system: &'static str, raw: f64) -> Result<f64, PredictError> {
    if !raw.is_finite() {
        return Err(PredictError::Numerical { system });
    }
    Ok(round1(raw.clamp(MIN_POINTS, MAX_POINTS)))
}

/// `prediction − line`, one decimal.
pub fn edge(pred: f64, line: f64) -> f64 {
    round1(pred - line)
}

/// The base confidence (spec §4.4 `calculate_confidence`) ×100: 50; points_std_last_10 > 6 −15, > 4 −8;
/// games_in_last_7_days ≥ 3 +10, ≥ 2 +5, else −10; clamp 20–80. The original's data-quality multiplier is
/// 1.0 for real data (0.8 only for its mock data), so it is left out.
pub fn base_confidence(ctx: &PlayerContext) -> f64 {
    let std = ctx.features[f::PTS_STD_L10];
    let games = ctx.features[f::GAMES_L7];
    let mut c: f64 = 50.0;
    if std > 6.0 {
        c -= 15.0;
    } else if std > 4.0 {
        c -= 8.0;
    }
    c += if games >= 3.0 {
        10.0
    } else if games >= 2.0 {
        5.0
    } else {
        -10.0
    };
    round2(c.clamp(20.0, 80.0))
}

/// The base rule (spec §4.4 `determine_recommendation`) on 0–100: PASS if |edge| ≤ 2.0 or confidence ≤ 45,
/// else OVER when the prediction is above the line, UNDER otherwise; NO_LINE without a line.
pub fn base_recommendation(pred: f64, line: Option<f64>, confidence: f64) -> Recommendation {
    let Some(line) = line else { return Recommendation::NoLine };
    let e = edge(pred, line);
    if e.abs() <= BASE_EDGE || confidence <= BASE_MIN_CONFIDENCE {
        Recommendation::Pass
    } else {
        by_sign(e)
    }
}

/// The rule of the similarity and learned systems: PASS if confidence < `min_confidence`; OVER/UNDER if
/// |edge| ≥ `min_edge`; else PASS. NO_LINE without a line.
pub fn threshold_recommendation(
    pred: f64,
    line: Option<f64>,
    confidence: f64,
    min_confidence: f64,
    min_edge: f64,
) -> Recommendation {
    let Some(line) = line else { return Recommendation::NoLine };
    let e = edge(pred, line);
    if confidence < min_confidence || e.abs() < min_edge {
        Recommendation::Pass
    } else {
        by_sign(e)
    }
}

/// OVER for a positive edge, UNDER otherwise.
pub fn by_sign(edge: f64) -> Recommendation {
    if edge > 0.0 {
        Recommendation::Over
    } else {
        Recommendation::Under
    }
}

/// The venue adjustment: `home` at home, `away` away.
pub fn venue(ctx: &PlayerContext, home: f64, away: f64) -> f64 {
    if ctx.is_home {
        home
    } else {
        away
    }
}
