//! Raw processors of balldontlie, ESPN, Basketball-Reference and BigDataBall against the real captures in
//! `../shared/fixtures/nba` (skipped when absent). Expected values were read out of the captures with a
//! separate script (Python `json`/`csv`), not from the processors' own output.

mod shared;

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

fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.into(), generation: 1, data }), ..Default::default() }
}

fn run(p: &dyn Processor, path: &str, data: Vec<u8>) -> ProcessorOutput {
    p.compute(&input(path, data)).unwrap_or_else(|e| panic!("{} on {path}: {e}", p.name()))
}

fn rows(out: &ProcessorOutput) -> Vec<&Row> {
    out.writes
        .iter()
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.iter(),
        })
        .collect()
}

fn s<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("{k} is not a string in {r:?}"))
}

fn i(r: &Row, k: &str) -> i64 {
    r.get(k).and_then(Value::as_i64).unwrap_or_else(|| panic!("{k} is not an integer in {r:?}"))
}

fn f(r: &Row, k: &str) -> f64 {
    r.get(k).and_then(Value::as_f64).unwrap_or_else(|| panic!("{k} is not a number in {r:?}"))
}

/// The row whose `key` column equals `value` (exactly one).
fn find<'a>(rows: &[&'a Row], key: &str, value: &str) -> &'a Row {
    let found: Vec<&&Row> = rows.iter().filter(|r| r.get(key).and_then(Value::as_str) == Some(value)).collect();
    assert_eq!(found.len(), 1, "{key} = {value}: {} rows", found.len());
    found[0]
}

fn is_bad(r: Result<ProcessorOutput, ProcessorError>) -> bool {
    matches!(r, Err(ProcessorError::BadInput { .. }))
}

/// A truncated copy and an empty file are `BadInput`, never a panic or a write.
fn assert_rejects_broken(p: &dyn Processor, path: &str, data: &[u8]) {
    let half = data[..data.len() / 2].to_vec();
    assert!(is_bad(p.compute(&input(path, half))), "{}: truncated capture must be BadInput", p.name());
    assert!(is_bad(p.compute(&input(path, Vec::new()))), "{}: empty file must be BadInput", p.name());
    assert!(is_bad(p.compute(&input(path, b"  \n".to_vec()))), "{}: blank file must be BadInput", p.name());
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).expect("gzip fixture");
    out
}

