//! Serde model of `config/pipeline.toml`. See `config/pipeline.toml` for a commented example of every key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole topology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub pipeline: PipelineMeta,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default, rename = "topic")]
    pub topics: Vec<TopicDecl>,
    #[serde(default, rename = "subscription")]
    pub subscriptions: Vec<SubscriptionDecl>,
    #[serde(default, rename = "processor")]
    pub processors: Vec<ProcessorDecl>,
    #[serde(default, rename = "tracker")]
    pub trackers: Vec<TrackerDecl>,
    #[serde(default)]
    pub alerts: AlertThresholds,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineMeta {
    pub name: String,
    pub version: u32,
}

/// Defaults applied where a processor or subscription does not say otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Defaults {
    /// Subscription ack deadline; must be at least every consuming processor's lease.
    pub ack_deadline_s: u64,
    /// Bus-level delivery attempts before a message is dead-lettered.
    pub max_delivery_attempts: u32,
    /// Run lease; renewed by heartbeat every `heartbeat_s`.
    pub lease_s: u64,
    pub heartbeat_s: u64,
    /// Run attempts per (processor, date, scope) before `failed_permanent`.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `retry_max_s`.
    pub retry_base_s: u64,
    pub retry_max_s: u64,
    /// Actors per processor kind.
    pub pool_size: usize,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            ack_deadline_s: 600,
            max_delivery_attempts: 5,
            lease_s: 300,
            heartbeat_s: 30,
            max_attempts: 3,
            retry_base_s: 10,
            retry_max_s: 600,
            pool_size: 1,
        }
    }
}

/// A topic. `dlq = true` declares its `<name>-dlq` twin as well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDecl {
    pub name: String,
    #[serde(default = "yes")]
    pub dlq: bool,
    #[serde(default)]
    pub description: String,
}

fn yes() -> bool {
    true
}

/// What a bridge does with messages from a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Phase 1 completion → `RawFileLanded` → the raw processor whose `path_prefix` matches.
    RawFile,
    /// Phase 2 completion → `TableReady` → every Phase 3 processor with the table in `triggers_on`.
    TableReady,
    /// Completion of a tracked phase → `PhaseComplete` → the per-date `CompletionTracker`.
    Tracker,
    /// A tracker's trigger → `RunProcessors` for the processors it names.
    PhaseTrigger,
    /// Phase 5 start → the prediction coordinator.
    PredictionsTrigger,
    /// Coordinator → worker fan-out.
    PredictionRequest,
    /// Worker → coordinator fan-in.
    PredictionReady,
    /// Phase announcements kept for `trace`, `status` and latency metrics only.
    Monitor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionDecl {
    pub name: String,
    pub topic: String,
    pub route: Route,
    /// For `route = "tracker"`: which tracker (by phase number) receives the completions.
    #[serde(default)]
    pub tracker_phase: Option<u8>,
    #[serde(default)]
    pub ack_deadline_s: Option<u64>,
    #[serde(default)]
    pub max_delivery_attempts: Option<u32>,
    #[serde(default)]
    pub ordering: bool,
    /// Messages pulled per batch (flow control).
    #[serde(default)]
    pub max_outstanding: Option<usize>,
}

