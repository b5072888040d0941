//! `run`, `backfill` and `demo`: land a source's objects for a range of slate dates and let the actors do
//! the rest, with a progress bar (or plain lines off a terminal) and a summary at the end.
//!
//! Backfills reuse the production actors; they carry `backfill_mode` and `--through-phase` in every message,
//! so nothing past that phase is triggered; killed and started again, they redo no finished
//! (processor, date) pair (identical objects keep their generation, and the ledger dedups the rest).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::home;
use crate::domain::{RunMode, SlateDate};
use crate::ledger::{history, new_run_id};
use crate::runtime::{Pipeline, PipelineOptions};
use crate::sources::{open_source, Announcer, LandMode};
use crate::topology::Topology;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub from: SlateDate,
    pub to: SlateDate,
    pub mode: RunMode,
    pub through_phase: Option<u8>,
    pub data: Option<PathBuf>,
    pub force: bool,
    pub reason: Option<String>,
}

impl Plan {
    pub fn single(date: SlateDate, data: Option<PathBuf>, force: bool) -> Plan {
        Plan { from: date, to: date, mode: RunMode::Daily, through_phase: None, data, force, reason: None }
    }

    pub fn backfill(from: SlateDate, to: SlateDate, through_phase: u8, data: Option<PathBuf>, reason: String) -> Plan {
        Plan {
            from,
            to,
            mode: RunMode::Backfill,
            through_phase: Some(through_phase),
            data,
            force: false,
            reason: Some(reason),
        }
    }
}

fn progress(n: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(n);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40.cyan/blue}] {pos}/{len} dates  eta {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub objects: usize,
    pub wall: Duration,
    /// Rows written by successful runs, per phase.
    pub rows_by_phase: Vec<(String, u64)>,
    /// Runs per phase (same order as `rows_by_phase`).
    pub runs_by_phase: Vec<PhaseRuns>,
}

/// Runs of a phase recorded in the run history: all of them, the successes, the legitimately empty ones
/// (`no_data_expected`) and the parked ones (`not_yet_available`: an input's own arrival runs them again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseRuns {
    pub phase: String,
    pub runs: u64,
    pub succeeded: u64,
    pub no_data: u64,
    pub parked: u64,
}

impl PhaseRuns {
    /// Runs that failed, timed out or are still running.
    pub fn failed(&self) -> u64 {
        self.runs.saturating_sub(self.succeeded + self.no_data + self.parked)
    }
}

/// Run the plan: land each date's objects, wait for the actors to settle, print a summary.
pub async fn run_dates(home_dir: &Path, t: &Topology, plan: Plan) -> anyhow::Result<()> {
    let source = open_source(plan.data.as_deref())?;
    execute(home_dir, t, &plan, source.as_ref(), true).await.map(|_| ())
}

/// What a run prints while and after it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Nothing.
    Quiet,
    /// The progress bar on a terminal (on stderr), nothing else: for callers that print their own report.
    Progress,
    /// The progress bar (or a plain line per date off a terminal) and the summary.
    Full,
}

/// Run the plan over `source`; `show` draws progress and prints the summary.
pub async fn execute(
    home_dir: &Path,
    t: &Topology,
    plan: &Plan,
    source: &dyn crate::sources::Source,
    show: bool,
) -> anyhow::Result<RunReport> {
    execute_with(home_dir, t, plan, source, if show { Show::Full } else { Show::Quiet }).await
}

