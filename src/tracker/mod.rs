//! Completion trackers: the per-(phase, date) barrier between phases, as plain logic over the `StateStore`.
//! The `CompletionTracker` actor (one per phase and date) is the only caller for its date, which serialises
//! every update of the document `phase{N}_completion/{date}`.
//!
//! Invariants (production lessons F-06, F-08, F-11):
//! - the set of completed processors is the state; counts are derived from it; a redelivered completion is a
//!   no-op;
//! - a stage fires exactly once per date: firing is guarded by a create-if-absent marker
//!   `phase{N}_triggers/{date}__{stage}`, so a second tracker instance or a redelivery cannot fire it again;
//! - the trigger is recorded as published only after the bus acknowledged it; an unpublished marker is
//!   republished on recovery (same deterministic trigger id, so downstream dedup absorbs a repeat);
//! - in backfill mode the quorum is recorded but nothing fires beyond `--through-phase`.

pub mod quorum;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use quorum::{Due, Entry, StageState, TrackerDoc};

use std::collections::BTreeMap;

use crate::backends::{Clock, PortError, StateStore};
use crate::domain::{RunMode, SlateDate};
use crate::messages::Status;
use crate::topology::{Topology, TrackerDecl};

/// A processor completion as the tracker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub processor: String,
    pub date: SlateDate,
    pub status: Status,
    pub execution_id: String,
    pub correlation_id: String,
    pub record_count: i64,
    pub mode: RunMode,
    pub through_phase: Option<u8>,
    /// The table the run wrote; its entity kind buckets `entities_changed`.
    pub output_table: Option<String>,
    pub entities_changed: Vec<String>,
}

/// A trigger to publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fire {
    pub trigger_id: String,
    pub phase: u8,
    pub stage: String,
    pub date: SlateDate,
    pub degraded: bool,
    pub missing: Vec<String>,
    pub completed: Vec<String>,
    pub topics: Vec<String>,
    pub processors: Vec<String>,
    pub correlation_id: String,
    pub mode: RunMode,
    pub through_phase: Option<u8>,
    pub fired_at_ms: i64,
    #[serde(default)]
    pub published: bool,
    /// The entities the completed processors touched, bucketed by their tables' kind (`players`, `teams`).
    #[serde(default)]
    pub entities_changed: BTreeMap<String, Vec<String>>,
}

/// The tracker logic for one phase.
#[derive(Clone)]
pub struct TrackerCore {
    decl: TrackerDecl,
    /// Phase each stage starts (the phase of its `fires_processors`, else the next phase).
    targets: Vec<u8>,
    state: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
}

impl TrackerCore {
    pub fn new(topology: &Topology, decl: TrackerDecl, state: Arc<dyn StateStore>, clock: Arc<dyn Clock>) -> Self {
        let targets = decl
            .stages
            .iter()
            .map(|s| {
                s.fires_processors
                    .iter()
                    .filter_map(|p| topology.processor(p).map(|p| p.phase))
                    .max()
                    .unwrap_or(decl.phase + 1)
            })
            .collect();
        TrackerCore { decl, targets, state, clock }
    }

    pub fn phase(&self) -> u8 {
        self.decl.phase
    }

    pub fn decl(&self) -> &TrackerDecl {
        &self.decl
    }

    fn markers(&self) -> String {
        format!("{}_triggers", self.decl.collection.trim_end_matches("_completion"))
    }

    fn marker_id(date: SlateDate, stage: &str) -> String {
        format!("{date}__{stage}")
    }

    pub async fn doc(&self, date: SlateDate) -> Result<Option<TrackerDoc>, PortError> {
        Ok(self.state.get(&self.decl.collection, &date.to_string()).await?.and_then(|v| serde_json::from_value(v).ok()))
    }

