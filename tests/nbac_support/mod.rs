//! Helpers shared by the NBA.com raw-processor tests (`raw_nbac_*.rs`): running a processor on a capture,
//! picking rows, checking fields, bad-input and warehouse round-trip checks, and the landing paths used.
#![allow(dead_code, unused_imports)]

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{LandedObject, Warehouse};
use hoopflow::domain::Row;
use hoopflow::processors::raw::{
    nbac_play_by_play::NbacPlayByPlay, nbac_player_list::NbacPlayerList, nbac_player_movement::NbacPlayerMovement,
    nbac_referee::NbacReferee, nbac_schedule::NbacSchedule, nbac_scoreboard_v2::NbacScoreboardV2,
    nbac_team_boxscore::NbacTeamBoxscore,
};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};
use serde_json::{json, Value};
use std::io::Write;

pub const SCHEDULE_PATH: &str = "nba-com/schedule/2024-25/20250827_131327.json";
pub const TEAM_BOX_PATH: &str = "nba-com/team-boxscore/2025-01-15/0022400561/20250116_050000.json";
pub const PBP_PATH: &str = "nba-com/play-by-play/2025-01-15/game_0022400561/20250115_235056.json";
pub const REF_PATH: &str = "nba-com/referee-assignments/2025-01-08/20250108_150000.json";
pub const PLAYER_LIST_PATH: &str = "nba-com/player-list/2025-10-20/20251020_120000.json";
pub const MOVEMENT_PATH: &str = "nba-com/player-movement/2025-07-17/20250717_080000.json";

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────

pub fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.to_string(), generation: 1, data }), ..Default::default() }
}

pub fn run(p: &dyn Processor, path: &str, data: &[u8]) -> Result<ProcessorOutput, ProcessorError> {
    p.compute(&input(path, data.to_vec()))
}

pub fn rows(out: &ProcessorOutput, table: &str) -> Vec<Row> {
    out.writes
        .iter()
        .filter(|w| w.table().table == table)
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.clone(),
        })
        .collect()
}

/// The single row whose columns hold the given values.
pub fn one<'r>(rows: &'r [Row], want: &[(&str, Value)]) -> &'r Row {
    let hits: Vec<&Row> = rows.iter().filter(|r| want.iter().all(|(c, v)| r.get(*c) == Some(v))).collect();
    assert_eq!(hits.len(), 1, "rows matching {want:?}");
    hits[0]
}

pub fn assert_fields(row: &Row, want: &[(&str, Value)]) {
    for (c, v) in want {
        assert_eq!(row.get(*c), Some(v), "column {c} of {}", Value::Object(row.clone()));
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A truncated copy (of the inflated JSON, and of the gzip when the capture is gzip), an empty file and a
/// JSON document of the wrong shape are `BadInput`, never a panic.
pub fn assert_bad_input(p: &dyn Processor, path: &str, data: &[u8]) {
    let plain = if data.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
        let truncated_gz = &data[..data.len() / 2];
        let r = run(p, path, truncated_gz);
        assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "truncated gzip: {r:?}");
        out
    } else {
        data.to_vec()
    };
    for cut in [plain.len() / 2, plain.len() - 3, 1] {
        let r = run(p, path, &plain[..cut]);
        assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "truncated at {cut}: {r:?}");
    }
    for empty in [&b""[..], b"  \n", b"{}", b"[]", b"null", b"{\"resultSets\": 3}"] {
        let r = run(p, path, empty);
        assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{:?}: {r:?}", String::from_utf8_lossy(empty));
    }
    let r = run(p, path, &gzip(b""));
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "empty gzip: {r:?}");
}

/// Apply the writes to a fresh in-memory warehouse twice: the rows must fit the schema and the second
/// application must leave the same counts. Returns the count per table after the first application.
pub async fn apply_twice(p: &dyn Processor, out: &ProcessorOutput) -> Vec<(String, u64)> {
    let wh = EmbeddedWarehouse::in_memory().unwrap();
    for s in p.schemas() {
        wh.ensure_table(&s).await.unwrap();
    }
    let mut counts = Vec::new();
    for round in 0..2 {
        for w in &out.writes {
            match w.clone() {
                TableWrite::ReplacePartition { table, date, rows } => {
                    wh.replace_partition(&table, date, rows).await.unwrap();
                }
                TableWrite::ReplaceSlice { table, date, scope, rows } => {
                    wh.replace_slice(&table, date, &scope, rows).await.unwrap();
                }
                TableWrite::Upsert { table, rows } => {
                    wh.upsert(&table, rows).await.unwrap();
                }
            }
        }
        let mut now = Vec::new();
        for s in p.schemas() {
            now.push((s.table.table.clone(), wh.count(&s.table).await.unwrap()));
        }
        if round == 0 {
            counts = now;
        } else {
            assert_eq!(counts, now, "applying the writes twice changed the counts");
        }
    }
    counts
}

pub fn processor_names_match_the_topology(p: &dyn Processor, name: &str) {
    assert_eq!(p.name(), name);
    let reg = hoopflow::processors::builtin_registry();
    assert!(reg.contains(name), "{name} is registered");
}
