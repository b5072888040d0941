//! Test support: a small topology that exercises every part of the spine (raw files → Phase 2 → table
//! triggers → Phase 3 → tracker → Phase 4 → tracker → Phase 5 trigger), and real test processors for it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hoopflow::backends::{Backends, Clock, ColumnType as T, TableRef, TableSchema};
use hoopflow::domain::{Row, RowExt, SlateDate};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, ProcessorRegistry, TableWrite};
use hoopflow::topology::{load_str, Topology};
use serde_json::{json, Value};

pub const TOPOLOGY: &str = r#"
[pipeline]
name = "spine-test"
version = 1

[defaults]
ack_deadline_s = 10
max_delivery_attempts = 6
lease_s = 3
heartbeat_s = 1
max_attempts = 3
retry_base_s = 1
retry_max_s = 2
pool_size = 1

[[topic]]
name = "nba-phase1-scrapers-complete"
[[topic]]
name = "nba-phase2-raw-complete"
[[topic]]
name = "nba-phase3-analytics-complete"
[[topic]]
name = "nba-phase4-trigger"
[[topic]]
name = "nba-phase4-processor-complete"
[[topic]]
name = "nba-predictions-trigger"

[[subscription]]
name = "raw"
topic = "nba-phase1-scrapers-complete"
route = "raw_file"

[[subscription]]
name = "analytics"
topic = "nba-phase2-raw-complete"
route = "table_ready"

[[subscription]]
name = "p3-tracker"
topic = "nba-phase3-analytics-complete"
route = "tracker"
tracker_phase = 3

[[subscription]]
name = "phase4-processors"
topic = "nba-phase4-trigger"
route = "phase_trigger"

[[subscription]]
name = "p4-tracker"
topic = "nba-phase4-processor-complete"
route = "tracker"
tracker_phase = 4

[[subscription]]
name = "p5-monitor"
topic = "nba-predictions-trigger"
route = "monitor"

[[processor]]
name = "raw_a"
class = "RawAProcessor"
phase = 2
output = "nba_raw.raw_a"
path_prefix = "a/"
publishes = "nba-phase2-raw-complete"

[[processor]]
name = "raw_b"
class = "RawBProcessor"
phase = 2
output = "nba_raw.raw_b"
path_prefix = "b/"
publishes = "nba-phase2-raw-complete"

[[processor]]
name = "sum_a"
class = "SumAProcessor"
phase = 3
output = "nba_analytics.sum_a"
triggers_on = ["nba_raw.raw_a"]
dependencies = [{ table = "nba_raw.raw_a", check = "date_match" }]
publishes = "nba-phase3-analytics-complete"

[[processor]]
name = "sum_b"
class = "SumBProcessor"
phase = 3
output = "nba_analytics.sum_b"
triggers_on = ["nba_raw.raw_b"]
dependencies = [{ table = "nba_raw.raw_b", check = "date_match" }]
publishes = "nba-phase3-analytics-complete"

[[processor]]
name = "combo"
class = "ComboProcessor"
phase = 4
level = 1
output = "nba_precompute.combo"
dependencies = [
  { table = "nba_analytics.sum_a", check = "date_match" },
  { table = "nba_analytics.sum_b", check = "date_match" },
]
publishes = "nba-phase4-processor-complete"

[[tracker]]
phase = 3
collection = "phase3_completion"

[[tracker.stage]]
name = "phase3_to_phase4"
required = ["sum_a", "sum_b"]
deadline_minutes = 60
fires_topics = ["nba-phase4-trigger"]
fires_processors = ["combo"]

[[tracker]]
phase = 4
collection = "phase4_completion"

[[tracker.stage]]
name = "level1"
required = ["combo"]
deadline_minutes = 30
fires_topics = ["nba-predictions-trigger"]
"#;

pub fn topology() -> Topology {
    load_str(TOPOLOGY, "spine-test").unwrap_or_else(|e| panic!("test topology: {e}"))
}

/// Phase 2: a landed JSON array `[{"k": .., "v": ..}]` becomes rows of the date. Data containing the
/// string `"panic"` makes it panic (a deterministic bug); `"bad"` is a typed bad-input error.
pub struct RawRows {
    pub name: &'static str,
    pub table: &'static str,
    pub computes: Arc<AtomicU64>,
    pub delay: Duration,
}

