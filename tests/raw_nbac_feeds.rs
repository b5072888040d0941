//! NBA.com raw processors on real captures: play-by-play, referees, player list, transactions, and the four feeds of one game.
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
use hoopflow::processors::{Processor, ProcessorError, ProcessorOutput, TableWrite};
#[allow(unused_imports)]
use nbac_support::*;
use serde_json::{json, Value};

// ── nbac_play_by_play ────────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn play_by_play_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_play_by_play/raw_416e8d5c.json.gz") else { return };
    processor_names_match_the_topology(&NbacPlayByPlay, "nbac_play_by_play");
    let out = run(&NbacPlayByPlay, PBP_PATH, &data).unwrap();
    match &out.writes[..] {
        [TableWrite::ReplaceSlice { date, scope, .. }] => {
            assert_eq!(date.to_string(), "2025-01-15");
            // Home/away read from the score agrees with the scoreboard: NYK at PHI.
            assert_eq!(scope, &vec![("game_id".to_string(), json!("20250115_NYK_PHI"))]);
        }
        w => panic!("expected one slice write, got {w:?}"),
    }
    let all = rows(&out, "nbac_play_by_play");
    assert_eq!(all.len(), 506);
    assert!(all.iter().all(|r| r["home_team_abbr"] == json!("PHI") && r["season_year"] == json!(2024)));
    // Points add up to the final score (PHI 119, NYK 125 after overtime).
    let pts = |t: &str| -> i64 {
        all.iter().filter(|r| r["player_1_team_abbr"] == json!(t)).filter_map(|r| r["points_scored"].as_i64()).sum()
    };
    assert_eq!((pts("PHI"), pts("NYK")), (119, 125));
    let made_fg = all.iter().filter(|r| r["shot_made"] == json!(true) && r["shot_type"] != json!("FT")).count();
    assert_eq!(made_fg, 92);
    assert_eq!(all.iter().filter(|r| r["shot_type"] == json!("3PT") && r["shot_made"] == json!(true)).count(), 29);
    let last = all.iter().max_by_key(|r| r["event_sequence"].as_i64()).unwrap();
    assert_fields(last, &[("score_home", json!(119)), ("score_away", json!(125)), ("period", json!(5))]);
    // M. Bridges' 27-footer, assisted by J. Hart.
    let e = one(&all, &[("event_id", json!(17))]);
    assert_fields(
        e,
        &[
            ("event_type", json!("3pt")),
            ("event_sequence", json!(170000)),
            ("period", json!(1)),
            ("game_clock", json!("10:55")),
            ("game_clock_seconds", json!(655.0)),
            ("time_elapsed_seconds", json!(65.0)),
            ("shot_made", json!(true)),
            ("shot_type", json!("3PT")),
            ("shot_x", json!(72.48685939553219)),
            ("shot_y", json!(12.254901960784313)),
            ("shot_distance", json!(27.94)),
            ("shot_area", json!("Above the Break 3")),
            ("points_scored", json!(3)),
            ("score_home", json!(0)),
            ("score_away", json!(3)),
            ("player_1_id", json!(1628969)),
            ("player_1_name", json!("M. Bridges")),
            ("player_1_lookup", json!("mbridges")),
            ("player_1_team_abbr", json!("NYK")),
            ("player_2_id", json!(1628404)),
            ("player_2_name", json!("J. Hart")),
            ("player_2_role", json!("assist")),
            ("player_2_team_abbr", json!("NYK")),
            ("player_3_id", Value::Null),
        ],
    );
    // Opening jump ball: Sims won, Yabusele lost, Hart recovered.
    let j = one(&all, &[("event_id", json!(4))]);
    assert_fields(
        j,
        &[
            ("player_1_id", json!(1628404)),
            ("player_2_id", json!(1630579)),
            ("player_2_role", json!("jumpball_won")),
            ("player_3_id", json!(1627824)),
            ("player_3_name", json!("G. Yabusele")),
            ("player_3_team_abbr", json!("PHI")),
            ("player_3_role", json!("jumpball_lost")),
        ],
    );
    // Overtime: 4 × 720 s before it.
    let ot = all.iter().filter(|r| r["period"] == json!(5)).map(|r| r["time_elapsed_seconds"].as_f64().unwrap());
    assert!(ot.clone().all(|t| (2880.0..=3180.0).contains(&t)) && ot.count() == 40);
    assert_eq!(apply_twice(&NbacPlayByPlay, &out).await, vec![("nbac_play_by_play".to_string(), 506)]);
}

