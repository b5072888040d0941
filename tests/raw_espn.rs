//! ESPN raw processors on real captures, and the BDL vs ESPN cross-source check of 2024-01-15.
//!
//! Raw processors of balldontlie, ESPN, Basketball-Reference and BigDataBall against the real captures in
//! `../shared/fixtures/nba` (skipped when absent). Expected values were read out of the captures with a
//! separate script (Python `json`/`csv`), not from the processors' own output.

mod bdl_espn_support;
mod shared;

use bdl_espn_support::*;
use std::collections::BTreeMap;

use hoopflow::domain::Row;
use hoopflow::domain::{Aliases, NameResolver};
use hoopflow::processors::raw::{bdl_boxscores, espn_boxscore, espn_scoreboard, espn_team_roster};
use hoopflow::processors::{Processor, TableWrite};
use serde_json::{json, Value};

// ── ESPN ─────────────────────────────────────────────────────────────────────────────────────────────────────

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
