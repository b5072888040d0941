//! `hoopflow bench NAME`: benchmarks that print `key: value unit` lines.
//!
//! - `bus`: publish → Bridge (decode, route to an actor, await its outcome) → ack through the durable
//!   file-backed embedded bus; throughput with batched publishing, then the hop latency (publish → handler)
//!   of messages published one at a time.
//! - `tracker`: completions through the `TrackerRouter` → per-date `CompletionTracker` actors on a
//!   file-backed state store, firing real triggers onto the bus; and 50 completions on one date.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;
use dashmap::DashMap;

use crate::actors::bridge::{Bridge, BridgeCore, RouteTarget};
use crate::actors::tracker_router::TrackerRouter;
use crate::backends::embedded::bus::EmbeddedBus;
use crate::backends::embedded::state::EmbeddedState;
use crate::backends::{Bus, Clock, OutboundMessage, StateStore, SubscriptionSpec, SystemClock};
use crate::domain::{Phase, RunMode, SlateDate};
use crate::messages::typed::{HandleOutcome, Origin, PhaseAnnounced, PhaseComplete};
use crate::messages::{Status, UnifiedMessage};
use crate::supervisors::{MetricsRegistry, RestartPolicy, Supervision};
use crate::topology::{StageDecl, Topology, TrackerDecl};
use crate::tracker::TrackerCore;

pub async fn run(name: &str, n: Option<usize>, t: &Topology) -> anyhow::Result<()> {
    match name {
        "bus" => bus(n.unwrap_or(200_000), t).await,
        "tracker" => tracker(n.unwrap_or(20_000), t).await,
        other => anyhow::bail!("unknown benchmark `{other}` (try `bus`, `tracker`, `raw` or `season`)"),
    }
}

/// Counts handled messages and records publish → handle latency.
struct Sink {
    base: Instant,
    sent_at: Arc<DashMap<u64, u128>>,
    latencies: Arc<parking_lot::Mutex<Vec<u128>>>,
    handled: Arc<AtomicU64>,
}

impl Actor for Sink {
    type Context = Context<Self>;
}

impl Handler<PhaseAnnounced> for Sink {
    type Result = MessageResult<PhaseAnnounced>;
    fn handle(&mut self, msg: PhaseAnnounced, _: &mut Self::Context) -> Self::Result {
        self.handled.fetch_add(1, Relaxed);
        if let Some(seq) = msg.origin.parent_execution_id.strip_prefix("lat-").and_then(|s| s.parse::<u64>().ok()) {
            if let Some((_, t)) = self.sent_at.remove(&seq) {
                self.latencies.lock().push(self.base.elapsed().as_nanos() - t);
            }
        }
        MessageResult(HandleOutcome::Done)
    }
}

fn message(id: &str) -> Vec<u8> {
    let d: SlateDate = "2025-01-15".parse().unwrap_or(SlateDate(chrono::NaiveDate::MIN));
    UnifiedMessage::new("bench", Phase::Analytics, id, "bench", d, Status::Success, Utc::now()).to_bytes()
}

