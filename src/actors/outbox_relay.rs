//! `OutboxRelay`: publishes completion messages that a crash left in the ledger's outbox (a run closed, its
//! message not yet acknowledged by the bus). Runs at startup and on a fixed tick.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::backends::Bus;
use crate::ledger::Ledger;

pub struct OutboxRelay {
    ledger: Ledger,
    bus: Arc<dyn Bus>,
    tick: Duration,
}

/// Flush the outbox now; answers how many messages were published.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Flush;

impl OutboxRelay {
    pub fn new(ledger: Ledger, bus: Arc<dyn Bus>, tick: Duration) -> Self {
        OutboxRelay { ledger, bus, tick }
    }
}

/// Publish every pending outbox entry; returns how many were published.
pub async fn flush(ledger: &Ledger, bus: &dyn Bus) -> usize {
    let ids = match ledger.pending_outbox().await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "outbox scan failed");
            return 0;
        }
    };
    let mut n = 0;
    for id in ids {
        match ledger.flush_outbox(&id, bus).await {
            Ok(true) => n += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(key = %id, error = %e, "outbox publish failed, will retry"),
        }
    }
    if n > 0 {
        tracing::info!(published = n, "outbox relay republished completions");
    }
    n
}

impl Actor for OutboxRelay {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.notify(Flush);
        ctx.run_interval(self.tick, |_, ctx| ctx.notify(Flush));
    }
}

impl Handler<Flush> for OutboxRelay {
    type Result = AtomicResponse<Self, usize>;
    fn handle(&mut self, _: Flush, _: &mut Self::Context) -> Self::Result {
        let ledger = self.ledger.clone();
        let bus = self.bus.clone();
        AtomicResponse::new(Box::pin(async move { flush(&ledger, bus.as_ref()).await }.into_actor(self)))
    }
}