impl Processor for RawRows {
    fn name(&self) -> &str {
        self.name
    }
    fn schemas(&self) -> Vec<TableSchema> {
        vec![TableSchema::new("nba_raw", self.table)
            .required("game_date", T::Date)
            .required("k", T::String)
            .col("v", T::Int64)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "k"])]
    }
    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        self.computes.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let obj = input.object.as_ref().ok_or_else(|| ProcessorError::Failed("no object".into()))?;
        let text = String::from_utf8_lossy(&obj.data);
        if text.contains("panic") {
            panic!("deterministic bug in {}", self.name);
        }
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no date".into()))?;
        let v: Value = serde_json::from_slice(&obj.data)
            .map_err(|e| ProcessorError::BadInput { what: obj.path.clone(), detail: e.to_string() })?;
        let arr = v
            .as_array()
            .ok_or_else(|| ProcessorError::BadInput { what: obj.path.clone(), detail: "not an array".into() })?;
        let rows: Vec<Row> = arr
            .iter()
            .filter_map(|x| {
                let mut r = Row::new();
                r.insert("game_date".into(), json!(date.to_string()));
                r.insert("k".into(), x.get("k")?.clone());
                r.insert("v".into(), x.get("v")?.clone());
                Some(r)
            })
            .collect();
        Ok(ProcessorOutput {
            writes: vec![TableWrite::ReplacePartition { table: TableRef::new("nba_raw", self.table), date, rows }],
            ..Default::default()
        })
    }
}

/// Phase 3/4: one row per date with the count and the sum of `v` (or `total`) over its inputs.
pub struct Summer {
    pub name: &'static str,
    pub dataset: &'static str,
    pub table: &'static str,
    pub inputs: Vec<&'static str>,
    pub computes: Arc<AtomicU64>,
    pub delay: Duration,
}

impl Processor for Summer {
    fn name(&self) -> &str {
        self.name
    }
    fn schemas(&self) -> Vec<TableSchema> {
        vec![TableSchema::new(self.dataset, self.table)
            .required("game_date", T::Date)
            .col("n", T::Int64)
            .col("total", T::Int64)
            .partitioned_by("game_date")
            .keyed_by(&["game_date"])]
    }
    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        self.computes.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no date".into()))?;
        let (mut n, mut total) = (0i64, 0i64);
        for t in &self.inputs {
            for r in input.rows(t) {
                n += 1;
                total += r.i64_of("v").or_else(|| r.i64_of("total")).unwrap_or(0);
            }
        }
        let mut row = Row::new();
        row.insert("game_date".into(), json!(date.to_string()));
        row.insert("n".into(), json!(n));
        row.insert("total".into(), json!(total));
        Ok(ProcessorOutput {
            writes: vec![TableWrite::ReplacePartition {
                table: TableRef::new(self.dataset, self.table),
                date,
                rows: vec![row],
            }],
            ..Default::default()
        })
    }
}

/// Compute counters per processor, to see how often work was actually done.
#[derive(Default, Clone)]
pub struct Counters {
    pub raw_a: Arc<AtomicU64>,
    pub raw_b: Arc<AtomicU64>,
    pub sum_a: Arc<AtomicU64>,
    pub sum_b: Arc<AtomicU64>,
    pub combo: Arc<AtomicU64>,
}

pub fn registry(c: &Counters, delay: Duration) -> ProcessorRegistry {
    let mut r = ProcessorRegistry::new();
    r.register(Arc::new(RawRows { name: "raw_a", table: "raw_a", computes: c.raw_a.clone(), delay }));
    r.register(Arc::new(RawRows { name: "raw_b", table: "raw_b", computes: c.raw_b.clone(), delay }));
    r.register(Arc::new(Summer {
        name: "sum_a",
        dataset: "nba_analytics",
        table: "sum_a",
        inputs: vec!["nba_raw.raw_a"],
        computes: c.sum_a.clone(),
        delay,
    }));
    r.register(Arc::new(Summer {
        name: "sum_b",
        dataset: "nba_analytics",
        table: "sum_b",
        inputs: vec!["nba_raw.raw_b"],
        computes: c.sum_b.clone(),
        delay,
    }));
    r.register(Arc::new(Summer {
        name: "combo",
        dataset: "nba_precompute",
        table: "combo",
        inputs: vec!["nba_analytics.sum_a", "nba_analytics.sum_b"],
        computes: c.combo.clone(),
        delay,
    }));
    r
}

/// Embedded backends under `home`.
pub fn backends(home: &Path, clock: Arc<dyn Clock>) -> Backends {
    hoopflow::backends::embedded::open_home(home, clock).unwrap_or_else(|e| panic!("open backends: {e}"))
}

/// The two raw files of a date: values derived from the date so every date differs.
pub fn files_for(date: SlateDate) -> Vec<(String, String, Vec<u8>)> {
    let d = date.date().format("%d").to_string().parse::<i64>().unwrap_or(1);
    let a = json!([{"k": "x", "v": d}, {"k": "y", "v": 2 * d}]);
    let b = json!([{"k": "z", "v": 100 + d}]);
    vec![
        ("scraper_a".into(), format!("a/{date}/000000.json"), a.to_string().into_bytes()),
        ("scraper_b".into(), format!("b/{date}/000000.json"), b.to_string().into_bytes()),
    ]
}

/// What `combo.total` must be for a date.
pub fn expected_total(date: SlateDate) -> i64 {
    let d = date.date().format("%d").to_string().parse::<i64>().unwrap_or(1);
    d + 2 * d + 100 + d
}