#[test]
fn play_by_play_other_game_wrapper_and_bad_input() {
    let Some(data) = shared::fixture("nbac_play_by_play/raw_14ecf360.json.gz") else { return };
    let path = "nba-com/play-by-play/2025-01-06/game_0022400500/20250107_003106.json";
    let out = run(&NbacPlayByPlay, path, &data).unwrap();
    let all = rows(&out, "nbac_play_by_play");
    assert_eq!(all.len(), 571);
    let e = one(&all, &[("event_id", json!(56))]);
    assert_fields(
        e,
        &[
            ("game_id", json!("20250106_LAC_MIN")),
            ("nba_game_id", json!("0022400500")),
            ("player_1_id", json!(202695)),
            ("player_1_team_abbr", json!("LAC")),
            ("player_2_id", json!(1627826)),
            ("shot_distance", json!(24.89)),
            ("score_home", json!(7)),
            ("score_away", json!(7)),
        ],
    );
    // The original scraper's wrapper gives the same rows.
    let inner: Value = {
        use std::io::Read;
        let mut s = Vec::new();
        flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut s).unwrap();
        serde_json::from_slice(&s).unwrap()
    };
    let wrapped = json!({"metadata": {"gameId": "0022400500"}, "playByPlay": inner});
    let again = run(&NbacPlayByPlay, path, wrapped.to_string().as_bytes()).unwrap();
    assert_eq!(rows(&again, "nbac_play_by_play"), all);
    // Before the first basket the home team is unknown: nothing is written.
    let mut early = inner.clone();
    early["game"]["actions"] = json!(inner["game"]["actions"].as_array().unwrap()[..3].to_vec());
    let out = run(&NbacPlayByPlay, path, early.to_string().as_bytes()).unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
    assert_bad_input(&NbacPlayByPlay, path, &data);
    let r = run(&NbacPlayByPlay, "nba-com/play-by-play/2025-01-06/game_0022400501/x.json", &data);
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "another game's path: {r:?}");
    // Home and away come from the score: swapped score columns swap the teams; a score that only one side
    // ever raises, whoever shoots, is contradictory.
    let mut swapped = inner.clone();
    let mut one_sided = inner.clone();
    for (sw, os) in swapped["game"]["actions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(one_sided["game"]["actions"].as_array_mut().unwrap())
    {
        let (h, a) = (sw["scoreHome"].clone(), sw["scoreAway"].clone());
        sw["scoreHome"] = a.clone();
        sw["scoreAway"] = h.clone();
        let total: i64 = [h, a].iter().map(|v| v.as_str().unwrap().parse::<i64>().unwrap()).sum();
        os["scoreHome"] = json!(total.to_string());
        os["scoreAway"] = json!("0");
    }
    let out = run(&NbacPlayByPlay, path, swapped.to_string().as_bytes()).unwrap();
    assert_eq!(out.metadata["game_id"], json!("20250106_MIN_LAC"));
    let r = run(&NbacPlayByPlay, path, one_sided.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "one-sided score: {r:?}");
    // Duplicate action numbers.
    let mut dup = inner.clone();
    let first = dup["game"]["actions"][0].clone();
    dup["game"]["actions"].as_array_mut().unwrap().push(first);
    let r = run(&NbacPlayByPlay, path, dup.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{r:?}");
}

// ── nbac_referee ─────────────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn referee_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_referee_assignments/raw_718e62b3.json") else { return };
    processor_names_match_the_topology(&NbacReferee, "nbac_referee");
    let out = run(&NbacReferee, REF_PATH, &data).unwrap();
    assert_eq!(out.metadata["games"], json!(8));
    // 3 G League games; the WNBA table is empty.
    assert_eq!(out.metadata["other_league_games"], json!(3));
    assert_eq!(out.writes.len(), 2);
    assert!(out
        .writes
        .iter()
        .all(|w| matches!(w, TableWrite::ReplacePartition { date, .. } if date.to_string() == "2025-01-08")));
    let all = rows(&out, "nbac_referee_game_assignments");
    assert_eq!(all.len(), 24, "8 games × 3 officials (official4 is empty)");
    let goble = one(&all, &[("official_code", json!(101284))]);
    assert_fields(
        goble,
        &[
            ("game_id", json!("20250108_OKC_CLE")),
            ("nba_game_id", json!("0022400509")),
            ("game_code", json!("20250108/OKCCLE")),
            ("game_date", json!("2025-01-08")),
            ("season", json!("2024-25")),
            ("season_year", json!(2024)),
            ("home_team_abbr", json!("CLE")),
            ("home_team_id", json!(1610612739)),
            ("away_team_abbr", json!("OKC")),
            ("official_position", json!(1)),
            ("official_name", json!("John Goble")),
            ("official_jersey_number", json!("10")),
        ],
    );
    let smith = one(&all, &[("official_name", json!("Michael Smith"))]);
    assert_fields(
        smith,
        &[("game_id", json!("20250108_CHI_IND")), ("official_code", json!(1193)), ("official_position", json!(3))],
    );
    let replay = rows(&out, "nbac_referee_replay_center");
    assert_eq!(replay.len(), 3);
    assert_fields(
        one(&replay, &[("official_code", json!(202035))]),
        &[("official_name", json!("Brett Nansel")), ("game_date", json!("2025-01-08"))],
    );
    let counts = apply_twice(&NbacReferee, &out).await;
    assert_eq!(
        counts,
        vec![("nbac_referee_game_assignments".to_string(), 24), ("nbac_referee_replay_center".to_string(), 3)]
    );
}

