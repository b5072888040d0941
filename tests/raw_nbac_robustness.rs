//! NBA.com raw processors on real captures: the original scrapers' outputs and mutated captures.
//!
//! NBA.com raw processors against real captures (`../shared/fixtures/nba`): field values checked against
//! values read out of the captures, bad input is a typed error, and every output fits its schema in the real
//! embedded warehouse, idempotently.

mod nbac_support;
mod shared;

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::Warehouse;
use hoopflow::domain::Row;
use hoopflow::processors::raw::{
    nbac_play_by_play::NbacPlayByPlay, nbac_player_list::NbacPlayerList, nbac_player_movement::NbacPlayerMovement,
    nbac_referee::NbacReferee, nbac_schedule::NbacSchedule, nbac_scoreboard_v2::NbacScoreboardV2,
    nbac_team_boxscore::NbacTeamBoxscore,
};
use hoopflow::processors::{Processor, ProcessorError, TableWrite};
#[allow(unused_imports)]
use nbac_support::*;
use serde_json::{json, Value};

// ── the original scrapers' outputs (`exp_*`) load like the raw captures ────────────────────────────────

/// Rows of a processor from the raw capture and from the scraper's output of it, at the same path.
fn same_rows(p: &dyn Processor, path: &str, raw: &str, exp: &str) -> Option<Vec<Row>> {
    let (raw, exp) = (shared::fixture(raw)?, shared::fixture(exp)?);
    let a = run(p, path, &raw).unwrap();
    let b = run(p, path, &exp).unwrap();
    let table = p.schemas()[0].table.table.clone();
    let key = p.schemas()[0].key.clone();
    let sorted = |mut v: Vec<Row>| {
        v.sort_by_key(|r| key.iter().map(|k| r.get(k).map(Value::to_string).unwrap_or_default()).collect::<Vec<_>>());
        v
    };
    let (ra, rb) = (sorted(rows(&a, &table)), sorted(rows(&b, &table)));
    assert!(!ra.is_empty());
    assert_eq!(ra.len(), rb.len(), "{}: row counts", p.name());
    // The schedule scraper replaced the broadcaster lists with its own network pick (it misses NBA TV).
    let derived = ["has_national_tv", "primary_network", "data_hash"];
    for (x, y) in ra.iter().zip(&rb) {
        let strip = |r: &Row| -> Row {
            r.iter()
                .filter(|(k, _)| p.name() != "nbac_schedule" || !derived.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        assert_eq!(strip(x), strip(y), "{}", p.name());
    }
    Some(ra)
}

#[test]
fn scraper_outputs_load_like_the_raw_captures() {
    let cases: [(&dyn Processor, &str, &str, &str); 7] = [
        (&NbacSchedule, SCHEDULE_PATH, "nbac_schedule_api/raw_80cb1fd6.json.gz", "nbac_schedule_api/exp_80cb1fd6.json"),
        (
            &NbacScoreboardV2,
            "nba-com/scoreboard-v2/2025-01-15/x.json",
            "nbac_scoreboard_v2/raw_06a65a50.json",
            "nbac_scoreboard_v2/exp_06a65a50.json",
        ),
        (
            &NbacTeamBoxscore,
            TEAM_BOX_PATH,
            "nbac_team_boxscore/raw_12f99055.json",
            "nbac_team_boxscore/exp_12f99055.json",
        ),
        (
            &NbacPlayByPlay,
            "nba-com/play-by-play/2025-01-06/game_0022400500/x.json",
            "nbac_play_by_play/raw_14ecf360.json.gz",
            "nbac_play_by_play/exp_14ecf360.json.gz",
        ),
        (&NbacPlayerList, PLAYER_LIST_PATH, "nbac_player_list/raw_7af00b51.json", "nbac_player_list/exp_7af00b51.json"),
        (
            &NbacPlayerMovement,
            MOVEMENT_PATH,
            "nbac_player_movement/raw_1ecdb80d.json.gz",
            "nbac_player_movement/exp_1ecdb80d.json.gz",
        ),
        (
            &NbacReferee,
            REF_PATH,
            "nbac_referee_assignments/raw_718e62b3.json",
            "nbac_referee_assignments/exp_718e62b3.json",
        ),
    ];
    for (p, path, raw, exp) in cases {
        if same_rows(p, path, raw, exp).is_none() {
            return;
        }
    }
    // An older scoreboard scraper kept only ids, tricodes, status and dates: the games load without scores.
    let Some(thin) = shared::fixture("nbac_scoreboard_v2/exp_ee21af81.json") else { return };
    let out = run(&NbacScoreboardV2, "nba-com/scoreboard-v2/2024-01-15/x.json", &thin).unwrap();
    let all = rows(&out, "nbac_scoreboard_v2");
    assert_eq!(all.len(), 11);
    assert_fields(
        one(&all, &[("game_id", json!("20240115_HOU_PHI"))]),
        &[
            ("nba_game_id", json!("0022300555")),
            ("home_team_id", json!(1610612755)),
            ("game_state", json!("final")),
            ("season_year", json!(2023)),
            ("home_score", Value::Null),
            ("winning_team_abbr", Value::Null),
        ],
    );
}

// ── mutated captures: a typed error or rows that fit the schema, never a panic ─────────────────────────

/// Deterministic xorshift.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// JSON pointers of every leaf (and empty container) of `v`.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                leaves(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

async fn fuzz(p: &dyn Processor, path: &str, rel: &str, trials: usize) {
    let Some(data) = shared::fixture(rel) else { return };
    let plain = if data.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut out).unwrap();
        out
    } else {
        data
    };
    let base: Value = serde_json::from_slice(&plain).unwrap();
    let mut all = Vec::new();
    leaves(&base, String::new(), &mut all);
    let junk = [
        Value::Null,
        json!("x"),
        json!(""),
        json!(-1),
        json!(1e20),
        json!(2.5),
        json!([]),
        json!({}),
        json!("2025-13-45T00:00:00Z"),
        json!("ZZZ"),
        json!(true),
    ];
    let wh = EmbeddedWarehouse::in_memory().unwrap();
    for s in p.schemas() {
        wh.ensure_table(&s).await.unwrap();
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ rel.len() as u64);
    let (mut ok, mut bad) = (0, 0);
    for _ in 0..trials {
        let mut v = base.clone();
        for _ in 0..1 + rng.below(4) {
            let ptr = &all[rng.below(all.len())];
            if let Some(slot) = v.pointer_mut(ptr) {
                *slot = junk[rng.below(junk.len())].clone();
            }
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        let p2: &dyn Processor = p;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(p2, path, &bytes)));
        match r {
            Err(_) => panic!("{}: compute panicked on a mutated capture", p.name()),
            Ok(Err(ProcessorError::BadInput { .. })) => bad += 1,
            Ok(Err(e)) => panic!("{}: mutated input gave {e:?}, not BadInput", p.name()),
            Ok(Ok(out)) => {
                ok += 1;
                for w in out.writes {
                    let r = match w {
                        TableWrite::ReplacePartition { table, date, rows } => {
                            wh.replace_partition(&table, date, rows).await
                        }
                        TableWrite::ReplaceSlice { table, date, scope, rows } => {
                            wh.replace_slice(&table, date, &scope, rows).await
                        }
                        TableWrite::Upsert { table, rows } => wh.upsert(&table, rows).await,
                    };
                    if let Err(e) = r {
                        panic!("{}: rows of a mutated capture do not fit the schema: {e}", p.name());
                    }
                }
            }
        }
    }
    assert!(ok + bad == trials);
    eprintln!("{rel}: {ok} loaded, {bad} rejected");
}