    /// Record one completion; returns the triggers that must be published now.
    pub async fn record(&self, c: &Completion) -> Result<Vec<Fire>, PortError> {
        let now = self.clock.now_ms();
        let date = c.date.to_string();
        let f = |cur: Option<&Value>| {
            let mut d: TrackerDoc = cur.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
            let entry = Entry {
                status: c.status.as_str().to_string(),
                execution_id: c.execution_id.clone(),
                correlation_id: c.correlation_id.clone(),
                record_count: c.record_count,
                completed_at_ms: now,
                entity_kind: c
                    .output_table
                    .as_deref()
                    .and_then(crate::domain::entities::entity_kind)
                    .map(|k| k.bucket().to_string()),
                entities_changed: c.entities_changed.clone(),
            };
            let fresh_doc = d.date.is_empty();
            if fresh_doc {
                d.date = date.clone();
                d.mode = c.mode;
                d.through_phase = c.through_phase;
                d.correlation_id = c.correlation_id.clone();
            }
            let mut changed = fresh_doc;
            // A live completion upgrades a backfill document to the live mode; never the reverse.
            if d.mode == RunMode::Backfill && c.mode != RunMode::Backfill {
                d.mode = c.mode;
                changed = true;
            }
            if c.through_phase > d.through_phase {
                d.through_phase = c.through_phase;
                changed = true;
            }
            if c.status.counts_as_complete() {
                if !d.processors.contains_key(&c.processor) {
                    d.processors.insert(c.processor.clone(), entry);
                    d.failures.remove(&c.processor);
                    d.first_completion_ms.get_or_insert(now);
                    changed = true;
                }
            } else if !d.processors.contains_key(&c.processor) && !d.failures.contains_key(&c.processor) {
                d.failures.insert(c.processor.clone(), entry);
                d.first_completion_ms.get_or_insert(now);
                changed = true;
            }
            if changed {
                serde_json::to_value(&d).ok()
            } else {
                None
            }
        };
        self.state.update(&self.decl.collection, &date, &f).await?;
        self.settle(c.date).await
    }

    /// Re-evaluate a date (deadline timer, recovery after restart): fires what is due and returns triggers
    /// that are fired but not yet published.
    pub async fn settle(&self, date: SlateDate) -> Result<Vec<Fire>, PortError> {
        let Some(doc) = self.doc(date).await? else {
            return Ok(Vec::new());
        };
        let now = self.clock.now_ms();
        let targets = self.targets.clone();
        let due = quorum::due_stages(&self.decl.stages, &doc, now, &|i| targets[i]);
        let mut out = Vec::new();
        for d in due {
            let stage_idx = self.decl.stages.iter().position(|s| s.name == d.stage).unwrap_or(0);
            if !d.publish {
                self.mark_stage(date, &d.stage, |s| s.suppressed = true).await?;
                continue;
            }
            let st = &self.decl.stages[stage_idx];
            let fire = Fire {
                trigger_id: format!("{}:{}:{}", self.decl.collection, date, d.stage),
                phase: self.decl.phase,
                stage: d.stage.clone(),
                date,
                degraded: d.degraded,
                missing: d.missing.clone(),
                completed: doc.processors.keys().cloned().collect(),
                topics: st.fires_topics.clone(),
                processors: st.fires_processors.clone(),
                correlation_id: doc.correlation_id.clone(),
                mode: doc.mode,
                through_phase: doc.through_phase,
                fired_at_ms: now,
                published: false,
                entities_changed: merge_entities(&doc),
            };
            let marker = serde_json::to_value(&fire)?;
            let created = self.state.create(&self.markers(), &Self::marker_id(date, &d.stage), &marker).await?;
            if created {
                if fire.degraded {
                    tracing::warn!(phase = self.decl.phase, %date, stage = %d.stage, missing = ?d.missing, "stage fired degraded at its deadline");
                } else {
                    tracing::info!(phase = self.decl.phase, %date, stage = %d.stage, "stage quorum reached, firing");
                }
            }
            // Whoever created the marker, the document reflects it now.
            let existing = self.marker(date, &d.stage).await?.unwrap_or(fire);
            let (at, degraded, missing, id) =
                (existing.fired_at_ms, existing.degraded, existing.missing.clone(), existing.trigger_id.clone());
            self.mark_stage(date, &d.stage, move |s| {
                s.fired_at_ms = Some(at);
                s.degraded = degraded;
                s.missing = missing.clone();
                s.trigger_id = Some(id.clone());
            })
            .await?;
            if !existing.published {
                out.push(existing);
            }
        }
        // Markers fired earlier but never published (a crash between marker and publish).
        for st in &self.decl.stages {
            if out.iter().any(|f| f.stage == st.name) {
                continue;
            }
            if let Some(m) = self.marker(date, &st.name).await? {
                if !m.published {
                    out.push(m);
                }
            }
        }
        Ok(out)
    }

