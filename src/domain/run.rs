//! Run identity and typed outcomes of the run protocol.
//!
//! Invariants: a run's state only moves forward (`Running` → one terminal state); a terminal state is never
//! overwritten. Outcomes are typed so that "no games today", "not published yet" and "broken" never collapse
//! into one `failed` (production lesson F-03).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::SlateDate;

/// Pipeline phases, named as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    #[serde(rename = "phase_1_scrapers")]
    Scrapers,
    #[serde(rename = "phase_2_raw")]
    Raw,
    #[serde(rename = "phase_3_analytics")]
    Analytics,
    #[serde(rename = "phase_4_precompute")]
    Precompute,
    #[serde(rename = "phase_5_predictions")]
    Predictions,
}

impl Phase {
    pub const ALL: [Phase; 5] = [Phase::Scrapers, Phase::Raw, Phase::Analytics, Phase::Precompute, Phase::Predictions];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scrapers => "phase_1_scrapers",
            Phase::Raw => "phase_2_raw",
            Phase::Analytics => "phase_3_analytics",
            Phase::Precompute => "phase_4_precompute",
            Phase::Predictions => "phase_5_predictions",
        }
    }

    pub fn number(self) -> u8 {
        match self {
            Phase::Scrapers => 1,
            Phase::Raw => 2,
            Phase::Analytics => 3,
            Phase::Precompute => 4,
            Phase::Predictions => 5,
        }
    }

    pub fn from_number(n: u8) -> Option<Phase> {
        Phase::ALL.get((n as usize).checked_sub(1)?).copied()
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown phase `{s}`"))
    }
}

/// How a run was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// The nightly event path.
    #[default]
    Daily,
    /// Same-day refresh (a smaller quorum).
    SameDay,
    /// Historical processing: trackers record, fire nothing downstream unless asked.
    Backfill,
}

impl RunMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::Daily => "daily",
            RunMode::SameDay => "same_day",
            RunMode::Backfill => "backfill",
        }
    }
}

/// The dedup key of a run: one processor, one data date, one scope (empty for date-level work; the input
/// object `path#generation` for per-file raw processing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RunKey {
    pub processor: String,
    pub date: SlateDate,
    #[serde(default)]
    pub scope: String,
}

impl RunKey {
    pub fn new(processor: impl Into<String>, date: SlateDate, scope: impl Into<String>) -> Self {
        RunKey { processor: processor.into(), date, scope: scope.into() }
    }

    /// Stable document id for state stores (no `/`, which Firestore forbids in ids).
    pub fn doc_id(&self) -> String {
        let scope: String = self.scope.chars().map(|c| if c == '/' { '|' } else { c }).collect();
        if scope.is_empty() {
            format!("{}__{}", self.processor, self.date)
        } else {
            format!("{}__{}__{}", self.processor, self.date, scope)
        }
    }
}

impl fmt::Display for RunKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scope.is_empty() {
            write!(f, "{}@{}", self.processor, self.date)
        } else {
            write!(f, "{}@{}[{}]", self.processor, self.date, self.scope)
        }
    }
}

/// The typed, terminal outcome of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RunOutcome {
    Succeeded { rows: u64 },
    NoDataExpected { reason: String },
    NotYetAvailable { reason: String },
    FailedTransient { error: String },
    FailedPermanent { error: String },
    TimedOut { last_error: Option<String> },
}

impl RunOutcome {
    pub fn state(&self) -> RunState {
        match self {
            RunOutcome::Succeeded { .. } => RunState::Succeeded,
            RunOutcome::NoDataExpected { .. } => RunState::NoDataExpected,
            RunOutcome::NotYetAvailable { .. } => RunState::NotYetAvailable,
            RunOutcome::FailedTransient { .. } => RunState::FailedTransient,
            RunOutcome::FailedPermanent { .. } => RunState::FailedPermanent,
            RunOutcome::TimedOut { .. } => RunState::TimedOut,
        }
    }

    pub fn rows(&self) -> u64 {
        match self {
            RunOutcome::Succeeded { rows } => *rows,
            _ => 0,
        }
    }

    pub fn error_text(&self) -> Option<String> {
        match self {
            RunOutcome::Succeeded { .. } => None,
            RunOutcome::NoDataExpected { reason } | RunOutcome::NotYetAvailable { reason } => Some(reason.clone()),
            RunOutcome::FailedTransient { error } | RunOutcome::FailedPermanent { error } => Some(error.clone()),
            RunOutcome::TimedOut { last_error } => last_error.clone(),
        }
    }
}

/// Ledger state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Succeeded,
    NoDataExpected,
    NotYetAvailable,
    FailedTransient,
    FailedPermanent,
    TimedOut,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::NoDataExpected => "no_data_expected",
            RunState::NotYetAvailable => "not_yet_available",
            RunState::FailedTransient => "failed_transient",
            RunState::FailedPermanent => "failed_permanent",
            RunState::TimedOut => "timed_out",
        }
    }

    pub fn is_terminal(self) -> bool {
        self != RunState::Running
    }

    /// A success or an expected no-data makes any later delivery for the same key a duplicate.
    pub fn is_done(self) -> bool {
        matches!(self, RunState::Succeeded | RunState::NoDataExpected)
    }

    /// Short glyph for grids.
    pub fn glyph(self) -> &'static str {
        match self {
            RunState::Running => "…",
            RunState::Succeeded => "✔",
            RunState::NoDataExpected => "∅",
            RunState::NotYetAvailable => "⏳",
            RunState::FailedTransient => "↻",
            RunState::FailedPermanent => "✘",
            RunState::TimedOut => "⌛",
        }
    }
}

impl FromStr for RunState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            RunState::Running,
            RunState::Succeeded,
            RunState::NoDataExpected,
            RunState::NotYetAvailable,
            RunState::FailedTransient,
            RunState::FailedPermanent,
            RunState::TimedOut,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| format!("unknown run state `{s}`"))
    }
}
