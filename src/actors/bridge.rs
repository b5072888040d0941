//! `Bridge`: one per subscription. Pulls a batch, decodes each envelope, turns it into the typed message of
//! the subscription's route, awaits the handler's outcome, then acks, nacks or dead-letters.
//!
//! Invariants: a message is acked only after its handler reported a durable outcome; the outcome → bus
//! action mapping is total (done/no-data/duplicate → ack; not-ready → nack with delay; transient → nack with
//! backoff, or dead-letter with the error once the subscription's attempts are used; permanent → dead-letter
//! with the reason); an undecodable envelope is dead-lettered with the decoder's reason, never a panic.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures_util::future::join_all;

use crate::backends::{Bus, ReceivedMessage, SubscriptionSpec, TableRef};
use crate::messages::typed::{
    HandleOutcome, Origin, PhaseAnnounced, PhaseComplete, RawFileLanded, RunProcessors, TableReady,
};
use crate::messages::{decode, UnifiedMessage};
use crate::supervisors::{Control, Supervision};
use crate::topology::Topology;

/// Where a route's typed messages go.
#[derive(Clone)]
pub enum RouteTarget {
    RawFile(Recipient<RawFileLanded>),
    TableReady(Recipient<TableReady>),
    Tracker { phase: u8, to: Recipient<PhaseComplete> },
    PhaseTrigger(Recipient<RunProcessors>),
    Monitor(Recipient<PhaseAnnounced>),
}

/// The actor-independent part of a bridge.
pub struct BridgeCore {
    pub bus: Arc<dyn Bus>,
    pub spec: SubscriptionSpec,
    pub target: RouteTarget,
    pub topology: Arc<Topology>,
    pub batch: usize,
    pub wait: Duration,
}

impl BridgeCore {
    /// One pull → handle → settle cycle; returns how many messages were handled.
    pub async fn cycle(&self, sup_metrics: &Arc<crate::supervisors::ActorMetrics>, now: &dyn Fn() -> i64) -> usize {
        let msgs = match self.bus.pull(&self.spec.name, self.batch, self.wait).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(subscription = %self.spec.name, error = %e, "pull failed");
                return 0;
            }
        };
        if msgs.is_empty() {
            return 0;
        }
        let n = msgs.len();
        sup_metrics.sent.fetch_add(n as u64, Relaxed);
        let outcomes = join_all(msgs.iter().map(|m| self.handle(m))).await;
        let mut acks = Vec::new();
        for (m, o) in msgs.iter().zip(outcomes) {
            let mut guard = sup_metrics.enter(now());
            match self.settle(m, o).await {
                Settled::Ack => acks.push(m.ack_id.clone()),
                Settled::Other => {}
                Settled::Failed => guard.fail(),
            }
            let age = (now() - m.publish_time.timestamp_millis()).max(0) as f64 / 1000.0;
            sup_metrics.observe_ack_latency(age);
        }
        if !acks.is_empty() {
            if let Err(e) = self.bus.ack(&self.spec.name, &acks).await {
                tracing::warn!(subscription = %self.spec.name, error = %e, "ack failed, messages will be redelivered");
            }
        }
        n
    }

    async fn handle(&self, m: &ReceivedMessage) -> HandleOutcome {
        let msg = match decode(&m.data) {
            Ok(d) => d.message,
            Err(e) => return HandleOutcome::Permanent { reason: format!("undecodable message: {e}") },
        };
        let origin = Origin::of(&msg, &m.message_id);
        let sent = match &self.target {
            RouteTarget::RawFile(to) => match raw_file(&msg, origin) {
                Ok(Some(r)) => to.send(r).await,
                Ok(None) => return HandleOutcome::NoData,
                Err(reason) => return HandleOutcome::Permanent { reason },
            },
            RouteTarget::TableReady(to) => match table_of(&msg) {
                Some(table) => to.send(TableReady { origin, table, status: msg.status }).await,
                None => return HandleOutcome::Permanent { reason: "completion names no output_table".into() },
            },
            RouteTarget::Tracker { phase, to } => {
                let processor = self.canonical(&msg);
                let record_count = msg.record_count.unwrap_or(0);
                let entities_changed = msg
                    .metadata
                    .get("entities_changed")
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                let output_table = msg.output_table.clone();
                let c = PhaseComplete {
                    origin,
                    phase: *phase,
                    processor,
                    status: msg.status,
                    record_count,
                    output_table,
                    entities_changed,
                };
                to.send(c).await
            }
            RouteTarget::PhaseTrigger(to) => {
                // Our trackers name `processors`; the original orchestrators' triggers `expected_processors`.
                let processors: Vec<String> = ["processors", "expected_processors"]
                    .iter()
                    .find_map(|k| msg.metadata.get(*k))
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                if processors.is_empty() {
                    return HandleOutcome::Permanent {
                        reason: "trigger names no processors (metadata.processors)".into(),
                    };
                }
                let degraded = msg.metadata.get("degraded").and_then(|v| v.as_bool()).unwrap_or(false);
                to.send(RunProcessors { origin, processors, degraded }).await
            }
            RouteTarget::Monitor(to) => {
                to.send(PhaseAnnounced { origin, processor: msg.processor_name.clone(), phase: msg.phase.number() })
                    .await
            }
        };
        sent.unwrap_or_else(|e| HandleOutcome::Transient {
            retry_after: Duration::from_secs(1),
            error: format!("handler unavailable: {e}"),
        })
    }

    /// The canonical processor name of a completion (name, class or output table).
    fn canonical(&self, msg: &UnifiedMessage) -> String {
        if let Some(p) = msg.metadata.get("processor").and_then(|v| v.as_str()) {
            return p.to_string();
        }
        let t = &self.topology;
        t.processors
            .iter()
            .find(|p| p.name == msg.processor_name || p.class == msg.processor_name)
            .or_else(|| {
                let out = table_of(msg)?.to_string();
                t.processors.iter().find(|p| p.output == out)
            })
            .map(|p| p.name.clone())
            .unwrap_or_else(|| msg.processor_name.clone())
    }

    async fn settle(&self, m: &ReceivedMessage, o: HandleOutcome) -> Settled {
        let sub = &self.spec.name;
        let last_attempt = m.delivery_attempt >= self.spec.max_delivery_attempts;
        let r = match o {
            HandleOutcome::Done | HandleOutcome::NoData | HandleOutcome::Duplicate => return Settled::Ack,
            HandleOutcome::NotReady { reason, .. } if last_attempt => {
                self.dead_letter(m, &format!("not ready after {} deliveries: {reason}", m.delivery_attempt)).await
            }
            HandleOutcome::Transient { error, .. } if last_attempt => {
                self.dead_letter(m, &format!("failed after {} deliveries: {error}", m.delivery_attempt)).await
            }
            HandleOutcome::NotReady { retry_after, .. } | HandleOutcome::Transient { retry_after, .. } => {
                self.bus.nack(sub, std::slice::from_ref(&m.ack_id), retry_after).await
            }
            HandleOutcome::Permanent { reason } => self.dead_letter(m, &reason).await,
        };
        match r {
            Ok(()) => Settled::Other,
            Err(e) => {
                tracing::warn!(subscription = %sub, error = %e, "settling a message failed, it will be redelivered");
                Settled::Failed
            }
        }
    }

    async fn dead_letter(&self, m: &ReceivedMessage, reason: &str) -> Result<(), crate::backends::PortError> {
        tracing::warn!(subscription = %self.spec.name, message_id = %m.message_id, %reason, "dead-lettering message");
        self.bus.dead_letter(&self.spec.name, &m.ack_id, reason).await
    }
}

