//! A pure per-system circuit breaker (spec §4.3 step 5): CLOSED → OPEN after `threshold` (5) consecutive
//! failures of one system; OPEN refuses the system until its cool-down has passed, then HALF-OPEN lets a
//! trial through: a success closes it, a failure re-opens it (with a new cool-down).
//!
//! Invariants: no clock is read. The cool-down is either a number of refused calls ([`CoolDown::Calls`]) or
//! a number of seconds measured on timestamps the caller passes in with [`CircuitBreaker::set_now`]
//! ([`CoolDown::Seconds`]; the spec's 30 minutes is the default). An outcome that is not the system's fault
//! ([`CircuitBreaker::record_not_applicable`]) neither counts as a failure nor resets the count. State is kept
//! per system id in memory; persisting it (the original's `circuit_breaker_state` table) is the caller's
//! business.

use std::collections::BTreeMap;

/// Consecutive failures that open a system's circuit (spec §4.3).
pub const DEFAULT_THRESHOLD: u32 = 5;
/// The spec's OPEN period.
pub const DEFAULT_COOL_DOWN_SECS: i64 = 30 * 60;

/// How long an open circuit stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoolDown {
    /// Refuse this many calls, then let the next one through as a trial.
    Calls(u32),
    /// Stay open until `now ≥ opened_at + secs` (timestamps from [`CircuitBreaker::set_now`]).
    Seconds(i64),
}

/// The state of one system's circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed { consecutive_failures: u32 },
    Open { opened_at: i64, refused: u32 },
    HalfOpen,
}

/// Circuit breakers of every system, keyed by system id.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitBreaker {
    threshold: u32,
    cool_down: CoolDown,
    now: i64,
    systems: BTreeMap<&'static str, CircuitState>,
}

impl Default for CircuitBreaker {
    /// Threshold 5, open for 30 minutes of caller-supplied time.
    fn default() -> Self {
        Self::new(DEFAULT_THRESHOLD, CoolDown::Seconds(DEFAULT_COOL_DOWN_SECS))
    }
}

impl CircuitBreaker {
    /// `threshold` is at least 1.
    pub fn new(threshold: u32, cool_down: CoolDown) -> Self {
        CircuitBreaker { threshold: threshold.max(1), cool_down, now: 0, systems: BTreeMap::new() }
    }

    /// The current time (any monotonic seconds, e.g. Unix seconds) for [`CoolDown::Seconds`].
    pub fn set_now(&mut self, now: i64) {
        self.now = now;
    }

    pub fn state(&self, system: &str) -> CircuitState {
        self.systems.get(system).copied().unwrap_or(CircuitState::Closed { consecutive_failures: 0 })
    }

    /// Whether `system` may run now. An open circuit whose cool-down has passed turns half-open and allows
    /// the call; otherwise the refusal is counted towards [`CoolDown::Calls`].
    pub fn allow(&mut self, system: &'static str) -> bool {
        let (cool_down, now) = (self.cool_down, self.now);
        let st = self.systems.entry(system).or_insert(CircuitState::Closed { consecutive_failures: 0 });
        match *st {
            CircuitState::Closed { .. } | CircuitState::HalfOpen => true,
            CircuitState::Open { opened_at, refused } => {
                let cooled = match cool_down {
                    CoolDown::Calls(n) => refused >= n,
                    CoolDown::Seconds(s) => now >= opened_at.saturating_add(s),
                };
                if cooled {
                    *st = CircuitState::HalfOpen;
                } else {
                    *st = CircuitState::Open { opened_at, refused: refused.saturating_add(1) };
                }
                cooled
            }
        }
    }

    /// The system succeeded: its circuit closes and its failure count resets.
    pub fn record_success(&mut self, system: &'static str) {
        self.systems.insert(system, CircuitState::Closed { consecutive_failures: 0 });
    }

    /// The system failed: one more consecutive failure; at the threshold (or on a half-open trial) it opens.
    pub fn record_failure(&mut self, system: &'static str) {
        let open = CircuitState::Open { opened_at: self.now, refused: 0 };
        let next = match self.state(system) {
            CircuitState::Closed { consecutive_failures } => {
                let n = consecutive_failures.saturating_add(1);
                if n >= self.threshold {
                    open
                } else {
                    CircuitState::Closed { consecutive_failures: n }
                }
            }
            CircuitState::HalfOpen => open,
            st @ CircuitState::Open { .. } => st,
        };
        self.systems.insert(system, next);
    }

    /// The system could not apply to this input (not its fault): the state is unchanged.
    pub fn record_not_applicable(&mut self, _system: &'static str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_five_consecutive_failures_and_half_opens_after_refused_calls() {
        let mut b = CircuitBreaker::new(5, CoolDown::Calls(3));
        for _ in 0..4 {
            assert!(b.allow("s"));
            b.record_failure("s");
        }
        assert_eq!(b.state("s"), CircuitState::Closed { consecutive_failures: 4 });
        assert!(b.allow("s"));
        b.record_failure("s");
        assert!(matches!(b.state("s"), CircuitState::Open { .. }));
        assert!(!b.allow("s") && !b.allow("s") && !b.allow("s"), "three refused calls");
        assert!(b.allow("s"), "the fourth is a trial");
        assert_eq!(b.state("s"), CircuitState::HalfOpen);
        b.record_failure("s");
        assert!(matches!(b.state("s"), CircuitState::Open { refused: 0, .. }), "a failed trial re-opens");
        for _ in 0..3 {
            assert!(!b.allow("s"));
        }
        assert!(b.allow("s"));
        b.record_success("s");
        assert_eq!(b.state("s"), CircuitState::Closed { consecutive_failures: 0 });
        assert!(b.allow("other"), "systems are independent");
    }

    #[test]
    fn a_success_or_not_applicable_between_failures() {
        let mut b = CircuitBreaker::new(5, CoolDown::Calls(1));
        for _ in 0..4 {
            b.record_failure("s");
        }
        b.record_not_applicable("s");
        assert_eq!(b.state("s"), CircuitState::Closed { consecutive_failures: 4 }, "not applicable changes nothing");
        b.record_success("s");
        b.record_failure("s");
        assert_eq!(b.state("s"), CircuitState::Closed { consecutive_failures: 1 }, "success resets");
    }

    #[test]
    fn time_based_cool_down_uses_the_timestamps_passed_in() {
        let mut b = CircuitBreaker::default();
        b.set_now(1_000);
        for _ in 0..5 {
            b.record_failure("s");
        }
        assert_eq!(b.state("s"), CircuitState::Open { opened_at: 1_000, refused: 0 });
        b.set_now(1_000 + 1_799);
        assert!(!b.allow("s"));
        b.set_now(1_000 + 1_800);
        assert!(b.allow("s"));
        assert_eq!(b.state("s"), CircuitState::HalfOpen);
        b.record_not_applicable("s");
        assert!(b.allow("s"), "still half-open after a not-applicable trial");
    }
}
