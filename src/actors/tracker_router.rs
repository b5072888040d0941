//! `TrackerRouter`: finds or starts the `CompletionTracker` of a (phase, date) and forwards completions to
//! it. At startup [`TrackerRouter::recover`] starts a tracker for every date with unsettled stages, so
//! deadlines and unpublished triggers survive a restart of the process.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::completion_tracker::CompletionTracker;
use crate::backends::{Bus, Clock, StateStore};
use crate::domain::SlateDate;
use crate::messages::typed::{HandleOutcome, PhaseComplete};
use crate::supervisors::{MetricsRegistry, RestartPolicy, Supervision};
use crate::tracker::{TrackerCore, TrackerDoc};

pub struct TrackerRouter {
    cores: HashMap<u8, TrackerCore>,
    trackers: HashMap<(u8, SlateDate), Addr<CompletionTracker>>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    metrics: MetricsRegistry,
    policy: RestartPolicy,
}

/// Start trackers for every date that still has unsettled stages.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Recover {
    pub state: Arc<dyn StateStore>,
}

impl TrackerRouter {
    pub fn new(
        cores: Vec<TrackerCore>,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
        metrics: MetricsRegistry,
        policy: RestartPolicy,
    ) -> Self {
        TrackerRouter {
            cores: cores.into_iter().map(|c| (c.phase(), c)).collect(),
            trackers: HashMap::new(),
            bus,
            clock,
            metrics,
            policy,
        }
    }

    fn tracker(&mut self, phase: u8, date: SlateDate) -> Option<Addr<CompletionTracker>> {
        if let Some(a) = self.trackers.get(&(phase, date)).filter(|a| a.connected()) {
            return Some(a.clone());
        }
        let core = self.cores.get(&phase)?.clone();
        let m = self.metrics.actor("completion_tracker", &format!("tracker-p{phase}-{date}"));
        let sup = Supervision::new(m, self.policy.clone(), self.clock.clone());
        let bus = self.bus.clone();
        let addr = Supervisor::start(move |_| CompletionTracker::new(core, bus, date, sup));
        self.trackers.insert((phase, date), addr.clone());
        Some(addr)
    }
}

impl Actor for TrackerRouter {
    type Context = Context<Self>;
}

impl Handler<PhaseComplete> for TrackerRouter {
    type Result = ResponseFuture<HandleOutcome>;
    fn handle(&mut self, msg: PhaseComplete, _: &mut Self::Context) -> Self::Result {
        let Some(addr) = self.tracker(msg.phase, msg.origin.date) else {
            let reason = format!("no tracker declared for phase {}", msg.phase);
            return Box::pin(async move { HandleOutcome::Permanent { reason } });
        };
        let m = self.metrics.actor("completion_tracker", &format!("tracker-p{}-{}", msg.phase, msg.origin.date));
        m.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(async move {
            match addr.send(msg).await {
                Ok(o) => o,
                Err(e) => {
                    HandleOutcome::Transient { retry_after: Duration::from_secs(1), error: format!("tracker: {e}") }
                }
            }
        })
    }
}

impl Handler<Recover> for TrackerRouter {
    type Result = ResponseActFuture<Self, usize>;
    fn handle(&mut self, msg: Recover, _: &mut Self::Context) -> Self::Result {
        let cores: Vec<(u8, String, Vec<String>)> = self
            .cores
            .values()
            .map(|c| (c.phase(), c.decl().collection.clone(), c.decl().stages.iter().map(|s| s.name.clone()).collect()))
            .collect();
        let state = msg.state;
        let fut = async move {
            let mut open = Vec::new();
            for (phase, coll, stages) in cores {
                let Ok(docs) = state.list(&coll, "").await else { continue };
                for (id, v) in docs {
                    let Ok(doc) = serde_json::from_value::<TrackerDoc>(v) else { continue };
                    let open_stage = stages.iter().any(|name| match doc.stages.get(name) {
                        None => true,
                        Some(s) => !s.settled() || (s.fired_at_ms.is_some() && !s.published),
                    });
                    if let (true, Ok(date)) = (open_stage, id.parse::<SlateDate>()) {
                        open.push((phase, date));
                    }
                }
            }
            open
        };
        Box::pin(fut.into_actor(self).map(|open, act, _| {
            let n = open.len();
            for (phase, date) in open {
                act.tracker(phase, date);
            }
            n
        }))
    }
}
