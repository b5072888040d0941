//! Helpers shared by the balldontlie / ESPN / BigDataBall / Basketball-Reference raw-processor tests.
#![allow(dead_code, unused_imports)]

use std::collections::BTreeMap;

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{LandedObject, Warehouse};
use hoopflow::domain::{Aliases, NameResolver};
use hoopflow::domain::{Row, SlateDate};
use hoopflow::processors::raw::{
    basketball_ref_roster, bdl_active_players, bdl_boxscores, bdl_injuries, bdl_standings, big_data_ball_pbp,
    espn_boxscore, espn_scoreboard, espn_team_roster,
};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};
use serde_json::{json, Value};

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

pub fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.into(), generation: 1, data }), ..Default::default() }
}

pub fn run(p: &dyn Processor, path: &str, data: Vec<u8>) -> ProcessorOutput {
    p.compute(&input(path, data)).unwrap_or_else(|e| panic!("{} on {path}: {e}", p.name()))
}

pub fn rows(out: &ProcessorOutput) -> Vec<&Row> {
    out.writes
        .iter()
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.iter(),
        })
        .collect()
}

pub fn s<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("{k} is not a string in {r:?}"))
}

pub fn i(r: &Row, k: &str) -> i64 {
    r.get(k).and_then(Value::as_i64).unwrap_or_else(|| panic!("{k} is not an integer in {r:?}"))
}

pub fn f(r: &Row, k: &str) -> f64 {
    r.get(k).and_then(Value::as_f64).unwrap_or_else(|| panic!("{k} is not a number in {r:?}"))
}

/// The row whose `key` column equals `value` (exactly one).
pub fn find<'a>(rows: &[&'a Row], key: &str, value: &str) -> &'a Row {
    let found: Vec<&&Row> = rows.iter().filter(|r| r.get(key).and_then(Value::as_str) == Some(value)).collect();
    assert_eq!(found.len(), 1, "{key} = {value}: {} rows", found.len());
    found[0]
}

pub fn is_bad(r: Result<ProcessorOutput, ProcessorError>) -> bool {
    matches!(r, Err(ProcessorError::BadInput { .. }))
}

/// A truncated copy and an empty file are `BadInput`, never a panic or a write.
pub fn assert_rejects_broken(p: &dyn Processor, path: &str, data: &[u8]) {
    let half = data[..data.len() / 2].to_vec();
    assert!(is_bad(p.compute(&input(path, half))), "{}: truncated capture must be BadInput", p.name());
    assert!(is_bad(p.compute(&input(path, Vec::new()))), "{}: empty file must be BadInput", p.name());
    assert!(is_bad(p.compute(&input(path, b"  \n".to_vec()))), "{}: blank file must be BadInput", p.name());
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).expect("gzip fixture");
    out
}

/// Apply every write of `out` to a fresh in-memory warehouse twice: the rows fit the schema and the second
/// application leaves the same row count. Returns the count.
pub async fn round_trip(p: &dyn Processor, out: &ProcessorOutput) -> u64 {
    let w = warehouse(p).await;
    let mut counts = Vec::new();
    for _ in 0..2 {
        apply(&w, out).await;
        let mut n = 0;
        for schema in p.schemas() {
            n += w.count(&schema.table).await.expect("count");
        }
        counts.push(n);
    }
    assert_eq!(counts[0], counts[1], "{}: applying the writes twice changed the count", p.name());
    assert_eq!(counts[0] as usize, rows(out).len(), "{}: every row lands", p.name());
    counts[0]
}

/// Perform the writes of `out` on `w`.
pub async fn apply(w: &EmbeddedWarehouse, out: &ProcessorOutput) {
    for wr in &out.writes {
        match wr {
            TableWrite::ReplacePartition { table, date, rows } => {
                w.replace_partition(table, *date, rows.clone()).await.expect("replace_partition");
            }
            TableWrite::ReplaceSlice { table, date, scope, rows } => {
                w.replace_slice(table, *date, scope, rows.clone()).await.expect("replace_slice");
            }
            TableWrite::Upsert { table, rows } => {
                w.upsert(table, rows.clone()).await.expect("upsert");
            }
        }
    }
}

/// A warehouse with `p`'s tables.
pub async fn warehouse(p: &dyn Processor) -> EmbeddedWarehouse {
    let w = EmbeddedWarehouse::in_memory().expect("warehouse");
    for schema in p.schemas() {
        w.ensure_table(&schema).await.expect("ensure_table");
    }
    w
}

pub fn d(s: &str) -> SlateDate {
    s.parse().unwrap()
}

// Landing paths of the captures.
pub const BDL_BOX_2024: &str = "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json";
pub const ESPN_BOX_PATH: &str = "espn/boxscores/2024-01-15/game_401585183/20240116_080000.json";
pub const ESPN_SB_PATH: &str = "espn/scoreboard/2024-01-15/20240116_080000.json";
pub const BDB_PATH: &str = "big-data-ball/2024-25/2025-06-22/game_0042400407/[2025-06-22]-0042400407-IND@OKC.csv";
