//! Pure decision logic of the run ledger: given the current claim document of a run key and a request,
//! decide what happens. No I/O; the [`super::Ledger`] applies these decisions atomically through the
//! `StateStore`.
//!
//! Invariants:
//! - a key has at most one live (leased) run; a live lease or a success makes a new request a duplicate;
//! - a terminal state is never overwritten by a later transition of the *same* run;
//! - a run whose lease expired without a terminal state is recorded `timed_out` (keeping its last error)
//!   when the next claim takes the key over;
//! - failures are retried only while attempts remain (`not_yet_available` does not consume an attempt),
//!   or when forced.

use serde::{Deserialize, Serialize};

use crate::domain::{RunOutcome, RunState};

/// The persisted claim document of one run key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimDoc {
    pub processor: String,
    pub date: String,
    #[serde(default)]
    pub scope: String,
    pub phase: String,
    pub state: RunState,
    pub run_id: String,
    /// Runs that consumed an attempt (failures and timeouts; not `not_yet_available`).
    pub failed_attempts: u32,
    /// Every run ever started for the key.
    pub runs: u32,
    pub lease_until_ms: i64,
    pub started_ms: i64,
    #[serde(default)]
    pub finished_ms: Option<i64>,
    #[serde(default)]
    pub outcome: Option<RunOutcome>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub progress: Option<String>,
    #[serde(default)]
    pub correlation_id: String,
    /// Completion message waiting to be published (outbox); cleared once the bus acknowledged it.
    #[serde(default)]
    pub outbox: Option<OutboxEntry>,
    /// Indexed flag for the outbox relay (`find_eq`).
    #[serde(default)]
    pub outbox_pending: bool,
    /// Trigger context, kept for the history row.
    #[serde(default)]
    pub context: super::RunContext,
}

/// A message that must reach the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub topic: String,
    pub data: serde_json::Value,
    #[serde(default)]
    pub ordering_key: Option<String>,
}

/// A request to start a run.
#[derive(Debug, Clone)]
pub struct ClaimRequest<'a> {
    pub processor: &'a str,
    pub date: &'a str,
    pub scope: &'a str,
    pub phase: &'a str,
    pub run_id: &'a str,
    pub now_ms: i64,
    pub lease_ms: i64,
    pub max_attempts: u32,
    pub force: bool,
    pub correlation_id: &'a str,
    pub context: &'a super::RunContext,
}

/// Why a request does not start a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Already done (success or expected no-data): ack the message.
    AlreadyDone { run_id: String, state: RunState },
    /// Another run holds a live lease.
    InFlight { run_id: String, lease_until_ms: i64 },
    /// Failed permanently, or out of attempts: only `--force` re-runs it.
    Exhausted { run_id: String, state: RunState, last_error: Option<String> },
}

/// The decision for a claim request: what to store, which earlier run timed out, and whether the run
/// starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimDecision {
    /// The document to store (`None`: leave it unchanged).
    pub write: Option<ClaimDoc>,
    /// The previous run, if its lease expired without a terminal state (to be recorded `timed_out`).
    pub timed_out: Option<ClaimDoc>,
    pub result: Result<(), Refusal>,
}

impl ClaimDecision {
    fn start(doc: ClaimDoc, timed_out: Option<ClaimDoc>) -> Self {
        ClaimDecision { write: Some(doc), timed_out, result: Ok(()) }
    }
    fn refuse(r: Refusal) -> Self {
        ClaimDecision { write: None, timed_out: None, result: Err(r) }
    }
    pub fn started(&self) -> bool {
        self.result.is_ok()
    }
}

