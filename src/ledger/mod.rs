//! The run ledger: claims with leases and heartbeats in the `StateStore` (collection `run_claims`, one
//! document per run key), projected into `nba_reference.processor_run_history` (one row per run).
//!
//! Invariants (production lessons R1/R2):
//! - the claim document is the single authority on whether a (processor, date, scope) may run; every claim,
//!   heartbeat and completion is one atomic read-modify-write of it;
//! - a terminal state is never overwritten; a completion from a run that lost its lease is refused (`Stale`)
//!   and must not publish;
//! - the completion message is stored with the terminal state (outbox) and only marked published after the
//!   bus acknowledged it, so a crash between the two republishes instead of losing the message.

pub mod claim;
pub mod history;

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rand::Rng;
use serde_json::Value;

pub use claim::{ClaimDoc, ClaimRequest, OutboxEntry, Refusal};
pub use history::RunContext;

use crate::backends::{Bus, Clock, OutboundMessage, PortError, StateStore, Warehouse};
use crate::domain::{Phase, RunKey, RunOutcome};

pub const CLAIMS: &str = "run_claims";

/// A granted run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTicket {
    pub key: RunKey,
    pub run_id: String,
    pub attempt: u32,
    pub lease: Duration,
}

/// The result of closing a run.
#[derive(Debug, Clone, PartialEq)]
pub enum CloseResult {
    Closed(Box<ClaimDoc>),
    /// The run no longer held the key (it timed out and was taken over); nothing was written.
    Stale,
}

/// The run ledger over the state store and the warehouse.
#[derive(Clone)]
pub struct Ledger {
    state: Arc<dyn StateStore>,
    warehouse: Arc<dyn Warehouse>,
    clock: Arc<dyn Clock>,
}

/// A fresh run id: `{processor}_{YYYYMMDD_HHMMSS}_{8 hex}` (the original's format).
pub fn new_run_id(processor: &str, clock: &dyn Clock) -> String {
    let n: u32 = rand::thread_rng().gen();
    format!("{}_{}_{:08x}", processor, clock.now().format("%Y%m%d_%H%M%S"), n)
}

impl Ledger {
    pub fn new(state: Arc<dyn StateStore>, warehouse: Arc<dyn Warehouse>, clock: Arc<dyn Clock>) -> Self {
        Ledger { state, warehouse, clock }
    }

    pub async fn ensure_schema(&self) -> Result<(), PortError> {
        self.warehouse.ensure_table(&history::schema()).await
    }