/// How a dependency is checked against the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyCheck {
    /// Rows on the run's date.
    DateMatch,
    /// Rows in the `window_days` before the run's date (date excluded).
    Lookback,
    /// Any rows at all.
    Exists,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// `dataset.table`.
    pub table: String,
    pub check: DependencyCheck,
    #[serde(default)]
    pub window_days: Option<u32>,
    #[serde(default = "one")]
    pub min_rows: u64,
    /// A missing critical dependency makes the run `not_yet_available`; a missing optional one is recorded.
    #[serde(default = "yes")]
    pub critical: bool,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessorDecl {
    /// Canonical id (snake_case), the key used in trackers, the ledger and the status grid.
    pub name: String,
    /// The original system's class name (`processor_name` on the wire).
    pub class: String,
    pub phase: u8,
    /// Primary output `dataset.table`.
    pub output: String,
    /// Additional outputs (`dataset.table`).
    #[serde(default)]
    pub extra_outputs: Vec<String>,
    /// Phase 2: landing path prefix routed to this processor (longest prefix wins).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// Tables read and how readiness is checked.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// Phase 3: Phase 2 tables whose completion triggers this processor.
    #[serde(default)]
    pub triggers_on: Vec<String>,
    /// Phase 4: the cascade level (1, 2, 3).
    #[serde(default)]
    pub level: Option<u8>,
    /// Topic its completion is published to.
    pub publishes: String,
    #[serde(default)]
    pub pool_size: Option<usize>,
    #[serde(default)]
    pub lease_s: Option<u64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub description: String,
}

/// One completion barrier per (phase, date); stages fire in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerDecl {
    pub phase: u8,
    /// State collection, e.g. `phase3_completion`; documents are keyed by date.
    pub collection: String,
    #[serde(rename = "stage")]
    pub stages: Vec<StageDecl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDecl {
    pub name: String,
    pub required: Vec<String>,
    #[serde(default)]
    pub optional: Vec<String>,
    /// Minutes after the first completion of the date at which the stage fires `degraded`.
    pub deadline_minutes: u64,
    /// Topics the trigger is published to.
    pub fires_topics: Vec<String>,
    /// Processors the trigger starts (empty for a phase-complete announcement).
    #[serde(default)]
    pub fires_processors: Vec<String>,
    /// Per-mode overrides (`daily`, `same_day`, `backfill`).
    #[serde(default)]
    pub modes: BTreeMap<String, ModeQuorum>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeQuorum {
    #[serde(default)]
    pub required: Option<Vec<String>>,
    #[serde(default)]
    pub optional: Option<Vec<String>>,
    #[serde(default)]
    pub deadline_minutes: Option<u64>,
}

/// Alert thresholds (DESIGN §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertThresholds {
    pub predictions_coverage_critical_pct: f64,
    pub predictions_coverage_warning_pct: f64,
    pub phase_failure_critical_pct: f64,
    pub phase_failure_warning_pct: f64,
    pub latency_critical_minutes: u64,
    pub latency_warning_minutes: u64,
    pub webhook_url: Option<String>,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        AlertThresholds {
            predictions_coverage_critical_pct: 90.0,
            predictions_coverage_warning_pct: 95.0,
            phase_failure_critical_pct: 100.0,
            phase_failure_warning_pct: 10.0,
            latency_critical_minutes: 120,
            latency_warning_minutes: 60,
            webhook_url: None,
        }
    }
}

impl Topology {
    pub fn processor(&self, name: &str) -> Option<&ProcessorDecl> {
        self.processors.iter().find(|p| p.name == name)
    }

    pub fn tracker(&self, phase: u8) -> Option<&TrackerDecl> {
        self.trackers.iter().find(|t| t.phase == phase)
    }

    pub fn processors_in_phase(&self, phase: u8) -> impl Iterator<Item = &ProcessorDecl> {
        self.processors.iter().filter(move |p| p.phase == phase)
    }

    /// Every topic name including the `-dlq` twins.
    pub fn all_topic_names(&self) -> Vec<String> {
        let mut v = Vec::new();
        for t in &self.topics {
            v.push(t.name.clone());
            if t.dlq {
                v.push(format!("{}-dlq", t.name));
            }
        }
        v
    }

    pub fn lease_s(&self, p: &ProcessorDecl) -> u64 {
        p.lease_s.unwrap_or(self.defaults.lease_s)
    }

    pub fn pool_size(&self, p: &ProcessorDecl) -> usize {
        p.pool_size.unwrap_or(self.defaults.pool_size).max(1)
    }

    pub fn max_attempts(&self, p: &ProcessorDecl) -> u32 {
        p.max_attempts.unwrap_or(self.defaults.max_attempts).max(1)
    }
}