#[tokio::test]
async fn mutated_captures_never_panic_and_fit_the_schema() {
    fuzz(&NbacSchedule, SCHEDULE_PATH, "nbac_schedule_cdn/raw_68953816.json", 300).await;
    fuzz(&NbacSchedule, SCHEDULE_PATH, "nbac_schedule_api/raw_80cb1fd6.json.gz", 3).await;
    fuzz(&NbacScoreboardV2, "nba-com/scoreboard-v2/2025-01-15/x.json", "nbac_scoreboard_v2/raw_06a65a50.json", 300)
        .await;
    fuzz(&NbacScoreboardV2, "nba-com/scoreboard-v2/2025-01-15/x.json", "nbac_scoreboard_v2/exp_06a65a50.json", 300)
        .await;
    fuzz(&NbacTeamBoxscore, TEAM_BOX_PATH, "nbac_team_boxscore/raw_12f99055.json", 300).await;
    fuzz(&NbacPlayByPlay, PBP_PATH, "nbac_play_by_play/raw_416e8d5c.json.gz", 60).await;
    fuzz(&NbacPlayerList, PLAYER_LIST_PATH, "nbac_player_list/raw_7af00b51.json", 60).await;
    fuzz(&NbacPlayerMovement, MOVEMENT_PATH, "nbac_player_movement/raw_1ecdb80d.json.gz", 4).await;
    fuzz(&NbacReferee, REF_PATH, "nbac_referee_assignments/raw_718e62b3.json", 300).await;
}
