//! The four active composite factors of `player_composite_factors` as pure functions (spec §3.6).
//!
//! Invariants: each returns its score, clamped to its range, and a context object naming the inputs used and
//! which of them were defaults. Fatigue is 0–100 with **high = rested**; shot-zone mismatch is −10…+10
//! (positive = the player's favourite zone meets a weak defence); pace and usage spike are −3…+3.

use serde_json::{json, Value};

use super::games::round;
use crate::domain::{Row, RowExt};

/// What the fatigue score reads; `None` means unknown (a default is used and reported).
#[derive(Debug, Clone, Default)]
pub struct FatigueInput {
    pub back_to_back: bool,
    pub days_rest: Option<i64>,
    pub games_last_7: Option<i64>,
    pub minutes_last_7: Option<f64>,
    pub avg_mpg_last_7: Option<f64>,
    pub back_to_backs_last_14: Option<i64>,
    pub age: Option<i64>,
}

/// Fatigue score 0–100 (100 = fully rested). Defaults: days_rest 1, games 3, minutes 200, mpg 30, age 25.
pub fn fatigue(f: &FatigueInput) -> (i64, Value) {
    let mut defaults = Vec::new();
    let mut pick = |name: &str, v: Option<f64>, d: f64| {
        v.unwrap_or_else(|| {
            defaults.push(name.to_string());
            d
        })
    };
    let rest = pick("days_rest", f.days_rest.map(|x| x as f64), 1.0);
    let games = pick("games_in_last_7_days", f.games_last_7.map(|x| x as f64), 3.0);
    let minutes = pick("minutes_in_last_7_days", f.minutes_last_7, 200.0);
    let mpg = pick("avg_minutes_per_game_last_7", f.avg_mpg_last_7, 30.0);
    let b2b14 = pick("back_to_backs_last_14_days", f.back_to_backs_last_14.map(|x| x as f64), 0.0);
    let age = pick("player_age", f.age.map(|x| x as f64), 25.0);
    let mut s: i64 = 100;
    if f.back_to_back {
        s -= 15;
    } else if rest >= 3.0 {
        s += 5;
    }
    if games >= 4.0 {
        s -= 10;
    }
    if minutes > 240.0 {
        s -= 10;
    }
    if mpg > 35.0 {
        s -= 8;
    }
    if b2b14 >= 2.0 {
        s -= 12;
    } else if b2b14 >= 1.0 {
        s -= 5;
    }
    if age >= 35.0 {
        s -= 10;
    } else if age >= 30.0 {
        s -= 5;
    }
    let s = s.clamp(0, 100);
    let ctx = json!({"back_to_back": f.back_to_back, "days_rest": rest, "games_in_last_7_days": games,
        "minutes_in_last_7_days": minutes, "avg_minutes_per_game_last_7": mpg, "back_to_backs_last_14_days": b2b14,
        "player_age": age, "defaults_used": defaults, "adjustment": round((s as f64 - 100.0) / 20.0, 2)});
    (s, ctx)
}

/// Shot-zone mismatch: the opponent's defence in the player's primary zone, weighted by how much he uses it.
pub fn shot_zone_mismatch(player: Option<&Row>, opp_defence: Option<&Row>) -> (f64, Value) {
    let zone = player.and_then(|p| p.str_of("primary_scoring_zone"));
    let (col_rate, col_def, name) = match zone.unwrap_or("paint") {
        "perimeter" => ("three_pt_rate_last_10", "three_pt_defense_vs_league_avg", "perimeter"),
        "mid_range" => ("mid_range_rate_last_10", "mid_range_defense_vs_league_avg", "mid_range"),
        _ => ("paint_rate_last_10", "paint_defense_vs_league_avg", "paint"),
    };
    let usage = player.and_then(|p| p.f64_of(col_rate));
    let base = opp_defence.and_then(|d| d.f64_of(col_def));
    let score = match (player, base) {
        (Some(_), Some(b)) => {
            let u = usage.unwrap_or(50.0);
            let mut s = b * (u / 50.0).min(1.0);
            if s.abs() > 5.0 {
                s *= 1.2;
            }
            round(s.clamp(-10.0, 10.0), 2)
        }
        _ => 0.0,
    };
    let ctx = json!({"zone": name, "zone_defaulted": zone.is_none(), "zone_usage_pct": usage,
        "usage_defaulted": usage.is_none(), "opponent_defense_vs_league_avg": base, "score": score});
    (score, ctx)
}

