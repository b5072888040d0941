//! The 25 features of `v1_baseline_25` (spec §3.7) as a pure function of one player's Phase 4 rows, his
//! Phase 3 context and his history before the date.
//!
//! Invariants:
//! - the order and names are [`FEATURE_NAMES`]; every feature has a value (Phase 4 → Phase 3 → documented
//!   default) and a [`Source`]; `feature_quality_score` is the mean source weight (phase 4 and calculated 100,
//!   phase 3 75, default 40). A calculated feature that falls back to its default for lack of games counts
//!   as `default`, not `calculated` (the original scored it 100);
//! - `recent_trend` is positive when the player scores more lately: mean of his 3 most recent games minus
//!   the mean of the 2 before them (the original's newest-first ordering inverted the sign, spec §8.12);
//! - `fatigue_score` is PCF's (high = rested); `injury_risk` compares statuses case-insensitively.

use crate::domain::{Row, RowExt};

use super::games::{last, mean, sample_std, PlayerGame, TeamGame};

/// The feature version written with every vector.
pub const FEATURE_VERSION: &str = "v1_baseline_25";

/// Names, in vector order.
pub const FEATURE_NAMES: [&str; 25] = [
    "points_avg_last_5",
    "points_avg_last_10",
    "points_avg_season",
    "points_std_last_10",
    "games_in_last_7_days",
    "fatigue_score",
    "shot_zone_mismatch_score",
    "pace_score",
    "usage_spike_score",
    "rest_advantage",
    "injury_risk",
    "recent_trend",
    "minutes_change",
    "opponent_def_rating",
    "opponent_pace",
    "home_away",
    "back_to_back",
    "playoff_game",
    "pct_paint",
    "pct_mid_range",
    "pct_three",
    "pct_free_throw",
    "team_pace",
    "team_off_rating",
    "team_win_pct",
];

/// Where a feature value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Phase4,
    Phase3,
    Calculated,
    Default,
}

impl Source {
    pub fn weight(self) -> f64 {
        match self {
            Source::Phase4 | Source::Calculated => 100.0,
            Source::Phase3 => 75.0,
            Source::Default => 40.0,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Phase4 => "phase4",
            Source::Phase3 => "phase3",
            Source::Calculated => "calculated",
            Source::Default => "default",
        }
    }
}

/// Everything one player's vector is built from. Histories are oldest first and strictly before the date.
#[derive(Debug, Default)]
pub struct FeatureInput<'a> {
    pub cache: Option<&'a Row>,
    pub factors: Option<&'a Row>,
    pub shot_zone: Option<&'a Row>,
    pub opp_defence: Option<&'a Row>,
    pub context: Option<&'a Row>,
    pub opp_context_days_rest: Option<i64>,
    pub games: &'a [PlayerGame],
    pub team_games: &'a [TeamGame],
    pub opp_defence_games: &'a [TeamGame],
}

/// A computed vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Vector {
    pub values: [f64; 25],
    pub sources: [Source; 25],
}

impl Vector {
    pub fn quality_score(&self) -> f64 {
        self.sources.iter().map(|s| s.weight()).sum::<f64>() / 25.0
    }
    /// `phase4` (≥ 90 % of features from Phase 4), `phase4_partial` (≥ 50 %), `phase3` (Phase 3 ≥ 50 %), else
    /// `mixed`.
    pub fn data_source(&self) -> &'static str {
        let n = |s: Source| self.sources.iter().filter(|x| **x == s).count() as f64 / 25.0;
        if n(Source::Phase4) >= 0.9 {
            "phase4"
        } else if n(Source::Phase4) >= 0.5 {
            "phase4_partial"
        } else if n(Source::Phase3) >= 0.5 {
            "phase3"
        } else {
            "mixed"
        }
    }
}

/// Injury risk from a status: available/'' 0, probable 1, questionable 2, doubtful and out 3.
pub fn injury_risk(status: Option<&str>) -> f64 {
    match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("probable") => 1.0,
        Some("questionable") | Some("day-to-day") | Some("day to day") => 2.0,
        Some("doubtful") | Some("out") | Some("suspended") | Some("inactive") => 3.0,
        _ => 0.0,
    }
}

/// −2…+2 from the player's last five games, oldest first: mean of the 3 newest − mean of the 2 before.
pub fn recent_trend(points: &[f64]) -> Option<f64> {
    if points.len() < 5 {
        return None;
    }
    let l5 = last(points, 5);
    let diff = (l5[2] + l5[3] + l5[4]) / 3.0 - (l5[0] + l5[1]) / 2.0;
    Some(if diff >= 5.0 {
        2.0
    } else if diff >= 2.0 {
        1.0
    } else if diff <= -5.0 {
        -2.0
    } else if diff <= -2.0 {
        -1.0
    } else {
        0.0
    })
}

/// −2…+2 from recent minutes against the season's: ±20 % → ±2, ±10 % → ±1.
pub fn minutes_change(recent: f64, season: f64) -> f64 {
    if season <= 0.0 {
        return 0.0;
    }
    let pct = (recent - season) / season;
    if pct >= 0.2 {
        2.0
    } else if pct >= 0.1 {
        1.0
    } else if pct <= -0.2 {
        -2.0
    } else if pct <= -0.1 {
        -1.0
    } else {
        0.0
    }
}

