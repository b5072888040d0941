//! Slate dates: the NBA game date in America/New_York, derived from UTC instants.
//!
//! Invariant: a game tipping at 00:30 UTC belongs to the previous slate date; there is no `today()` without a
//! zone anywhere in the crate, only [`SlateDate::of_instant`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::America::New_York;
use serde::{Deserialize, Serialize};

/// A slate date (`YYYY-MM-DD`, America/New_York).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlateDate(pub NaiveDate);

impl SlateDate {
    /// The slate date an instant belongs to.
    pub fn of_instant(t: DateTime<Utc>) -> Self {
        SlateDate(t.with_timezone(&New_York).date_naive())
    }

    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(y, m, d).map(SlateDate)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    pub fn succ(self) -> Self {
        SlateDate(self.0 + Duration::days(1))
    }

    pub fn pred(self) -> Self {
        SlateDate(self.0 - Duration::days(1))
    }

    pub fn add_days(self, n: i64) -> Self {
        SlateDate(self.0 + Duration::days(n))
    }

    /// Starting year of the NBA season this date belongs to (Oct–Dec: same year; Jan–Sep: previous year).
    pub fn season_year(self) -> i32 {
        if self.0.month() >= 10 {
            self.0.year()
        } else {
            self.0.year() - 1
        }
    }

    /// Season label such as `2024-25`.
    pub fn season_label(self) -> String {
        let y = self.season_year();
        format!("{}-{:02}", y, (y + 1) % 100)
    }

    /// Inclusive range of dates `from..=to`.
    pub fn range(from: SlateDate, to: SlateDate) -> impl Iterator<Item = SlateDate> {
        let mut d = from;
        std::iter::from_fn(move || {
            if d > to {
                None
            } else {
                let out = d;
                d = d.succ();
                Some(out)
            }
        })
    }

    /// Compact form `YYYYMMDD` used in game ids.
    pub fn compact(self) -> String {
        self.0.format("%Y%m%d").to_string()
    }
}

impl fmt::Display for SlateDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for SlateDate {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Fast path for the canonical `YYYY-MM-DD` (every stored date): histories parse one per row.
        let b = s.as_bytes();
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            let num = |r: std::ops::Range<usize>| {
                b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
            };
            if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
                if let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                    return Ok(SlateDate(date));
                }
            }
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map(SlateDate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_canonical_dates_fast_and_rejects_the_rest() {
        assert_eq!("2025-01-15".parse::<SlateDate>().ok(), SlateDate::from_ymd(2025, 1, 15));
        assert!("2025-02-30".parse::<SlateDate>().is_err());
        assert!("2025-01-1x".parse::<SlateDate>().is_err());
        assert!("".parse::<SlateDate>().is_err());
    }

    #[test]
    fn late_tip_belongs_to_previous_slate() {
        let t = Utc.with_ymd_and_hms(2025, 1, 16, 0, 30, 0).unwrap();
        assert_eq!(SlateDate::of_instant(t).to_string(), "2025-01-15");
        let t = Utc.with_ymd_and_hms(2025, 1, 16, 5, 30, 0).unwrap();
        assert_eq!(SlateDate::of_instant(t).to_string(), "2025-01-16");
    }

    #[test]
    fn dst_edges_use_new_york_offsets() {
        // 2025-03-09 is the spring-forward Sunday: 04:30 UTC is still 23:30 EST on the 8th.
        let t = Utc.with_ymd_and_hms(2025, 3, 9, 4, 30, 0).unwrap();
        assert_eq!(SlateDate::of_instant(t).to_string(), "2025-03-08");
        // After the change, offset is -4: 03:30 UTC on the 10th is 23:30 EDT on the 9th.
        let t = Utc.with_ymd_and_hms(2025, 3, 10, 3, 30, 0).unwrap();
        assert_eq!(SlateDate::of_instant(t).to_string(), "2025-03-09");
    }

    #[test]
    fn season_year_and_label() {
        let d: SlateDate = "2025-01-15".parse().unwrap();
        assert_eq!(d.season_year(), 2024);
        assert_eq!(d.season_label(), "2024-25");
        let d: SlateDate = "2024-10-22".parse().unwrap();
        assert_eq!(d.season_year(), 2024);
    }

    #[test]
    fn range_is_inclusive() {
        let a: SlateDate = "2025-01-30".parse().unwrap();
        let b: SlateDate = "2025-02-02".parse().unwrap();
        let v: Vec<String> = SlateDate::range(a, b).map(|d| d.to_string()).collect();
        assert_eq!(v, ["2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02"]);
    }
}
