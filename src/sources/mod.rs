//! Phase 1: sources land raw objects and announce them. Every source (HTTP scrapers, the replay of recorded
//! data, the season simulator) goes through [`Announcer::land`], so the Phase 1 contract is one piece of
//! code: write the object to the `Landing` port, then publish the unified Phase 1 message whose
//! `execution_id` is the scraper run and becomes the `correlation_id` of everything downstream.
//!
//! Invariant: the message is published only after the object is durably landed, and carries the landed
//! generation, so Phase 2 dedups on the object (path + generation), not on the date.

pub mod csv;
pub mod formats;
pub mod replay;
pub mod simulator;

use std::sync::Arc;

use serde_json::json;

use crate::backends::{Bus, Clock, Landing, OutboundMessage, PortError};
use crate::domain::{Phase, RunMode, SlateDate};
use crate::ledger::new_run_id;
use crate::messages::{Status, UnifiedMessage};

/// The Phase 1 completion topic.
pub const PHASE1_TOPIC: &str = "nba-phase1-scrapers-complete";

/// How a batch of landings is run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LandMode {
    pub mode: RunMode,
    /// Backfill: the last phase to trigger (`--through-phase`).
    pub through_phase: Option<u8>,
    pub backfill_reason: Option<String>,
    /// Re-run even what already succeeded.
    pub force: bool,
    /// Correlation id to reuse (a scraper workflow landing several files); default: the execution id.
    pub correlation_id: Option<String>,
}

/// Lands objects and announces them on the Phase 1 topic.
#[derive(Clone)]
pub struct Announcer {
    pub landing: Arc<dyn Landing>,
    pub bus: Arc<dyn Bus>,
    pub clock: Arc<dyn Clock>,
}

impl Announcer {
    pub fn new(landing: Arc<dyn Landing>, bus: Arc<dyn Bus>, clock: Arc<dyn Clock>) -> Self {
        Announcer { landing, bus, clock }
    }

    /// Land `data` at `path` for `date` and publish the Phase 1 message; returns it.
    pub async fn land(
        &self,
        scraper: &str,
        path: &str,
        data: &[u8],
        date: SlateDate,
        how: &LandMode,
    ) -> Result<UnifiedMessage, PortError> {
        // Re-landing identical bytes keeps the generation, so a resumed backfill is a no-op downstream.
        let generation = match self.landing.get(path).await {
            Ok(o) if o.data == data => o.generation,
            _ => self.landing.put(path, data).await?,
        };
        let execution_id = new_run_id(scraper, self.clock.as_ref());
        let correlation = how.correlation_id.clone().unwrap_or_else(|| execution_id.clone());
        let mut m = UnifiedMessage::new(
            scraper,
            Phase::Scrapers,
            execution_id,
            correlation,
            date,
            Status::Success,
            self.clock.now(),
        );
        m.output_table = Some(scraper.replace('_', ""));
        m.record_count = Some(1);
        m.trigger_source = Some("scheduler".into());
        m.metadata.insert("gcs_path".into(), json!(format!("gs://{}/{}", self.landing.bucket(), path)));
        m.metadata.insert("generation".into(), json!(generation));
        m.metadata.insert("scraper_type".into(), json!(scraper));
        if how.mode == RunMode::Backfill {
            m.backfill_mode = true;
            m.skip_downstream_trigger = how.through_phase.is_none_or(|p| p < 3);
            m.backfill_reason = how.backfill_reason.clone();
        }
        if let Some(p) = how.through_phase {
            m.metadata.insert("through_phase".into(), json!(p));
        }
        if how.mode == RunMode::SameDay {
            m.metadata.insert("run_mode".into(), json!("same_day"));
        }
        if how.force {
            m.metadata.insert("force".into(), json!(true));
        }
        self.bus.publish(PHASE1_TOPIC, vec![OutboundMessage::new(m.to_bytes()).with_attr("scraper", scraper)]).await?;
        Ok(m)
    }
}

/// One object a source lands for a date.
#[derive(Debug, Clone, PartialEq)]
pub struct LandItem {
    pub scraper: String,
    pub path: String,
    pub data: Vec<u8>,
}

/// Errors of the source layer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("source data unreadable: {0}")]
    Io(String),
    #[error("source data malformed: {0}")]
    Malformed(String),
    #[error("not published yet: {0}")]
    NotPublishedYet(String),
}

/// A Phase 1 source: what it would land for a slate date.
pub trait Source: Send + Sync {
    fn name(&self) -> &str;
    /// The objects for `date` (empty on a day without games).
    fn items(&self, date: SlateDate) -> Result<Vec<LandItem>, SourceError>;
    /// The dates it has data for, if bounded.
    fn span(&self) -> Option<(SlateDate, SlateDate)>;
    /// Objects to land once before a run over `from..=to` (a season schedule), each with its message date.
    fn prelude(&self, _from: SlateDate, _to: SlateDate) -> Result<Vec<(SlateDate, LandItem)>, SourceError> {
        Ok(Vec::new())
    }
}

/// The Phase 1 source for a run: the replay of a real-data directory, or the built-in season simulator.
pub fn open_source(data: Option<&std::path::Path>) -> Result<Box<dyn Source>, SourceError> {
    match data {
        Some(dir) => Ok(Box::new(replay::ReplaySource::open(dir)?)),
        None => Ok(Box::new(simulator::Simulator::new(simulator::SimConfig::default()))),
    }
}
