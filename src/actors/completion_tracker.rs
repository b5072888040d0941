//! `CompletionTracker`: one actor per (phase, date), the only writer of `phase{N}_completion/{date}`.
//! Updates are serialised through the mailbox (`AtomicResponse`), which is what makes 50 completions take
//! milliseconds instead of contended transactions.
//!
//! Invariants: fires are published and marked published before the completion is acked; a publish failure
//! is a transient outcome (the redelivery finds the unpublished marker and publishes it again); a deadline
//! timer re-evaluates the date so a stage never waits unbounded; on (re)start the tracker settles its date,
//! recovering any trigger a crash left unpublished.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::backends::Bus;
use crate::domain::SlateDate;
use crate::messages::typed::{HandleOutcome, PhaseComplete};
use crate::supervisors::{Control, Supervision};
use crate::tracker::{publish_fire, Completion, TrackerCore};

pub struct CompletionTracker {
    core: TrackerCore,
    bus: Arc<dyn Bus>,
    date: SlateDate,
    sup: Supervision,
    armed_ms: Option<i64>,
}

/// Re-evaluate the date (deadline reached, recovery).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Settle;

impl CompletionTracker {
    pub fn new(core: TrackerCore, bus: Arc<dyn Bus>, date: SlateDate, sup: Supervision) -> Self {
        CompletionTracker { core, bus, date, sup, armed_ms: None }
    }

    fn arm(&mut self, ctx: &mut Context<Self>) {
        let core = self.core.clone();
        let date = self.date;
        let clock = self.sup.clock().clone();
        let armed = self.armed_ms;
        let fut = async move { core.next_deadline_ms(date).await.ok().flatten() };
        ctx.spawn(fut.into_actor(self).map(move |deadline, act, ctx| {
            let Some(at) = deadline else { return };
            if armed == Some(at) {
                return;
            }
            act.armed_ms = Some(at);
            let wait = Duration::from_millis((at - clock.now_ms()).max(0) as u64);
            let addr = ctx.address();
            let clock = clock.clone();
            actix::spawn(async move {
                clock.sleep(wait).await;
                addr.do_send(Settle);
            });
        }));
    }
}

async fn publish_all(core: &TrackerCore, bus: &dyn Bus, fires: Vec<crate::tracker::Fire>) -> Result<(), String> {
    for f in fires {
        publish_fire(core, bus, &f).await.map_err(|e| format!("publishing trigger {}: {e}", f.trigger_id))?;
        tracing::info!(trigger_id = %f.trigger_id, degraded = f.degraded, processors = ?f.processors, "trigger published");
    }
    Ok(())
}

impl Actor for CompletionTracker {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        self.sup.on_started(ctx);
        ctx.notify(Settle);
    }
}

impl Supervised for CompletionTracker {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.sup.on_restarting();
        self.armed_ms = None;
    }
}

impl Handler<Control> for CompletionTracker {
    type Result = ();
    fn handle(&mut self, _: Control, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

impl Handler<PhaseComplete> for CompletionTracker {
    type Result = AtomicResponse<Self, HandleOutcome>;
    fn handle(&mut self, msg: PhaseComplete, _: &mut Self::Context) -> Self::Result {
        let core = self.core.clone();
        let bus = self.bus.clone();
        let metrics = self.sup.metrics.clone();
        let now = self.sup.clock().now_ms();
        let c = Completion {
            processor: msg.processor,
            date: msg.origin.date,
            status: msg.status,
            execution_id: msg.origin.parent_execution_id.clone(),
            correlation_id: msg.origin.correlation_id.clone(),
            record_count: msg.record_count,
            mode: msg.origin.mode,
            through_phase: msg.origin.through_phase,
            output_table: msg.output_table,
            entities_changed: msg.entities_changed,
        };
        let work = async move {
            let mut guard = metrics.enter(now);
            let r = match core.record(&c).await {
                Err(e) => Err(format!("tracker state: {e}")),
                Ok(fires) => publish_all(&core, bus.as_ref(), fires).await,
            };
            match r {
                Ok(()) => HandleOutcome::Done,
                Err(error) => {
                    guard.fail();
                    HandleOutcome::Transient { retry_after: Duration::from_secs(1), error }
                }
            }
        };
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|o, act, ctx| {
            act.arm(ctx);
            o
        })))
    }
}

impl Handler<Settle> for CompletionTracker {
    type Result = AtomicResponse<Self, ()>;
    fn handle(&mut self, _: Settle, _: &mut Self::Context) -> Self::Result {
        let core = self.core.clone();
        let bus = self.bus.clone();
        let date = self.date;
        let work = async move {
            match core.settle(date).await {
                Ok(fires) => {
                    if let Err(e) = publish_all(&core, bus.as_ref(), fires).await {
                        tracing::warn!(%date, error = %e, "settle publish failed");
                    }
                }
                Err(e) => tracing::warn!(%date, error = %e, "settle failed"),
            }
        };
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|_, act, ctx| {
            act.armed_ms = None;
            act.arm(ctx);
        })))
    }
}