#[test]
fn referee_bad_input_is_typed() {
    let Some(data) = shared::fixture("nbac_referee_assignments/raw_718e62b3.json") else { return };
    assert_bad_input(&NbacReferee, REF_PATH, &data);
    let mut v: Value = serde_json::from_slice(&data).unwrap();
    v["nba"]["Table"]["rows"][0]["official2_code"] = json!(101284);
    let r = run(&NbacReferee, REF_PATH, v.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "same official twice: {r:?}");
    let mut v: Value = serde_json::from_slice(&data).unwrap();
    v["nba"]["Table"]["rows"][0]["game_date"] = json!("13/45/2025");
    let r = run(&NbacReferee, REF_PATH, v.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "bad date: {r:?}");
}

// ── nbac_player_list ─────────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn player_list_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_player_list/raw_7af00b51.json") else { return };
    processor_names_match_the_topology(&NbacPlayerList, "nbac_player_list");
    let out = run(&NbacPlayerList, PLAYER_LIST_PATH, &data).unwrap();
    assert!(matches!(&out.writes[..], [TableWrite::Upsert { .. }]));
    let all = rows(&out, "nbac_player_list_current");
    assert_eq!(all.len(), 594);
    assert_eq!(out.metadata["active_players"], json!(594));
    assert!(all.iter().all(|r| r["season_year"] == json!(2025) && r["last_seen_date"] == json!("2025-10-20")));
    assert_eq!(all.iter().filter(|r| r["team_abbr"] == json!("CHA")).count(), 24);
    assert_fields(
        one(&all, &[("player_id", json!(1630173))]),
        &[
            ("player_lookup", json!("preciousachiuwa")),
            ("player_full_name", json!("Precious Achiuwa")),
            ("team_abbr", json!("NYK")),
            ("team_id", json!(1610612752)),
            ("jersey_number", json!("5")),
            ("position", json!("F")),
            ("height", json!("6-8")),
            ("weight", json!(243)),
            ("college", json!("Memphis")),
            ("country", json!("Nigeria")),
            ("draft_year", json!(2020)),
            ("draft_round", json!(1)),
            ("draft_number", json!(20)),
            ("years_pro", json!(5)),
            ("is_active", json!(true)),
            ("season", json!("2025-26")),
        ],
    );
    assert_fields(
        one(&all, &[("player_id", json!(203999))]),
        &[
            ("player_lookup", json!("nikolajokic")),
            ("player_full_name", json!("Nikola Jokić")),
            ("team_abbr", json!("DEN")),
        ],
    );
    assert_fields(
        one(&all, &[("player_lookup", json!("lukadoncic"))]),
        &[("team_abbr", json!("LAL")), ("jersey_number", json!("77"))],
    );
    assert_fields(one(&all, &[("player_lookup", json!("egordemin"))]), &[("team_abbr", json!("BKN"))]);
    // Undrafted: no draft columns.
    assert_fields(
        one(&all, &[("player_id", json!(1641725))]),
        &[("draft_year", Value::Null), ("team_abbr", json!("NOP"))],
    );
    assert_eq!(apply_twice(&NbacPlayerList, &out).await, vec![("nbac_player_list_current".to_string(), 594)]);

    // A later index where Achiuwa moved to Miami: his one row moves with him.
    let text = String::from_utf8(data.clone()).unwrap();
    let traded = text.replacen("[1630173,\"Achiuwa\",\"Precious\",\"precious-achiuwa\",1610612752,\"knicks\",0,\"New York\",\"Knicks\",\"NYK\"", "[1630173,\"Achiuwa\",\"Precious\",\"precious-achiuwa\",1610612748,\"heat\",0,\"Miami\",\"Heat\",\"MIA\"", 1);
    assert!(traded != text, "the trade applies");
    let later = run(&NbacPlayerList, "nba-com/player-list/2025-11-20/20251120_120000.json", traded.as_bytes()).unwrap();
    let wh = EmbeddedWarehouse::in_memory().unwrap();
    wh.ensure_table(&NbacPlayerList.schemas()[0]).await.unwrap();
    for o in [&out, &later] {
        for w in &o.writes {
            if let TableWrite::Upsert { table, rows } = w.clone() {
                wh.upsert(&table, rows).await.unwrap();
            }
        }
    }
    let q = wh
        .query("SELECT team_abbr, last_seen_date FROM nba_raw.nbac_player_list_current WHERE player_id = 1630173")
        .await
        .unwrap();
    assert_eq!(q.rows, vec![vec![json!("MIA"), json!("2025-11-20")]]);
    assert_eq!(wh.count(&NbacPlayerList.schemas()[0].table).await.unwrap(), 594);
}

