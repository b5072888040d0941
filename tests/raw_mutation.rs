//! Property: every raw parser, fed a randomly mutated real capture (truncated, bytes overwritten, spans deleted
//! or duplicated, numbers replaced by text, huge or negative values), returns rows that fit its schemas or a
//! `BadInput` naming the file — never a panic and never another error kind.
//!
//! Cases: `HOOPFLOW_PROPTEST_CASES` (default 384), seed `HOOPFLOW_PROPTEST_SEED`. The two processors without a
//! real capture (Basketball-Reference rosters, BettingPros props) are covered by their documented samples in
//! their own test files.

mod shared;

use std::io::Read;
use std::sync::Arc;

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{LandedObject, Warehouse};
use hoopflow::processors::{builtin_registry, ProcessorError, ProcessorInput, TableWrite};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// (processor, capture, landing path)
const CAPTURES: [(&str, &str, &str); 24] = [
    ("nbac_player_boxscore", "nbac_player_boxscore/raw_2ad17718.json", "nba-com/player-boxscores/2025-03-15/20250316_080000.json"),
    ("odds_api_props", "_history/oddsa_player_props_his_raw_4fd911e4.json", "odds-api/player-props-history/2025-03-09/242c77a8d5890e18bab91773ad32fcb5-MEMNOP/20250309_235038-snap-2350.json"),
    ("odds_game_lines", "oddsa_game_lines_his/raw_b722994c.json", "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATL-GSW/20240125_035540-snap-0355.json"),
    ("bdl_boxscores", "bdl_box_scores/raw_71b3c5b2.json", "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json"),
    ("bdl_boxscores", "bdl_box_scores/raw_7a649e12.json", "ball-dont-lie/boxscores/2026-01-09/20260110_090000.json"),
    ("bdl_active_players", "bdl_active_players/raw_ac3e7bd3.json", "ball-dont-lie/active-players/2025-06-19/20250619_230000.json"),
    ("bdl_injuries", "bdl_injuries/raw_49fd60fb.json", "ball-dont-lie/injuries/2025-07-15/20250715_140000.json"),
    ("bdl_standings", "bdl_standings/raw_395a0451.json", "ball-dont-lie/standings/2024-25/2025-04-14/20250414_120000.json"),
    ("espn_boxscore", "espn_game_boxscore/raw_6f34c64b.html.gz", "espn/boxscores/2024-01-15/game_401585183/20240116_080000.json"),
    ("espn_scoreboard", "espn_scoreboard_api/raw_92de7c9a.json", "espn/scoreboard/2024-01-15/20240116_080000.json"),
    ("espn_team_roster", "espn_roster_api/raw_2.json", "espn/rosters/2025-06-19/team_BOS/20250619_231000.json"),
    ("espn_team_roster", "espn_roster/raw_bos.html.gz", "espn/rosters/2025-06-19/team_BOS/20250619_230536.json"),
    ("big_data_ball_pbp", "bigdataball_pbp/raw_746cfbef.csv", "big-data-ball/2024-25/2025-06-22/game_0042400407/[2025-06-22]-0042400407-IND@OKC.csv"),
    ("nbac_schedule", "nbac_schedule_cdn/raw_68953816.json", "nba-com/schedule/2024-25/20250827_131327.json"),
    ("nbac_scoreboard_v2", "nbac_scoreboard_v2/raw_055ff78d.json", "nba-com/scoreboard-v2/2024-01-15/20240116_080000.json"),
    ("nbac_team_boxscore", "nbac_team_boxscore/raw_12f99055.json", "nba-com/team-boxscore/2025-01-15/0022400561/20250116_050000.json"),
    ("nbac_play_by_play", "nbac_play_by_play/raw_14ecf360.json.gz", "nba-com/play-by-play/2025-01-15/game_0022400561/20250115_235056.json"),
    ("nbac_player_list", "nbac_player_list/raw_7af00b51.json", "nba-com/player-list/2025-10-20/20251020_120000.json"),
    ("nbac_player_movement", "nbac_player_movement/raw_1ecdb80d.json.gz", "nba-com/player-movement/2025-07-17/20250717_080000.json"),
    ("nbac_referee", "nbac_referee_assignments/raw_718e62b3.json", "nba-com/referee-assignments/2025-01-08/20250108_150000.json"),
    ("nbac_injury_report", "nbac_injury_report/raw_f4391904.pdf", "nba-com/injury-report-data/2024-01-04/12/20240104_173001.pdf"),
    ("nbac_injury_report", "nbac_injury_report/exp_f4391904.json", "nba-com/injury-report-data/2024-01-04/12/20240104_173001.json"),
    ("nbac_gamebook", "nbac_gamebook_pdf/exp_0173bcd1.json", "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.json"),
    ("nbac_gamebook", "nbac_gamebook_pdf/raw_0173bcd1.pdf", "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.pdf"),
];

