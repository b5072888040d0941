//! Typed actor messages: what bridges hand to actors after decoding an envelope. Nothing past a bridge
//! sees JSON.
//!
//! Every request answers with a [`HandleOutcome`], which the bridge maps totally onto ack / nack / dead-letter
//! (DESIGN §4): success, no-data and duplicate → ack; not-ready → nack with delay; transient → nack with
//! backoff; permanent → dead-letter with the reason.

use std::time::Duration;

use actix::Message;

use super::{Status, UnifiedMessage};
use crate::backends::TableRef;
use crate::domain::{RunMode, SlateDate};

/// Where a request came from: the parts of the triggering envelope that travel with the work.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub date: SlateDate,
    pub correlation_id: String,
    /// The triggering run's execution id and processor.
    pub parent_execution_id: String,
    pub parent_processor: String,
    pub message_id: String,
    pub mode: RunMode,
    pub skip_downstream_trigger: bool,
    /// Backfill: the last phase that may be triggered.
    pub through_phase: Option<u8>,
    pub backfill_reason: Option<String>,
    pub force: bool,
}

impl Origin {
    /// Build from a decoded envelope.
    pub fn of(msg: &UnifiedMessage, message_id: &str) -> Origin {
        let through_phase =
            msg.metadata.get("through_phase").and_then(|v| v.as_u64()).and_then(|n| u8::try_from(n).ok());
        let mode = if msg.backfill_mode {
            RunMode::Backfill
        } else if msg.metadata.get("run_mode").and_then(|v| v.as_str()) == Some("same_day") {
            RunMode::SameDay
        } else {
            RunMode::Daily
        };
        Origin {
            date: msg.game_date,
            correlation_id: msg.correlation_id.clone(),
            parent_execution_id: msg.execution_id.clone(),
            parent_processor: msg.processor_name.clone(),
            message_id: message_id.to_string(),
            mode,
            skip_downstream_trigger: msg.skip_downstream_trigger,
            through_phase,
            backfill_reason: msg.backfill_reason.clone(),
            force: msg.metadata.get("force").and_then(|v| v.as_bool()).unwrap_or(false),
        }
    }

    /// Whether work of `phase` may be started from this origin.
    pub fn may_trigger(&self, phase: u8) -> bool {
        match self.mode {
            RunMode::Backfill => self.through_phase.is_some_and(|p| phase <= p),
            _ => !self.skip_downstream_trigger,
        }
    }
}

/// The outcome a handler reports for one delivered message.
#[derive(Debug, Clone, PartialEq)]
pub enum HandleOutcome {
    Done,
    NoData,
    Duplicate,
    NotReady { retry_after: Duration, reason: String },
    Transient { retry_after: Duration, error: String },
    Permanent { reason: String },
}

impl HandleOutcome {
    /// Severity for combining the outcomes of a fan-out: retry beats dead-letter beats done.
    pub fn severity(&self) -> u8 {
        match self {
            HandleOutcome::Done | HandleOutcome::NoData | HandleOutcome::Duplicate => 0,
            HandleOutcome::Permanent { .. } => 1,
            HandleOutcome::NotReady { .. } => 2,
            HandleOutcome::Transient { .. } => 3,
        }
    }

    /// Combine fan-out outcomes: any retry wins (siblings that finished dedup on redelivery), then
    /// dead-letter with every reason, then done.
    pub fn combine(outcomes: Vec<HandleOutcome>) -> HandleOutcome {
        let mut worst = HandleOutcome::Done;
        let mut reasons = Vec::new();
        for o in outcomes {
            if let HandleOutcome::Permanent { reason } = &o {
                reasons.push(reason.clone());
            }
            match (&worst, &o) {
                (HandleOutcome::NotReady { retry_after: a, .. }, HandleOutcome::NotReady { retry_after: b, .. })
                    if b > a =>
                {
                    worst = o
                }
                _ if o.severity() > worst.severity() => worst = o,
                _ => {}
            }
        }
        match worst {
            HandleOutcome::Permanent { .. } => HandleOutcome::Permanent { reason: reasons.join("; ") },
            w => w,
        }
    }
}

/// Phase 1 → 2: a raw object landed.
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct RawFileLanded {
    pub origin: Origin,
    pub path: String,
    pub generation: Option<i64>,
    pub scraper: String,
}

/// Phase 2 → 3: a table was written for a date.
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct TableReady {
    pub origin: Origin,
    pub table: TableRef,
    pub status: Status,
}

/// A processor of a tracked phase completed (input of the completion trackers).
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct PhaseComplete {
    pub origin: Origin,
    pub phase: u8,
    pub processor: String,
    pub status: Status,
    pub record_count: i64,
    /// The table the run wrote (`output_table`), for entity bucketing.
    pub output_table: Option<String>,
    /// `metadata.entities_changed`: the players or teams the run touched.
    pub entities_changed: Vec<String>,
}

/// A tracker's trigger: run these processors for the date.
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct RunProcessors {
    pub origin: Origin,
    pub processors: Vec<String>,
    pub degraded: bool,
}

/// Run one processor under the run protocol (dispatcher → processor host).
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct RunProcessor {
    pub origin: Origin,
    pub processor: String,
    /// Dedup scope: empty for date-level work, `path#generation` for a landed object.
    pub scope: String,
    pub object_path: Option<String>,
}

/// A phase announcement for monitoring (trace, latency).
#[derive(Debug, Clone, Message)]
#[rtype(result = "HandleOutcome")]
pub struct PhaseAnnounced {
    pub origin: Origin,
    pub processor: String,
    pub phase: u8,
}
