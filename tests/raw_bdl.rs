//! balldontlie raw processors on real captures, and write semantics across files.
//!
//! Raw processors of balldontlie, ESPN, Basketball-Reference and BigDataBall against the real captures in
//! `../shared/fixtures/nba` (skipped when absent). Expected values were read out of the captures with a
//! separate script (Python `json`/`csv`), not from the processors' own output.

mod bdl_espn_support;
mod shared;

use bdl_espn_support::*;

use hoopflow::backends::Warehouse;
use hoopflow::domain::Row;
use hoopflow::processors::raw::{bdl_active_players, bdl_boxscores, bdl_injuries, bdl_standings};
use hoopflow::processors::{Processor, TableWrite};
use serde_json::{json, Value};

// ── balldontlie box scores ───────────────────────────────────────────────────────────────────────────────────

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