/// Decide a claim.
pub fn decide_claim(current: Option<&ClaimDoc>, req: &ClaimRequest<'_>) -> ClaimDecision {
    let fresh = |prev: Option<&ClaimDoc>| ClaimDoc {
        processor: req.processor.to_string(),
        date: req.date.to_string(),
        scope: req.scope.to_string(),
        phase: req.phase.to_string(),
        state: RunState::Running,
        run_id: req.run_id.to_string(),
        failed_attempts: if req.force { 0 } else { prev.map_or(0, |p| p.failed_attempts) },
        runs: prev.map_or(0, |p| p.runs) + 1,
        lease_until_ms: req.now_ms + req.lease_ms,
        started_ms: req.now_ms,
        finished_ms: None,
        outcome: None,
        last_error: prev.and_then(|p| p.last_error.clone()),
        progress: None,
        correlation_id: req.correlation_id.to_string(),
        outbox: None,
        outbox_pending: false,
        context: req.context.clone(),
    };
    let Some(cur) = current else {
        return ClaimDecision::start(fresh(None), None);
    };
    let exhausted = |d: &ClaimDoc| Refusal::Exhausted {
        run_id: d.run_id.clone(),
        state: d.state,
        last_error: d.last_error.clone(),
    };
    match cur.state {
        RunState::Running if cur.lease_until_ms > req.now_ms => {
            ClaimDecision::refuse(Refusal::InFlight { run_id: cur.run_id.clone(), lease_until_ms: cur.lease_until_ms })
        }
        RunState::Running => {
            // The lease expired with no terminal state: the previous run timed out.
            let mut old = cur.clone();
            old.state = RunState::TimedOut;
            old.finished_ms = Some(req.now_ms);
            old.outcome = Some(RunOutcome::TimedOut { last_error: cur.last_error.clone() });
            old.failed_attempts += 1;
            if old.failed_attempts >= req.max_attempts && !req.force {
                let r = exhausted(&old);
                return ClaimDecision { write: Some(old.clone()), timed_out: Some(old), result: Err(r) };
            }
            ClaimDecision::start(fresh(Some(&old)), Some(old))
        }
        // An unpublished outbox entry must not be lost by a forced takeover either.
        s if s.is_done() && (!req.force || cur.outbox_pending) => {
            ClaimDecision::refuse(Refusal::AlreadyDone { run_id: cur.run_id.clone(), state: s })
        }
        RunState::FailedPermanent if !req.force => ClaimDecision::refuse(exhausted(cur)),
        RunState::FailedTransient | RunState::TimedOut if cur.failed_attempts >= req.max_attempts && !req.force => {
            ClaimDecision::refuse(exhausted(cur))
        }
        _ => ClaimDecision::start(fresh(Some(cur)), None),
    }
}

/// Apply a heartbeat: extend the lease if `run_id` still holds it.
pub fn apply_heartbeat(
    cur: &ClaimDoc,
    run_id: &str,
    now_ms: i64,
    lease_ms: i64,
    progress: Option<&str>,
) -> Option<ClaimDoc> {
    if cur.run_id != run_id || cur.state != RunState::Running {
        return None;
    }
    let mut d = cur.clone();
    d.lease_until_ms = now_ms + lease_ms;
    if let Some(p) = progress {
        d.progress = Some(p.to_string());
    }
    Some(d)
}

