//! `Monitor`: consumes phase announcements (Phase 4 and Phase 5 complete) for the end-to-end latency gauge.
//! It decides nothing; health checks assert on outcomes elsewhere (production lesson F-07).

use std::sync::Arc;

use actix::prelude::*;

use crate::backends::Clock;
use crate::messages::typed::{HandleOutcome, PhaseAnnounced};
use crate::supervisors::ActorMetrics;

pub struct Monitor {
    metrics: Arc<ActorMetrics>,
    clock: Arc<dyn Clock>,
}

impl Monitor {
    pub fn new(metrics: Arc<ActorMetrics>, clock: Arc<dyn Clock>) -> Self {
        Monitor { metrics, clock }
    }
}

impl Actor for Monitor {
    type Context = Context<Self>;
}

impl Handler<PhaseAnnounced> for Monitor {
    type Result = MessageResult<PhaseAnnounced>;
    fn handle(&mut self, msg: PhaseAnnounced, _: &mut Self::Context) -> Self::Result {
        let _g = self.metrics.enter(self.clock.now_ms());
        self.metrics.progress(self.clock.now_ms());
        tracing::info!(phase = msg.phase, processor = %msg.processor, date = %msg.origin.date, correlation_id = %msg.origin.correlation_id, "phase announced");
        MessageResult(HandleOutcome::Done)
    }
}