    /// Try to start a run of `key`.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim(
        &self,
        key: &RunKey,
        phase: Phase,
        lease: Duration,
        max_attempts: u32,
        force: bool,
        correlation_id: &str,
        ctx: &RunContext,
    ) -> Result<Result<RunTicket, Refusal>, PortError> {
        let run_id = new_run_id(&key.processor, self.clock.as_ref());
        let date = key.date.to_string();
        let now_ms = self.clock.now_ms();
        let decision = Mutex::new(None);
        let req = ClaimRequest {
            processor: &key.processor,
            date: &date,
            scope: &key.scope,
            phase: phase.as_str(),
            run_id: &run_id,
            now_ms,
            lease_ms: lease.as_millis() as i64,
            max_attempts,
            force,
            correlation_id,
            context: ctx,
        };
        let f = |cur: Option<&Value>| {
            let cur: Option<ClaimDoc> = cur.and_then(|v| serde_json::from_value(v.clone()).ok());
            let d = claim::decide_claim(cur.as_ref(), &req);
            let write = d.write.clone().and_then(|w| serde_json::to_value(w).ok());
            *decision.lock() = Some(d);
            write
        };
        self.state.update(CLAIMS, &key.doc_id(), &f).await?;
        let Some(d) = decision.into_inner() else {
            return Err(PortError::Storage("claim decision missing".into()));
        };
        if let Some(old) = &d.timed_out {
            tracing::warn!(key = %key, run_id = %old.run_id, "run lease expired, recorded timed_out");
            self.record(old).await?;
        }
        match (d.result, d.write) {
            (Ok(()), Some(doc)) => {
                self.record(&doc).await?;
                Ok(Ok(RunTicket { key: key.clone(), run_id, attempt: doc.runs, lease }))
            }
            (Err(r), _) => Ok(Err(r)),
            (Ok(()), None) => Err(PortError::Storage("claim started without a document".into())),
        }
    }

    /// Extend the lease of a live run; `false` if the run lost its lease.
    pub async fn heartbeat(&self, t: &RunTicket, progress: Option<&str>) -> Result<bool, PortError> {
        let now_ms = self.clock.now_ms();
        let lease_ms = t.lease.as_millis() as i64;
        let ok = Mutex::new(false);
        let f = |cur: Option<&Value>| {
            let cur: ClaimDoc = cur.and_then(|v| serde_json::from_value(v.clone()).ok())?;
            let next = claim::apply_heartbeat(&cur, &t.run_id, now_ms, lease_ms, progress)?;
            *ok.lock() = true;
            serde_json::to_value(next).ok()
        };
        self.state.update(CLAIMS, &t.key.doc_id(), &f).await?;
        Ok(ok.into_inner())
    }

    /// Close a run with its outcome and (optionally) the completion message to publish.
    pub async fn close(
        &self,
        t: &RunTicket,
        outcome: &RunOutcome,
        outbox: Option<OutboxEntry>,
    ) -> Result<CloseResult, PortError> {
        let now_ms = self.clock.now_ms();
        let closed = Mutex::new(None);
        let f = |cur: Option<&Value>| {
            let cur: ClaimDoc = cur.and_then(|v| serde_json::from_value(v.clone()).ok())?;
            let next = claim::apply_complete(&cur, &t.run_id, outcome, now_ms, outbox.clone())?;
            *closed.lock() = Some(next.clone());
            serde_json::to_value(next).ok()
        };
        self.state.update(CLAIMS, &t.key.doc_id(), &f).await?;
        match closed.into_inner() {
            Some(doc) => {
                self.record(&doc).await?;
                Ok(CloseResult::Closed(Box::new(doc)))
            }
            None => Ok(CloseResult::Stale),
        }
    }

    /// Publish a closed run's outbox entry, then mark it published. Safe to call again after a crash.
    pub async fn flush_outbox(&self, key_doc_id: &str, bus: &dyn Bus) -> Result<bool, PortError> {
        let Some(v) = self.state.get(CLAIMS, key_doc_id).await? else {
            return Ok(false);
        };
        let doc: ClaimDoc = serde_json::from_value(v)?;
        let Some(entry) = doc.outbox.clone().filter(|_| doc.outbox_pending) else {
            return Ok(false);
        };
        let mut msg = OutboundMessage::new(serde_json::to_vec(&entry.data)?);
        if let Some(k) = &entry.ordering_key {
            msg = msg.with_ordering_key(k.clone());
        }
        bus.publish(&entry.topic, vec![msg]).await?;
        let run_id = doc.run_id.clone();
        let f = |cur: Option<&Value>| {
            let mut d: ClaimDoc = cur.and_then(|v| serde_json::from_value(v.clone()).ok())?;
            if d.run_id != run_id || !d.outbox_pending {
                return None;
            }
            d.outbox_pending = false;
            serde_json::to_value(d).ok()
        };
        self.state.update(CLAIMS, key_doc_id, &f).await?;
        Ok(true)
    }

    /// Claim documents with an unpublished outbox entry.
    pub async fn pending_outbox(&self) -> Result<Vec<String>, PortError> {
        Ok(self
            .state
            .find_eq(CLAIMS, "outbox_pending", &Value::Bool(true))
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// The current claim document of a key.
    pub async fn get(&self, key: &RunKey) -> Result<Option<ClaimDoc>, PortError> {
        Ok(self.state.get(CLAIMS, &key.doc_id()).await?.and_then(|v| serde_json::from_value(v).ok()))
    }

    async fn record(&self, doc: &ClaimDoc) -> Result<(), PortError> {
        self.warehouse.upsert(&history::table_ref(), vec![history::row_of(doc)]).await.map(|_| ())
    }
}
