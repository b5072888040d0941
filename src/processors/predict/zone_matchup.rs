//! `zone_matchup` (spec §4.4): season average + zone adjustment + pace score ×0.4 + venue (home +0.8 / away
//! −0.8) + fatigue, clamped 0–60.
//!
//! Zone adjustment: for each of paint, mid-range, three and free throw (features 18–21, the share of his
//! shots there), `clamp((opponent_def_rating − 112)·0.3·mult, ±3)` with mult paint 1.2, mid 1.0, three 1.1,
//! FT 0.8, times a usage weight (share ≥ 0.40 → 1.0, ≥ 0.20 → 0.7, else 0.4); the four are summed. A defensive
//! rating is points allowed per 100 possessions, so a *weak* defence (high rating) adds points; the original's
//! `110 − rating` rewarded strong defences (departure). The neutral rating is 112, the feature's documented
//! default, so an unknown opponent adds nothing (the original's 110 biased every prediction). The rating is
//! [`PlayerContext::opponent_def_rating`].
//!
//! Fatigue (feature 5, high = rested): score < 30 → −1.5, < 50 → −0.8 (the original's > 70 / > 50 applied to
//! tiredness `100 − score`). Confidence and recommendation: the base rules (0–100).

use super::common::{base_confidence, base_recommendation, check_line, finish_points, venue};
use super::{f, PlayerContext, PredictError, Prediction};

pub const SYSTEM_ID: &str = "zone_matchup";

/// Neutral defensive rating of the zone formula (the default of feature 13).
pub const NEUTRAL_DEF_RATING: f64 = 112.0;

/// (feature index, multiplier) of the four zones.
const ZONES: [(usize, f64); 4] = [(f::PCT_PAINT, 1.2), (f::PCT_MID, 1.0), (f::PCT_THREE, 1.1), (f::PCT_FT, 0.8)];

fn usage_weight(share: f64) -> f64 {
    if share >= 0.40 {
        1.0
    } else if share >= 0.20 {
        0.7
    } else {
        0.4
    }
}

/// The summed zone adjustment.
pub fn zone_adjustment(ctx: &PlayerContext) -> f64 {
    let diff = ctx.opponent_def_rating - NEUTRAL_DEF_RATING;
    ZONES.iter().map(|&(i, mult)| (diff * 0.3 * mult).clamp(-3.0, 3.0) * usage_weight(ctx.features[i])).sum()
}

/// Fatigue adjustment from PCF's score (high = rested).
pub fn fatigue_adjustment(fatigue_score: f64) -> f64 {
    if fatigue_score < 30.0 {
        -1.5
    } else if fatigue_score < 50.0 {
        -0.8
    } else {
        0.0
    }
}

/// The unclamped, unrounded prediction.
pub fn raw_points(ctx: &PlayerContext) -> f64 {
    let x = &ctx.features;
    x[f::PTS_SEASON]
        + zone_adjustment(ctx)
        + 0.4 * x[f::PACE]
        + venue(ctx, 0.8, -0.8)
        + fatigue_adjustment(x[f::FATIGUE])
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