/// Apply a terminal outcome for `run_id`; `None` when the run no longer holds the key (a stale completion
/// after a takeover, or a second completion of the same run).
pub fn apply_complete(
    cur: &ClaimDoc,
    run_id: &str,
    outcome: &RunOutcome,
    now_ms: i64,
    outbox: Option<OutboxEntry>,
) -> Option<ClaimDoc> {
    if cur.run_id != run_id || cur.state != RunState::Running {
        return None;
    }
    let mut d = cur.clone();
    d.state = outcome.state();
    d.finished_ms = Some(now_ms);
    d.outcome = Some(outcome.clone());
    if let Some(e) = outcome.error_text() {
        d.last_error = Some(e);
    }
    if matches!(d.state, RunState::FailedTransient | RunState::FailedPermanent | RunState::TimedOut) {
        d.failed_attempts += 1;
    }
    d.outbox_pending = outbox.is_some();
    d.outbox = outbox;
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    static CTX: crate::ledger::RunContext = crate::ledger::RunContext {
        trigger_source: None,
        trigger_message_id: None,
        parent_processor: None,
        backfill_mode: false,
        output_table: None,
        output_dataset: None,
    };

    fn req<'a>(run_id: &'a str, now_ms: i64) -> ClaimRequest<'a> {
        ClaimRequest {
            processor: "p",
            date: "2025-01-15",
            scope: "",
            phase: "phase_3_analytics",
            run_id,
            now_ms,
            lease_ms: 1000,
            max_attempts: 3,
            force: false,
            correlation_id: "c",
            context: &CTX,
        }
    }

    fn started(d: ClaimDecision) -> ClaimDoc {
        assert!(d.started(), "expected start, got {:?}", d.result);
        d.write.unwrap()
    }

    #[test]
    fn first_claim_starts_and_live_lease_is_a_duplicate() {
        let doc = started(decide_claim(None, &req("r1", 0)));
        assert_eq!(doc.state, RunState::Running);
        let d = decide_claim(Some(&doc), &req("r2", 500));
        assert!(matches!(d.result, Err(Refusal::InFlight { .. })));
        assert!(d.write.is_none());
    }

    #[test]
    fn expired_lease_times_out_the_old_run_and_keeps_its_error() {
        let mut doc = started(decide_claim(None, &req("r1", 0)));
        doc.last_error = Some("boom".into());
        let d = decide_claim(Some(&doc), &req("r2", 5000));
        let old = d.timed_out.clone().unwrap();
        assert_eq!(old.run_id, "r1");
        assert_eq!(old.state, RunState::TimedOut);
        assert_eq!(old.outcome, Some(RunOutcome::TimedOut { last_error: Some("boom".into()) }));
        let new = started(d);
        assert_eq!(new.run_id, "r2");
        assert_eq!(new.failed_attempts, 1);
    }

    #[test]
    fn success_is_terminal_and_makes_redeliveries_duplicates() {
        let doc = started(decide_claim(None, &req("r1", 0)));
        let done = apply_complete(&doc, "r1", &RunOutcome::Succeeded { rows: 5 }, 10, None).unwrap();
        // A second completion of the same run, or a stale one, changes nothing.
        assert!(apply_complete(&done, "r1", &RunOutcome::FailedTransient { error: "x".into() }, 11, None).is_none());
        assert!(apply_complete(&done, "other", &RunOutcome::Succeeded { rows: 1 }, 11, None).is_none());
        let d = decide_claim(Some(&done), &req("r2", 20));
        assert_eq!(d.result, Err(Refusal::AlreadyDone { run_id: "r1".into(), state: RunState::Succeeded }));
        // --force re-runs it.
        let mut f = req("r3", 30);
        f.force = true;
        assert!(decide_claim(Some(&done), &f).started());
    }

    #[test]
    fn transient_failures_retry_until_attempts_run_out() {
        let mut doc = started(decide_claim(None, &req("r0", 0)));
        for i in 1..=3 {
            doc = apply_complete(
                &doc,
                &doc.run_id.clone(),
                &RunOutcome::FailedTransient { error: format!("e{i}") },
                i,
                None,
            )
            .unwrap();
            let d = decide_claim(Some(&doc), &req("next", 100 + i));
            if i < 3 {
                doc = started(d);
            } else {
                assert!(matches!(d.result, Err(Refusal::Exhausted { .. })));
            }
        }
    }

    #[test]
    fn not_yet_available_does_not_consume_attempts() {
        let mut doc = started(decide_claim(None, &req("r0", 0)));
        for i in 0..10 {
            doc = apply_complete(
                &doc,
                &doc.run_id.clone(),
                &RunOutcome::NotYetAvailable { reason: "wait".into() },
                i,
                None,
            )
            .unwrap();
            doc = started(decide_claim(Some(&doc), &req("n", 100 + i)));
        }
        assert_eq!(doc.failed_attempts, 0);
        assert_eq!(doc.runs, 11);
    }

    #[test]
    fn permanent_failure_blocks_until_forced() {
        let doc = started(decide_claim(None, &req("r0", 0)));
        let doc = apply_complete(&doc, "r0", &RunOutcome::FailedPermanent { error: "bug".into() }, 1, None).unwrap();
        assert!(matches!(decide_claim(Some(&doc), &req("r1", 2)).result, Err(Refusal::Exhausted { .. })));
        let mut f = req("r2", 3);
        f.force = true;
        assert_eq!(started(decide_claim(Some(&doc), &f)).failed_attempts, 0);
    }

    #[test]
    fn heartbeat_extends_only_the_holder() {
        let doc = started(decide_claim(None, &req("r1", 0)));
        let hb = apply_heartbeat(&doc, "r1", 900, 1000, Some("half")).unwrap();
        assert_eq!(hb.lease_until_ms, 1900);
        assert!(apply_heartbeat(&doc, "other", 900, 1000, None).is_none());
    }
}
