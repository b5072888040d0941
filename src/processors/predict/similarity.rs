//! `similarity_balanced_v1` (spec §4.4): the similarity-weighted mean of the player's points in his earlier
//! games most like this one, plus adjustments.
//!
//! Context of the predicted game, from [`PlayerContext`] (the original read names absent from the feature
//! vector and so always saw "average opponent, one day of rest, away"):
//! - opponent tier from `opponent_def_rating`: < 110 elite, < 115 average, else weak;
//! - rest from `days_rest` (UPGC convention, 1 = back-to-back): bucket `clamp(days_rest − 1, 0, 3)` = b2b,
//!   one day off, two, three or more; unknown → one day off (the original's default);
//! - venue from `is_home`; form from features 0 and 2: L5 − season ≥ 3 hot, ≤ −3 cold, else normal.
//!
//! Each past game gets the same buckets from its own context: its opponent's rating (unknown → average),
//! its `days_rest`, its venue, and his form from the games before it (none → normal). Score: opponent 40
//! (adjacent tier 20), rest 30 (adjacent 15), venue 15, form 15 (mismatch 5). Games scoring ≥ 70 are kept,
//! the best 20 (ties: the most recent first); at least 5 are needed, else
//! [`PredictError::InsufficientHistory`].
//!
//! Prediction: baseline + (fatigue − 70)·0.015 (high = rested, so rested players gain: the polarity is right
//! as it stands) + shot-zone mismatch ×0.4 + pace ×0.8 + usage spike ×0.8 + home +0.8 / away −0.5; clamp 0–60.
//! Confidence (0–100): 50; count ≥ 15 +20, ≥ 10 +15, ≥ 7 +10, else (5–6) −15; mean score ≥ 85 +20, ≥ 75 +15,
//! ≥ 70 +10; population std of their points < 4 +15, < 6 +8, < 8 +3, else −5; clamp 0–100.
//! Recommendation: PASS if confidence < 65; OVER/UNDER if |edge| ≥ 2.0; else PASS.

use super::common::{check_line, finish_points, round2, threshold_recommendation, venue};
use super::{f, PastGame, PlayerContext, PredictError, Prediction};

pub const SYSTEM_ID: &str = "similarity_balanced_v1";
pub const MIN_SCORE: f64 = 70.0;
pub const MAX_GAMES: usize = 20;
pub const MIN_GAMES: usize = 5;
pub const MIN_CONFIDENCE: f64 = 65.0;
pub const MIN_EDGE: f64 = 2.0;

/// The buckets a game is compared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    /// 0 elite, 1 average, 2 weak.
    pub opponent_tier: u8,
    /// 0 back-to-back, 1, 2, 3 = three or more days off.
    pub rest: u8,
    pub is_home: bool,
    /// −1 cold, 0 normal, 1 hot.
    pub form: i8,
}

pub fn opponent_tier(def_rating: Option<f64>) -> u8 {
    match def_rating {
        Some(r) if r < 110.0 => 0,
        Some(r) if r < 115.0 => 1,
        Some(_) => 2,
        None => 1,
    }
}

pub fn rest_bucket(days_rest: Option<i64>) -> u8 {
    days_rest.map_or(1, |d| (d - 1).clamp(0, 3) as u8)
}

pub fn form(last_5_avg: f64, season_avg: f64) -> i8 {
    let d = last_5_avg - season_avg;
    if d >= 3.0 {
        1
    } else if d <= -3.0 {
        -1
    } else {
        0
    }
}

/// Similarity of a past game's buckets to the predicted game's, 0–100.
pub fn score(now: &Buckets, then: &Buckets) -> f64 {
    let near = |a: u8, b: u8, full: f64| match a.abs_diff(b) {
        0 => full,
        1 => full / 2.0,
        _ => 0.0,
    };
    near(now.opponent_tier, then.opponent_tier, 40.0)
        + near(now.rest, then.rest, 30.0)
        + if now.is_home == then.is_home { 15.0 } else { 0.0 }
        + if now.form == then.form { 15.0 } else { 5.0 }
}

