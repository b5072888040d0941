//! Helpers shared by the odds / PDF / BettingPros raw-processor tests.
#![allow(dead_code, unused_imports)]

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{LandedObject, Warehouse};
use hoopflow::domain::Row;
use hoopflow::processors::raw::{nbac_injury_report, odds_game_lines};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};
use serde_json::{json, Value};

pub fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.into(), generation: 1, data }), ..Default::default() }
}

pub fn run(p: &dyn Processor, path: &str, data: &[u8]) -> Result<ProcessorOutput, ProcessorError> {
    p.compute(&input(path, data.to_vec()))
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

pub fn f(r: &Row, k: &str) -> f64 {
    r.get(k).and_then(Value::as_f64).unwrap_or_else(|| panic!("{k} is not a number in {r:?}"))
}

pub fn find<'a>(rows: &[&'a Row], pairs: &[(&str, Value)]) -> &'a Row {
    let hits: Vec<&&Row> = rows.iter().filter(|r| pairs.iter().all(|(k, v)| r.get(*k) == Some(v))).collect();
    assert_eq!(hits.len(), 1, "expected one row with {pairs:?}, found {}", hits.len());
    hits[0]
}

/// Truncated, byte-mutated and empty copies: `BadInput` or rows, never a panic or another error.
pub fn assert_robust(p: &dyn Processor, path: &str, data: &[u8]) {
    let empty = run(p, path, b"");
    assert!(matches!(empty, Err(ProcessorError::BadInput { .. })), "empty: {empty:?}");
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [data.len() / 2, data.len() * 9 / 10, 10] {
        cases.push((format!("truncated at {cut}"), data[..cut.min(data.len())].to_vec()));
    }
    for (step, xor) in [(97usize, 0x55u8), (13, 0x01), (1031, 0xff)] {
        let mut m = data.to_vec();
        for i in (step / 2..m.len()).step_by(step) {
            m[i] ^= xor;
        }
        cases.push((format!("mutated every {step}th byte ^ {xor:#x}"), m));
    }
    for (what, bytes) in cases {
        match run(p, path, &bytes) {
            Ok(_) | Err(ProcessorError::BadInput { .. }) => {}
            Err(e) => panic!("{what}: expected BadInput or rows, got {e:?}"),
        }
    }
}

/// Apply the writes twice to an in-memory warehouse; the table count must be the same both times.
pub async fn apply_twice(schema: hoopflow::backends::TableSchema, outs: &[ProcessorOutput]) -> u64 {
    let wh = EmbeddedWarehouse::in_memory().expect("warehouse");
    wh.ensure_table(&schema).await.expect("ensure_table");
    let mut counts = Vec::new();
    for _ in 0..2 {
        for out in outs {
            for w in &out.writes {
                match w.clone() {
                    TableWrite::ReplacePartition { table, date, rows } => {
                        wh.replace_partition(&table, date, rows).await.expect("replace_partition");
                    }
                    TableWrite::ReplaceSlice { table, date, scope, rows } => {
                        wh.replace_slice(&table, date, &scope, rows).await.expect("replace_slice");
                    }
                    TableWrite::Upsert { table, rows } => {
                        wh.upsert(&table, rows).await.expect("upsert");
                    }
                }
            }
        }
        counts.push(wh.count(&schema.table).await.expect("count"));
    }
    assert_eq!(counts[0], counts[1], "applying the writes twice changed the row count");
    counts[0]
}

// Landing paths of the captures.
pub const LINES_PATH: &str =
    "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATL-GSW/20240125_035540-snap-0355.json";
pub const H2H_PATH: &str =
    "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATL-GSW/20240125_035540-snap-0355-h2h.json";
pub const INJURY_PATH: &str = "nba-com/injury-report-data/2024-01-04/12/20240104_173001.pdf";
pub const GAMEBOOK_PATH: &str = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.pdf";
pub const GAMEBOOK_JSON_PATH: &str = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.json";
pub const PROPS_PATH: &str = "bettingpros/player-props/points/2021-10-21/20211021_223000.json";
