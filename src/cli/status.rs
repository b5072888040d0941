//! `status`, `trace` and `query`: read-only views over the ledger, the trackers and the warehouse.
//!
//! `status` shows the phase × processor grid of a date (with `--date`) and, always, every data table's row
//! count and content hash ([`super::table_digest`]): two runs of the same backfill print identical tables.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::home;
use super::table_digest::{digest_all, TableLine};
use crate::domain::{RowExt, SlateDate};
use crate::ledger::history;
use crate::topology::Topology;
use crate::tracker::TrackerDoc;

/// CSV field quoting.
fn csv_field(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub async fn query(home_dir: &Path, sql: &str) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let r = b.warehouse.query(sql).await?;
    println!("{}", r.columns.join(","));
    for row in r.rows {
        println!("{}", row.iter().map(csv_field).collect::<Vec<_>>().join(","));
    }
    Ok(())
}

/// One processor's line in the grid.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Cell {
    pub processor: String,
    pub phase: u8,
    pub state: String,
    pub runs: usize,
    pub scopes: usize,
    pub rows: i64,
    pub last_error: Option<String>,
    pub duration_s: f64,
}

/// The grid of a date from the run history.
pub async fn grid(b: &crate::backends::Backends, t: &Topology, date: SlateDate) -> anyhow::Result<Vec<Cell>> {
    let rows = match b.warehouse.read_date(&history::table_ref(), date).await {
        Ok(r) => r,
        Err(crate::backends::PortError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut by_proc: BTreeMap<String, Vec<&crate::domain::Row>> = BTreeMap::new();
    for r in &rows {
        if let Some(p) = r.str_of("processor_name") {
            by_proc.entry(p.to_string()).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for p in &t.processors {
        let runs = by_proc.remove(&p.name).unwrap_or_default();
        let mut cell = Cell { processor: p.name.clone(), phase: p.phase, state: "–".into(), ..Default::default() };
        cell.runs = runs.len();
        // Latest run per scope decides the scope's state; the processor shows its worst scope.
        let mut latest: BTreeMap<String, &crate::domain::Row> = BTreeMap::new();
        for r in &runs {
            let scope = r.str_of("scope").unwrap_or("").to_string();
            let newer = latest.get(&scope).is_none_or(|cur| r.str_of("started_at") >= cur.str_of("started_at"));
            if newer {
                latest.insert(scope, r);
            }
        }
        cell.scopes = latest.len();
        let rank = |s: &str| match s {
            "failed_permanent" => 6,
            "timed_out" => 5,
            "failed_transient" => 4,
            "running" => 3,
            "not_yet_available" => 2,
            "no_data_expected" => 1,
            "succeeded" => 0,
            _ => 0,
        };
        for r in latest.values() {
            let s = r.str_of("status").unwrap_or("");
            if cell.state == "–" || rank(s) > rank(&cell.state) {
                cell.state = s.to_string();
            }
            cell.rows += r.i64_of("records_processed").unwrap_or(0);
            cell.duration_s += r.f64_of("duration_seconds").unwrap_or(0.0);
            if let Some(e) = r.str_of("error_message") {
                cell.last_error = Some(e.to_string());
            }
        }
        out.push(cell);
    }
    Ok(out)
}

fn glyph(state: &str) -> &'static str {
    state.parse::<crate::domain::RunState>().map(|s| s.glyph()).unwrap_or("·")
}

/// What `status` shows: the grid of `date` (if any) and the data tables (partitions within `range` if any).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusView {
    pub date: Option<SlateDate>,
    pub range: Option<(SlateDate, SlateDate)>,
    pub json: bool,
}

pub async fn status(home_dir: &Path, t: &Topology, view: StatusView) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let tables = digest_all(b.warehouse.as_ref(), &crate::processors::builtin_registry(), view.range).await?;
    let Some(date) = view.date else {
        if view.json {
            println!("{}", serde_json::to_string_pretty(&json!({"tables": tables}))?);
        } else {
            print_tables(&tables, view.range);
        }
        return Ok(());
    };
    let as_json = view.json;
    let cells = grid(&b, t, date).await?;
    let mut trackers = Vec::new();
    for tr in &t.trackers {
        if let Some(v) = b.state.get(&tr.collection, &date.to_string()).await? {
            if let Ok(doc) = serde_json::from_value::<TrackerDoc>(v) {
                trackers.push((tr.clone(), doc));
            }
        }
    }
    if as_json {
        let tj: Vec<Value> = trackers
            .iter()
            .map(|(d, doc)| json!({"phase": d.phase, "completed": doc.processors.keys().collect::<Vec<_>>(), "stages": doc.stages}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"date": date.to_string(), "processors": cells, "trackers": tj, "tables": tables})
            )?
        );
        return Ok(());
    }
    println!("hoopflow status — slate {date}\n");
    for phase in 1..=5u8 {
        let in_phase: Vec<&Cell> = cells.iter().filter(|c| c.phase == phase).collect();
        if in_phase.is_empty() {
            continue;
        }
        let name = crate::domain::Phase::from_number(phase).map(|p| p.as_str()).unwrap_or("");
        let ok = in_phase.iter().filter(|c| c.state == "succeeded" || c.state == "no_data_expected").count();
        println!("{name}  ({ok}/{} done)", in_phase.len());
        println!(
            "  {:<2} {:<34} {:<18} {:>5} {:>8} {:>8}  last error",
            "", "processor", "state", "runs", "rows", "secs"
        );
        for c in in_phase {
            let err = c.last_error.as_deref().unwrap_or("").chars().take(60).collect::<String>();
            println!(
                "  {:<2} {:<34} {:<18} {:>5} {:>8} {:>8.2}  {}",
                glyph(&c.state),
                c.processor,
                c.state,
                c.runs,
                c.rows,
                c.duration_s,
                err
            );
        }
        if let Some((d, doc)) = trackers.iter().find(|(d, _)| d.phase == phase) {
            for st in &d.stages {
                let s = doc.stages.get(&st.name).cloned().unwrap_or_default();
                let what = if s.suppressed {
                    "quorum reached (backfill: not fired)".to_string()
                } else if s.fired_at_ms.is_some() {
                    let pub_ = if s.published { "published" } else { "NOT YET PUBLISHED" };
                    if s.degraded {
                        format!("fired DEGRADED, missing {:?} ({pub_})", s.missing)
                    } else {
                        format!("fired ({pub_})")
                    }
                } else {
                    format!(
                        "waiting: {}/{} required",
                        st.required.iter().filter(|r| doc.processors.contains_key(*r)).count(),
                        st.required.len()
                    )
                };
                println!("  ⇢ tracker stage {:<18} {what}", st.name);
            }
        }
        println!();
    }
    print_tables(&tables, view.range);
    Ok(())
}

