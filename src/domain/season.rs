//! The season calendar: opening nights and the Phase 4 bootstrap window (spec §6.2).
//!
//! Invariants: the season of a date is [`SlateDate::season_year`] (October–December: that year, otherwise the
//! previous one); opening night comes from a fixed table of real opening nights and is 22 October otherwise
//! (the built-in simulator opens its seasons on 22 October too). The original asked the schedule table, which
//! returned nothing until opening-night games were final; a table keeps Phase 4 a pure function of its inputs.
//! A date is in the bootstrap window when `0 ≤ days since opening night < BOOTSTRAP_DAYS` (decision in
//! `docs/decisions.md`, "Phase 4 precompute": 14 days, the original code's value, not the docs' 7).

use super::SlateDate;

/// Days after opening night during which Phase 4 writes no analyses and the feature store only placeholders.
pub const BOOTSTRAP_DAYS: i64 = 14;

/// Opening night of the season starting in `season_year`.
pub fn season_start(season_year: i32) -> SlateDate {
    let (m, d) = match season_year {
        2021 => (10, 19),
        2022 => (10, 18),
        2023 => (10, 24),
        2024 => (10, 22),
        2025 => (10, 21),
        _ => (10, 22),
    };
    SlateDate::from_ymd(season_year, m, d).unwrap_or(SlateDate(chrono::NaiveDate::MIN))
}

/// Days since opening night of `d`'s season (negative in the pre-season).
pub fn season_day(d: SlateDate) -> i64 {
    (d.date() - season_start(d.season_year()).date()).num_days()
}

/// Whether `d` falls in the bootstrap window of its season.
pub fn is_early_season(d: SlateDate) -> bool {
    (0..BOOTSTRAP_DAYS).contains(&season_day(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> SlateDate {
        s.parse().unwrap()
    }

    #[test]
    fn bootstrap_covers_days_0_to_13() {
        assert_eq!(season_start(2024), d("2024-10-22"));
        assert_eq!(season_start(2025), d("2025-10-21"));
        assert!(is_early_season(d("2024-10-22")));
        assert!(is_early_season(d("2024-11-04")));
        assert!(!is_early_season(d("2024-11-05")));
        assert!(!is_early_season(d("2024-10-21")), "the pre-season is not the bootstrap window");
        assert_eq!(season_day(d("2025-01-15")), 85);
        assert_eq!(season_start(2030), d("2030-10-22"));
    }
}