/// Apply every write of `out` to a fresh in-memory warehouse twice: the rows fit the schema and the second
/// application leaves the same row count. Returns the count.
async fn round_trip(p: &dyn Processor, out: &ProcessorOutput) -> u64 {
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
async fn apply(w: &EmbeddedWarehouse, out: &ProcessorOutput) {
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
async fn warehouse(p: &dyn Processor) -> EmbeddedWarehouse {
    let w = EmbeddedWarehouse::in_memory().expect("warehouse");
    for schema in p.schemas() {
        w.ensure_table(&schema).await.expect("ensure_table");
    }
    w
}

fn d(s: &str) -> SlateDate {
    s.parse().unwrap()
}

// ── balldontlie box scores ───────────────────────────────────────────────────────────────────────────────────

const BDL_BOX_2024: &str = "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json";

#[tokio::test]
async fn bdl_boxscores_2024_01_15_values() {
    let Some(data) = shared::fixture("bdl_box_scores/raw_7a649e12.json") else { return };
    let p = bdl_boxscores::BdlBoxscores;
    let out = run(&p, BDL_BOX_2024, data.clone());
    assert_eq!(out.writes.len(), 11, "one slice per game");
    assert_eq!(out.metadata["games"], json!(11));
    let all = rows(&out);
    // 11 games, 384 player lines (python: sum of both teams' players).
    assert_eq!(all.len(), 384);
    for w in &out.writes {
        let TableWrite::ReplaceSlice { date, scope, rows, .. } = w else { panic!("expected a slice") };
        assert_eq!(*date, d("2024-01-15"));
        assert_eq!(scope[0].0, "game_id");
        assert!(rows.iter().all(|r| r.get("game_id") == Some(&scope[0].1)));
    }
    let embiid = find(&all, "player_lookup", "joelembiid");
    assert_eq!(s(embiid, "game_id"), "20240115_HOU_PHI");
    assert_eq!(s(embiid, "team_abbr"), "PHI");
    assert_eq!(s(embiid, "opponent_team_abbr"), "HOU");
    assert_eq!(i(embiid, "points"), 41);
    assert_eq!(s(embiid, "minutes"), "31");
    assert_eq!(f(embiid, "minutes_decimal"), 31.0);
    assert_eq!(i(embiid, "home_team_score"), 124);
    assert_eq!(i(embiid, "away_team_score"), 115);
    assert_eq!(i(embiid, "season_year"), 2023);
    assert_eq!(embiid.get("bdl_game_id"), Some(&Value::Null), "2024 responses carry no game id");
    let batum = find(&all, "player_lookup", "nicolasbatum");
    assert_eq!((i(batum, "points"), i(batum, "rebounds"), i(batum, "assists")), (5, 5, 3));
    assert_eq!(f(batum, "field_goal_pct"), 0.286);
    // ESPN-style abbreviations never leak: every game id is built from canonical tricodes.
    let ids: std::collections::BTreeSet<&str> = all.iter().map(|r| s(r, "game_id")).collect();
    assert!(ids.contains("20240115_IND_UTA") && ids.contains("20240115_GSW_MEM") && ids.contains("20240115_SAS_ATL"));
    assert_eq!(round_trip(&p, &out).await, 384);
    assert_rejects_broken(&p, BDL_BOX_2024, &data);
}

#[test]
fn bdl_boxscores_2026_01_09_values() {
    let Some(data) = shared::fixture("bdl_box_scores/raw_71b3c5b2.json") else { return };
    let out = run(&bdl_boxscores::BdlBoxscores, "ball-dont-lie/boxscores/2026-01-09/20260110_080000.json", data);
    assert_eq!(out.writes.len(), 10);
    let all = rows(&out);
    let brown = find(&all, "player_lookup", "jaylenbrown");
    assert_eq!(s(brown, "game_id"), "20260109_TOR_BOS");
    assert_eq!((i(brown, "points"), i(brown, "plus_minus"), i(brown, "bdl_game_id")), (25, 17, 18447346));
    assert_eq!(s(brown, "game_date"), "2026-01-09", "the game's ET date, not the UTC datetime (01-10)");
    assert_eq!(i(brown, "season_year"), 2025);
    // SAC @ GSW 103-137 (python).
    let gsw = all.iter().find(|r| s(r, "game_id") == "20260109_SAC_GSW").expect("SAC@GSW");
    assert_eq!((i(gsw, "away_team_score"), i(gsw, "home_team_score")), (103, 137));
}

#[test]
fn bdl_empty_days_are_no_data_not_errors() {
    let p = bdl_boxscores::BdlBoxscores;
    for (rel, path) in [
        ("bdl_box_scores/raw_d62cc934.json", "ball-dont-lie/boxscores/2025-07-01/20250701_120000.json"),
        ("bdl_live_box_scores/raw_1575e0a5.json", "ball-dont-lie/boxscores/2025-07-02/20250702_120000.json"),
        ("bdl_odds/raw_99fa8981.json", "ball-dont-lie/boxscores/2025-07-03/20250703_120000.json"),
    ] {
        let Some(data) = shared::fixture(rel) else { return };
        let out = run(&p, path, data.clone());
        assert!(out.writes.is_empty(), "{rel}");
        assert!(out.no_data_reason.is_some(), "{rel}");
        // The same empty `{"data":[]}` shape is no data for every balldontlie processor.
        for q in [
            &bdl_active_players::BdlActivePlayers as &dyn Processor,
            &bdl_injuries::BdlInjuries,
            &bdl_standings::BdlStandings,
        ] {
            let out = run(q, path, data.clone());
            assert!(out.writes.is_empty() && out.no_data_reason.is_some(), "{} on {rel}", q.name());
        }
    }
}

// ── balldontlie active players, injuries, standings ──────────────────────────────────────────────────────────

#[tokio::test]
async fn bdl_active_players_values() {
    let Some(data) = shared::fixture("bdl_active_players/raw_ac3e7bd3.json") else { return };
    let p = bdl_active_players::BdlActivePlayers;
    let path = "ball-dont-lie/active-players/2025-06-19/20250619_230000.json";
    let out = run(&p, path, data.clone());
    let [TableWrite::Upsert { rows: all, .. }] = out.writes.as_slice() else { panic!("one upsert") };
    assert_eq!(all.len(), 100);
    let all: Vec<&Row> = all.iter().collect();
    let adams = find(&all, "player_lookup", "stevenadams");
    assert_eq!((i(adams, "bdl_player_id"), s(adams, "team_abbr"), s(adams, "position")), (3, "HOU", "C"));
    assert_eq!((s(adams, "height"), s(adams, "jersey_number"), i(adams, "draft_number")), ("6-11", "12", 12));
    assert_eq!(s(adams, "last_seen_date"), "2025-06-19");
    let giannis = find(&all, "player_lookup", "giannisantetokounmpo");
    assert_eq!((i(giannis, "bdl_player_id"), s(giannis, "team_abbr")), (15, "MIL"));
    assert_eq!(s(giannis, "validation_status"), "valid");
    assert_eq!(round_trip(&p, &out).await, 100);
    assert_rejects_broken(&p, path, &data);
}

#[tokio::test]
async fn bdl_injuries_values() {
    let Some(data) = shared::fixture("bdl_injuries/raw_49fd60fb.json") else { return };
    let p = bdl_injuries::BdlInjuries;
    let path = "ball-dont-lie/injuries/2025-07-15/20250715_140000.json";
    let out = run(&p, path, data.clone());
    let [TableWrite::ReplaceSlice { date, scope, rows: all, .. }] = out.writes.as_slice() else { panic!("one slice") };
    assert_eq!(*date, d("2025-07-15"));
    assert_eq!(scope.as_slice(), &[("source_file_path".to_string(), json!(format!("gs://nba-scraped-data/{path}")))]);
    assert_eq!(all.len(), 100);
    let all: Vec<&Row> = all.iter().collect();
    // python: 91 Day-To-Day, 9 Out.
    let n = |st: &str| all.iter().filter(|r| s(r, "injury_status_normalized") == st).count();
    assert_eq!((n("day-to-day"), n("out")), (91, 9));
    let toppin = find(&all, "player_lookup", "jacobtoppin");
    assert_eq!((s(toppin, "team_abbr"), s(toppin, "injury_status")), ("ATL", "Day-To-Day"));
    assert_eq!((s(toppin, "return_date_original"), s(toppin, "return_date")), ("Jul 17", "2025-07-17"));
    assert_eq!(s(toppin, "reason_category"), "injury");
    // "Oct 1" scraped in July is this October; "Feb 1" is next February.
    assert!(all
        .iter()
        .filter(|r| s(r, "return_date_original") == "Oct 1")
        .all(|r| s(r, "return_date") == "2025-10-01"));
    assert!(all
        .iter()
        .filter(|r| s(r, "return_date_original") == "Feb 1")
        .all(|r| s(r, "return_date") == "2026-02-01"));
    assert_eq!(round_trip(&p, &out).await, 100);
    assert_rejects_broken(&p, path, &data);

    // The small capture: Brown and Tatum (BOS).
    let Some(small) = shared::fixture("bdl_injuries/raw_d45e630e.json") else { return };
    let out = run(&p, "ball-dont-lie/injuries/2025-06-25/20250625_100000.json", small);
    let all = rows(&out);
    let tatum = find(&all, "player_lookup", "jaysontatum");
    assert_eq!((s(tatum, "team_abbr"), s(tatum, "injury_status_normalized")), ("BOS", "out"));
    assert_eq!(s(tatum, "return_date"), "2026-02-01");
}

#[test]
fn bdl_injury_status_is_case_insensitive() {
    assert_eq!(bdl_injuries::normalize_status("Day-To-Day"), "day-to-day");
    assert_eq!(bdl_injuries::normalize_status(" DAY TO DAY "), "day-to-day");
    assert_eq!(bdl_injuries::normalize_status("OUT"), "out");
    assert_eq!(bdl_injuries::normalize_status("questionable"), "questionable");
    let body = json!({"data": [{"player": {"id": 1, "first_name": "A", "last_name": "B", "team_id": 2},
        "status": "OUT", "return_date": "Nov 3", "description": "Nov 1: B (illness) is out."}]});
    let out =
        run(&bdl_injuries::BdlInjuries, "ball-dont-lie/injuries/2025-11-02/x.json", body.to_string().into_bytes());
    let r = rows(&out)[0];
    assert_eq!(
        (s(r, "injury_status_normalized"), s(r, "reason_category"), s(r, "return_date")),
        ("out", "illness", "2025-11-03")
    );
}

#[tokio::test]
async fn bdl_standings_values() {
    let p = bdl_standings::BdlStandings;
    for rel in ["bdl_standings/raw_395a0451.json", "bdl_standings/raw_b98e62d2.json"] {
        let Some(data) = shared::fixture(rel) else { return };
        let path = "ball-dont-lie/standings/2024-25/2025-04-14/20250414_120000.json";
        let out = run(&p, path, data.clone());
        let [TableWrite::ReplacePartition { date, rows: all, .. }] = out.writes.as_slice() else { panic!("partition") };
        assert_eq!(*date, d("2025-04-14"));
        assert_eq!(all.len(), 30);
        let all: Vec<&Row> = all.iter().collect();
        let cle = find(&all, "team_abbr", "CLE");
        assert_eq!((i(cle, "wins"), i(cle, "losses"), i(cle, "conference_rank")), (64, 18, 1));
        assert_eq!(
            (i(cle, "season_year"), s(cle, "season_display"), s(cle, "date_recorded")),
            (2024, "2024-25", "2025-04-14")
        );
        // "12-4 " (trailing space in raw_b98e62d2) is trimmed.
        assert_eq!((s(cle, "division_record"), i(cle, "division_wins"), i(cle, "division_losses")), ("12-4", 12, 4));
        assert_eq!((i(cle, "home_wins"), i(cle, "home_losses")), (34, 7));
        assert_eq!(f(cle, "win_percentage"), 0.78);
        let bos = find(&all, "team_abbr", "BOS");
        assert_eq!((s(bos, "conference_record"), i(bos, "conference_rank")), ("39-13", 2));
        assert_eq!(round_trip(&p, &out).await, 30);
        assert_rejects_broken(&p, path, &data);
    }
}

// ── ESPN ─────────────────────────────────────────────────────────────────────────────────────────────────────

const ESPN_BOX_PATH: &str = "espn/boxscores/2024-01-15/game_401585183/20240116_080000.json";
const ESPN_SB_PATH: &str = "espn/scoreboard/2024-01-15/20240116_080000.json";

#[tokio::test]
async fn espn_boxscore_hou_at_phi_values() {
    let p = espn_boxscore::EspnBoxscore;
    for rel in [
        "espn_game_boxscore/raw_6f34c64b.html.gz",
        "espn_game_boxscore/raw_da177814.html.gz",
        "espn_game_boxscore/raw_fbd5b07e.html.gz",
    ] {
        let Some(data) = shared::fixture(rel) else { return };
        let out = run(&p, ESPN_BOX_PATH, data.clone());
        let [TableWrite::ReplaceSlice { date, scope, rows: all, .. }] = out.writes.as_slice() else { panic!("slice") };
        assert_eq!(*date, d("2024-01-15"));
        assert_eq!(scope[0], ("game_id".to_string(), json!("20240115_HOU_PHI")));
        let all: Vec<&Row> = all.iter().collect();
        let embiid = find(&all, "player_lookup", "joelembiid");
        assert_eq!((i(embiid, "points"), s(embiid, "team_abbr"), s(embiid, "espn_game_id")), (41, "PHI", "401585183"));
        assert!(embiid.get("starter") == Some(&json!(true)));
        let smith = find(&all, "player_lookup", "jabarismithjr");
        assert_eq!((i(smith, "points"), i(smith, "field_goals_made"), i(smith, "field_goals_attempted")), (13, 5, 9));
        assert_eq!((i(smith, "plus_minus"), f(smith, "minutes")), (-8, 31.0));
        let green = find(&all, "player_lookup", "jeffgreen");
        assert_eq!((i(green, "points"), i(green, "blocks")), (1, 2));
        assert!(green.get("starter") == Some(&json!(false)));
        let bullock = find(&all, "player_lookup", "reggiebullockjr");
        assert_eq!(bullock.get("did_not_play"), Some(&json!(true)));
        assert_eq!(s(bullock, "dnp_reason"), "DNP-COACH'S DECISION");
        assert_eq!(bullock.get("points"), Some(&Value::Null));
        // Team totals from the page: HOU 115, PHI 124.
        let pts =
            |t: &str| all.iter().filter(|r| s(r, "team_abbr") == t).filter_map(|r| r["points"].as_i64()).sum::<i64>();
        assert_eq!((pts("HOU"), pts("PHI")), (115, 124));
        assert_eq!(round_trip(&p, &out).await as usize, all.len());
        assert_rejects_broken(&p, ESPN_BOX_PATH, &data);
        assert_rejects_broken(&p, ESPN_BOX_PATH, &gunzip(&data));
    }
}

#[test]
fn espn_boxscore_history_capture_uses_the_et_date() {
    let Some(data) = shared::fixture("_history/espn_game_boxscore_raw_401766123.html.gz") else { return };
    let p = espn_boxscore::EspnBoxscore;
    // Without a date in the path the tip-off 2025-06-09T00:00Z is the 8 June (ET) game.
    let out = run(&p, "espn/boxscores/game_401766123/page.html", data.clone());
    let all = rows(&out);
    let first = all[0];
    assert_eq!((s(first, "game_id"), s(first, "game_date")), ("20250608_IND_OKC", "2025-06-08"));
    assert_eq!((i(first, "home_team_score"), i(first, "away_team_score")), (123, 107));
    let pts = |t: &str| all.iter().filter(|r| s(r, "team_abbr") == t).filter_map(|r| r["points"].as_i64()).sum::<i64>();
    assert_eq!((pts("OKC"), pts("IND")), (123, 107));
    let walker = find(&all, "player_lookup", "jaracewalker");
    assert_eq!(s(walker, "dnp_reason"), "DNP-RIGHT ANKLE SPRAIN");
    // A page landed under another game's id is a mislabelled file.
    assert!(is_bad(p.compute(&input("espn/boxscores/2025-06-08/game_401766124/page.html", data))));
}

#[tokio::test]
async fn espn_scoreboard_values() {
    let Some(data) = shared::fixture("espn_scoreboard_api/raw_92de7c9a.json") else { return };
    let p = espn_scoreboard::EspnScoreboard;
    let out = run(&p, ESPN_SB_PATH, data.clone());
    let all = rows(&out);
    assert_eq!(all.len(), 11);
    assert!(all.iter().all(|r| s(r, "game_date") == "2024-01-15"), "late tip-offs (03:30Z) stay on the ET date");
    let phi = find(&all, "game_id", "20240115_HOU_PHI");
    assert_eq!((s(phi, "espn_game_id"), i(phi, "home_team_score"), i(phi, "away_team_score")), ("401585183", 124, 115));
    assert_eq!(
        (s(phi, "game_status"), phi["is_completed"].clone(), phi["home_team_winner"].clone()),
        ("final", json!(true), json!(true))
    );
    assert_eq!(s(phi, "scheduled_start_time"), "2024-01-15T18:00:00Z");
    let uta = find(&all, "game_id", "20240115_IND_UTA");
    assert_eq!((s(uta, "home_espn_abbr"), i(uta, "home_team_score")), ("UTAH", 132));
    let mia = find(&all, "game_id", "20240115_MIA_BKN");
    assert_eq!((s(mia, "game_status_detail"), i(mia, "away_team_score")), ("Final/OT", 96));
    assert!(
        all.iter().any(|r| s(r, "game_id") == "20240115_GSW_MEM")
            && all.iter().any(|r| s(r, "game_id") == "20240115_DET_WAS")
    );
    assert_eq!(round_trip(&p, &out).await, 11);
    assert_rejects_broken(&p, ESPN_SB_PATH, &data);
    // 2025-02-14 (All-Star Friday): leagues but no events → no data.
    let Some(empty) = shared::fixture("espn_scoreboard_api/raw_20250214.json") else { return };
    let out = run(&p, "espn/scoreboard/2025-02-14/20250214_120000.json", empty);
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
}

/// 2024-01-15: BDL box scores vs the ESPN box score of HOU@PHI, and ESPN scoreboard vs BDL final scores.
#[test]
fn cross_source_2024_01_15_bdl_vs_espn() {
    let (Some(bdl), Some(espn), Some(sb)) = (
        shared::fixture("bdl_box_scores/raw_7a649e12.json"),
        shared::fixture("espn_game_boxscore/raw_6f34c64b.html.gz"),
        shared::fixture("espn_scoreboard_api/raw_92de7c9a.json"),
    ) else {
        return;
    };
    let bdl = run(&bdl_boxscores::BdlBoxscores, BDL_BOX_2024, bdl);
    let espn = run(&espn_boxscore::EspnBoxscore, ESPN_BOX_PATH, espn);
    let sb = run(&espn_scoreboard::EspnScoreboard, ESPN_SB_PATH, sb);
    // Both sides go through the alias table to the canonical (NBA.com) lookup: BDL writes "Kenyon Martin Jr."
    // for NBA.com's "KJ Martin"; BDL writes "Jeenathan Williams" for "Nate Williams"; "Marcus Morris Sr."
    // (ESPN) / "Marcus Morris" (BDL) is a suffix match the resolver makes against the known players.
    let aliases = Aliases::builtin();
    let canon = |l: &str| aliases.get(l).unwrap_or(l).to_string();
    let bdl_game: BTreeMap<String, i64> = rows(&bdl)
        .into_iter()
        .filter(|r| s(r, "game_id") == "20240115_HOU_PHI")
        .map(|r| (canon(s(r, "player_lookup")), i(r, "points")))
        .collect();
    assert_eq!(bdl_game.len(), 36);
    let resolver = NameResolver::new(Aliases::builtin(), bdl_game.keys().cloned());
    let mut compared = 0;
    let mut resolved = Vec::new();
    for r in rows(&espn) {
        let Some(pts) = r["points"].as_i64() else { continue }; // DNP on ESPN
        let res = resolver.resolve_lookup(s(r, "player_lookup"));
        assert!(res.is_resolved(), "{} is on the ESPN page but not in BDL", s(r, "player_lookup"));
        if res.method() != "exact" {
            resolved.push(format!("{}→{}", s(r, "player_lookup"), res.lookup()));
        }
        assert_eq!(Some(&pts), bdl_game.get(res.lookup()), "{}: ESPN {pts} vs BDL", res.lookup());
        compared += 1;
    }
    assert_eq!(compared, 23, "every ESPN player who played (23) is compared");
    resolved.sort();
    assert_eq!(resolved, ["marcusmorrissr→marcusmorris"]);
    // Everyone who scored in BDL is on the ESPN page (BDL lists 13 more players who did not play).
    let espn_pts: i64 = rows(&espn).iter().filter_map(|r| r["points"].as_i64()).sum();
    assert_eq!(espn_pts, bdl_game.values().sum::<i64>());
    // Final scores agree for every game both sources have.
    let bdl_scores: BTreeMap<&str, (i64, i64)> =
        rows(&bdl).into_iter().map(|r| (s(r, "game_id"), (i(r, "away_team_score"), i(r, "home_team_score")))).collect();
    let mut both = 0;
    for g in rows(&sb) {
        if let Some(b) = bdl_scores.get(s(g, "game_id")) {
            assert_eq!(*b, (i(g, "away_team_score"), i(g, "home_team_score")), "{}", s(g, "game_id"));
            both += 1;
        }
    }
    assert_eq!(both, 11, "all 11 games of the date are in both sources under the same standard game id");
}

// ── ESPN rosters (page and API) ──────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn espn_team_roster_page_and_api_agree() {
    let (Some(html), Some(api)) =
        (shared::fixture("espn_roster/raw_bos.html.gz"), shared::fixture("espn_roster_api/raw_2.json"))
    else {
        return;
    };
    let p = espn_team_roster::EspnTeamRoster;
    let html_path = "espn/rosters/2025-06-19/team_BOS/20250619_230536.json";
    let api_path = "espn/rosters/2025-06-19/team_BOS/20250619_231000.json";
    let page = run(&p, html_path, html.clone());
    let [TableWrite::ReplaceSlice { date, scope, rows: page_rows, .. }] = page.writes.as_slice() else {
        panic!("slice")
    };
    assert_eq!((*date, scope[0].clone()), (d("2025-06-19"), ("team_abbr".to_string(), json!("BOS"))));
    assert_eq!(page_rows.len(), 17);
    let page_rows: Vec<&Row> = page_rows.iter().collect();
    let brown = find(&page_rows, "player_lookup", "jaylenbrown");
    assert_eq!((s(brown, "espn_player_id"), s(brown, "jersey_number"), s(brown, "position")), ("3917376", "7", "SG"));
    assert_eq!(
        (i(brown, "height_inches"), i(brown, "weight"), i(brown, "age"), i(brown, "experience_years")),
        (78, 223, 28, 8)
    );
    assert_eq!(
        (s(brown, "birth_date"), s(brown, "college"), s(brown, "source_format")),
        ("1996-10-24", "California", "html")
    );
    assert_eq!((i(brown, "scrape_hour"), i(brown, "season_year")), (23, 2024));
    let davison = find(&page_rows, "player_lookup", "jddavison");
    assert_eq!(s(davison, "birth_date"), "2002-10-03", "two-digit years: 02 is 2002");
    let horford = find(&page_rows, "player_lookup", "alhorford");
    assert_eq!(
        (s(horford, "birth_date"), i(horford, "height_inches"), i(horford, "experience_years")),
        ("1986-06-03", 81, 17)
    );

    let api_out = run(&p, api_path, api.clone());
    let api_rows = rows(&api_out);
    assert_eq!(api_rows.len(), 17);
    let tatum = find(&api_rows, "player_lookup", "jaysontatum");
    assert_eq!(
        (s(tatum, "roster_status"), s(tatum, "injury_status"), s(tatum, "status")),
        ("injured", "out", "active")
    );
    assert_eq!((i(tatum, "height_inches"), i(tatum, "weight"), s(tatum, "birth_date")), (80, 210, "1998-03-03"));
    assert_eq!(s(find(&api_rows, "player_lookup", "derrickwhite"), "roster_status"), "active");
    // Both shapes give the same players, ids, jerseys, positions, heights and weights.
    let key = |r: &&Row| {
        (
            s(r, "player_lookup").to_string(),
            s(r, "espn_player_id").to_string(),
            s(r, "jersey_number").to_string(),
            s(r, "position").to_string(),
            i(r, "height_inches"),
            i(r, "weight"),
        )
    };
    let mut a: Vec<_> = page_rows.iter().map(key).collect();
    let mut b: Vec<_> = api_rows.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(round_trip(&p, &page).await, 17);
    assert_eq!(round_trip(&p, &api_out).await, 17);
    assert_rejects_broken(&p, html_path, &html);
    assert_rejects_broken(&p, html_path, &gunzip(&html));
    assert_rejects_broken(&p, api_path, &api);
    // The BOS roster landed under another team's folder is a mislabelled file.
    assert!(is_bad(p.compute(&input("espn/rosters/2025-06-19/team_LAL/20250619_231000.json", api))));
}

// ── BigDataBall ──────────────────────────────────────────────────────────────────────────────────────────────

const BDB_PATH: &str = "big-data-ball/2024-25/2025-06-22/game_0042400407/[2025-06-22]-0042400407-IND@OKC.csv";

#[tokio::test]
async fn big_data_ball_finals_game_7_values() {
    let Some(data) = shared::fixture("bigdataball_pbp/raw_746cfbef.csv") else { return };
    let p = big_data_ball_pbp::BigDataBallPbp;
    // A neutral path: the teams come from the events, not the file name.
    let path = "big-data-ball/2024-25/2025-06-22/game_0042400407/pbp.csv";
    let out = run(&p, path, data.clone());
    let [TableWrite::ReplaceSlice { date, scope, rows: all, .. }] = out.writes.as_slice() else { panic!("slice") };
    assert_eq!((*date, scope[0].clone()), (d("2025-06-22"), ("game_id".to_string(), json!("20250622_IND_OKC"))));
    assert_eq!(all.len(), 510);
    let all: Vec<&Row> = all.iter().collect();
    assert_eq!(out.metadata["final_score"], json!({"away": 91, "home": 103}));
    assert!(all.iter().all(|r| s(r, "bdb_game_id") == "42400407" && i(r, "season_year") == 2024));
    // play 3: Nembhard 14' pull-up jumper, made, 2 points (python).
    let shot = find(&all, "description", "Nembhard 14' Pullup Jump Shot (2 PTS)");
    assert_eq!((i(shot, "event_sequence"), i(shot, "csv_row_number"), i(shot, "event_id")), (3, 4, 3));
    assert_eq!((s(shot, "shot_type"), shot["shot_made"].clone(), i(shot, "points_scored")), ("2PT", json!(true), 2));
    assert_eq!((f(shot, "shot_distance"), f(shot, "converted_x"), f(shot, "converted_y")), (14.0, 15.9, 15.6));
    assert_eq!(
        (s(shot, "player_1_lookup"), s(shot, "player_1_team_abbr"), i(shot, "score_away")),
        ("andrewnembhard", "IND", 2)
    );
    assert_eq!((s(shot, "game_clock"), i(shot, "game_clock_seconds"), i(shot, "elapsed_seconds")), ("11:44", 704, 16));
    assert_eq!(s(shot, "home_player_4_lookup"), "shaigilgeousalexander");
    assert_eq!(s(shot, "away_player_2_lookup"), "tyresehaliburton");
    let miss = find(&all, "description", "MISS Siakam 33' 3PT Jump Shot");
    assert_eq!((s(miss, "shot_type"), miss["shot_made"].clone(), i(miss, "period")), ("3PT", json!(false), 1));
    // Caruso comes in for Holmgren twice; the first time is event 32 (python).
    let sub = *all.iter().find(|r| r["description"] == json!("SUB: Caruso FOR Holmgren")).unwrap();
    assert_eq!(i(sub, "event_sequence"), 32);
    assert_eq!(
        (s(sub, "player_2_lookup"), s(sub, "player_2_role"), s(sub, "player_2_team_abbr")),
        ("alexcaruso", "entered", "OKC")
    );
    let steal = find(&all, "description", "Caruso STEAL (1 STL): Haliburton Bad Pass Turnover (P1.T1)");
    assert_eq!(
        (s(steal, "player_1_lookup"), s(steal, "player_2_lookup"), s(steal, "player_2_role")),
        ("tyresehaliburton", "alexcaruso", "steal")
    );
    assert_eq!(s(steal, "player_2_team_abbr"), "OKC");
    // Points by player summed over the events (python): SGA 29, Mathurin 24, J. Williams 20.
    let pts = |who: &str| {
        all.iter()
            .filter(|r| r["player_1_lookup"] == json!(who))
            .filter_map(|r| r["points_scored"].as_i64())
            .sum::<i64>()
    };
    assert_eq!((pts("shaigilgeousalexander"), pts("bennedictmathurin"), pts("jalenwilliams")), (29, 24, 20));
    // A team rebound has no player, so no player team (the event team is `event_team_abbr`).
    let team_reb = *all.iter().find(|r| r["event_subtype"] == json!("team rebound")).unwrap();
    assert_eq!(
        (team_reb["player_1_lookup"].clone(), team_reb["player_1_team_abbr"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(team_reb["event_team_abbr"].is_string());
    let made = all.iter().filter(|r| r["event_type"] == json!("shot") && r["shot_made"] == json!(true)).count();
    assert_eq!(made, 64);
    // Period 4 elapsed time continues from 2160 s.
    let last = all[509];
    assert_eq!((i(last, "period"), i(last, "elapsed_seconds"), s(last, "event_type")), (4, 2880, "end of period"));
    assert_eq!(round_trip(&p, &out).await, 510);
    assert_rejects_broken(&p, BDB_PATH, &data);
}

#[test]
fn big_data_ball_csv_edge_cases() {
    let p = big_data_ball_pbp::BigDataBallPbp;
    let parsed = big_data_ball_pbp::parse_csv("a,b,c\r\n1,\"x, \"\"y\"\"\",3\n\n4,\"multi\nline\",6").unwrap();
    assert_eq!(parsed[1], (2, vec!["1".to_string(), "x, \"y\"".into(), "3".into()]));
    assert_eq!(parsed[2], (4, vec!["4".to_string(), "multi\nline".into(), "6".into()]));
    assert!(big_data_ball_pbp::parse_csv("a,b\n1,\"open").is_err());
    assert_eq!(big_data_ball_pbp::parse_csv("").unwrap().len(), 0);
    let Some(data) = shared::fixture("bigdataball_pbp/raw_746cfbef.csv") else { return };
    let text = String::from_utf8(data).unwrap();
    // Header only → no data; a file cut inside a row or inside quotes → BadInput.
    let header = text.lines().next().unwrap().to_string() + "\n";
    let out = run(&p, BDB_PATH, header.into_bytes());
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
    let cut = text.find("Nembhard 14'").unwrap();
    assert!(is_bad(p.compute(&input(BDB_PATH, text.as_bytes()[..cut].to_vec()))));
    let quoted = text.replacen("Jump Ball Holmgren", "\"Jump Ball Holmgren", 1);
    assert!(is_bad(p.compute(&input(BDB_PATH, quoted.into_bytes()))));
    assert!(is_bad(p.compute(&input(BDB_PATH, b"not,a,pbp\n1,2,3\n".to_vec()))));
    // Teams fall back to the file name when no event names an on-court player's team.
    let no_team: String =
        text.lines().map(|l| l.replace(",OKC,", ",,").replace(",IND,", ",,")).collect::<Vec<_>>().join("\n") + "\n";
    let out = run(&p, BDB_PATH, no_team.clone().into_bytes());
    assert_eq!(rows(&out)[0]["game_id"], json!("20250622_IND_OKC"));
    assert!(is_bad(p.compute(&input("big-data-ball/2024-25/2025-06-22/game_1/pbp.csv", no_team.into_bytes()))));
}

// ── Basketball-Reference (no real capture: a documented sample) ─────────────────────────────────────────────

/// What the original scraper wrote for a season roster (`basketball-ref/season-rosters/2023-24/LAL.json`),
/// reconstructed from the spec's column list (§1.3 #5, §1.4): there is no real capture of this source.
fn br_sample(players: &[(&str, &str, &str)]) -> Vec<u8> {
    let players: Vec<Value> = players
        .iter()
        .map(|(name, no, pos)| {
            json!({"full_name": name, "last_name": name.rsplit(' ').next(), "normalized": name.to_lowercase(),
                   "position": pos, "jersey_number": no, "height": "6-9", "weight": "250",
                   "birth_date": "December 30, 1984", "college": "", "experience": if *no == "1" { "R" } else { "20" }})
        })
        .collect();
    json!({"team_abbrev": "LAL", "season": "2023-24", "timestamp": "2024-01-16T02:00:00Z", "players": players})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn basketball_ref_roster_sample() {
    let p = basketball_ref_roster::BasketballRefRoster;
    let path = "basketball-ref/season-rosters/2023-24/LAL.json";
    let data = br_sample(&[("LeBron James", "23", "F"), ("Anthony Davis", "3", "F-C"), ("Dalton Knecht", "1", "G")]);
    // Without prior state: rows, first_seen = scrape date (ET date of the timestamp), no change rows.
    let out = run(&p, path, data.clone());
    let [TableWrite::Upsert { rows: cur, .. }] = out.writes.as_slice() else { panic!("one upsert") };
    assert_eq!(out.metadata["roster_changes"], json!("unknown"));
    let cur: Vec<&Row> = cur.iter().collect();
    let lebron = find(&cur, "player_lookup", "lebronjames");
    assert_eq!(
        (i(lebron, "season_year"), s(lebron, "season_display"), s(lebron, "team_abbrev")),
        (2023, "2023-24", "LAL")
    );
    assert_eq!(
        (s(lebron, "jersey_number"), i(lebron, "experience_years"), s(lebron, "first_seen_date")),
        ("23", 20, "2024-01-15")
    );
    assert_eq!(i(find(&cur, "player_lookup", "daltonknecht"), "experience_years"), 0, "R = rookie");
    assert_eq!(round_trip(&p, &out).await, 3);

    // With the prior state: LeBron and Davis known since 2024-01-01, Reaves on the 01-14 scrape but gone.
    let prior = |name: &str, first: &str, last: &str| {
        let mut r = Row::new();
        for (k, v) in [
            ("season_year", json!(2023)),
            ("team_abbrev", json!("LAL")),
            ("player_full_name", json!(name)),
            ("player_lookup", json!(hoopflow::domain::player_lookup(name))),
            ("first_seen_date", json!(first)),
            ("last_scraped_date", json!(last)),
        ] {
            r.insert(k.into(), v);
        }
        r
    };
    let mut inp = input(path, data);
    inp.tables.insert(
        "nba_raw.br_rosters_current".into(),
        vec![
            prior("LeBron James", "2024-01-01", "2024-01-14"),
            prior("Anthony Davis", "2024-01-01", "2024-01-14"),
            prior("Austin Reaves", "2023-10-01", "2024-01-14"),
            prior("Old Player", "2023-10-01", "2023-11-01"),
        ],
    );
    let out = p.compute(&inp).unwrap();
    let [TableWrite::Upsert { rows: cur, .. }, TableWrite::ReplaceSlice { date, scope, rows: changes, .. }] =
        out.writes.as_slice()
    else {
        panic!("upsert + changes slice")
    };
    assert_eq!(*date, d("2024-01-15"));
    assert_eq!(scope.len(), 2);
    let cur: Vec<&Row> = cur.iter().collect();
    assert_eq!(s(find(&cur, "player_lookup", "lebronjames"), "first_seen_date"), "2024-01-01");
    assert_eq!(s(find(&cur, "player_lookup", "daltonknecht"), "first_seen_date"), "2024-01-15");
    let mut kinds: Vec<(&str, &str)> = changes.iter().map(|r| (s(r, "player_lookup"), s(r, "change_type"))).collect();
    kinds.sort();
    assert_eq!(kinds, [("austinreaves", "removed"), ("daltonknecht", "added")]);
    assert_eq!(round_trip(&p, &out).await, 5);
    // Reloading the file against the state the first load produced gives the same rows and changes.
    let mut state: BTreeMap<String, Row> = inp.tables["nba_raw.br_rosters_current"]
        .iter()
        .map(|r| (s(r, "player_lookup").to_string(), r.clone()))
        .collect();
    for r in &cur {
        state.insert(s(r, "player_lookup").to_string(), (*r).clone());
    }
    let mut again = input(path, inp.object.as_ref().unwrap().data.clone());
    again.tables.insert("nba_raw.br_rosters_current".into(), state.into_values().collect());
    assert_eq!(p.compute(&again).unwrap(), out);

    assert_rejects_broken(&p, path, &br_sample(&[("LeBron James", "23", "F")]));
    assert!(is_bad(p.compute(&input("basketball-ref/season-rosters/2023-24/XYZ.json", b"{\"players\": []}".to_vec()))));
    let empty = run(&p, path, br_sample(&[]));
    assert!(empty.writes.is_empty() && empty.no_data_reason.is_some());
}

// ── robustness: foreign and cut captures ─────────────────────────────────────────────────────────────────────

/// Every processor with every other processor's capture, and its own capture cut at many points: the result
/// is a `BadInput` (or, for a cut that happens to fall on a record boundary, rows) — never a panic or another
/// error kind.
#[test]
fn foreign_and_cut_captures_are_bad_input_never_a_panic() {
    let own: [(&dyn Processor, &str, &str); 8] = [
        (&bdl_boxscores::BdlBoxscores, "bdl_box_scores/raw_7a649e12.json", BDL_BOX_2024),
        (
            &bdl_active_players::BdlActivePlayers,
            "bdl_active_players/raw_ac3e7bd3.json",
            "ball-dont-lie/active-players/2025-06-19/a.json",
        ),
        (&bdl_injuries::BdlInjuries, "bdl_injuries/raw_49fd60fb.json", "ball-dont-lie/injuries/2025-07-15/a.json"),
        (
            &bdl_standings::BdlStandings,
            "bdl_standings/raw_395a0451.json",
            "ball-dont-lie/standings/2024-25/2025-04-14/a.json",
        ),
        (&espn_boxscore::EspnBoxscore, "espn_game_boxscore/raw_6f34c64b.html.gz", ESPN_BOX_PATH),
        (&espn_scoreboard::EspnScoreboard, "espn_scoreboard_api/raw_92de7c9a.json", ESPN_SB_PATH),
        (&espn_team_roster::EspnTeamRoster, "espn_roster/raw_bos.html.gz", "espn/rosters/2025-06-19/team_BOS/a.json"),
        (&big_data_ball_pbp::BigDataBallPbp, "bigdataball_pbp/raw_746cfbef.csv", BDB_PATH),
    ];
    let mut captures = Vec::new();
    for (_, rel, _) in &own {
        let Some(data) = shared::fixture(rel) else { return };
        captures.push((*rel, data));
    }
    let Some(api) = shared::fixture("espn_roster_api/raw_2.json") else { return };
    captures.push(("espn_roster_api/raw_2.json", api));
    // The ESPN roster API is the other accepted shape of espn_team_roster.
    let legit = |name: &str, rel: &str| name == "espn_team_roster" && rel.starts_with("espn_roster_api/");
    let ok_or_bad = |r: &Result<ProcessorOutput, ProcessorError>| r.is_ok() || is_bad(r.clone());
    for (p, own_rel, path) in &own {
        for (rel, data) in &captures {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.compute(&input(path, data.clone()))))
                .unwrap_or_else(|_| panic!("{} panicked on {rel}", p.name()));
            if rel != own_rel && !legit(p.name(), rel) {
                assert!(is_bad(r.clone()), "{} on foreign {rel}: {:?}", p.name(), r.map(|o| o.writes.len()));
            }
            assert!(ok_or_bad(&r), "{} on {rel}", p.name());
        }
        let (_, data) = captures.iter().find(|(r, _)| r == own_rel).unwrap();
        let plain = if data.starts_with(&[0x1f, 0x8b]) { gunzip(data) } else { data.clone() };
        for k in 1..40 {
            let cut = plain.len() * k / 40;
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                p.compute(&input(path, plain[..cut].to_vec()))
            }))
            .unwrap_or_else(|_| panic!("{} panicked on {own_rel} cut at {cut}", p.name()));
            assert!(ok_or_bad(&r), "{} on {own_rel} cut at {cut}: {r:?}", p.name());
        }
    }
    let br = basketball_ref_roster::BasketballRefRoster;
    let br_path = "basketball-ref/season-rosters/2023-24/BOS.json";
    for (rel, data) in &captures {
        assert!(is_bad(br.compute(&input(br_path, data.clone()))), "basketball_ref_roster on foreign {rel}");
    }
    let sample = br_sample(&[("LeBron James", "23", "F"), ("Anthony Davis", "3", "F-C")]);
    for cut in 1..sample.len() {
        assert!(is_bad(br.compute(&input(br_path, sample[..cut].to_vec()))), "cut at {cut}");
    }
}

