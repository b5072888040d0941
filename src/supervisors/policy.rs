//! Restart policy: exponential backoff and a restart-intensity limit (OTP's `intensity` / `period`).
//!
//! Pure logic: [`RestartTracker::on_failure`] is given the clock time and says how long to wait before the
//! actor resumes, or that it must be quarantined for the cool-off period.

use std::collections::VecDeque;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct RestartPolicy {
    pub base: Duration,
    pub max: Duration,
    /// At most `intensity` restarts within `period`…
    pub intensity: u32,
    pub period: Duration,
    /// …else refuse work for this long.
    pub cool_off: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            base: Duration::from_millis(100),
            max: Duration::from_secs(30),
            intensity: 5,
            period: Duration::from_secs(60),
            cool_off: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RestartDecision {
    Restart { after: Duration, restart_no: u32 },
    Quarantine { until_ms: i64 },
}

#[derive(Debug, Clone, Default)]
pub struct RestartTracker {
    recent: VecDeque<i64>,
    total: u32,
}

impl RestartTracker {
    pub fn on_failure(&mut self, policy: &RestartPolicy, now_ms: i64) -> RestartDecision {
        let window = policy.period.as_millis() as i64;
        while self.recent.front().is_some_and(|t| now_ms - *t > window) {
            self.recent.pop_front();
        }
        self.recent.push_back(now_ms);
        self.total += 1;
        let n = self.recent.len() as u32;
        if n > policy.intensity {
            self.recent.clear();
            return RestartDecision::Quarantine { until_ms: now_ms + policy.cool_off.as_millis() as i64 };
        }
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(20));
        let after = policy.base.saturating_mul(factor).min(policy.max);
        RestartDecision::Restart { after, restart_no: self.total }
    }

    pub fn total(&self) -> u32 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_quarantines_past_intensity() {
        let p = RestartPolicy::default();
        let mut t = RestartTracker::default();
        let waits: Vec<_> = (0..5)
            .map(|i| match t.on_failure(&p, i * 10) {
                RestartDecision::Restart { after, .. } => after.as_millis(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1600]);
        assert!(matches!(t.on_failure(&p, 60), RestartDecision::Quarantine { until_ms: 60_060 }));
        // Failures spread beyond the period do not accumulate.
        let mut t = RestartTracker::default();
        for i in 0..20 {
            assert!(matches!(t.on_failure(&p, i * 61_000), RestartDecision::Restart { .. }));
        }
    }
}