/// Build the vector.
pub fn build(i: &FeatureInput) -> Vector {
    use Source::*;
    let pts: Vec<f64> = i.games.iter().map(|g| g.points).collect();
    let avg = |v: &[f64]| mean(v.iter().map(|x| Some(*x)));
    let col = |r: Option<&Row>, c: &str| r.and_then(|r| r.f64_of(c));
    let pick = |p4: Option<f64>, p3: Option<f64>, d: f64| match (p4, p3) {
        (Some(v), _) => (v, Phase4),
        (None, Some(v)) => (v, Phase3),
        _ => (d, Default),
    };
    let calc = |v: Option<f64>, d: f64| v.map_or((d, Default), |x| (x, Calculated));
    let ctx = i.context;
    let l10 = last(i.games, 10);
    let season_min = col(i.cache, "minutes_avg_season").or_else(|| mean(i.games.iter().map(|g| Some(g.minutes))));
    let recent_min = col(i.cache, "minutes_avg_last_10").or_else(|| mean(l10.iter().map(|g| Some(g.minutes))));
    let days_rest = ctx.and_then(|c| c.i64_of("days_rest"));
    let rest_adv = days_rest.zip(i.opp_context_days_rest).map(|(a, b)| ((a - b) as f64).clamp(-2.0, 2.0));
    let ft_pct = (l10.len() >= 5).then(|| {
        let (ftm, p) = l10.iter().fold((0.0, 0.0), |a, g| (a.0 + g.ftm, a.1 + g.points));
        if p > 0.0 {
            (ftm / p).clamp(0.0, 0.5)
        } else {
            0.0
        }
    });
    let win_pct = (i.team_games.len() >= 5).then(|| {
        let w = i.team_games.iter().filter(|g| g.win == Some(true)).count();
        w as f64 / i.team_games.len() as f64
    });
    let opp15 = last(i.opp_defence_games, 15);
    let flag = |c: &str| ctx.and_then(|r| r.bool_of(c)).map(|b| if b { 1.0 } else { 0.0 });
    let playoff = ctx.and_then(|r| r.str_of("season_phase")).map(|p| if p == "playoffs" { 1.0 } else { 0.0 });
    let zone = |c: &str, d: f64| col(i.shot_zone, c).map_or((d, Default), |v| (v / 100.0, Phase4));
    let f: [(f64, Source); 25] = [
        pick(col(i.cache, "points_avg_last_5"), avg(last(&pts, 5)), 10.0),
        pick(col(i.cache, "points_avg_last_10"), avg(last(&pts, 10)), 10.0),
        pick(col(i.cache, "points_avg_season"), avg(&pts), 10.0),
        pick(col(i.cache, "points_std_last_10"), sample_std(last(&pts, 10)), 5.0),
        pick(col(i.cache, "games_in_last_7_days"), col(ctx, "games_in_last_7_days"), 3.0),
        pick(col(i.factors, "fatigue_score"), None, 50.0),
        pick(col(i.factors, "shot_zone_mismatch_score"), None, 0.0),
        pick(col(i.factors, "pace_score"), None, 0.0),
        pick(col(i.factors, "usage_spike_score"), None, 0.0),
        calc(rest_adv, 0.0),
        calc(ctx.map(|c| injury_risk(c.str_of("player_status"))), 0.0),
        calc(recent_trend(&pts), 0.0),
        calc(recent_min.zip(season_min).map(|(r, s)| minutes_change(r, s)), 0.0),
        pick(col(i.opp_defence, "defensive_rating_last_15"), mean(opp15.iter().map(|g| g.defensive_rating)), 112.0),
        pick(col(i.opp_defence, "opponent_pace"), mean(opp15.iter().map(|g| g.opp_pace)), 100.0),
        flag("home_game").map_or((0.0, Default), |v| (v, Phase3)),
        flag("back_to_back").map_or((0.0, Default), |v| (v, Phase3)),
        playoff.map_or((0.0, Default), |v| (v, Phase3)),
        zone("paint_rate_last_10", 0.30),
        zone("mid_range_rate_last_10", 0.20),
        zone("three_pt_rate_last_10", 0.35),
        calc(ft_pct, 0.15),
        pick(col(i.cache, "team_pace_last_10"), mean(last(i.team_games, 10).iter().map(|g| g.pace)), 100.0),
        pick(
            col(i.cache, "team_off_rating_last_10"),
            mean(last(i.team_games, 10).iter().map(|g| g.offensive_rating)),
            112.0,
        ),
        calc(win_pct, 0.5),
    ];
    let mut v = Vector { values: [0.0; 25], sources: [Default; 25] };
    for (k, (x, s)) in f.into_iter().enumerate() {
        v.values[k] = (x * 10_000.0).round() / 10_000.0;
        v.sources[k] = s;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_is_positive_when_scoring_rises() {
        assert_eq!(recent_trend(&[10.0, 10.0, 20.0, 20.0, 20.0]), Some(2.0));
        assert_eq!(recent_trend(&[20.0, 20.0, 10.0, 10.0, 10.0]), Some(-2.0));
        assert_eq!(recent_trend(&[1.0, 10.0, 10.0, 13.0, 13.0, 12.0]), Some(1.0));
        assert_eq!(recent_trend(&[10.0; 4]), None);
    }

    #[test]
    fn defaults_everywhere_give_quality_and_source() {
        let v = build(&FeatureInput::default());
        assert_eq!(v.values[0], 10.0);
        assert_eq!(v.values[13], 112.0);
        assert_eq!(v.values[18], 0.30);
        assert_eq!(v.values[24], 0.5);
        assert_eq!(v.quality_score(), 40.0);
        assert_eq!(v.data_source(), "mixed");
        assert_eq!(injury_risk(Some("QUESTIONABLE")), 2.0);
        assert_eq!(injury_risk(Some("Out")), 3.0);
        assert_eq!(injury_risk(None), 0.0);
        assert_eq!(minutes_change(36.0, 30.0), 2.0);
        assert_eq!(minutes_change(27.0, 30.0), -1.0);
    }
}
