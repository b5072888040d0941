//! Prop-line selection (spec §4.2): the actual line (a preferred book, or the consensus across books), else
//! an estimated line from the player's recent average, and the ladder of five lines tested around a base.
//!
//! Invariants: non-finite or negative lines are ignored, never returned; every function is deterministic in
//! its input (ties broken by book name); book names compare case-insensitively and trimmed.

/// The books preferred for the actual line, in order (spec: DraftKings preferred; FanDuel second).
pub const DEFAULT_PREFERENCE: [&str; 2] = ["draftkings", "fanduel"];

fn usable(l: f64) -> bool {
    l.is_finite() && l >= 0.0
}

/// The median of the books' main lines (the mean of the two middle lines for an even count).
pub fn consensus(main_lines: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = main_lines.iter().copied().filter(|l| usable(*l)).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 })
}

/// The line of the first book of `preference` that has one; when none does, the line of the book whose
/// name sorts first (so the choice is still deterministic). `None` without any usable line.
pub fn preferred(book_lines: &[(String, f64)], preference: &[&str]) -> Option<(String, f64)> {
    let norm = |s: &str| s.trim().to_ascii_lowercase();
    let lines: Vec<&(String, f64)> = book_lines.iter().filter(|(_, l)| usable(*l)).collect();
    for want in preference.iter().map(|p| norm(p)) {
        if let Some((book, l)) = lines.iter().find(|(b, _)| norm(b) == want) {
            return Some((book.clone(), *l));
        }
    }
    lines.into_iter().min_by(|a, b| norm(&a.0).cmp(&norm(&b.0)).then(a.1.total_cmp(&b.1))).map(|(b, l)| (b.clone(), *l))
}

/// Round to the nearest 0.5 (halves away from zero: 12.25 → 12.5).
pub fn round_half(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// The estimated line when no book has one: the last-5 average, else the last-10 average, rounded to the
/// nearest 0.5, with the method name (`line_source = 'ESTIMATED_AVG'`).
pub fn estimated(points_avg_last_5: Option<f64>, points_avg_last_10: Option<f64>) -> Option<(f64, &'static str)> {
    match (points_avg_last_5.filter(|v| usable(*v)), points_avg_last_10.filter(|v| usable(*v))) {
        (Some(v), _) => Some((round_half(v), "points_avg_last_5")),
        (None, Some(v)) => Some((round_half(v), "points_avg_last_10")),
        _ => None,
    }
}

/// The five lines tested: base − 2 … base + 2 in steps of 1.
pub fn ladder(base: f64) -> [f64; 5] {
    [base - 2.0, base - 1.0, base, base + 1.0, base + 2.0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn books(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(b, l)| (b.to_string(), *l)).collect()
    }

    #[test]
    fn consensus_is_the_median() {
        assert_eq!(consensus(&[24.5, 22.5, 23.5]), Some(23.5));
        assert_eq!(consensus(&[24.5, 22.5, 23.5, 25.5]), Some(24.0));
        assert_eq!(consensus(&[f64::NAN, 20.5]), Some(20.5));
        assert_eq!(consensus(&[]), None);
        assert_eq!(consensus(&[f64::INFINITY, -1.0]), None);
    }

    #[test]
    fn preferred_book_then_first_by_name() {
        let b = books(&[("FanDuel", 23.5), ("DraftKings", 24.5), ("betmgm", 22.5)]);
        assert_eq!(preferred(&b, &DEFAULT_PREFERENCE), Some(("DraftKings".into(), 24.5)));
        assert_eq!(preferred(&b, &["fanduel"]), Some(("FanDuel".into(), 23.5)));
        assert_eq!(preferred(&b, &["caesars"]), Some(("betmgm".into(), 22.5)), "no preferred book: first by name");
        let nan_dk = books(&[("draftkings", f64::NAN), ("fanduel", 21.5)]);
        assert_eq!(preferred(&nan_dk, &DEFAULT_PREFERENCE), Some(("fanduel".into(), 21.5)));
        assert_eq!(preferred(&[], &DEFAULT_PREFERENCE), None);
    }

    #[test]
    fn estimated_rounds_to_half_points() {
        assert_eq!(estimated(Some(18.24), Some(20.0)), Some((18.0, "points_avg_last_5")));
        assert_eq!(estimated(Some(18.25), None), Some((18.5, "points_avg_last_5")));
        assert_eq!(estimated(Some(18.8), None), Some((19.0, "points_avg_last_5")));
        assert_eq!(estimated(None, Some(7.6)), Some((7.5, "points_avg_last_10")));
        assert_eq!(estimated(Some(f64::NAN), Some(7.6)), Some((7.5, "points_avg_last_10")));
        assert_eq!(estimated(None, None), None);
    }

    #[test]
    fn ladder_of_five() {
        assert_eq!(ladder(22.5), [20.5, 21.5, 22.5, 23.5, 24.5]);
    }
}
