//! The running pipeline: the actor tree over a set of backends and a topology.
//!
//! Start order is bottom-up (hosts, dispatcher, trackers, then bridges last, so nothing is pulled before its
//! handler exists). Processors declared in the topology without an implementation in this build, or
//! disabled, are left out of every quorum and reported once at startup (production lesson F-06).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::infra;
use super::protocol::HostDeps;
use crate::actors::bridge::{Bridge, BridgeCore, RouteTarget, StopPulling};
use crate::actors::dispatcher::Dispatcher;
use crate::actors::monitor::Monitor;
use crate::actors::outbox_relay::{self, OutboxRelay};
use crate::actors::processor_host::ProcessorHost;
use crate::actors::tracker_router::{Recover, TrackerRouter};
use crate::backends::{Backends, PortError};
use crate::ledger::Ledger;
use crate::processors::ProcessorRegistry;
use crate::supervisors::{MetricsRegistry, Pool, RestartPolicy, Supervision, Watch, Watchdog};
use crate::topology::{Route, Topology};
use crate::tracker::TrackerCore;

/// Runtime knobs (not topology).
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Messages per pull (flow control).
    pub batch: usize,
    /// How long a pull waits for messages.
    pub pull_wait: Duration,
    pub restart: RestartPolicy,
    pub watchdog_tick: Duration,
    /// A busy actor silent for longer than this is restarted.
    pub silence: Duration,
    pub outbox_tick: Duration,
    /// Share lookback reads between runs ([`super::read_cache`]). Only correct when this process is the
    /// warehouse's only writer (the embedded profile).
    pub read_cache: bool,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            batch: 256,
            pull_wait: Duration::from_millis(50),
            restart: RestartPolicy::default(),
            watchdog_tick: Duration::from_secs(1),
            silence: Duration::from_secs(120),
            outbox_tick: Duration::from_secs(5),
            read_cache: true,
        }
    }
}

/// The running actor tree.
pub struct Pipeline {
    pub backends: Backends,
    pub topology: Arc<Topology>,
    pub metrics: MetricsRegistry,
    pub ledger: Ledger,
    pub dispatcher: Addr<Dispatcher>,
    pub trackers: Addr<TrackerRouter>,
    /// Subscriptions consumed by a bridge.
    pub consumed: Vec<String>,
    /// Declared processors with no implementation in this build (or disabled).
    pub left_out: Vec<String>,
    bridges: Vec<Addr<Bridge>>,
    _watchdog: Addr<Watchdog>,
    _relay: Addr<OutboxRelay>,
}

/// The topology as this build runs it: unimplemented or disabled processors removed from quorums.
pub fn effective_topology(t: &Topology, registry: &ProcessorRegistry) -> (Topology, Vec<String>) {
    let mut t = t.clone();
    let runnable = |name: &str, t: &Topology| t.processor(name).is_some_and(|p| p.enabled) && registry.contains(name);
    let left_out: Vec<String> =
        t.processors.iter().filter(|p| !runnable(&p.name, &t)).map(|p| p.name.clone()).collect();
    let snapshot = t.clone();
    // Topics whose only purpose is to start named processors: a stage left with none to start fires nothing
    // there (an empty trigger would be dead-lettered as malformed).
    let trigger_topics: Vec<String> = snapshot
        .subscriptions
        .iter()
        .filter(|s| s.route == crate::topology::Route::PhaseTrigger)
        .map(|s| s.topic.clone())
        .collect();
    for tr in &mut t.trackers {
        for st in &mut tr.stages {
            st.required.retain(|p| runnable(p, &snapshot));
            st.optional.retain(|p| runnable(p, &snapshot));
            let had_processors = !st.fires_processors.is_empty();
            st.fires_processors.retain(|p| runnable(p, &snapshot));
            if had_processors && st.fires_processors.is_empty() {
                st.fires_topics.retain(|topic| !trigger_topics.contains(topic));
            }
            for m in st.modes.values_mut() {
                if let Some(r) = &mut m.required {
                    r.retain(|p| runnable(p, &snapshot));
                }
                if let Some(o) = &mut m.optional {
                    o.retain(|p| runnable(p, &snapshot));
                }
            }
        }
    }
    (t, left_out)
}