// ── write semantics across files ─────────────────────────────────────────────────────────────────────────────

/// Two injury snapshots of one day are both kept; reloading either replaces only its own rows.
#[tokio::test]
async fn bdl_injury_snapshots_of_a_day_are_all_kept() {
    let (Some(big), Some(small)) =
        (shared::fixture("bdl_injuries/raw_49fd60fb.json"), shared::fixture("bdl_injuries/raw_d45e630e.json"))
    else {
        return;
    };
    let p = bdl_injuries::BdlInjuries;
    let w = warehouse(&p).await;
    let morning = run(&p, "ball-dont-lie/injuries/2025-07-15/20250715_080000.json", big);
    let evening = run(&p, "ball-dont-lie/injuries/2025-07-15/20250715_200000.json", small);
    let table = hoopflow::backends::TableRef::new("nba_raw", "bdl_injuries");
    apply(&w, &morning).await;
    apply(&w, &evening).await;
    assert_eq!(w.count_date(&table, d("2025-07-15")).await.unwrap(), 102);
    apply(&w, &morning).await;
    apply(&w, &evening).await;
    assert_eq!(w.count_date(&table, d("2025-07-15")).await.unwrap(), 102, "reloads are idempotent");
}

/// A later response of the same date that lists fewer games replaces those games only.
#[tokio::test]
async fn bdl_boxscores_partial_response_keeps_other_games() {
    let Some(data) = shared::fixture("bdl_box_scores/raw_7a649e12.json") else { return };
    let p = bdl_boxscores::BdlBoxscores;
    let w = warehouse(&p).await;
    let full = run(&p, BDL_BOX_2024, data.clone());
    apply(&w, &full).await;
    let table = hoopflow::backends::TableRef::new("nba_raw", "bdl_player_boxscores");
    assert_eq!(w.count_date(&table, d("2024-01-15")).await.unwrap(), 384);
    // Keep only HOU@PHI, with Embiid's points corrected.
    let mut v: Value = serde_json::from_slice(&data).unwrap();
    let games = v["data"].as_array_mut().unwrap();
    games.truncate(1);
    for pl in games[0]["home_team"]["players"].as_array_mut().unwrap() {
        if pl["player"]["last_name"] == json!("Embiid") {
            pl["pts"] = json!(42);
        }
    }
    let partial = run(&p, "ball-dont-lie/boxscores/2024-01-15/20240116_100000.json", serde_json::to_vec(&v).unwrap());
    apply(&w, &partial).await;
    let after = w.read_date(&table, d("2024-01-15")).await.unwrap();
    assert_eq!(after.len(), 384);
    let after: Vec<&Row> = after.iter().collect();
    assert_eq!(i(find(&after, "player_lookup", "joelembiid"), "points"), 42);
    assert_eq!(
        i(find(&after, "player_lookup", "lukadoncic"), "points"),
        i(find(&rows(&full), "player_lookup", "lukadoncic"), "points")
    );
}
