//! `hoopflow bench season`: a backfill over a whole season through `--through-phase N` (default 4), on the
//! embedded backends in a fresh temporary home, timed end to end.
//!
//! It runs exactly what `hoopflow backfill` runs ([`execute_with`] over a [`Plan::backfill`]) with whatever
//! processors this build registers: phases past the last implemented one simply have nothing to run. The
//! range is `--from/--to`, else the regular season named by `--season` (default `2024-25` when the data
//! directory has a `2024-25/` folder or no directory is given, else the directory's whole span), clipped to
//! the dates the source covers.
//!
//! Invariants:
//! - the figure keys (`season_wall_s`, `season_peak_rss_mb`, …) are the same in the text table and in
//!   `--json`; `season_wall_s` covers landing, every phase and the final drain, not the table hashing after it
//!   (timed apart as `season_hash_s`);
//! - `season_runs` and `season_rows` count runs and the rows their successes wrote (re-runs included, so they
//!   vary with timing); `season_table_rows` and `season_tables_hash` describe the tables at the end and are
//!   the same for every run of the same range and build;
//! - the progress bar goes to stderr (on a terminal only), so `--json` on stdout stays parseable;
//! - the temporary home is removed afterwards, also when the run fails.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Map, Value};

use super::bench_pipeline::{peak_rss_mb, tempfile_dir};
use super::run::{execute_with, Plan, RunReport, Show};
use super::table_digest::{combined_hash, digest_all, TableLine};
use crate::domain::SlateDate;
use crate::sources::{open_source, Source};
use crate::topology::Topology;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct SeasonArgs {
    pub data: Option<PathBuf>,
    pub season: Option<String>,
    pub from: Option<SlateDate>,
    pub to: Option<SlateDate>,
    pub through_phase: u8,
    pub json: bool,
}

/// The regular season named `YYYY-YY` (the seasons the replay data covers).
pub fn regular_season(name: &str) -> anyhow::Result<(SlateDate, SlateDate)> {
    let (from, to) = match name {
        "2024-25" => ("2024-10-22", "2025-04-13"),
        "2025-26" => ("2025-10-21", "2026-04-12"),
        other => anyhow::bail!("unknown season `{other}` (known: 2024-25, 2025-26; or give --from and --to)"),
    };
    Ok((from.parse()?, to.parse()?))
}

/// The dates to run: explicit, else the named or default season, clipped to what the source covers.
fn range(args: &SeasonArgs, source: &dyn Source) -> anyhow::Result<(SlateDate, SlateDate)> {
    let (from, to) = match (args.from, args.to, args.season.as_deref()) {
        (Some(f), Some(t), _) => return Ok((f, t)),
        (Some(_), None, _) | (None, Some(_), _) => anyhow::bail!("give both --from and --to"),
        (None, None, Some(s)) => regular_season(s)?,
        (None, None, None) => match &args.data {
            Some(dir) if !dir.join("2024-25").is_dir() => {
                source.span().ok_or_else(|| anyhow::anyhow!("{} covers no dates", dir.display()))?
            }
            _ => regular_season("2024-25")?,
        },
    };
    Ok(match source.span() {
        Some((a, b)) if a <= to && from <= b => (from.max(a), to.min(b)),
        _ => (from, to),
    })
}

/// One figure: key, value, unit, decimals shown.
struct Figure(&'static str, f64, &'static str, usize);