async fn bus(n: usize, t: &Topology) -> anyhow::Result<()> {
    let dir = tempdir()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let bus: Arc<dyn Bus> = Arc::new(EmbeddedBus::open(&dir.join("bus.db"), clock.clone())?);
    bus.ensure_topic("bench").await?;
    bus.ensure_subscription(&SubscriptionSpec::new("bench-sub", "bench")).await?;
    let handled = Arc::new(AtomicU64::new(0));
    let sent_at = Arc::new(DashMap::new());
    let latencies = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let base = Instant::now();
    let sink = Sink { base, sent_at: sent_at.clone(), latencies: latencies.clone(), handled: handled.clone() }.start();
    let metrics = MetricsRegistry::new();
    let core = BridgeCore {
        bus: bus.clone(),
        spec: SubscriptionSpec::new("bench-sub", "bench"),
        target: RouteTarget::Monitor(sink.recipient()),
        topology: Arc::new(t.clone()),
        batch: 1000,
        wait: Duration::from_millis(5),
    };
    let sup = Supervision::new(metrics.actor("bridge", "bench"), RestartPolicy::default(), clock.clone());
    let _bridge = Supervisor::start(move |_| Bridge::new(core, sup));

    let body = message("tput");
    let started = Instant::now();
    // Closed loop: at most WINDOW messages published but not yet handled, so the figure is the sustained
    // rate of a subscriber keeping up, not the cost of an ever-growing backlog.
    const WINDOW: u64 = 20_000;
    let publisher = {
        let bus = bus.clone();
        let handled = handled.clone();
        tokio::spawn(async move {
            let mut left = n;
            while left > 0 {
                while (n - left) as u64 - handled.load(Relaxed) > WINDOW {
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
                let k = left.min(1000);
                let batch = (0..k).map(|_| OutboundMessage::new(body.clone())).collect();
                bus.publish("bench", batch).await?;
                left -= k;
                tokio::task::yield_now().await;
            }
            Ok::<_, crate::backends::PortError>(())
        })
    };
    publisher.await??;
    while handled.load(Relaxed) < n as u64 || bus.backlog("bench-sub").await? > 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let secs = started.elapsed().as_secs_f64();

    // Latency: one message at a time.
    let samples = 2000u64;
    for i in 0..samples {
        sent_at.insert(i, base.elapsed().as_nanos());
        bus.publish("bench", vec![OutboundMessage::new(message(&format!("lat-{i}")))]).await?;
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    while latencies.lock().len() < samples as usize {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut l = latencies.lock().clone();
    l.sort_unstable();
    let pct = |p: f64| l[((l.len() as f64 - 1.0) * p) as usize] as f64 / 1e6;
    println!("bus_messages: {n} msgs");
    println!("bus_wall_s: {secs:.3} s");
    println!("bus_inflight_window: {WINDOW} msgs");
    println!("bus_throughput_msgs_per_s: {:.0} msg/s", n as f64 / secs);
    println!("hop_latency_p50_ms: {:.3} ms", pct(0.50));
    println!("hop_latency_p99_ms: {:.3} ms", pct(0.99));
    println!("hop_latency_max_ms: {:.3} ms", pct(1.0));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("hoopflow-bench-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

fn origin(date: SlateDate, i: usize) -> Origin {
    Origin {
        date,
        correlation_id: format!("bench-{date}"),
        parent_execution_id: format!("exec-{i}"),
        parent_processor: "bench".into(),
        message_id: i.to_string(),
        mode: RunMode::Daily,
        skip_downstream_trigger: false,
        through_phase: None,
        backfill_reason: None,
        force: false,
    }
}

async fn tracker(n: usize, t: &Topology) -> anyhow::Result<()> {
    let dir = tempdir()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = Arc::new(EmbeddedState::open(dir.join("state.db"))?);
    let bus: Arc<dyn Bus> = Arc::new(EmbeddedBus::open(&dir.join("bus.db"), clock.clone())?);
    for topic in t.all_topic_names() {
        bus.ensure_topic(&topic).await?;
    }
    // Phase 3 and 4 as declared, plus a 50-processor barrier for the single-date burst.
    let mut topo = t.clone();
    let fifty: Vec<String> = (0..50).map(|i| format!("p{i:02}")).collect();
    topo.trackers.push(TrackerDecl {
        phase: 9,
        collection: "phase9_completion".into(),
        stages: vec![StageDecl {
            name: "all".into(),
            required: fifty.clone(),
            optional: vec![],
            deadline_minutes: 60,
            fires_topics: vec!["nba-predictions-trigger".into()],
            fires_processors: vec![],
            modes: Default::default(),
        }],
    });
    let cores =
        topo.trackers.iter().map(|d| TrackerCore::new(&topo, d.clone(), state.clone(), clock.clone())).collect();
    let router =
        TrackerRouter::new(cores, bus.clone(), clock.clone(), MetricsRegistry::new(), RestartPolicy::default()).start();

    let mut work = Vec::new();
    let base: SlateDate = "2030-01-01".parse()?;
    let per_date: Vec<(u8, String)> = t
        .trackers
        .iter()
        .flat_map(|tr| tr.stages.iter().flat_map(move |s| s.required.iter().map(move |p| (tr.phase, p.clone()))))
        .collect();
    let dates = n.div_ceil(per_date.len().max(1));
    for d in 0..dates {
        for (phase, p) in &per_date {
            work.push((*phase, p.clone(), base.add_days(d as i64)));
        }
    }
    work.truncate(n);
    let started = Instant::now();
    for chunk in work.chunks(64) {
        let sends = chunk.iter().enumerate().map(|(i, (phase, p, date))| {
            router.send(PhaseComplete {
                origin: origin(*date, i),
                phase: *phase,
                processor: p.clone(),
                status: Status::Success,
                record_count: 1,
                output_table: None,
                entities_changed: Vec::new(),
            })
        });
        for r in futures_util::future::join_all(sends).await {
            if !matches!(r?, HandleOutcome::Done) {
                anyhow::bail!("a completion was not recorded");
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();

    let one: SlateDate = "2031-06-01".parse()?;
    let started = Instant::now();
    let sends = fifty.iter().enumerate().map(|(i, p)| {
        router.send(PhaseComplete {
            origin: origin(one, i),
            phase: 9,
            processor: p.clone(),
            status: Status::Success,
            record_count: 1,
            output_table: None,
            entities_changed: Vec::new(),
        })
    });
    for r in futures_util::future::join_all(sends).await {
        r?;
    }
    let burst_ms = started.elapsed().as_secs_f64() * 1000.0;
    let fired = state.get("phase9_triggers", &format!("{one}__all")).await?.is_some();
    println!("tracker_updates: {} updates", work.len());
    println!("tracker_dates: {dates} dates");
    println!("tracker_updates_per_s: {:.0} updates/s", work.len() as f64 / secs);
    println!("tracker_50_completions_one_date_ms: {burst_ms:.1} ms");
    println!("tracker_50_completions_fired_once: {}", u8::from(fired));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
