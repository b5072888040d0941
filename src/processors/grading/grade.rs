//! Grading one prediction against the player's actual points: outcome, errors, confidence tier and profit.
//!
//! Invariants:
//! - `signed_error = predicted − actual`, `absolute_error = |signed_error|` (4 decimals); `within_3` / `within_5`
//!   are `absolute_error ≤ 3` / `≤ 5`;
//! - a bet exists only for OVER / UNDER with a line: OVER wins when actual > line, UNDER when actual < line,
//!   actual = line is a PUSH; PASS, NO_LINE, an unknown recommendation or a missing line is NO_BET;
//! - profit is in units staked: a WIN at American price p pays p/100 (p > 0) or 100/|p| (p < 0), a LOSS is −1,
//!   PUSH and NO_BET 0. The price is the side's (`over_price` for OVER, `under_price` for UNDER); a missing
//!   price, or one that is not American odds (|p| < 100), is taken as −110, the usual vig;
//! - confidence tier: high ≥ 70, medium ≥ 55, low otherwise (on the 0–100 `confidence_score`).

/// The standard price assumed when a prediction carries none.
pub const DEFAULT_PRICE: i64 = -110;

/// The result of one bet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Win,
    Loss,
    Push,
    NoBet,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Win => "WIN",
            Outcome::Loss => "LOSS",
            Outcome::Push => "PUSH",
            Outcome::NoBet => "NO_BET",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "WIN" => Outcome::Win,
            "LOSS" => Outcome::Loss,
            "PUSH" => Outcome::Push,
            "NO_BET" => Outcome::NoBet,
            _ => return None,
        })
    }

    /// Whether a bet was placed (WIN, LOSS or PUSH).
    pub fn is_pick(self) -> bool {
        self != Outcome::NoBet
    }
}

/// The outcome of `recommendation` on `line` when the player scored `actual`.
pub fn outcome(recommendation: &str, line: Option<f64>, actual: f64) -> Outcome {
    let Some(line) = line.filter(|l| l.is_finite()) else { return Outcome::NoBet };
    let over = match recommendation {
        "OVER" => true,
        "UNDER" => false,
        _ => return Outcome::NoBet,
    };
    if actual == line {
        Outcome::Push
    } else if (actual > line) == over {
        Outcome::Win
    } else {
        Outcome::Loss
    }
}

/// What a winning one-unit bet at American `price` pays (missing or malformed prices count as −110).
pub fn win_payout(price: Option<i64>) -> f64 {
    let p = price.filter(|p| p.abs() >= 100).unwrap_or(DEFAULT_PRICE);
    if p > 0 {
        p as f64 / 100.0
    } else {
        100.0 / p.unsigned_abs() as f64
    }
}

/// Units won or lost by one unit staked with this `outcome` at `price`.
pub fn profit_units(outcome: Outcome, price: Option<i64>) -> f64 {
    match outcome {
        Outcome::Win => round(win_payout(price), 4),
        Outcome::Loss => -1.0,
        Outcome::Push | Outcome::NoBet => 0.0,
    }
}

/// `high` ≥ 70, `medium` ≥ 55, else `low`.
pub fn confidence_tier(score: f64) -> &'static str {
    if score >= 70.0 {
        "high"
    } else if score >= 55.0 {
        "medium"
    } else {
        "low"
    }
}

/// Round to `d` decimals.
pub fn round(x: f64, d: i32) -> f64 {
    let p = 10f64.powi(d);
    (x * p).round() / p
}

/// Every graded figure of one prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    pub signed_error: f64,
    pub absolute_error: f64,
    pub outcome: Outcome,
    pub within_3: bool,
    pub within_5: bool,
    pub tier: &'static str,
    pub profit_units: f64,
}

/// What is graded of one prediction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bet<'a> {
    pub predicted: f64,
    pub recommendation: &'a str,
    pub line: Option<f64>,
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
    pub confidence: f64,
}

