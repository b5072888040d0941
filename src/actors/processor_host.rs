//! `ProcessorHost`: one member of the pool of a processor kind. Runs one run at a time under the run
//! protocol; its mailbox stays responsive (runs are spawned, serialised by a permit), so the watchdog's
//! `Control::Restart` is handled even while a run is stuck.
//!
//! Invariant: a panic in compute is captured, the run is closed `failed_transient` with the panic message,
//! the host stops and actix's supervisor restarts it after the policy's backoff.

use std::sync::Arc;

use actix::prelude::*;
use tokio::sync::Semaphore;

use crate::messages::typed::{HandleOutcome, RunProcessor};
use crate::processors::Processor;
use crate::runtime::protocol::{self, HostDeps};
use crate::supervisors::{Control, Supervision};
use crate::topology::ProcessorDecl;

pub struct ProcessorHost {
    deps: HostDeps,
    decl: Arc<ProcessorDecl>,
    imp: Arc<dyn Processor>,
    sup: Supervision,
    permit: Arc<Semaphore>,
}

impl ProcessorHost {
    pub fn new(deps: HostDeps, decl: Arc<ProcessorDecl>, imp: Arc<dyn Processor>, sup: Supervision) -> Self {
        ProcessorHost { deps, decl, imp, sup, permit: Arc::new(Semaphore::new(1)) }
    }
}

impl Actor for ProcessorHost {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        self.sup.on_started(ctx);
    }
}

impl Supervised for ProcessorHost {
    fn restarting(&mut self, _: &mut Self::Context) {
        self.sup.on_restarting();
        // A run abandoned by the restart must not block the next one.
        self.permit = Arc::new(Semaphore::new(1));
    }
}

impl Handler<Control> for ProcessorHost {
    type Result = ();
    fn handle(&mut self, msg: Control, ctx: &mut Self::Context) {
        let Control::Restart { reason } = msg;
        tracing::warn!(actor = %self.sup.metrics.name, %reason, "restart requested");
        ctx.stop();
    }
}

impl Handler<RunProcessor> for ProcessorHost {
    type Result = ResponseActFuture<Self, HandleOutcome>;

    fn handle(&mut self, msg: RunProcessor, _: &mut Self::Context) -> Self::Result {
        if self.sup.quarantined() {
            self.sup.metrics.received.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let out = HandleOutcome::Transient {
                retry_after: self.sup.policy.cool_off,
                error: format!("{} is quarantined after repeated failures", self.decl.name),
            };
            return Box::pin(actix::fut::ready(out));
        }
        let deps = self.deps.clone();
        let decl = self.decl.clone();
        let imp = self.imp.clone();
        let metrics = self.sup.metrics.clone();
        let permit = self.permit.clone();
        let clock = self.sup.clock().clone();
        let work = async move {
            let _permit = permit.acquire_owned().await.ok();
            let mut guard = metrics.enter(clock.now_ms());
            let r = protocol::execute(&deps, &decl, imp, msg, &metrics).await;
            if r.panicked
                || !matches!(r.outcome, HandleOutcome::Done | HandleOutcome::NoData | HandleOutcome::Duplicate)
            {
                guard.fail();
            }
            r
        };
        Box::pin(work.into_actor(self).map(|r, act, ctx| {
            if r.panicked {
                act.sup.metrics.panics.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ctx.stop();
            }
            r.outcome
        }))
    }
}
