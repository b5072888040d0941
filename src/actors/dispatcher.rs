//! `Dispatcher`: turns a typed trigger into runs of the processors it concerns and combines their outcomes.
//!
//! - `RawFileLanded` → the Phase 2 processor whose `path_prefix` is the longest prefix of the path (dedup
//!   scope `path#generation`, so later files of the same date are processed — the original keyed on date);
//! - `TableReady` → every Phase 3 (and Phase 5 grading) processor with the table in `triggers_on` (no Phase 2→3 orchestrator:
//!   seed decision 1; each checks its own dependencies and dedup absorbs the many triggers);
//! - `RunProcessors` → the named processors (tracker triggers).
//!
//! Invariant: processors declared but not implemented in this build are never routed to (they are out of
//! every quorum, reported at startup); backfill origins start nothing past `--through-phase`.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix::prelude::*;
use futures_util::future::join_all;

use super::processor_host::ProcessorHost;
use crate::messages::typed::{HandleOutcome, Origin, RawFileLanded, RunProcessor, RunProcessors, TableReady};
use crate::supervisors::Pool;
use crate::topology::Topology;

pub struct Dispatcher {
    topology: Arc<Topology>,
    pools: Arc<BTreeMap<String, Pool<ProcessorHost>>>,
}

impl Dispatcher {
    pub fn new(topology: Arc<Topology>, pools: BTreeMap<String, Pool<ProcessorHost>>) -> Self {
        Dispatcher { topology, pools: Arc::new(pools) }
    }

    fn fan_out(&self, origin: Origin, targets: Vec<(String, String, Option<String>)>) -> ResponseFuture<HandleOutcome> {
        let pools = self.pools.clone();
        Box::pin(async move {
            let sends = targets.into_iter().filter_map(|(name, scope, path)| {
                let pool = pools.get(&name)?.clone();
                let req = RunProcessor { origin: origin.clone(), processor: name.clone(), scope, object_path: path };
                Some(async move {
                    match pool.send(req).await {
                        Ok(o) => o,
                        Err(e) => HandleOutcome::Transient {
                            retry_after: std::time::Duration::from_secs(1),
                            error: format!("{name}: host unavailable: {e}"),
                        },
                    }
                })
            });
            HandleOutcome::combine(join_all(sends).await)
        })
    }
}

impl Actor for Dispatcher {
    type Context = Context<Self>;
}

impl Handler<RawFileLanded> for Dispatcher {
    type Result = ResponseFuture<HandleOutcome>;
    fn handle(&mut self, msg: RawFileLanded, _: &mut Self::Context) -> Self::Result {
        let best = self
            .topology
            .processors_in_phase(2)
            .filter(|p| p.enabled)
            .filter_map(|p| p.path_prefix.as_deref().filter(|pre| msg.path.starts_with(pre)).map(|pre| (pre.len(), p)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, p)| p.name.clone());
        let Some(name) = best else {
            let reason = format!("no raw processor matches path {}", msg.path);
            return Box::pin(async move { HandleOutcome::Permanent { reason } });
        };
        if !self.pools.contains_key(&name) {
            tracing::warn!(processor = %name, path = %msg.path, "raw processor not implemented in this build, file skipped");
            return Box::pin(async { HandleOutcome::Done });
        }
        let scope = format!("{}#{}", msg.path, msg.generation.unwrap_or(0));
        self.fan_out(msg.origin, vec![(name, scope, Some(msg.path))])
    }
}

impl Handler<TableReady> for Dispatcher {
    type Result = ResponseFuture<HandleOutcome>;
    fn handle(&mut self, msg: TableReady, _: &mut Self::Context) -> Self::Result {
        if !msg.status.counts_as_complete() {
            return Box::pin(async { HandleOutcome::Done });
        }
        let table = msg.table.to_string();
        let targets: Vec<_> = self
            .topology
            .processors
            .iter()
            .filter(|p| matches!(p.phase, 3 | 5) && msg.origin.may_trigger(p.phase))
            .filter(|p| p.enabled && p.triggers_on.contains(&table))
            .map(|p| (p.name.clone(), String::new(), None))
            .collect();
        self.fan_out(msg.origin, targets)
    }
}

impl Handler<RunProcessors> for Dispatcher {
    type Result = ResponseFuture<HandleOutcome>;
    fn handle(&mut self, msg: RunProcessors, _: &mut Self::Context) -> Self::Result {
        let mut targets = Vec::new();
        for name in msg.processors {
            match self.topology.processor(&name) {
                Some(p) if !msg.origin.may_trigger(p.phase) => {}
                Some(p) if p.enabled && self.pools.contains_key(&name) => targets.push((name, String::new(), None)),
                Some(_) => {
                    tracing::warn!(processor = %name, "trigger names a disabled or unimplemented processor, skipped")
                }
                None => {
                    let reason = format!("trigger names unknown processor {name}");
                    return Box::pin(async move { HandleOutcome::Permanent { reason } });
                }
            }
        }
        self.fan_out(msg.origin, targets)
    }
}