#[test]
fn player_list_bad_input_is_typed() {
    let Some(data) = shared::fixture("nbac_player_list/raw_7af00b51.json") else { return };
    assert_bad_input(&NbacPlayerList, PLAYER_LIST_PATH, &data);
    let text = String::from_utf8(data).unwrap();
    let unknown_team = text.replacen("\"NYK\"", "\"XYZ\"", 1).replacen("1610612752", "1610619999", 1);
    let r = run(&NbacPlayerList, PLAYER_LIST_PATH, unknown_team.as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{r:?}");
}

// ── nbac_player_movement ─────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn player_movement_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_player_movement/raw_1ecdb80d.json.gz") else { return };
    processor_names_match_the_topology(&NbacPlayerMovement, "nbac_player_movement");
    let out = run(&NbacPlayerMovement, MOVEMENT_PATH, &data).unwrap();
    assert!(matches!(&out.writes[..], [TableWrite::Upsert { .. }]));
    let all = rows(&out, "nbac_player_movement");
    // 8,730 rows, 25 of them non-player rows sharing a key with another: 8,705 keys.
    assert_eq!(all.len(), 8705);
    assert_eq!(out.metadata["folded_rows"], json!(25));
    assert_eq!(all.iter().filter(|r| r["is_player_transaction"] == json!(false)).count(), 441);
    let count = |y: i64| all.iter().filter(|r| r["season_year"] == json!(y)).count();
    assert_eq!((count(2015), count(2024), count(2025)), (699, 943, 219));
    assert_fields(
        one(&all, &[("player_lookup", json!("lukadoncic")), ("transaction_type", json!("Trade"))]),
        &[
            ("player_id", json!(1629029)),
            ("transaction_date", json!("2025-02-02")),
            ("season_year", json!(2024)),
            ("team_abbr", json!("LAL")),
            ("counterparty_team_abbr", json!("DAL")),
            ("group_sort", json!("Trade 2024022")),
            (
                "transaction_description",
                json!("Los Angeles Lakers received forward Luka Doncic from Dallas Mavericks."),
            ),
        ],
    );
    assert_fields(
        one(&all, &[("player_slug", json!("bradley-beal")), ("transaction_type", json!("Waive"))]),
        &[
            ("team_abbr", json!("PHX")),
            ("transaction_date", json!("2025-07-16")),
            ("season_year", json!(2025)),
            ("counterparty_team_abbr", Value::Null),
            ("is_player_transaction", json!(true)),
        ],
    );
    // Two picks Utah received in one trade fold into one row, both descriptions kept.
    let utah =
        one(&all, &[("player_id", json!(0)), ("team_abbr", json!("UTA")), ("group_sort", json!("Trade 2024031"))]);
    assert_eq!(
        utah["transaction_description"],
        json!("Utah Jazz received draft consideration from Miami Heat. | Utah Jazz received draft consideration from Detroit Pistons.")
    );
    assert_eq!(apply_twice(&NbacPlayerMovement, &out).await, vec![("nbac_player_movement".to_string(), 8705)]);
}