/// Pace: the expected game pace (mean of both teams' last-10 pace) against the league mean, halved.
pub fn pace_score(team: Option<f64>, opp: Option<f64>, league: Option<f64>) -> (f64, Value) {
    let diff = match (team, opp, league) {
        (Some(t), Some(o), Some(l)) => Some((t + o) / 2.0 - l),
        _ => None,
    };
    let score = diff.map_or(0.0, |d| round((d / 2.0).clamp(-3.0, 3.0), 2));
    let ctx = json!({"team_pace_last_10": team, "opponent_pace_last_10": opp, "league_pace": league,
        "pace_differential": diff.map(|d| round(d, 2)), "score": score});
    (score, ctx)
}

/// Usage spike: `(projected − recent)·0.3`, boosted ×1.15 (one star teammate out) or ×1.30 (two or more)
/// when positive; both default to 25; 0 when the baseline is 0.
pub fn usage_spike(projected: Option<f64>, recent: Option<f64>, stars_out: usize) -> (f64, Value) {
    let p = projected.unwrap_or(25.0);
    let r = recent.unwrap_or(25.0);
    let mut s = if r == 0.0 { 0.0 } else { (p - r) * 0.3 };
    if s > 0.0 {
        s *= match stars_out {
            0 => 1.0,
            1 => 1.15,
            _ => 1.30,
        };
    }
    let score = round(s.clamp(-3.0, 3.0), 2);
    let ctx = json!({"projected_usage_rate": projected.map(|x| round(x, 2)),
        "avg_usage_rate_last_7_games": recent.map(|x| round(x, 2)), "star_teammates_out": stars_out,
        "defaults_used": projected.is_none() || recent.is_none(), "score": score});
    (score, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: Value) -> Row {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn fatigue_is_high_when_rested_and_low_when_worn() {
        let rested = FatigueInput {
            days_rest: Some(3),
            games_last_7: Some(2),
            minutes_last_7: Some(60.0),
            avg_mpg_last_7: Some(30.0),
            back_to_backs_last_14: Some(0),
            age: Some(24),
            ..Default::default()
        };
        assert_eq!(fatigue(&rested).0, 100, "105 clamps to 100");
        let worn = FatigueInput {
            back_to_back: true,
            days_rest: Some(1),
            games_last_7: Some(4),
            minutes_last_7: Some(250.0),
            avg_mpg_last_7: Some(36.0),
            back_to_backs_last_14: Some(2),
            age: Some(36),
        };
        assert_eq!(fatigue(&worn).0, 100 - 15 - 10 - 10 - 8 - 12 - 10);
        let (s, ctx) = fatigue(&FatigueInput::default());
        assert_eq!(s, 100, "defaults: rest 1, 3 games, 200 min, 30 mpg, age 25");
        assert_eq!(ctx["defaults_used"].as_array().unwrap().len(), 6);
    }

    #[test]
    fn mismatch_scales_by_usage_and_boosts_big_gaps() {
        let p = row(json!({"primary_scoring_zone": "paint", "paint_rate_last_10": 25.0}));
        let d = row(json!({"paint_defense_vs_league_avg": 8.0}));
        assert_eq!(shot_zone_mismatch(Some(&p), Some(&d)).0, 4.0);
        let p = row(json!({"primary_scoring_zone": "paint", "paint_rate_last_10": 60.0}));
        assert_eq!(shot_zone_mismatch(Some(&p), Some(&d)).0, 9.6);
        let d = row(json!({"paint_defense_vs_league_avg": 20.0}));
        assert_eq!(shot_zone_mismatch(Some(&p), Some(&d)).0, 10.0);
        assert_eq!(shot_zone_mismatch(None, Some(&d)).0, 0.0);
        assert_eq!(shot_zone_mismatch(Some(&p), None).0, 0.0);
    }

    #[test]
    fn pace_and_usage_are_clamped() {
        assert_eq!(pace_score(Some(104.0), Some(102.0), Some(99.0)).0, 2.0);
        assert_eq!(pace_score(Some(120.0), Some(120.0), Some(99.0)).0, 3.0);
        assert_eq!(pace_score(None, Some(102.0), Some(99.0)).0, 0.0);
        assert_eq!(usage_spike(Some(30.0), Some(25.0), 0).0, 1.5);
        assert_eq!(usage_spike(Some(30.0), Some(25.0), 2).0, 1.95);
        assert_eq!(usage_spike(Some(20.0), Some(25.0), 2).0, -1.5);
        assert_eq!(usage_spike(Some(40.0), Some(10.0), 0).0, 3.0);
        assert_eq!(usage_spike(Some(30.0), Some(0.0), 0).0, 0.0);
    }
}