    /// Record that a trigger reached the bus.
    pub async fn mark_published(&self, fire: &Fire) -> Result<(), PortError> {
        let f = |cur: Option<&Value>| {
            let mut m: Fire = cur.and_then(|v| serde_json::from_value(v.clone()).ok())?;
            if m.published {
                return None;
            }
            m.published = true;
            serde_json::to_value(m).ok()
        };
        self.state.update(&self.markers(), &Self::marker_id(fire.date, &fire.stage), &f).await?;
        self.mark_stage(fire.date, &fire.stage, |s| s.published = true).await
    }

    async fn marker(&self, date: SlateDate, stage: &str) -> Result<Option<Fire>, PortError> {
        Ok(self
            .state
            .get(&self.markers(), &Self::marker_id(date, stage))
            .await?
            .and_then(|v| serde_json::from_value(v).ok()))
    }

    /// The next deadline of an unsettled stage of `date`, in ms.
    pub async fn next_deadline_ms(&self, date: SlateDate) -> Result<Option<i64>, PortError> {
        let Some(doc) = self.doc(date).await? else {
            return Ok(None);
        };
        for (i, st) in self.decl.stages.iter().enumerate() {
            if doc.stages.get(&st.name).is_some_and(StageState::settled) {
                continue;
            }
            return Ok(quorum::deadline_ms(&self.decl.stages, i, &doc));
        }
        Ok(None)
    }

    async fn mark_stage(
        &self,
        date: SlateDate,
        stage: &str,
        g: impl Fn(&mut StageState) + Send + Sync,
    ) -> Result<(), PortError> {
        let f = |cur: Option<&Value>| {
            let mut d: TrackerDoc = cur.and_then(|v| serde_json::from_value(v.clone()).ok())?;
            let s = d.stages.entry(stage.to_string()).or_default();
            let before = s.clone();
            g(s);
            if *s == before {
                return None;
            }
            serde_json::to_value(d).ok()
        };
        self.state.update(&self.decl.collection, &date.to_string(), &f).await?;
        Ok(())
    }
}

/// `entities_changed` of every completed processor, bucketed by the entity kind of its table.
fn merge_entities(doc: &TrackerDoc) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for e in doc.processors.values() {
        if let Some(kind) = &e.entity_kind {
            out.entry(kind.clone()).or_default().extend(e.entities_changed.iter().cloned());
        }
    }
    out.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect()
}

impl Fire {
    /// The trigger as a unified message (one contract for every trigger: date + processors to run).
    pub fn to_message(&self, now: chrono::DateTime<chrono::Utc>) -> crate::messages::UnifiedMessage {
        use crate::domain::Phase;
        let status = if self.degraded { Status::Partial } else { Status::Success };
        let mut m = crate::messages::UnifiedMessage::new(
            format!("phase{}_tracker", self.phase),
            Phase::from_number(self.phase).unwrap_or(Phase::Analytics),
            self.trigger_id.clone(),
            self.correlation_id.clone(),
            self.date,
            status,
            now,
        );
        m.trigger_source = Some("orchestrator".into());
        m.backfill_mode = self.mode == RunMode::Backfill;
        let md = &mut m.metadata;
        md.insert("trigger_id".into(), Value::from(self.trigger_id.clone()));
        md.insert("stage".into(), Value::from(self.stage.clone()));
        md.insert("processors".into(), Value::from(self.processors.clone()));
        md.insert("completed".into(), Value::from(self.completed.clone()));
        md.insert("degraded".into(), Value::from(self.degraded));
        if !self.missing.is_empty() {
            md.insert("missing".into(), Value::from(self.missing.clone()));
        }
        if let Some(p) = self.through_phase {
            md.insert("through_phase".into(), Value::from(p));
        }
        if !self.entities_changed.is_empty() {
            md.insert("entities_changed".into(), serde_json::json!(self.entities_changed));
            md.insert("is_incremental".into(), Value::from(false));
        }
        if self.mode == RunMode::SameDay {
            md.insert("run_mode".into(), Value::from("same_day"));
        }
        m
    }
}

/// Publish a fired trigger to every topic it names, then record it published.
pub async fn publish_fire(core: &TrackerCore, bus: &dyn crate::backends::Bus, fire: &Fire) -> Result<(), PortError> {
    let msg = fire.to_message(core.clock.now());
    let data = msg.to_bytes();
    for topic in &fire.topics {
        let out = crate::backends::OutboundMessage::new(data.clone()).with_attr("trigger_id", fire.trigger_id.clone());
        bus.publish(topic, vec![out]).await?;
    }
    core.mark_published(fire).await
}