/// A mutation of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(f64),
    Overwrite(Vec<(f64, u8)>),
    Delete(f64, usize),
    Duplicate(f64, usize),
    /// Replace the n-th run of digits with this text.
    Number(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        prop::collection::vec((0.0..1.0f64, any::<u8>()), 1..8).prop_map(Mutation::Overwrite),
        (0.0..1.0f64, 1..400usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (0.0..1.0f64, 1..400usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (
            0..400usize,
            prop_oneof![
                Just("-1".to_string()),
                Just("99999999999999999999".to_string()),
                Just("1e400".to_string()),
                Just("\"x\"".to_string()),
                Just("null".to_string()),
                Just("-0.5".to_string()),
                Just("".to_string()),
            ]
        )
            .prop_map(|(i, s)| Mutation::Number(i, s)),
    ]
}

fn at(len: usize, f: f64) -> usize {
    ((len as f64) * f) as usize % len.max(1)
}

fn apply(data: &[u8], m: &Mutation) -> Vec<u8> {
    let mut d = data.to_vec();
    match m {
        Mutation::Truncate(f) => d.truncate(at(data.len(), *f)),
        Mutation::Overwrite(edits) => {
            for (f, b) in edits {
                let i = at(d.len(), *f);
                if i < d.len() {
                    d[i] = *b;
                }
            }
        }
        Mutation::Delete(f, n) => {
            let i = at(d.len(), *f);
            let j = (i + n).min(d.len());
            d.drain(i..j);
        }
        Mutation::Duplicate(f, n) => {
            let i = at(d.len(), *f);
            let j = (i + n).min(d.len());
            let span = d[i..j].to_vec();
            d.splice(j..j, span);
        }
        Mutation::Number(k, text) => {
            let mut runs = Vec::new();
            let mut i = 0;
            while i < d.len() {
                if d[i].is_ascii_digit() {
                    let s = i;
                    while i < d.len() && d[i].is_ascii_digit() {
                        i += 1;
                    }
                    runs.push((s, i));
                } else {
                    i += 1;
                }
            }
            if !runs.is_empty() {
                let (s, e) = runs[k % runs.len()];
                d.splice(s..e, text.bytes());
            }
        }
    }
    d
}

fn inflate(data: Vec<u8>) -> Vec<u8> {
    if !data.starts_with(&[0x1f, 0x8b]) {
        return data;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut out).expect("fixture gzip");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn mutated_captures_give_rows_or_bad_input_never_a_panic() {
    let Some(_) = shared::shared_dir() else { return };
    let reg = builtin_registry();
    let captures: Vec<(&str, &str, Vec<u8>)> = CAPTURES
        .iter()
        .map(|(name, rel, path)| {
            assert!(reg.contains(name), "{name} is not registered");
            (*name, *path, inflate(shared::fixture(rel).expect("capture")))
        })
        .collect();
    let named: std::collections::BTreeSet<&str> = CAPTURES.iter().map(|c| c.0).collect();
    let topology = hoopflow::cli::home::load_topology(None).unwrap();
    let uncovered: Vec<&String> = topology
        .processors
        .iter()
        .filter(|p| p.phase == 2)
        .map(|p| &p.name)
        .filter(|n| {
            !named.contains(n.as_str()) && n.as_str() != "basketball_ref_roster" && n.as_str() != "betting_props"
        })
        .collect();
    assert!(uncovered.is_empty(), "raw processors without a mutation capture: {uncovered:?}");
    let wh: Arc<dyn Warehouse> = Arc::new(EmbeddedWarehouse::in_memory().unwrap());
    for p in reg.all() {
        for s in p.schemas() {
            wh.ensure_table(&s).await.unwrap();
        }
    }
    let cases = std::env::var("HOOPFLOW_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(384u32);
    let seed = std::env::var("HOOPFLOW_PROPTEST_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x2a3fu64);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config { cases, failure_persistence: None, ..Config::default() },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = (0..captures.len(), mutation());
    let rt = tokio::runtime::Handle::current();
    let (ok, bad) = (std::sync::atomic::AtomicU32::new(0), std::sync::atomic::AtomicU32::new(0));
    let result = runner.run(&strategy, |(i, m)| {
        let (name, path, data) = &captures[i];
        let bytes = apply(data, &m);
        let p = reg.get(name).unwrap();
        let input = ProcessorInput {
            object: Some(LandedObject { path: path.to_string(), generation: 1, data: bytes }),
            ..Default::default()
        };
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.compute(&input)));
        let out = match out {
            Err(_) => return Err(TestCaseError::fail(format!("{name} panicked on {m:?}"))),
            Ok(Err(ProcessorError::BadInput { what, .. })) => {
                prop_assert_eq!(&what, path, "the error names the file");
                bad.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(());
            }
            Ok(Err(other)) => return Err(TestCaseError::fail(format!("{name}: {other:?} on {m:?}"))),
            Ok(Ok(out)) => out,
        };
        ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Rows that parse must fit their tables.
        for w in out.writes {
            let r = tokio::task::block_in_place(|| {
                rt.block_on(async {
                    match w {
                        TableWrite::ReplacePartition { table, date, rows } => {
                            wh.replace_partition(&table, date, rows).await
                        }
                        TableWrite::ReplaceSlice { table, date, scope, rows } => {
                            wh.replace_slice(&table, date, &scope, rows).await
                        }
                        TableWrite::Upsert { table, rows } => wh.upsert(&table, rows).await,
                    }
                })
            });
            prop_assert!(r.is_ok(), "{} wrote rows that do not fit after {:?}: {:?}", name, m, r.err());
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ok, bad) = (ok.into_inner(), bad.into_inner());
    eprintln!("mutations: {ok} parsed to rows, {bad} rejected as bad input");
    assert!(ok > 0 && bad > 0, "both outcomes occur ({ok} ok, {bad} bad)");
}
