//! The Phase 5 backup schedule as pure time logic (spec §4.7, DESIGN §4 "Schedulers"): start the prediction
//! batch at 6:00 AM Pacific if the event path has not, retry missing players at 6:15 and 6:30, check the SLA
//! at 7:00. Every decision carries its reason, so the scheduler actor can log it as is.
//!
//! Invariants:
//! - times are wall-clock times in America/Los_Angeles, converted per date, so they follow daylight saving
//!   (6:00 PT is 14:00 UTC in winter and 13:00 UTC in summer); nothing here reads a clock;
//! - the slate a morning check serves is that morning's date in America/New_York (at 6 AM Pacific it is 9 AM
//!   Eastern, the same calendar date), never the UTC date, which differs after 4 PM Pacific;
//! - a check never starts work the event path already did: `Start` only without a batch, `Retry` only for
//!   players still missing.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;

use super::SlateDate;

/// The morning checks, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// 6:00 AM Pacific: start the batch if nobody has.
    Start,
    /// 6:15 AM Pacific.
    Retry1,
    /// 6:30 AM Pacific.
    Retry2,
    /// 7:00 AM Pacific: coverage against the alert thresholds.
    Sla,
}

impl Check {
    pub const ALL: [Check; 4] = [Check::Start, Check::Retry1, Check::Retry2, Check::Sla];

    /// Local time (Pacific) of the check.
    pub fn local_time(self) -> NaiveTime {
        let (h, m) = match self {
            Check::Start => (6, 0),
            Check::Retry1 => (6, 15),
            Check::Retry2 => (6, 30),
            Check::Sla => (7, 0),
        };
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
    }
}

/// When `check` fires for `slate` (its Pacific morning), in UTC.
pub fn at(slate: SlateDate, check: Check) -> Option<DateTime<Utc>> {
    Los_Angeles.from_local_datetime(&slate.date().and_time(check.local_time())).single().map(|t| t.with_timezone(&Utc))
}

/// The next check strictly after `now`, with the slate it serves.
pub fn next_check(now: DateTime<Utc>) -> Option<(DateTime<Utc>, SlateDate, Check)> {
    let today = SlateDate(now.with_timezone(&Los_Angeles).date_naive());
    [today, today.succ()]
        .into_iter()
        .flat_map(|d| Check::ALL.into_iter().map(move |c| (d, c)))
        .filter_map(|(d, c)| Some((at(d, c)?, d, c)))
        .find(|(t, _, _)| *t > now)
}

/// What the event path has done for the slate, as the scheduler reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlateState {
    /// The prediction batch has started (by the event path or an earlier check).
    pub batch_started: bool,
    /// The Phase 4 feature store is complete for the slate.
    pub features_ready: bool,
    /// Players with a line.
    pub lined_players: usize,
    /// Of them, predicted.
    pub predicted_lined: usize,
}

/// A check's decision, with its reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Start { reason: String },
    Retry { missing: usize, reason: String },
    Nothing { reason: String },
    SlaAlert { critical: bool, coverage_pct: f64, reason: String },
    SlaMet { coverage_pct: f64 },
}

/// Decide a check. `warning_pct` and `critical_pct` are the coverage alert thresholds (`config` `[alerts]`).
pub fn decide(check: Check, s: &SlateState, warning_pct: f64, critical_pct: f64) -> Decision {
    let coverage = if s.lined_players == 0 { 100.0 } else { 100.0 * s.predicted_lined as f64 / s.lined_players as f64 };
    let missing = s.lined_players.saturating_sub(s.predicted_lined);
    match check {
        Check::Start if s.batch_started => {
            Decision::Nothing { reason: "the event path already started the batch".into() }
        }
        Check::Start if !s.features_ready => Decision::Start {
            reason: "no batch by 6:00 PT and the feature store is not complete: starting on what exists".into(),
        },
        Check::Start => Decision::Start { reason: "no batch by 6:00 PT although features are ready".into() },
        Check::Retry1 | Check::Retry2 if missing == 0 => {
            Decision::Nothing { reason: format!("every lined player predicted ({})", s.lined_players) }
        }
        Check::Retry1 | Check::Retry2 => Decision::Retry {
            missing,
            reason: format!("{missing} of {} lined players have no prediction", s.lined_players),
        },
        Check::Sla if coverage < warning_pct => Decision::SlaAlert {
            critical: coverage < critical_pct,
            coverage_pct: coverage,
            reason: format!("coverage {coverage:.1} % at 7:00 PT ({missing} lined players missing)"),
        },
        Check::Sla => Decision::SlaMet { coverage_pct: coverage },
    }
}

