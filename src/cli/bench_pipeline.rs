//! Pipeline benchmarks over a whole season, on the embedded backends in a fresh temporary home:
//!
//! - `raw`: Phases 1–2 — land every object of the 2024-25 season (replay of `--data DIR`, or the simulator;
//!   `--seasons N` simulates N consecutive seasons as a load test) and load the raw tables through the actors;
//!   prints wall time, objects, rows and rows/s, and peak RSS.

use std::path::Path;

use super::run::{execute, Plan};
use crate::domain::SlateDate;
use crate::sources::simulator::{SimConfig, Simulator};
use crate::sources::{open_source, Source};
use crate::topology::Topology;

/// Peak resident set size of this process, in MiB (Linux `VmHWM`; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `bench raw`: Phases 1–2 over the 2024-25 regular season (or `seasons` simulated seasons from 2024-25).
pub async fn raw(t: &Topology, data: Option<&Path>, seasons: u32) -> anyhow::Result<()> {
    let (source, from, to): (Box<dyn crate::sources::Source>, SlateDate, SlateDate) = match (data, seasons) {
        (None, n) if n > 1 => {
            let sim = Simulator::new(SimConfig { seasons: n, ..SimConfig::default() });
            let (from, to) = sim.span().ok_or_else(|| anyhow::anyhow!("empty simulation"))?;
            (Box::new(sim), from, to)
        }
        _ => (open_source(data)?, "2024-10-22".parse()?, "2025-04-13".parse()?),
    };
    let home = tempfile_dir("bench-raw")?;
    let plan = Plan::backfill(from, to, 2, data.map(Path::to_path_buf), "bench raw".into());
    let r = execute(&home, t, &plan, source.as_ref(), false).await?;
    let rows: u64 = r.rows_by_phase.iter().filter(|(p, _)| p == "phase_2_raw").map(|(_, n)| n).sum();
    let secs = r.wall.as_secs_f64();
    let sim = format!("simulator (seed 2024, {} season{})", seasons.max(1), if seasons > 1 { "s" } else { "" });
    println!("source: {}", data.map_or(sim, |d| d.display().to_string()));
    println!("raw_dates: {}", SlateDate::range(from, to).count());
    println!("raw_objects: {}", r.objects);
    println!("raw_rows: {rows}");
    println!("raw_wall_s: {secs:.2} s");
    println!("raw_rows_per_s: {:.0} rows/s", rows as f64 / secs.max(1e-9));
    println!("raw_objects_per_s: {:.1} objects/s", r.objects as f64 / secs.max(1e-9));
    println!("raw_peak_rss_mb: {:.0} MiB", peak_rss_mb());
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

/// A fresh directory under the system temp dir.
pub fn tempfile_dir(tag: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("hoopflow-{tag}-{}-{:08x}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
