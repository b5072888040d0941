//! One simulated game: minutes, shots and the rest of the box score for both teams.
//!
//! Invariants: box scores are internally consistent (points = 2·FG2M + 3·FG3M + FTM, makes ≤ attempts,
//! rebounds = offensive + defensive, team minutes = 240 in regulation); a game never ends tied; the result is
//! a pure function of the RNG state passed in.

use rand::rngs::StdRng;
use rand::Rng;

use super::league::SimPlayer;

/// Poisson draw (Knuth; λ here is at most ~25).
pub fn poisson(rng: &mut StdRng, lambda: f64) -> i64 {
    if lambda <= 0.0 {
        return 0;
    }
    let l = (-lambda).exp();
    let (mut k, mut p) = (0i64, 1.0f64);
    loop {
        p *= rng.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

pub fn binomial(rng: &mut StdRng, n: i64, p: f64) -> i64 {
    (0..n).filter(|_| rng.gen_bool(p.clamp(0.0, 1.0))).count() as i64
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One player's line: minutes and fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, pts.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub player: usize,
    pub min: f64,
    pub stats: [i64; 15],
}

impl Line {
    pub fn points(&self) -> i64 {
        self.stats[14]
    }
}

/// Simulate one team's box score. `pace` scales shot volume (opponent defence, home court).
pub fn team_box(rng: &mut StdRng, roster: &[(usize, &SimPlayer)], pace: f64) -> Vec<Line> {
    let mut mins: Vec<f64> = roster
        .iter()
        .map(|(_, p)| {
            let plays = rng.gen_bool(p.play_prob);
            let m = (p.minutes_mean + p.minutes_sd * normal(rng)).clamp(0.0, 46.0);
            if plays {
                m
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = mins.iter().sum();
    if total > 0.0 {
        for m in &mut mins {
            *m = (*m * 240.0 / total).min(48.0);
        }
    }
    let mut out = Vec::new();
    for ((idx, p), m) in roster.iter().zip(mins) {
        let m = m.round();
        if m < 1.0 {
            continue; // did not play
        }
        let fga = poisson(rng, m * p.fga_per_min * pace);
        let fg3a = binomial(rng, fga, p.three_share);
        let fg3m = binomial(rng, fg3a, p.fg3_pct);
        let fg2m = binomial(rng, fga - fg3a, p.fg2_pct);
        let fta = poisson(rng, m * p.fta_per_min * pace);
        let ftm = binomial(rng, fta, p.ft_pct);
        let reb = poisson(rng, m * p.reb_per_min);
        let oreb = binomial(rng, reb, 0.25);
        let ast = poisson(rng, m * p.ast_per_min);
        let stl = poisson(rng, m * 0.03);
        let blk = poisson(rng, m * 0.02);
        let tov = poisson(rng, m * 0.05);
        let pf = poisson(rng, m * 0.07).min(6);
        let fgm = fg2m + fg3m;
        let pts = 2 * fg2m + 3 * fg3m + ftm;
        out.push(Line {
            player: *idx,
            min: m,
            stats: [fgm, fga, fg3m, fg3a, ftm, fta, oreb, reb - oreb, reb, ast, stl, blk, tov, pf, pts],
        });
    }
    out
}

/// Break a tie: the team's top scorer hits one more two.
pub fn break_tie(lines: &mut [Line]) {
    if let Some(l) = lines.iter_mut().max_by_key(|l| (l.points(), l.player)) {
        l.stats[0] += 1;
        l.stats[1] += 1;
        l.stats[14] += 2;
    }
}

pub fn team_points(lines: &[Line]) -> i64 {
    lines.iter().map(Line::points).sum()
}