/// The next check after `now`, at least `min_gap` later (a scheduler that woke late does not fire twice).
pub fn after(now: DateTime<Utc>, min_gap: Duration) -> Option<(DateTime<Utc>, SlateDate, Check)> {
    next_check(now + min_gap - Duration::seconds(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> SlateDate {
        s.parse().unwrap()
    }

    #[test]
    fn checks_follow_pacific_daylight_saving() {
        assert_eq!(at(d("2025-01-15"), Check::Start), Some(utc("2025-01-15T14:00:00Z")), "PST");
        assert_eq!(at(d("2025-07-15"), Check::Start), Some(utc("2025-07-15T13:00:00Z")), "PDT");
        // Spring forward on Sunday 9 March 2025 (2 AM): that morning's checks are already on PDT.
        assert_eq!(at(d("2025-03-08"), Check::Sla), Some(utc("2025-03-08T15:00:00Z")));
        assert_eq!(at(d("2025-03-09"), Check::Sla), Some(utc("2025-03-09T14:00:00Z")));
        // Fall back on Sunday 2 November 2025.
        assert_eq!(at(d("2025-11-01"), Check::Retry1), Some(utc("2025-11-01T13:15:00Z")));
        assert_eq!(at(d("2025-11-02"), Check::Retry1), Some(utc("2025-11-02T14:15:00Z")));
    }

    #[test]
    fn the_next_check_crosses_midnight_utc_on_the_pacific_date() {
        // 17:30 PT on 14 January is 01:30 UTC on the 15th: the next check is 6:00 PT on the 15th.
        assert_eq!(
            next_check(utc("2025-01-15T01:30:00Z")),
            Some((utc("2025-01-15T14:00:00Z"), d("2025-01-15"), Check::Start))
        );
        // Between two checks of the same morning.
        assert_eq!(
            next_check(utc("2025-01-15T14:05:00Z")),
            Some((utc("2025-01-15T14:15:00Z"), d("2025-01-15"), Check::Retry1))
        );
        // After the SLA check: tomorrow's start; exactly at a check: the one after it.
        assert_eq!(
            next_check(utc("2025-01-15T15:00:00Z")),
            Some((utc("2025-01-16T14:00:00Z"), d("2025-01-16"), Check::Start))
        );
        // 23:30 PT on the Saturday before spring forward (07:30 UTC Sunday): Sunday's start is 13:00 UTC.
        assert_eq!(next_check(utc("2025-03-09T07:30:00Z")).map(|x| x.0), Some(utc("2025-03-09T13:00:00Z")));
        assert_eq!(after(utc("2025-01-15T14:00:00Z"), Duration::minutes(1)).map(|x| x.2), Some(Check::Retry1));
    }

    #[test]
    fn decisions_never_redo_the_event_paths_work_and_say_why() {
        let done = SlateState { batch_started: true, features_ready: true, lined_players: 200, predicted_lined: 200 };
        assert!(matches!(decide(Check::Start, &done, 95.0, 90.0), Decision::Nothing { .. }));
        assert!(matches!(decide(Check::Retry1, &done, 95.0, 90.0), Decision::Nothing { .. }));
        assert_eq!(decide(Check::Sla, &done, 95.0, 90.0), Decision::SlaMet { coverage_pct: 100.0 });
        let idle = SlateState { features_ready: true, lined_players: 200, ..Default::default() };
        assert!(matches!(decide(Check::Start, &idle, 95.0, 90.0), Decision::Start { .. }));
        let partial =
            SlateState { batch_started: true, features_ready: true, lined_players: 200, predicted_lined: 186 };
        assert_eq!(
            decide(Check::Retry2, &partial, 95.0, 90.0),
            Decision::Retry { missing: 14, reason: "14 of 200 lined players have no prediction".into() }
        );
        match decide(Check::Sla, &partial, 95.0, 90.0) {
            Decision::SlaAlert { critical, coverage_pct, .. } => {
                assert!(!critical && (coverage_pct - 93.0).abs() < 1e-9)
            }
            other => panic!("{other:?}"),
        }
        let poor = SlateState { lined_players: 200, predicted_lined: 150, ..partial };
        assert!(matches!(decide(Check::Sla, &poor, 95.0, 90.0), Decision::SlaAlert { critical: true, .. }));
    }
}
