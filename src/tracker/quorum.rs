//! Pure quorum logic of a completion tracker: which stages of a (phase, date) barrier are due to fire.
//!
//! Invariants: a stage fires at most once; it fires only when every required processor of its mode has
//! completed, or — at its deadline — as `degraded`, naming the missing ones; stage k is considered only after
//! stage k-1 fired (or was suppressed); counts are always derived from the set of completed processors.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::RunMode;
use crate::topology::StageDecl;

/// One recorded completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub status: String,
    pub execution_id: String,
    pub correlation_id: String,
    pub record_count: i64,
    pub completed_at_ms: i64,
    /// `players` or `teams`: the entity kind of the table the processor wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities_changed: Vec<String>,
}

/// State of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StageState {
    pub fired_at_ms: Option<i64>,
    pub degraded: bool,
    pub missing: Vec<String>,
    pub trigger_id: Option<String>,
    pub published: bool,
    /// Backfill reached the quorum but was told not to fire downstream.
    pub suppressed: bool,
}

impl StageState {
    pub fn settled(&self) -> bool {
        self.fired_at_ms.is_some() || self.suppressed
    }
}

/// The tracker document `phase{N}_completion/{date}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrackerDoc {
    pub date: String,
    pub processors: BTreeMap<String, Entry>,
    #[serde(default)]
    pub failures: BTreeMap<String, Entry>,
    pub first_completion_ms: Option<i64>,
    pub mode: RunMode,
    /// Backfill: the highest phase that may be triggered (`--through-phase`).
    pub through_phase: Option<u8>,
    pub correlation_id: String,
    #[serde(default)]
    pub stages: BTreeMap<String, StageState>,
}

impl TrackerDoc {
    /// Derived, never stored separately.
    pub fn completed_count(&self) -> usize {
        self.processors.len()
    }
}

/// A stage due to fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub stage: String,
    pub degraded: bool,
    pub missing: Vec<String>,
    /// Fire (true) or only record that the quorum was reached in a backfill (false).
    pub publish: bool,
}

/// The quorum of a stage in a mode.
pub fn quorum(stage: &StageDecl, mode: RunMode) -> (Vec<String>, Vec<String>, u64) {
    let o = stage.modes.get(mode.as_str());
    let required = o.and_then(|o| o.required.clone()).unwrap_or_else(|| stage.required.clone());
    let optional = o.and_then(|o| o.optional.clone()).unwrap_or_else(|| stage.optional.clone());
    let deadline = o.and_then(|o| o.deadline_minutes).unwrap_or(stage.deadline_minutes);
    (required, optional, deadline)
}

/// When the stage's deadline falls (ms), given the document; `None` while the clock has not started.
pub fn deadline_ms(stages: &[StageDecl], idx: usize, doc: &TrackerDoc) -> Option<i64> {
    let (_, _, minutes) = quorum(&stages[idx], doc.mode);
    let start = if idx == 0 {
        doc.first_completion_ms?
    } else {
        let prev = doc.stages.get(&stages[idx - 1].name)?;
        prev.fired_at_ms.or(if prev.suppressed { doc.first_completion_ms } else { None })?
    };
    Some(start + (minutes as i64) * 60_000)
}

/// Stages due now. `target_phase(i)` is the phase stage `i` would start.
pub fn due_stages(stages: &[StageDecl], doc: &TrackerDoc, now_ms: i64, target_phase: &dyn Fn(usize) -> u8) -> Vec<Due> {
    let mut out = Vec::new();
    let done: BTreeSet<&str> = doc.processors.keys().map(String::as_str).collect();
    for (i, st) in stages.iter().enumerate() {
        let state = doc.stages.get(&st.name).cloned().unwrap_or_default();
        if state.settled() {
            continue;
        }
        if i > 0 {
            let prev_settled = doc.stages.get(&stages[i - 1].name).is_some_and(StageState::settled)
                || out.iter().any(|d: &Due| d.stage == stages[i - 1].name);
            if !prev_settled {
                break;
            }
        }
        let (required, _, _) = quorum(st, doc.mode);
        let missing: Vec<String> = required.iter().filter(|r| !done.contains(r.as_str())).cloned().collect();
        let at_deadline = deadline_ms(stages, i, doc).is_some_and(|d| now_ms >= d);
        if !missing.is_empty() && !at_deadline {
            break;
        }
        let publish = match doc.mode {
            RunMode::Backfill => doc.through_phase.is_some_and(|p| target_phase(i) <= p),
            _ => true,
        };
        out.push(Due { stage: st.name.clone(), degraded: !missing.is_empty(), missing, publish });
        // A later stage cannot be complete in the same evaluation unless its processors already reported;
        // continue so a replayed history settles every stage it can.
    }
    out
}