fn print_tables(tables: &[TableLine], range: Option<(SlateDate, SlateDate)>) {
    let within = range.map_or(String::new(), |(a, b)| format!(", partitions {a} → {b}"));
    println!("data tables (rows, content hash{within})");
    for l in tables {
        match (&l.rows, &l.hash) {
            (Some(n), Some(h)) => println!("  {:<52} {:>10}  {h}", l.table, n),
            _ => println!("  {:<52} {:>10}  absent", l.table, "–"),
        }
    }
}

pub async fn trace(home_dir: &Path, correlation_id: &str, as_json: bool) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let sql = format!(
        "SELECT started_at, phase, processor_name, data_date, status, records_processed, duration_seconds, run_id, parent_processor, scope \
         FROM {}.{} WHERE correlation_id = '{}' ORDER BY started_at, phase",
        history::DATASET,
        history::TABLE,
        correlation_id.replace('\'', "''")
    );
    let r = b.warehouse.query(&sql).await?;
    if as_json {
        let rows: Vec<Value> = r
            .rows
            .iter()
            .map(|row| Value::Object(r.columns.iter().cloned().zip(row.iter().cloned()).collect()))
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({"correlation_id": correlation_id, "runs": rows}))?);
        return Ok(());
    }
    if r.rows.is_empty() {
        println!("no runs carry correlation id {correlation_id}");
        return Ok(());
    }
    println!("trace {correlation_id} — {} runs\n", r.rows.len());
    println!("  {:<24} {:<20} {:<32} {:<18} {:>7}", "started", "phase", "processor", "status", "rows");
    for row in &r.rows {
        let s = |i: usize| row.get(i).map(csv_field).unwrap_or_default();
        println!("  {:<24} {:<20} {:<32} {:<18} {:>7}", s(0), s(1), s(2), s(4), s(5));
    }
    Ok(())
}