impl Pipeline {
    /// Create the infrastructure and start every actor. Must run inside an actix `System`.
    pub async fn start(
        backends: Backends,
        topology: &Topology,
        registry: ProcessorRegistry,
        opts: PipelineOptions,
    ) -> Result<Pipeline, PortError> {
        let (topology, left_out) = effective_topology(topology, &registry);
        if !left_out.is_empty() {
            tracing::info!(count = left_out.len(), processors = ?left_out, "declared processors not runnable in this build, left out of every quorum");
        }
        let topology = Arc::new(topology);
        infra::apply(&backends, &topology, &registry).await?;
        let metrics = MetricsRegistry::new();
        let ledger = Ledger::new(backends.state.clone(), backends.warehouse.clone(), backends.clock.clone());
        let deps = HostDeps {
            backends: backends.clone(),
            ledger: ledger.clone(),
            topology: topology.clone(),
            read_cache: opts.read_cache.then(|| Arc::new(super::read_cache::ReadCache::new())),
        };
        let watchdog = Watchdog::new(backends.clock.clone(), opts.watchdog_tick).start();
        let sup = |kind: &str, name: &str| {
            Supervision::new(metrics.actor(kind, name), opts.restart.clone(), backends.clock.clone())
        };

        let mut pools = BTreeMap::new();
        for decl in topology.processors.iter().filter(|p| p.enabled) {
            let Some(imp) = registry.get(&decl.name) else { continue };
            let decl = Arc::new(decl.clone());
            let mut members = Vec::new();
            for i in 0..topology.pool_size(&decl) {
                let s = sup("processor_host", &format!("{}-{i}", decl.name));
                let m = s.metrics.clone();
                let (deps, decl, imp) = (deps.clone(), decl.clone(), imp.clone());
                let addr = Supervisor::start(move |_| ProcessorHost::new(deps, decl, imp, s));
                watchdog.do_send(Watch {
                    metrics: m.clone(),
                    control: addr.clone().recipient(),
                    silence: opts.silence,
                });
                members.push((addr, m));
            }
            pools.insert(decl.name.clone(), Pool::new(members));
        }
        let dispatcher = Dispatcher::new(topology.clone(), pools).start();

        let cores: Vec<TrackerCore> = topology
            .trackers
            .iter()
            .map(|d| TrackerCore::new(&topology, d.clone(), backends.state.clone(), backends.clock.clone()))
            .collect();
        let trackers = TrackerRouter::new(
            cores,
            backends.bus.clone(),
            backends.clock.clone(),
            metrics.clone(),
            opts.restart.clone(),
        )
        .start();
        let recovered = trackers.send(Recover { state: backends.state.clone() }).await.unwrap_or(0);
        if recovered > 0 {
            tracing::info!(dates = recovered, "completion trackers recovered");
        }
        let monitor = Monitor::new(metrics.actor("monitor", "monitor"), backends.clock.clone()).start();
        // Completions a crash left unpublished go out before new work starts.
        outbox_relay::flush(&ledger, backends.bus.as_ref()).await;
        let relay = OutboxRelay::new(ledger.clone(), backends.bus.clone(), opts.outbox_tick).start();

        let mut bridges = Vec::new();
        let mut consumed = Vec::new();
        for s in &topology.subscriptions {
            let target = match s.route {
                Route::RawFile => RouteTarget::RawFile(dispatcher.clone().recipient()),
                Route::TableReady => RouteTarget::TableReady(dispatcher.clone().recipient()),
                Route::PhaseTrigger => RouteTarget::PhaseTrigger(dispatcher.clone().recipient()),
                Route::Tracker => {
                    RouteTarget::Tracker { phase: s.tracker_phase.unwrap_or(0), to: trackers.clone().recipient() }
                }
                Route::Monitor => RouteTarget::Monitor(monitor.clone().recipient()),
                Route::PredictionsTrigger | Route::PredictionRequest | Route::PredictionReady => {
                    tracing::info!(subscription = %s.name, route = ?s.route, "no handler for this route in this build, not consumed");
                    continue;
                }
            };
            let spec = infra::subscription_spec(&topology, s);
            let core = BridgeCore {
                bus: backends.bus.clone(),
                spec,
                target,
                topology: topology.clone(),
                batch: s.max_outstanding.unwrap_or(opts.batch),
                wait: opts.pull_wait,
            };
            let sp = sup("bridge", &format!("bridge-{}", s.name));
            let m = sp.metrics.clone();
            let addr = Supervisor::start(move |_| Bridge::new(core, sp));
            watchdog.do_send(Watch { metrics: m, control: addr.clone().recipient(), silence: opts.silence });
            bridges.push(addr);
            consumed.push(s.name.clone());
        }
        Ok(Pipeline {
            backends,
            topology,
            metrics,
            ledger,
            dispatcher,
            trackers,
            consumed,
            left_out,
            bridges,
            _watchdog: watchdog,
            _relay: relay,
        })
    }

    /// Total unacked messages on the consumed subscriptions.
    pub async fn backlog(&self) -> u64 {
        let mut n = 0;
        for s in &self.consumed {
            n += self.backends.bus.backlog(s).await.unwrap_or(0);
        }
        n
    }

    /// Whether any actor is inside a handler.
    pub fn busy(&self) -> bool {
        self.metrics.all().iter().any(|m| m.busy_since_ms.load(Relaxed) != 0)
    }

    /// Wait (real time) until every consumed subscription is drained and no actor is busy for `quiet`,
    /// or `timeout` passes. Returns whether it went idle.
    pub async fn wait_idle(&self, quiet: Duration, timeout: Duration) -> bool {
        let start = std::time::Instant::now();
        let mut idle_since: Option<std::time::Instant> = None;
        while start.elapsed() < timeout {
            let idle = self.backlog().await == 0 && !self.busy();
            match (idle, idle_since) {
                (true, Some(t)) if t.elapsed() >= quiet => return true,
                (true, None) => idle_since = Some(std::time::Instant::now()),
                (false, _) => idle_since = None,
                _ => {}
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        false
    }

    /// Stop pulling; handlers in flight finish, unpulled messages stay on the bus.
    pub async fn shutdown(&self) {
        for b in &self.bridges {
            let _ = b.send(StopPulling).await;
        }
    }
}