#[test]
fn player_movement_bad_input_is_typed() {
    let Some(data) = shared::fixture("nbac_player_movement/raw_1ecdb80d.json.gz") else { return };
    assert_bad_input(&NbacPlayerMovement, MOVEMENT_PATH, &data);
    let bad_date = json!({"NBA_Player_Movement": {"rows": [{"Transaction_Type": "Signing", "TRANSACTION_DATE": "soon",
        "TEAM_ID": 1610612749.0, "PLAYER_ID": 1.0, "GroupSort": "Signing 1"}]}});
    let r = run(&NbacPlayerMovement, MOVEMENT_PATH, bad_date.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{r:?}");
    let empty = json!({"NBA_Player_Movement": {"rows": []}});
    let out = run(&NbacPlayerMovement, MOVEMENT_PATH, empty.to_string().as_bytes()).unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
}

// ── cross-source: NYK @ PHI, 2025-01-15 (0022400561) in four NBA.com feeds ─────────────────────────────

#[test]
fn four_feeds_agree_on_game_0022400561() {
    let (Some(sched), Some(sb), Some(tb), Some(pbp)) = (
        shared::fixture("nbac_schedule_api/raw_80cb1fd6.json.gz"),
        shared::fixture("nbac_scoreboard_v2/raw_06a65a50.json"),
        shared::fixture("nbac_team_boxscore/raw_12f99055.json"),
        shared::fixture("nbac_play_by_play/raw_416e8d5c.json.gz"),
    ) else {
        return;
    };
    let pick = |out: ProcessorOutput, table: &str| -> Vec<Row> {
        rows(&out, table).into_iter().filter(|r| r["nba_game_id"] == json!("0022400561")).collect()
    };
    let s = pick(run(&NbacSchedule, SCHEDULE_PATH, &sched).unwrap(), "nbac_schedule");
    let b = pick(run(&NbacScoreboardV2, "nba-com/scoreboard-v2/2025-01-15/x.json", &sb).unwrap(), "nbac_scoreboard_v2");
    let t = pick(run(&NbacTeamBoxscore, TEAM_BOX_PATH, &tb).unwrap(), "nbac_team_boxscore");
    let p = pick(run(&NbacPlayByPlay, PBP_PATH, &pbp).unwrap(), "nbac_play_by_play");
    assert_eq!((s.len(), b.len(), t.len(), p.len()), (1, 1, 2, 506));
    for r in s.iter().chain(&b).chain(&t).chain(&p) {
        assert_eq!(r["game_id"], json!("20250115_NYK_PHI"));
        assert_eq!(r["game_date"], json!("2025-01-15"));
        assert_eq!(r["season_year"], json!(2024));
    }
    let (home, away) = (json!(119), json!(125));
    assert_eq!((&s[0]["home_team_score"], &s[0]["away_team_score"]), (&home, &away));
    assert_eq!((&b[0]["home_score"], &b[0]["away_score"]), (&home, &away));
    let team_pts = |abbr: &str| t.iter().find(|r| r["team_abbr"] == json!(abbr)).map(|r| r["points"].clone());
    assert_eq!((team_pts("PHI"), team_pts("NYK")), (Some(home.clone()), Some(away.clone())));
    let last = p.iter().max_by_key(|r| r["event_sequence"].as_i64()).unwrap();
    assert_eq!((&last["score_home"], &last["score_away"]), (&home, &away));
    // Threes made agree between the play-by-play and the box score (PHI 13, NYK 16).
    let fg3 = |abbr: &str| {
        p.iter()
            .filter(|r| r["player_1_team_abbr"] == json!(abbr) && r["shot_type"] == json!("3PT"))
            .filter(|r| r["shot_made"] == json!(true))
            .count() as i64
    };
    let box3 = |abbr: &str| t.iter().find(|r| r["team_abbr"] == json!(abbr)).unwrap()["three_pt_made"].as_i64();
    assert_eq!((Some(fg3("PHI")), Some(fg3("NYK"))), (box3("PHI"), box3("NYK")));
}