enum Settled {
    Ack,
    Other,
    Failed,
}

fn table_of(msg: &UnifiedMessage) -> Option<TableRef> {
    let t = msg.output_table.as_deref()?;
    if let Some(r) = TableRef::parse(t) {
        return Some(r);
    }
    let ds = msg.output_dataset.clone().unwrap_or_else(|| "nba_raw".into());
    Some(TableRef::new(ds, t))
}

/// A Phase 1 completion as a landed file; `Ok(None)` for a scrape that produced no file.
fn raw_file(msg: &UnifiedMessage, origin: Origin) -> Result<Option<RawFileLanded>, String> {
    let path = msg.metadata.get("gcs_path").and_then(|v| v.as_str()).unwrap_or("");
    if path.is_empty() {
        return if msg.status.counts_as_complete() && msg.status != crate::messages::Status::NoData {
            Err("scraper completion without metadata.gcs_path".into())
        } else {
            Ok(None)
        };
    }
    let rel = match path.strip_prefix("gs://") {
        Some(rest) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
        None => path,
    };
    if rel.is_empty() {
        return Err(format!("gcs_path {path} names no object"));
    }
    let generation = msg.metadata.get("generation").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    Ok(Some(RawFileLanded { origin, path: rel.to_string(), generation, scraper: msg.processor_name.clone() }))
}

/// The bridge actor.
pub struct Bridge {
    core: Arc<BridgeCore>,
    sup: Supervision,
    stopping: bool,
}

#[derive(Message)]
#[rtype(result = "()")]
struct Cycle;

/// Stop pulling (graceful shutdown); in-flight messages finish first.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopPulling;

impl Bridge {
    pub fn new(core: BridgeCore, sup: Supervision) -> Self {
        Bridge { core: Arc::new(core), sup, stopping: false }
    }
}

impl Actor for Bridge {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        self.sup.on_started(ctx);
        ctx.notify(Cycle);
    }
}

impl Supervised for Bridge {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.sup.on_restarting();
    }
}

impl Handler<Cycle> for Bridge {
    type Result = ();
    fn handle(&mut self, _: Cycle, ctx: &mut Self::Context) {
        if self.stopping {
            return;
        }
        let core = self.core.clone();
        let metrics = self.sup.metrics.clone();
        let clock = self.sup.clock().clone();
        let fut = async move { core.cycle(&metrics, &|| clock.now_ms()).await };
        ctx.wait(fut.into_actor(self).map(|_, act, ctx| {
            act.sup.metrics.progress(act.sup.clock().now_ms());
            if !act.stopping {
                ctx.notify(Cycle);
            }
        }));
    }
}

impl Handler<StopPulling> for Bridge {
    type Result = ();
    fn handle(&mut self, _: StopPulling, _: &mut Self::Context) {
        self.stopping = true;
    }
}

impl Handler<Control> for Bridge {
    type Result = ();
    fn handle(&mut self, _: Control, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