/// [`execute`] with a choice of output.
pub async fn execute_with(
    home_dir: &Path,
    t: &Topology,
    plan: &Plan,
    source: &dyn crate::sources::Source,
    show: Show,
) -> anyhow::Result<RunReport> {
    if plan.to < plan.from {
        anyhow::bail!("--to {} is before --from {}", plan.to, plan.from);
    }
    let b = home::open(home_dir)?;
    let registry = crate::processors::builtin_registry();
    let started = Instant::now();
    let pipeline = Pipeline::start(b.clone(), t, registry, PipelineOptions::default()).await?;
    let announcer = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let dates: Vec<SlateDate> = SlateDate::range(plan.from, plan.to).collect();
    let pb = if show == Show::Quiet { ProgressBar::hidden() } else { progress(dates.len() as u64) };
    let plain = show == Show::Full && pb.is_hidden();
    let how = |b: &crate::backends::Backends| LandMode {
        mode: plan.mode,
        through_phase: plan.through_phase,
        backfill_reason: plan.reason.clone(),
        force: plan.force,
        correlation_id: Some(new_run_id("workflow", b.clock.as_ref())),
    };
    let mut files = 0usize;
    let prelude = source.prelude(plan.from, plan.to)?;
    if !prelude.is_empty() {
        let how = how(&b);
        for (date, it) in &prelude {
            announcer.land(&it.scraper, &it.path, &it.data, *date, &how).await?;
        }
        files += prelude.len();
        pipeline.wait_idle(Duration::from_millis(30), Duration::from_secs(600)).await;
    }
    for date in &dates {
        let items = source.items(*date)?;
        let how = how(&b);
        for it in &items {
            announcer.land(&it.scraper, &it.path, &it.data, *date, &how).await?;
        }
        files += items.len();
        if !items.is_empty() {
            pipeline.wait_idle(Duration::from_millis(4), Duration::from_secs(600)).await;
        }
        pb.set_message(format!("{date}: {} objects", items.len()));
        pb.inc(1);
        if plain && !items.is_empty() {
            println!("{date}: landed {} objects, correlation {}", items.len(), how.correlation_id.unwrap_or_default());
        }
    }
    pipeline.wait_idle(Duration::from_millis(100), Duration::from_secs(600)).await;
    pipeline.shutdown().await;
    pb.finish_and_clear();
    let wall = started.elapsed();
    let prom = home_dir.join("metrics.prom");
    std::fs::write(&prom, pipeline.metrics.render_prometheus())?;
    let sql = format!(
        "SELECT phase, COALESCE(SUM(CASE WHEN status = 'succeeded' THEN records_processed ELSE 0 END), 0), \
         COUNT(*), SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'no_data_expected' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'not_yet_available' THEN 1 ELSE 0 END) \
         FROM {}.{} WHERE data_date BETWEEN '{}' AND '{}' GROUP BY phase ORDER BY phase",
        history::DATASET,
        history::TABLE,
        plan.from,
        plan.to
    );
    let num = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))).unwrap_or(0)
    };
    let mut rows_by_phase = Vec::new();
    let mut runs_by_phase = Vec::new();
    for r in b.warehouse.query(&sql).await?.rows {
        let phase = r.first().and_then(|v| v.as_str()).unwrap_or_default().to_string();
        rows_by_phase.push((phase.clone(), num(r.get(1))));
        runs_by_phase.push(PhaseRuns {
            phase,
            runs: num(r.get(2)),
            succeeded: num(r.get(3)),
            no_data: num(r.get(4)),
            parked: num(r.get(5)),
        });
    }
    if show == Show::Full {
        println!("actor metrics (Prometheus text): {}", prom.display());
        summary(&b, &pipeline, plan.from, plan.to, files, wall).await?;
    }
    Ok(RunReport { objects: files, wall, rows_by_phase, runs_by_phase })
}

async fn summary(
    b: &crate::backends::Backends,
    p: &Pipeline,
    from: SlateDate,
    to: SlateDate,
    files: usize,
    wall: Duration,
) -> anyhow::Result<()> {
    let sql = format!(
        "SELECT phase, status, COUNT(*), COALESCE(SUM(records_processed), 0) FROM {}.{} \
         WHERE data_date BETWEEN '{from}' AND '{to}' GROUP BY phase, status ORDER BY phase, status",
        history::DATASET,
        history::TABLE
    );
    let r = b.warehouse.query(&sql).await?;
    println!("\n{} → {}: {} objects landed in {:.2}s", from, to, files, wall.as_secs_f64());
    println!("  {:<22} {:<20} {:>8} {:>10}", "phase", "status", "runs", "rows");
    for row in &r.rows {
        let s = |i: usize| row.get(i).map(|v| v.to_string().trim_matches('"').to_string()).unwrap_or_default();
        println!("  {:<22} {:<20} {:>8} {:>10}", s(0), s(1), s(2), s(3));
    }
    if !p.left_out.is_empty() {
        println!("  not runnable in this build (left out of quorums): {}", p.left_out.len());
    }
    let mut dead = 0;
    for t in p.topology.topics.iter().filter(|t| t.dlq) {
        dead += b.bus.backlog(&crate::runtime::infra::dlq_subscription(&t.name)).await.unwrap_or(0);
    }
    println!("  dead letters: {dead}{}", if dead > 0 { "  (see `hoopflow dlq list`)" } else { "" });
    Ok(())
}