/// `bench season`.
pub async fn season(t: &Topology, args: SeasonArgs) -> anyhow::Result<()> {
    let source = open_source(args.data.as_deref())?;
    let (from, to) = range(&args, source.as_ref())?;
    let home = tempfile_dir("bench-season")?;
    let result = measure(t, &args, source.as_ref(), &home, (from, to)).await;
    let _ = std::fs::remove_dir_all(&home);
    let (r, hash_s, warehouse_mb, tables) = result?;
    let table_rows: u64 = tables.iter().filter_map(|l| l.rows).sum();
    let secs = r.wall.as_secs_f64().max(1e-9);
    let dates = SlateDate::range(from, to).count() as f64;
    let rows: u64 = r.rows_by_phase.iter().map(|(_, n)| n).sum();
    let runs: u64 = r.runs_by_phase.iter().map(|p| p.runs).sum();
    let figures = [
        Figure("season_dates", dates, "dates", 0),
        Figure("season_objects", r.objects as f64, "objects", 0),
        Figure("season_runs", runs as f64, "runs", 0),
        Figure("season_rows", rows as f64, "rows", 0),
        Figure("season_table_rows", table_rows as f64, "rows", 0),
        Figure("season_wall_s", secs, "s", 2),
        Figure("season_dates_per_s", dates / secs, "dates/s", 2),
        Figure("season_rows_per_s", rows as f64 / secs, "rows/s", 0),
        Figure("season_runs_per_s", runs as f64 / secs, "runs/s", 1),
        Figure("season_peak_rss_mb", peak_rss_mb(), "MiB", 0),
        Figure("season_warehouse_mb", warehouse_mb, "MiB", 1),
        Figure("season_hash_s", hash_s, "s", 2),
    ];
    let phases: Vec<Value> = r
        .runs_by_phase
        .iter()
        .map(|p| {
            let rows = r.rows_by_phase.iter().find(|(n, _)| *n == p.phase).map_or(0, |(_, n)| *n);
            json!({"phase": p.phase, "runs": p.runs, "succeeded": p.succeeded, "no_data": p.no_data,
                   "parked": p.parked, "failed": p.failed(), "rows": rows, "rows_per_s": (rows as f64 / secs).round() as u64})
        })
        .collect();
    let what = args.data.as_ref().map_or("simulator (seed 2024)".to_string(), |d| d.display().to_string());
    if args.json {
        let mut out = Map::new();
        out.insert("source".into(), json!(what));
        out.insert("from".into(), json!(from.to_string()));
        out.insert("to".into(), json!(to.to_string()));
        out.insert("through_phase".into(), json!(args.through_phase));
        for Figure(k, v, _, d) in &figures {
            let scale = 10f64.powi(*d as i32);
            let v = if *d == 0 { json!(v.round() as u64) } else { json!((v * scale).round() / scale) };
            out.insert((*k).into(), v);
        }
        out.insert("season_tables_hash".into(), json!(combined_hash(&tables)));
        out.insert("phases".into(), Value::Array(phases));
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
        return Ok(());
    }
    println!("hoopflow bench season — {what}, {from} → {to}, through phase {}\n", args.through_phase);
    println!("  {:<24} {:>14}  unit", "figure", "value");
    for Figure(k, v, unit, d) in &figures {
        println!("  {k:<24} {:>14.*}  {unit}", *d, v);
    }
    println!(
        "  {:<24} {:>14}  (every data table's rows and content hash, as `hoopflow status`)",
        "season_tables_hash",
        combined_hash(&tables)
    );
    println!(
        "\n  {:<22} {:>8} {:>10} {:>8} {:>7} {:>7} {:>10} {:>9}",
        "phase", "runs", "succeeded", "no_data", "parked", "failed", "rows", "rows/s"
    );
    for p in &phases {
        let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
        println!(
            "  {:<22} {:>8} {:>10} {:>8} {:>7} {:>7} {:>10} {:>9}",
            p.get("phase").and_then(Value::as_str).unwrap_or(""),
            n("runs"),
            n("succeeded"),
            n("no_data"),
            n("parked"),
            n("failed"),
            n("rows"),
            n("rows_per_s")
        );
    }
    Ok(())
}

/// Run the backfill in `home`, then hash every data table; returns the report, the hashing time, the
/// warehouse's size on disk and the tables' lines.
async fn measure(
    t: &Topology,
    args: &SeasonArgs,
    source: &dyn Source,
    home: &Path,
    (from, to): (SlateDate, SlateDate),
) -> anyhow::Result<(RunReport, f64, f64, Vec<TableLine>)> {
    let plan = Plan::backfill(from, to, args.through_phase, args.data.clone(), "bench season".into());
    let report = execute_with(home, t, &plan, source, Show::Progress).await?;
    let b = super::home::open(home)?;
    let started = Instant::now();
    let tables = digest_all(b.warehouse.as_ref(), &crate::processors::builtin_registry(), None).await?;
    let hash_s = started.elapsed().as_secs_f64();
    Ok((report, hash_s, dir_mb(&home.join("warehouse")), tables))
}

/// Total size of the files directly in `dir`, in MiB (0 if unreadable).
fn dir_mb(dir: &Path) -> f64 {
    let bytes: u64 = std::fs::read_dir(dir)
        .map(|it| it.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);
    bytes as f64 / (1024.0 * 1024.0)
}