/// Buckets of each past game, from its own context and the games before it.
pub fn past_buckets(history: &[PastGame]) -> Vec<Buckets> {
    let mut sum = 0.0;
    history
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let form = if i == 0 {
                0
            } else {
                let l5 = &history[i.saturating_sub(5)..i];
                form(l5.iter().map(|x| x.points).sum::<f64>() / l5.len() as f64, sum / i as f64)
            };
            sum += g.points;
            Buckets {
                opponent_tier: opponent_tier(g.opponent_def_rating),
                rest: rest_bucket(g.days_rest),
                is_home: g.is_home,
                form,
            }
        })
        .collect()
}

/// What the system found, for the row's extra columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// (index into the history, similarity score), best first.
    pub similar: Vec<(usize, f64)>,
    pub baseline: f64,
    pub avg_similarity: f64,
    pub points_std: f64,
    pub fatigue_adjustment: f64,
    pub shot_zone_adjustment: f64,
    pub pace_adjustment: f64,
    pub usage_spike_adjustment: f64,
    pub home_away_adjustment: f64,
}

/// Find the similar games and the adjustments.
pub fn analyse(ctx: &PlayerContext) -> Result<Analysis, PredictError> {
    ctx.validate()?;
    let x = &ctx.features;
    let now = Buckets {
        opponent_tier: opponent_tier(Some(ctx.opponent_def_rating)),
        rest: rest_bucket(ctx.days_rest),
        is_home: ctx.is_home,
        form: form(x[f::PTS_L5], x[f::PTS_SEASON]),
    };
    let mut similar: Vec<(usize, f64)> = past_buckets(&ctx.history)
        .iter()
        .enumerate()
        .map(|(i, b)| (i, score(&now, b)))
        .filter(|(_, s)| *s >= MIN_SCORE)
        .collect();
    similar.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    similar.truncate(MAX_GAMES);
    if similar.len() < MIN_GAMES {
        return Err(PredictError::InsufficientHistory { system: SYSTEM_ID, needed: MIN_GAMES, found: similar.len() });
    }
    let n = similar.len() as f64;
    let weights: f64 = similar.iter().map(|(_, s)| s).sum();
    let pts = |i: usize| ctx.history[i].points;
    let baseline = similar.iter().map(|&(i, s)| s * pts(i)).sum::<f64>() / weights;
    let mean = similar.iter().map(|&(i, _)| pts(i)).sum::<f64>() / n;
    let var = similar.iter().map(|&(i, _)| (pts(i) - mean).powi(2)).sum::<f64>() / n;
    Ok(Analysis {
        avg_similarity: weights / n,
        points_std: var.sqrt(),
        baseline,
        fatigue_adjustment: (x[f::FATIGUE] - 70.0) * 0.015,
        shot_zone_adjustment: x[f::SHOT_ZONE_MISMATCH] * 0.4,
        pace_adjustment: x[f::PACE] * 0.8,
        usage_spike_adjustment: x[f::USAGE_SPIKE] * 0.8,
        home_away_adjustment: venue(ctx, 0.8, -0.5),
        similar,
    })
}

/// Confidence from the count, mean similarity and spread of the similar games.
pub fn confidence(a: &Analysis) -> f64 {
    let n = a.similar.len();
    let mut c: f64 = 50.0;
    c += match n {
        15.. => 20.0,
        10.. => 15.0,
        7.. => 10.0,
        _ => -15.0,
    };
    c += if a.avg_similarity >= 85.0 {
        20.0
    } else if a.avg_similarity >= 75.0 {
        15.0
    } else if a.avg_similarity >= 70.0 {
        10.0
    } else {
        5.0
    };
    c += if a.points_std < 4.0 {
        15.0
    } else if a.points_std < 6.0 {
        8.0
    } else if a.points_std < 8.0 {
        3.0
    } else {
        -5.0
    };
    round2(c.clamp(0.0, 100.0))
}

pub fn predict(ctx: &PlayerContext, line: Option<f64>) -> Result<Prediction, PredictError> {
    check_line(line)?;
    let a = analyse(ctx)?;
    let raw = a.baseline
        + a.fatigue_adjustment
        + a.shot_zone_adjustment
        + a.pace_adjustment
        + a.usage_spike_adjustment
        + a.home_away_adjustment;
    let predicted_points = finish_points(SYSTEM_ID, raw)?;
    let confidence = confidence(&a);
    Ok(Prediction {
        system_id: SYSTEM_ID,
        predicted_points,
        confidence,
        recommendation: threshold_recommendation(predicted_points, line, confidence, MIN_CONFIDENCE, MIN_EDGE),
    })
}
