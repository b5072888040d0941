//! Phase 1–2 core: the NBA.com league game log parser and the Odds API props parser on real captures, the
//! replay source against the same captures (what it lands parses to the same rows as the real API's
//! response), and cross-source agreement with `data/nba` on 2025-03-15.

mod shared;

use std::collections::BTreeMap;

use hoopflow::backends::LandedObject;
use hoopflow::domain::{player_lookup, Row, RowExt, SlateDate};
use hoopflow::processors::raw::{nbac_player_boxscore::NbacPlayerBoxscore, odds_api_props::OddsApiProps};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};
use hoopflow::sources::replay::ReplaySource;
use hoopflow::sources::Source;
use serde_json::{json, Value};

fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.into(), generation: 7, data }), ..Default::default() }
}

fn rows_of(out: &ProcessorOutput) -> Vec<Row> {
    out.writes
        .iter()
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.clone(),
        })
        .collect()
}

fn by_player(rows: &[Row]) -> BTreeMap<String, &Row> {
    rows.iter()
        .map(|r| (format!("{}:{}", r.str_of("team_abbr").unwrap(), r.str_of("player_lookup").unwrap()), r))
        .collect()
}

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

#[test]
fn league_game_log_capture_parses_to_the_captured_values() {
    let Some(data) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let raw: Value = serde_json::from_slice(&data).unwrap();
    let out =
        NbacPlayerBoxscore.compute(&input("nba-com/player-boxscores/2025-03-15/20250316_080000.json", data)).unwrap();
    assert_eq!(out.writes.len(), 1, "one date, one partition");
    assert!(matches!(&out.writes[0], TableWrite::ReplacePartition { date, .. } if *date == day("2025-03-15")));
    let rows = rows_of(&out);
    assert_eq!(rows.len(), 157);
    assert_eq!(out.metadata["games"], json!(8));
    let p = by_player(&rows);
    let curry = p["GSW:stephencurry"];
    assert_eq!(curry["points"], json!(28));
    assert_eq!(curry["minutes"], json!(35.0));
    assert_eq!(curry["total_rebounds"], json!(7));
    assert_eq!(curry["assists"], json!(5));
    assert_eq!(curry["plus_minus"], json!(-5));
    assert_eq!(curry["nba_game_id"], json!("0022400974"));
    assert_eq!(curry["game_id"], json!("20250315_NYK_GSW"));
    assert_eq!(curry["is_home"], json!(true));
    assert_eq!(curry["opponent_team_abbr"], json!("NYK"));
    assert_eq!(curry["season_year"], json!(2024));
    assert_eq!(curry["season_type"], json!("regular"));
    assert_eq!(
        curry["source_file_path"],
        json!("gs://nba-scraped-data/nba-com/player-boxscores/2025-03-15/20250316_080000.json")
    );
    assert_eq!(curry["source_generation"], json!(7));
    let jokic = p["DEN:nikolajokic"];
    assert_eq!((jokic["points"].clone(), jokic["player_full_name"].clone()), (json!(40), json!("Nikola Jokić")));
    let sarr = p["WAS:alexsarr"];
    assert_eq!(
        (sarr["points"].clone(), sarr["is_home"].clone(), sarr["game_id"].clone()),
        (json!(34), json!(false), json!("20250315_WAS_DEN"))
    );
    // Every row's points equal the capture's PTS for that player (independent read of the capture).
    let set = &raw["resultSets"][0];
    let h: Vec<&str> = set["headers"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let at = |n: &str| h.iter().position(|x| *x == n).unwrap();
    for r in set["rowSet"].as_array().unwrap() {
        let key = format!(
            "{}:{}",
            r[at("TEAM_ABBREVIATION")].as_str().unwrap(),
            player_lookup(r[at("PLAYER_NAME")].as_str().unwrap())
        );
        assert_eq!(p[&key]["points"], r[at("PTS")], "{key}");
        assert_eq!(p[&key]["field_goals_attempted"], r[at("FGA")], "{key}");
    }
    // Two rows per game side: every game has exactly two teams, one at home.
    let mut sides: BTreeMap<&str, std::collections::BTreeSet<(&str, bool)>> = BTreeMap::new();
    for r in &rows {
        sides
            .entry(r.str_of("game_id").unwrap())
            .or_default()
            .insert((r.str_of("team_abbr").unwrap(), r.bool_of("is_home").unwrap()));
    }
    assert!(sides.values().all(|s| s.len() == 2 && s.iter().filter(|(_, h)| *h).count() == 1));
}

#[test]
fn league_game_log_matches_the_recorded_season_on_2025_03_15() {
    let (Some(data), Some(dir)) = (shared::fixture("nbac_player_boxscore/raw_2ad17718.json"), shared::data_dir())
    else {
        return;
    };
    let api = rows_of(&NbacPlayerBoxscore.compute(&input("nba-com/player-boxscores/2025-03-15/a.json", data)).unwrap());
    let replay = ReplaySource::open(&dir).unwrap();
    let recorded = replay.player_games(day("2025-03-15"));
    assert_eq!(recorded.len(), 157);
    let api = by_player(&api);
    let mut matched = 0;
    for g in recorded {
        let r = api
            .get(&format!("{}:{}", g.team, player_lookup(&g.player)))
            .unwrap_or_else(|| panic!("{} missing", g.player));
        assert_eq!(r.i64_of("points"), Some(g.stats[14]), "{}", g.player);
        assert_eq!(r.i64_of("total_rebounds"), Some(g.stats[8]), "{}", g.player);
        assert!((r.f64_of("minutes").unwrap() - g.min).abs() < 1.0, "{} minutes", g.player);
        matched += 1;
    }
    assert_eq!(matched, 157, "157 of 157 rows match");
}

#[test]
fn the_replayed_game_log_parses_to_the_same_rows_as_the_real_response() {
    let (Some(data), Some(dir)) = (shared::fixture("nbac_player_boxscore/raw_2ad17718.json"), shared::data_dir())
    else {
        return;
    };
    let api = rows_of(&NbacPlayerBoxscore.compute(&input("nba-com/player-boxscores/2025-03-15/a.json", data)).unwrap());
    let replay = ReplaySource::open(&dir).unwrap();
    let items = replay.items(day("2025-03-15")).unwrap();
    let log =
        items.iter().find(|i| i.path.starts_with("nba-com/player-boxscores/2025-03-15/")).expect("a game log item");
    let replayed = rows_of(&NbacPlayerBoxscore.compute(&input(&log.path, log.data.clone())).unwrap());
    assert_eq!(replayed.len(), api.len());
    let (a, b) = (by_player(&api), by_player(&replayed));
    for (k, r) in &a {
        let s = b.get(k).unwrap_or_else(|| panic!("{k} not replayed"));
        for col in [
            "game_id",
            "nba_game_id",
            "team_abbr",
            "opponent_team_abbr",
            "is_home",
            "points",
            "total_rebounds",
            "assists",
            "field_goals_made",
            "three_pointers_made",
            "free_throws_attempted",
            "win_loss",
        ] {
            assert_eq!(r[col], s[col], "{k} {col}");
        }
    }
    // Re-reading the same source gives the same bytes (a re-run lands nothing new).
    let again = ReplaySource::open(&dir).unwrap().items(day("2025-03-15")).unwrap();
    assert_eq!(items, again);
}

#[test]
fn neutral_site_games_get_one_id() {
    let body = json!({"resultSets": [{"name": "LeagueGameLog",
        "headers": ["SEASON_ID","PLAYER_ID","PLAYER_NAME","TEAM_ABBREVIATION","GAME_ID","GAME_DATE","MATCHUP","MIN","PTS"],
        "rowSet": [["22024", 1, "A One", "MIA", "0022400147", "2024-11-02", "MIA @ WAS", 30, 10],
                   ["22024", 2, "B Two", "WAS", "0022400147", "2024-11-02", "WAS @ MIA", 31, 12]]}]});
    let out = NbacPlayerBoxscore
        .compute(&input("nba-com/player-boxscores/2024-11-02/a.json", body.to_string().into_bytes()))
        .unwrap();
    let rows = rows_of(&out);
    assert!(rows.iter().all(|r| r["game_id"] == json!("20241102_MIA_WAS") && r["is_home"] == json!(false)));
}

/// The capture with its `rowSet` changed by `f`.
fn mutate(data: &[u8], f: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(data).unwrap();
    f(v["resultSets"][0]["rowSet"].as_array_mut().unwrap());
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn bad_game_logs_are_typed_errors() {
    let Some(data) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let path = "nba-com/player-boxscores/2025-03-15/a.json";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", data[..data.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("wrong schema", br#"{"resultSets": [{"headers": ["X"], "rowSet": [[1]]}]}"#.to_vec()),
        ("not json", b"<html>503</html>".to_vec()),
        ("unknown team", String::from_utf8(data.clone()).unwrap().replacen("\"GSW\"", "\"XXX\"", 1).into_bytes()),
        ("points as text", mutate(&data, |rows| rows[0][28] = json!("lots"))),
        ("short row", mutate(&data, |rows| rows[3].as_array_mut().unwrap().truncate(5))),
        ("row not an array", mutate(&data, |rows| rows[1] = json!({"PTS": 3}))),
        ("bad date", mutate(&data, |rows| rows[2][7] = json!("15/03/2025"))),
    ];
    for (what, bytes) in cases {
        match NbacPlayerBoxscore.compute(&input(path, bytes)) {
            Err(ProcessorError::BadInput { what: w, .. }) => assert_eq!(w, path, "{what}: the error names the file"),
            Err(other) => panic!("{what}: expected BadInput, got {other:?}"),
            Ok(out) => panic!("{what}: expected BadInput, got {} rows", rows_of(&out).len()),
        }
    }
    // An empty response (no games) is not an error and writes nothing.
    let empty = br#"{"resultSets": [{"name": "LeagueGameLog", "headers": ["SEASON_ID","PLAYER_ID","PLAYER_NAME","TEAM_ABBREVIATION","GAME_ID","GAME_DATE","MATCHUP","MIN","PTS"], "rowSet": []}]}"#;
    let out = NbacPlayerBoxscore.compute(&input(path, empty.to_vec())).unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
}

#[test]
fn historical_props_capture_parses_with_prices_and_in_game_flag() {
    let Some(data) = shared::fixture("_history/oddsa_player_props_his_raw_4fd911e4.json") else { return };
    let path = "odds-api/player-props-history/2025-03-09/242c77a8d5890e18bab91773ad32fcb5-MEMNOP/20250309_235038-snap-2350.json";
    let out = OddsApiProps::default().compute(&input(path, data)).unwrap();
    let rows = rows_of(&out);
    assert!(!rows.is_empty());
    let bane: Vec<&Row> = rows
        .iter()
        .filter(|r| r["player_lookup"] == json!("desmondbane") && r["bookmaker"] == json!("fanduel"))
        .collect();
    assert_eq!(bane.len(), 1);
    let b = bane[0];
    assert_eq!(b["points_line"], json!(28.5));
    assert_eq!(b["over_price"], json!(1.8));
    assert_eq!(b["under_price"], json!(1.94));
    assert_eq!(b["over_price_american"], json!(-125));
    assert_eq!(b["under_price_american"], json!(-106));
    assert_eq!(b["game_id"], json!("20250309_MEM_NOP"));
    assert_eq!(b["game_date"], json!("2025-03-09"));
    assert_eq!(b["snapshot_timestamp"], json!("2025-03-09T23:50:38Z"));
    assert_eq!(b["minutes_before_tipoff"], json!(-39), "captured after tip-off");
    assert_eq!(b["is_pregame"], json!(false));
    assert_eq!(b["data_source"], json!("historical"));
    // Exactly one main line per (bookmaker, player).
    let mut mains: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &rows {
        let e = mains
            .entry((r.str_of("bookmaker").unwrap().into(), r.str_of("player_lookup").unwrap().into()))
            .or_default();
        *e += usize::from(r.bool_of("is_main_line").unwrap());
    }
    assert!(mains.values().all(|n| *n == 1), "{mains:?}");
    // The write replaces only this object's rows.
    assert!(matches!(&out.writes[0], TableWrite::ReplaceSlice { scope, .. } if scope[0].0 == "source_file_path"));
}

#[test]
fn replayed_sportsbook_lines_identify_every_main_line_and_resolve_names() {
    let Some(dir) = shared::data_dir() else { return };
    let replay = ReplaySource::open(&dir).unwrap();
    let p = OddsApiProps::default();
    let mut lookups = std::collections::BTreeSet::new();
    let (mut two_sided, mut alternates) = (0, 0);
    for d in SlateDate::range(day("2025-10-21"), day("2025-11-20")) {
        for it in replay.items(d).unwrap().into_iter().filter(|i| i.path.starts_with("odds-api/")) {
            let rows = rows_of(&p.compute(&input(&it.path, it.data)).unwrap());
            let mut per: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
            for r in &rows {
                assert_eq!(r["game_date"], json!(d.to_string()));
                assert_eq!(r["is_pregame"], json!(true));
                let e = per
                    .entry((r.str_of("bookmaker").unwrap().into(), r.str_of("player_lookup").unwrap().into()))
                    .or_default();
                e.0 += 1;
                e.1 += usize::from(r.bool_of("is_main_line").unwrap());
                lookups.insert(r.str_of("player_lookup").unwrap().to_string());
            }
            for ((book, player), (lines, mains)) in per {
                assert_eq!(mains, 1, "{d} {book} {player}: {lines} lines, {mains} main");
                two_sided += 1;
                alternates += lines - 1;
            }
        }
    }
    assert!(two_sided > 20_000, "{two_sided} (book, player) pairs");
    assert!(alternates > 0, "Bovada / BetRivers list alternate lines");
    assert!(lookups.contains("nicclaxton") && !lookups.contains("nicolasclaxton"), "Nicolas Claxton resolves");
    assert!(lookups.contains("alexsarr"));
    assert!(lookups.contains("herbertjones") && !lookups.contains("herbjones"));
}
