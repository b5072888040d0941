//! The heartbeat watchdog and the per-actor supervision state.
//!
//! Every supervised actor embeds a [`Supervision`]; the [`Watchdog`] actor checks every registered actor on
//! a fixed tick and sends [`Control::Restart`] to one that has been busy without progress for longer than
//! its silence limit. Restart itself is actix's `Supervisor` (the actor stops, `restarting` runs on the same
//! instance, the same `Addr` keeps working); `Supervision` adds the backoff and the intensity limit.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::{ActorMetrics, RestartDecision, RestartPolicy, RestartTracker};
use crate::backends::Clock;

/// Control messages every supervised actor handles.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub enum Control {
    /// Stop now; the supervisor restarts the actor after its backoff.
    Restart { reason: String },
}

/// Supervision state embedded in a supervised actor (kept across restarts).
pub struct Supervision {
    pub metrics: Arc<ActorMetrics>,
    pub policy: RestartPolicy,
    tracker: RestartTracker,
    clock: Arc<dyn Clock>,
    pending_backoff: Option<Duration>,
    quarantined_until_ms: i64,
}

impl Supervision {
    pub fn new(metrics: Arc<ActorMetrics>, policy: RestartPolicy, clock: Arc<dyn Clock>) -> Self {
        Supervision {
            metrics,
            policy,
            tracker: RestartTracker::default(),
            clock,
            pending_backoff: None,
            quarantined_until_ms: 0,
        }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Call from `Supervised::restarting`.
    pub fn on_restarting(&mut self) {
        self.metrics.restarts.fetch_add(1, Relaxed);
        self.metrics.busy_since_ms.store(0, Relaxed);
        match self.tracker.on_failure(&self.policy, self.clock.now_ms()) {
            RestartDecision::Restart { after, restart_no } => {
                tracing::warn!(actor = %self.metrics.name, restart_no, backoff_ms = after.as_millis() as u64, "actor restarting after backoff");
                self.pending_backoff = Some(after);
            }
            RestartDecision::Quarantine { until_ms } => {
                self.metrics.quarantined.fetch_add(1, Relaxed);
                tracing::error!(actor = %self.metrics.name, cool_off_s = self.policy.cool_off.as_secs(), "restart intensity exceeded, actor quarantined");
                self.quarantined_until_ms = until_ms;
                self.pending_backoff = None;
            }
        }
    }

    /// Call from `Actor::started`: hold the mailbox for the pending backoff.
    pub fn on_started<A>(&mut self, ctx: &mut Context<A>)
    where
        A: Actor<Context = Context<A>>,
    {
        if let Some(d) = self.pending_backoff.take() {
            let clock = self.clock.clone();
            ctx.wait(actix::fut::wrap_future::<_, A>(async move { clock.sleep(d).await }));
        }
    }

    /// While quarantined, an actor refuses work with a retryable error.
    pub fn quarantined(&self) -> bool {
        self.clock.now_ms() < self.quarantined_until_ms
    }
}

struct Watched {
    metrics: Arc<ActorMetrics>,
    control: Recipient<Control>,
    silence: Duration,
}

/// Checks progress of every registered actor.
pub struct Watchdog {
    watched: Vec<Watched>,
    clock: Arc<dyn Clock>,
    tick: Duration,
}

/// Register an actor with the watchdog.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Watch {
    pub metrics: Arc<ActorMetrics>,
    pub control: Recipient<Control>,
    pub silence: Duration,
}

impl Watchdog {
    pub fn new(clock: Arc<dyn Clock>, tick: Duration) -> Self {
        Watchdog { watched: Vec::new(), clock, tick }
    }

    fn check(&mut self) {
        let now = self.clock.now_ms();
        for w in &self.watched {
            let busy = w.metrics.busy_since_ms.load(Relaxed);
            let progress = w.metrics.last_progress_ms.load(Relaxed);
            let silent_for = now - busy.max(progress);
            if busy != 0 && silent_for > w.silence.as_millis() as i64 {
                tracing::warn!(actor = %w.metrics.name, silent_ms = silent_for, "actor silent past its heartbeat, restarting");
                // Reset so one stall triggers one restart.
                w.metrics.busy_since_ms.store(0, Relaxed);
                w.control.do_send(Control::Restart { reason: format!("no progress for {silent_for} ms") });
            }
        }
    }
}

impl Actor for Watchdog {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.tick, |act, _| act.check());
    }
}

impl Handler<Watch> for Watchdog {
    type Result = ();
    fn handle(&mut self, msg: Watch, _: &mut Self::Context) {
        self.watched.push(Watched { metrics: msg.metrics, control: msg.control, silence: msg.silence });
    }
}