/// Grade `bet` against `actual` points.
pub fn grade(bet: &Bet<'_>, actual: f64) -> Grade {
    let signed = round(bet.predicted - actual, 4);
    let abs = signed.abs();
    let outcome = outcome(bet.recommendation, bet.line, actual);
    let price = if bet.recommendation == "OVER" { bet.over_price } else { bet.under_price };
    Grade {
        signed_error: signed,
        absolute_error: abs,
        outcome,
        within_3: abs <= 3.0,
        within_5: abs <= 5.0,
        tier: confidence_tier(bet.confidence),
        profit_units: profit_units(outcome, price),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bet(rec: &str, line: Option<f64>, over: Option<i64>, under: Option<i64>) -> Bet<'_> {
        Bet { predicted: 24.0, recommendation: rec, line, over_price: over, under_price: under, confidence: 72.0 }
    }

    #[test]
    fn over_under_win_loss_push_and_profit_at_both_signs() {
        // OVER 22.5 at +120: 30 points wins 1.2 units.
        let g = grade(&bet("OVER", Some(22.5), Some(120), Some(-150)), 30.0);
        assert_eq!((g.outcome, g.profit_units), (Outcome::Win, 1.2));
        // UNDER 22.5 at −150: 18 points wins 100/150 units.
        let g = grade(&bet("UNDER", Some(22.5), Some(120), Some(-150)), 18.0);
        assert_eq!((g.outcome, g.profit_units), (Outcome::Win, 0.6667));
        // OVER that misses loses one unit whatever the price.
        let g = grade(&bet("OVER", Some(22.5), Some(120), None), 20.0);
        assert_eq!((g.outcome, g.profit_units), (Outcome::Loss, -1.0));
        // UNDER that goes over loses.
        assert_eq!(grade(&bet("UNDER", Some(22.5), None, None), 23.0).outcome, Outcome::Loss);
        // Whole line hit exactly: push, nothing won or lost.
        let g = grade(&bet("OVER", Some(22.0), Some(-110), None), 22.0);
        assert_eq!((g.outcome, g.profit_units), (Outcome::Push, 0.0));
        // Missing price: −110 assumed, a win pays 0.9091.
        assert_eq!(grade(&bet("UNDER", Some(22.5), None, None), 10.0).profit_units, 0.9091);
        // A malformed price (|p| < 100) is treated as missing.
        assert_eq!(grade(&bet("OVER", Some(22.5), Some(50), None), 30.0).profit_units, 0.9091);
        assert_eq!(profit_units(Outcome::Win, Some(100)), 1.0);
        assert_eq!(profit_units(Outcome::Win, Some(-200)), 0.5);
    }

    #[test]
    fn pass_no_line_and_missing_line_are_no_bet() {
        for (rec, line) in [("PASS", Some(22.5)), ("NO_LINE", None), ("OVER", None), ("maybe", Some(20.0))] {
            let g = grade(&bet(rec, line, Some(120), Some(-120)), 40.0);
            assert_eq!((g.outcome, g.profit_units), (Outcome::NoBet, 0.0), "{rec}");
            assert!(!g.outcome.is_pick());
        }
        assert_eq!(outcome("OVER", Some(f64::NAN), 1.0), Outcome::NoBet);
    }

    #[test]
    fn errors_within_and_tiers() {
        let g = grade(&bet("PASS", None, None, None), 21.0);
        assert_eq!((g.signed_error, g.absolute_error), (3.0, 3.0));
        assert!(g.within_3 && g.within_5);
        let g = grade(&bet("PASS", None, None, None), 29.0);
        assert_eq!((g.signed_error, g.absolute_error), (-5.0, 5.0));
        assert!(!g.within_3 && g.within_5);
        let g = grade(&bet("PASS", None, None, None), 29.5);
        assert!(!g.within_3 && !g.within_5);
        assert_eq!((confidence_tier(70.0), confidence_tier(69.9)), ("high", "medium"));
        assert_eq!((confidence_tier(55.0), confidence_tier(54.99)), ("medium", "low"));
        for o in [Outcome::Win, Outcome::Loss, Outcome::Push, Outcome::NoBet] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
