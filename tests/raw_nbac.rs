//! NBA.com raw processors against real captures (`../shared/fixtures/nba`): field values checked against
//! values read out of the captures, bad input is a typed error, and every output fits its schema in the real
//! embedded warehouse, idempotently.

mod shared;

use std::io::Write;

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

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────

fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.to_string(), generation: 1, data }), ..Default::default() }
}

fn run(p: &dyn Processor, path: &str, data: &[u8]) -> Result<ProcessorOutput, ProcessorError> {
    p.compute(&input(path, data.to_vec()))
}

fn rows(out: &ProcessorOutput, table: &str) -> Vec<Row> {
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
fn one<'r>(rows: &'r [Row], want: &[(&str, Value)]) -> &'r Row {
    let hits: Vec<&Row> = rows.iter().filter(|r| want.iter().all(|(c, v)| r.get(*c) == Some(v))).collect();
    assert_eq!(hits.len(), 1, "rows matching {want:?}");
    hits[0]
}

fn assert_fields(row: &Row, want: &[(&str, Value)]) {
    for (c, v) in want {
        assert_eq!(row.get(*c), Some(v), "column {c} of {}", Value::Object(row.clone()));
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A truncated copy (of the inflated JSON, and of the gzip when the capture is gzip), an empty file and a
/// JSON document of the wrong shape are `BadInput`, never a panic.
fn assert_bad_input(p: &dyn Processor, path: &str, data: &[u8]) {
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
async fn apply_twice(p: &dyn Processor, out: &ProcessorOutput) -> Vec<(String, u64)> {
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

fn processor_names_match_the_topology(p: &dyn Processor, name: &str) {
    assert_eq!(p.name(), name);
    let reg = hoopflow::processors::builtin_registry();
    assert!(reg.contains(name), "{name} is registered");
}

// ── nbac_schedule ────────────────────────────────────────────────────────────────────────────────────────

const SCHEDULE_PATH: &str = "nba-com/schedule/2024-25/20250827_131327.json";

#[tokio::test]
async fn schedule_full_season_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_schedule_api/raw_80cb1fd6.json.gz") else { return };
    processor_names_match_the_topology(&NbacSchedule, "nbac_schedule");
    let out = run(&NbacSchedule, SCHEDULE_PATH, &data).unwrap();
    let all = rows(&out, "nbac_schedule");
    // 1,400 games: 1,390 between two NBA teams; 6 All-Star/Rising Stars and 4 preseason games against
    // international clubs are skipped.
    assert_eq!(all.len(), 1390);
    assert_eq!(out.metadata["skipped_non_nba_games"], json!(10));
    assert_eq!(all.iter().filter(|r| r["is_regular_season"] == json!(true)).count(), 1230);
    assert_eq!(all.iter().filter(|r| r["is_playoffs"] == json!(true)).count(), 84);
    assert_eq!(all.iter().filter(|r| r["is_play_in"] == json!(true)).count(), 6);
    assert_eq!(all.iter().filter(|r| r["is_preseason"] == json!(true)).count(), 69);
    assert_eq!(all.iter().filter(|r| r["is_emirates_cup"] == json!(true)).count(), 67);
    assert!(all.iter().all(|r| r["season_year"] == json!(2024) && r["game_status"] == json!(3)));
    // One write per date of the window 2024-10-04 ..= 2025-06-22 (262 days, 231 with games).
    // ... and one source-history row per date, in this file's slice.
    assert_eq!(out.writes.len(), 2 * 262);
    let (parts, slices): (Vec<&TableWrite>, Vec<&TableWrite>) =
        out.writes.iter().partition(|w| matches!(w, TableWrite::ReplacePartition { .. }));
    assert_eq!(parts.len(), 262);
    assert!(parts.iter().all(|w| w.table().table == "nbac_schedule"));
    assert!(slices.iter().all(|w| matches!(w, TableWrite::ReplaceSlice { table, scope, .. }
        if table.table == "nbac_schedule_source_history"
            && scope == &vec![("source_file_path".to_string(), json!(format!("gs://nba-scraped-data/{SCHEDULE_PATH}")))])));
    let history = rows(&out, "nbac_schedule_source_history");
    assert_eq!(history.len(), 262);
    assert_fields(
        one(&history, &[("game_date", json!("2025-01-15"))]),
        &[
            ("games", json!(11)),
            ("final_games", json!(11)),
            ("skipped_non_nba_games", json!(0)),
            ("data_source", json!("api")),
        ],
    );
    assert!(one(&history, &[("game_date", json!("2025-01-15"))])["game_ids"]
        .as_str()
        .unwrap()
        .contains("20250115_NYK_PHI"));
    assert_fields(
        one(&history, &[("game_date", json!("2025-02-16"))]),
        &[("games", json!(0)), ("skipped_non_nba_games", json!(3)), ("game_ids", Value::Null)],
    );
    let empty: Vec<String> = parts
        .iter()
        .filter_map(|w| match w {
            TableWrite::ReplacePartition { date, rows, .. } if rows.is_empty() => Some(date.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(empty.len(), 262 - 231 + 2, "gap dates plus the All-Star Friday and Sunday");
    for d in ["2025-02-14", "2025-02-16"] {
        assert!(empty.contains(&d.to_string()), "{d} has only non-NBA games (Rising Stars, All-Star)");
    }

    // NYK @ PHI, 2025-01-15, 7:00 pm ET = 00:00 UTC the next day: the game date is the ET date.
    let g = one(&all, &[("nba_game_id", json!("0022400561"))]);
    assert_fields(
        g,
        &[
            ("game_id", json!("20250115_NYK_PHI")),
            ("game_code", json!("20250115/NYKPHI")),
            ("game_date", json!("2025-01-15")),
            ("game_date_time_utc", json!("2025-01-16T00:00:00Z")),
            ("game_time_et", json!("19:00")),
            ("season_nba_format", json!("2024-25")),
            ("season_type", json!("regular")),
            ("home_team_tricode", json!("PHI")),
            ("away_team_tricode", json!("NYK")),
            ("home_team_id", json!(1610612755)),
            ("home_team_name", json!("Philadelphia 76ers")),
            ("home_team_score", json!(119)),
            ("away_team_score", json!(125)),
            ("winning_team_tricode", json!("NYK")),
            ("arena_name", json!("Wells Fargo Center")),
            ("primary_network", json!("ESPN")),
            ("has_national_tv", json!(true)),
            ("day_of_week", json!("Wed")),
            ("is_weekend", json!(false)),
            ("data_source", json!("api")),
            ("source_file_path", json!(format!("gs://nba-scraped-data/{SCHEDULE_PATH}"))),
        ],
    );
    assert_eq!(g["data_hash"].as_str().map(str::len), Some(16));
    // NBA Cup final in Las Vegas (neutral site): MIL 97, OKC 81.
    let cup = one(&all, &[("nba_game_id", json!("0062400001"))]);
    assert_fields(
        cup,
        &[
            ("game_id", json!("20241217_MIL_OKC")),
            ("season_type", json!("in_season_final")),
            ("is_emirates_cup", json!(true)),
            ("is_regular_season", json!(false)),
            ("is_neutral", json!(true)),
            ("arena_city", json!("Las Vegas")),
            ("winning_team_tricode", json!("MIL")),
        ],
    );
    // Finals game 7.
    let g7 = one(&all, &[("game_id", json!("20250622_IND_OKC"))]);
    assert_fields(
        g7,
        &[
            ("nba_game_id", json!("0042400407")),
            ("is_playoffs", json!(true)),
            ("playoff_round", json!(4)),
            ("game_label", json!("NBA Finals")),
            ("home_team_score", json!(103)),
            ("away_team_score", json!(91)),
            ("winning_team_tricode", json!("OKC")),
            ("is_weekend", json!(true)),
        ],
    );
    let play_in = one(&all, &[("nba_game_id", json!("0052400201"))]);
    assert_fields(play_in, &[("game_id", json!("20250418_MIA_ATL")), ("is_play_in", json!(true))]);
    // The 11 games of 2025-01-15 are in that date's partition.
    let jan15 = out
        .writes
        .iter()
        .find_map(|w| match w {
            TableWrite::ReplacePartition { date, rows, .. } if date.to_string() == "2025-01-15" => Some(rows),
            _ => None,
        })
        .unwrap();
    assert_eq!(jan15.len(), 11);

    let counts = apply_twice(&NbacSchedule, &out).await;
    assert_eq!(counts, vec![("nbac_schedule".to_string(), 1390), ("nbac_schedule_source_history".to_string(), 262)]);
}

#[test]
fn schedule_cdn_variant_and_replay_subset() {
    let Some(data) = shared::fixture("nbac_schedule_cdn/raw_68953816.json") else { return };
    let path = "nba-com/schedule-cdn/2025-26/20250717_141102.json";
    let out = run(&NbacSchedule, path, &data).unwrap();
    let all = rows(&out, "nbac_schedule");
    // 13 preseason games, 2 against Australian clubs (MEL, SEM): 11 rows.
    assert_eq!(all.len(), 11);
    assert_eq!(out.metadata["skipped_non_nba_games"], json!(2));
    let g = one(&all, &[("nba_game_id", json!("0012500001"))]);
    assert_fields(
        g,
        &[
            ("game_id", json!("20251003_PHX_LAL")),
            ("game_date", json!("2025-10-03")),
            ("game_date_time_utc", json!("2025-10-04T02:00:00Z")),
            ("game_status", json!(1)),
            ("game_status_text", json!("10:00 pm ET")),
            ("home_team_score", Value::Null),
            ("winning_team_tricode", Value::Null),
            ("arena_name", json!("Acrisure Arena")),
            ("season_year", json!(2025)),
            ("is_preseason", json!(true)),
            ("data_source", json!("cdn")),
        ],
    );
    // 2025-10-02 ..= 2025-10-17.
    assert_eq!(out.writes.len(), 2 * 16);
    let history = rows(&out, "nbac_schedule_source_history");
    assert_fields(
        one(&history, &[("game_date", json!("2025-10-03"))]),
        &[
            ("games", json!(1)),
            ("final_games", json!(0)),
            ("skipped_non_nba_games", json!(1)),
            ("data_source", json!("cdn")),
        ],
    );

    // A replayed file: only the subset of fields the replay source writes, no seasonYear.
    let replay = json!({"leagueSchedule": {"gameDates": [{"gameDate": "01/14/2025 00:00:00", "games": []}, {"gameDate": "01/15/2025 00:00:00", "games": [{
        "gameId": "0022400561", "gameCode": "20250115/NYKPHI", "gameStatus": 3, "gameStatusText": "Final",
        "gameDateEst": "2025-01-15T00:00:00Z", "gameDateTimeUTC": "2025-01-16T00:00:00Z",
        "arenaName": "Wells Fargo Center", "gameLabel": "",
        "homeTeam": {"teamId": 1610612755, "teamTricode": "PHI", "teamName": "76ers", "teamCity": "Philadelphia", "score": 119},
        "awayTeam": {"teamId": 1610612752, "teamTricode": "NYK", "teamName": "Knicks", "teamCity": "New York", "score": 125}
    }]}]}});
    let out = run(&NbacSchedule, SCHEDULE_PATH, replay.to_string().as_bytes()).unwrap();
    let all = rows(&out, "nbac_schedule");
    assert_eq!(all.len(), 1);
    // The listed date without games is part of the window: its partition is replaced with nothing.
    let dates: Vec<(String, usize)> = out
        .writes
        .iter()
        .filter_map(|w| match w {
            TableWrite::ReplacePartition { date, rows, .. } => Some((date.to_string(), rows.len())),
            _ => None,
        })
        .collect();
    assert_eq!(dates, vec![("2025-01-14".to_string(), 0), ("2025-01-15".to_string(), 1)]);
    assert_fields(
        &all[0],
        &[
            ("game_id", json!("20250115_NYK_PHI")),
            ("season_year", json!(2024)),
            ("season_nba_format", Value::Null),
            ("winning_team_tricode", json!("NYK")),
            ("game_label", Value::Null),
            ("primary_network", Value::Null),
            ("has_national_tv", Value::Null),
        ],
    );
}

#[test]
fn schedule_without_nba_games_writes_nothing() {
    // An empty or All-Star-only response does not wipe the dates it lists.
    let empty = json!({"leagueSchedule": {"seasonYear": "2024-25", "gameDates": [
        {"gameDate": "02/16/2025 00:00:00", "games": [{"gameId": "0032400031", "gameStatus": 3,
            "gameDateEst": "2025-02-16T00:00:00Z",
            "homeTeam": {"teamId": 1610616839, "teamTricode": "CHK"}, "awayTeam": {"teamId": 1610616840, "teamTricode": "SHQ"}}]},
        {"gameDate": "02/17/2025 00:00:00", "games": []}]}});
    let out = run(&NbacSchedule, SCHEDULE_PATH, empty.to_string().as_bytes()).unwrap();
    assert!(out.writes.is_empty());
    assert!(out.no_data_reason.is_some());
    assert_eq!(out.metadata["skipped_non_nba_games"], json!(1));
}

#[test]
fn schedule_bad_input_is_typed() {
    let Some(data) = shared::fixture("nbac_schedule_api/raw_80cb1fd6.json.gz") else { return };
    assert_bad_input(&NbacSchedule, SCHEDULE_PATH, &data);
    let no_id = json!({"leagueSchedule": {"gameDates": [{"games": [{"gameStatus": 1}]}]}});
    let r = run(&NbacSchedule, SCHEDULE_PATH, no_id.to_string().as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{r:?}");
}

// ── nbac_team_boxscore ───────────────────────────────────────────────────────────────────────────────────

const TEAM_BOX_PATH: &str = "nba-com/team-boxscore/2025-01-15/0022400561/20250116_050000.json";

#[tokio::test]
async fn team_boxscore_fields_match_the_capture() {
    let Some(data) = shared::fixture("nbac_team_boxscore/raw_12f99055.json") else { return };
    processor_names_match_the_topology(&NbacTeamBoxscore, "nbac_team_boxscore");
    let out = run(&NbacTeamBoxscore, TEAM_BOX_PATH, &data).unwrap();
    assert_eq!(out.writes.len(), 1);
    match &out.writes[0] {
        TableWrite::ReplaceSlice { date, scope, .. } => {
            assert_eq!(date.to_string(), "2025-01-15");
            assert_eq!(scope, &vec![("game_id".to_string(), json!("20250115_NYK_PHI"))]);
        }
        w => panic!("expected a slice write, got {w:?}"),
    }
    let all = rows(&out, "nbac_team_boxscore");
    assert_eq!(all.len(), 2);
    let phi = one(&all, &[("team_abbr", json!("PHI"))]);
    assert_fields(
        phi,
        &[
            ("game_id", json!("20250115_NYK_PHI")),
            ("nba_game_id", json!("0022400561")),
            ("game_date", json!("2025-01-15")),
            ("season_year", json!(2024)),
            ("team_id", json!(1610612755)),
            ("team_name", json!("76ers")),
            ("is_home", json!(true)),
            ("opponent_team_abbr", json!("NYK")),
            ("minutes", json!("265:00")),
            ("fg_made", json!(46)),
            ("fg_attempted", json!(92)),
            ("fg_percentage", json!(0.5)),
            ("three_pt_made", json!(13)),
            ("three_pt_attempted", json!(35)),
            ("ft_made", json!(14)),
            ("ft_attempted", json!(14)),
            ("offensive_rebounds", json!(11)),
            ("defensive_rebounds", json!(24)),
            ("total_rebounds", json!(35)),
            ("assists", json!(27)),
            ("steals", json!(8)),
            ("blocks", json!(2)),
            ("turnovers", json!(12)),
            ("personal_fouls", json!(19)),
            ("points", json!(119)),
            ("plus_minus", json!(-6)),
        ],
    );
    let nyk = one(&all, &[("team_abbr", json!("NYK"))]);
    assert_fields(
        nyk,
        &[
            ("is_home", json!(false)),
            ("home_team_abbr", json!("PHI")),
            ("away_team_abbr", json!("NYK")),
            ("points", json!(125)),
            ("fg_attempted", json!(86)),
            ("three_pt_made", json!(16)),
            ("ft_attempted", json!(24)),
            ("total_rebounds", json!(45)),
            ("plus_minus", json!(6)),
        ],
    );
    let counts = apply_twice(&NbacTeamBoxscore, &out).await;
    assert_eq!(counts, vec![("nbac_team_boxscore".to_string(), 2)]);
}

#[test]
fn team_boxscore_v3_and_bad_input() {
    let Some(data) = shared::fixture("nbac_team_boxscore/raw_12f99055.json") else { return };
    assert_bad_input(&NbacTeamBoxscore, TEAM_BOX_PATH, &data);
    // No date in the path; a path naming another game.
    for path in ["nba-com/team-boxscore/0022400561/x.json", "nba-com/team-boxscore/2025-01-15/0022400562/x.json"] {
        let r = run(&NbacTeamBoxscore, path, &data);
        assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{path}: {r:?}");
    }
    // A mutated file: PHI's points no longer add up.
    let text = String::from_utf8(data.clone()).unwrap();
    let mutated = text.replacen("2,12,19,119,-6", "2,12,19,120,-6", 1);
    assert!(mutated != text, "the mutation applies");
    let r = run(&NbacTeamBoxscore, TEAM_BOX_PATH, mutated.as_bytes());
    assert!(matches!(r, Err(ProcessorError::BadInput { .. })), "{r:?}");

    let stats = |pts: i64, fgm: i64, fg3m: i64, ftm: i64| {
        json!({"minutes": "240:00", "fieldGoalsMade": fgm, "fieldGoalsAttempted": 90, "threePointersMade": fg3m,
               "threePointersAttempted": 30, "freeThrowsMade": ftm, "freeThrowsAttempted": 20, "reboundsTotal": 44,
               "assists": 25, "points": pts, "plusMinusPoints": 0.0})
    };
    let v3 = json!({"meta": {}, "boxScoreTraditional": {"gameId": "0022500100",
        "homeTeam": {"teamId": 1610612747, "teamTricode": "LAL", "teamName": "Lakers", "teamCity": "Los Angeles", "statistics": stats(110, 40, 10, 20)},
        "awayTeam": {"teamId": 1610612744, "teamTricode": "GSW", "teamName": "Warriors", "teamCity": "Golden State", "statistics": stats(105, 38, 12, 17)}}});
    let out = run(&NbacTeamBoxscore, "nba-com/team-boxscore/2025-11-01/0022500100/x.json", v3.to_string().as_bytes())
        .unwrap();
    let all = rows(&out, "nbac_team_boxscore");
    let lal = one(&all, &[("team_abbr", json!("LAL"))]);
    assert_fields(
        lal,
        &[
            ("game_id", json!("20251101_GSW_LAL")),
            ("is_home", json!(true)),
            ("season_year", json!(2025)),
            ("points", json!(110)),
            ("plus_minus", json!(0)),
        ],
    );
    // A game without stats yet writes nothing.
    let mut pending = v3.clone();
    pending["boxScoreTraditional"]["homeTeam"]["statistics"] = json!({});
    let out =
        run(&NbacTeamBoxscore, "nba-com/team-boxscore/2025-11-01/0022500100/x.json", pending.to_string().as_bytes())
            .unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
}

// ── nbac_scoreboard_v2 ───────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn scoreboard_v2_fields_match_the_captures() {
    let Some(data) = shared::fixture("nbac_scoreboard_v2/raw_06a65a50.json") else { return };
    processor_names_match_the_topology(&NbacScoreboardV2, "nbac_scoreboard_v2");
    let path = "nba-com/scoreboard-v2/2025-01-15/20250116_080000.json";
    let out = run(&NbacScoreboardV2, path, &data).unwrap();
    assert_eq!(out.writes.len(), 1);
    assert!(matches!(&out.writes[0], TableWrite::ReplacePartition { date, .. } if date.to_string() == "2025-01-15"));
    let all = rows(&out, "nbac_scoreboard_v2");
    assert_eq!(all.len(), 11);
    assert!(all.iter().all(|r| r["game_state"] == json!("final") && r["season_year"] == json!(2024)));
    let g = one(&all, &[("nba_game_id", json!("0022400561"))]);
    assert_fields(
        g,
        &[
            ("game_id", json!("20250115_NYK_PHI")),
            ("game_code", json!("20250115/NYKPHI")),
            ("game_date", json!("2025-01-15")),
            ("game_status_id", json!(3)),
            ("game_status_text", json!("Final")),
            ("start_time", Value::Null),
            ("live_period", json!(5)),
            ("home_team_id", json!(1610612755)),
            ("home_team_abbr", json!("PHI")),
            ("home_team_abbr_raw", json!("PHI")),
            ("away_team_abbr", json!("NYK")),
            ("home_score", json!(119)),
            ("away_score", json!(125)),
            ("winning_team_abbr", json!("NYK")),
            ("winning_team_side", json!("away")),
            ("arena_name", json!("Wells Fargo Center")),
            ("national_tv", json!("ESPN")),
        ],
    );
    let lac = one(&all, &[("game_id", json!("20250115_BKN_LAC"))]);
    assert_fields(lac, &[("home_score", json!(126)), ("away_score", json!(67)), ("winning_team_side", json!("home"))]);
    assert_eq!(apply_twice(&NbacScoreboardV2, &out).await, vec![("nbac_scoreboard_v2".to_string(), 11)]);

    // 2024-01-15 (five identical snapshots): the same rows whichever is loaded.
    let a = shared::fixture("nbac_scoreboard_v2/raw_055ff78d.json").unwrap();
    let out = run(&NbacScoreboardV2, "nba-com/scoreboard-v2/2024-01-15/20240116_080000.json", &a).unwrap();
    let all = rows(&out, "nbac_scoreboard_v2");
    assert_eq!(all.len(), 11);
    let g = one(&all, &[("game_id", json!("20240115_HOU_PHI"))]);
    assert_fields(
        g,
        &[
            ("nba_game_id", json!("0022300555")),
            ("season_year", json!(2023)),
            ("home_score", json!(124)),
            ("away_score", json!(115)),
            ("winning_team_abbr", json!("PHI")),
        ],
    );
    let b = shared::fixture("nbac_scoreboard_v2/raw_ee21af81.json").unwrap();
    let again = run(&NbacScoreboardV2, "nba-com/scoreboard-v2/2024-01-15/20240116_080000.json", &b).unwrap();
    assert_eq!(out, again);
}

#[test]
fn scoreboard_v2_bad_input_and_scheduled_games() {
    let Some(data) = shared::fixture("nbac_scoreboard_v2/raw_06a65a50.json") else { return };
    let path = "nba-com/scoreboard-v2/2025-01-15/20250116_080000.json";
    assert_bad_input(&NbacScoreboardV2, path, &data);
    // A pre-game snapshot: status 1, no points yet, the start time is the status text.
    let mut v: Value = serde_json::from_slice(&data).unwrap();
    for set in v["resultSets"].as_array_mut().unwrap() {
        if set["name"] == json!("GameHeader") {
            for r in set["rowSet"].as_array_mut().unwrap() {
                r[3] = json!(1);
                r[4] = json!("7:00 pm ET");
            }
        }
        if set["name"] == json!("LineScore") {
            for r in set["rowSet"].as_array_mut().unwrap() {
                r[22] = Value::Null;
            }
        }
    }
    let out = run(&NbacScoreboardV2, path, v.to_string().as_bytes()).unwrap();
    let all = rows(&out, "nbac_scoreboard_v2");
    let g = one(&all, &[("nba_game_id", json!("0022400561"))]);
    assert_fields(
        g,
        &[
            ("game_state", json!("scheduled")),
            ("start_time", json!("7:00 pm ET")),
            ("home_score", Value::Null),
            ("winning_team_abbr", Value::Null),
        ],
    );
}

// ── nbac_play_by_play ────────────────────────────────────────────────────────────────────────────────────

const PBP_PATH: &str = "nba-com/play-by-play/2025-01-15/game_0022400561/20250115_235056.json";

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

const REF_PATH: &str = "nba-com/referee-assignments/2025-01-08/20250108_150000.json";

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

const PLAYER_LIST_PATH: &str = "nba-com/player-list/2025-10-20/20251020_120000.json";

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

const MOVEMENT_PATH: &str = "nba-com/player-movement/2025-07-17/20250717_080000.json";

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