/// `import DIR`: a backfill over every date the directory covers.
pub async fn import(home_dir: &Path, t: &Topology, dir: PathBuf, through_phase: u8) -> anyhow::Result<()> {
    let source = open_source(Some(&dir))?;
    let (from, to) = source.span().ok_or_else(|| anyhow::anyhow!("{} covers no dates", dir.display()))?;
    println!("importing {} ({from} → {to}) through phase {through_phase}", dir.display());
    let reason = format!("import {}", dir.display());
    run_dates(home_dir, t, Plan::backfill(from, to, through_phase, Some(dir), reason)).await
}

/// `demo`: a few slate dates end to end, then the grid of the last one.
/// Days of history the demo backfills before its live dates.
pub const DEMO_HISTORY_DAYS: i64 = 28;

pub async fn demo(home_dir: &Path, t: &Topology, data: Option<PathBuf>, dates: u32) -> anyhow::Result<()> {
    if let Err(e) = open_source(data.as_deref()) {
        return spine_check(home_dir, t, &e.to_string()).await;
    }
    let from: SlateDate = "2025-01-15".parse()?;
    let to = from.add_days(i64::from(dates.max(1)) - 1);
    // Four weeks of history first (a quiet backfill through Phase 4), so the live dates have form, rest,
    // averages and a trained model to predict from.
    let warm = Plan::backfill(from.add_days(-DEMO_HISTORY_DAYS), from.pred(), 4, data.clone(), "demo history".into());
    println!(
        "hoopflow demo — {DEMO_HISTORY_DAYS} days of history ({} → {}) as a backfill, then the live dates",
        warm.from, warm.to
    );
    let source = open_source(data.as_deref())?;
    execute_with(home_dir, t, &warm, source.as_ref(), Show::Progress).await?;
    run_dates(
        home_dir,
        t,
        Plan { from, to, mode: RunMode::Daily, through_phase: None, data, force: false, reason: None },
    )
    .await?;
    super::status::status(home_dir, t, super::status::StatusView { date: Some(to), ..Default::default() }).await?;
    println!();
    super::report::run(home_dir, super::report::ReportArgs { range: Some((from, to)), json: false, plot: None }).await
}

/// What `demo` runs while this build has no Phase 1 source: the spine itself, through the real actors.
async fn spine_check(home_dir: &Path, t: &Topology, why: &str) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let registry = crate::processors::builtin_registry();
    let p = Pipeline::start(b.clone(), t, registry, PipelineOptions::default()).await?;
    println!("hoopflow demo — spine self-check\n");
    println!("No end-to-end slate run in this build: {why}.");
    println!(
        "Declared: {} processors, {} topics (+ dead-letter twins), {} subscriptions, {} trackers; runnable now: {}.\n",
        t.processors.len(),
        t.topics.len(),
        t.subscriptions.len(),
        t.trackers.len(),
        t.processors.len() - p.left_out.len()
    );
    println!("Infrastructure created under {} (bus, state, warehouse, landing).", home_dir.display());
    println!("Bridges consuming: {}\n", p.consumed.join(", "));
    p.shutdown().await;
    println!("Bus: publish -> bridge -> actor -> ack through the durable embedded bus");
    super::bench::run("bus", Some(20_000), t).await?;
    println!("\nTrackers: completions through per-date CompletionTracker actors");
    super::bench::run("tracker", Some(2_000), t).await?;
    println!("\nSee `hoopflow topology` for the declared pipeline.");
    Ok(())
}
