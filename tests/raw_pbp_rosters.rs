//! BigDataBall play-by-play, Basketball-Reference rosters (documented sample), and robustness.
//!
//! Raw processors of balldontlie, ESPN, Basketball-Reference and BigDataBall against the real captures in
//! `../shared/fixtures/nba` (skipped when absent). Expected values were read out of the captures with a
//! separate script (Python `json`/`csv`), not from the processors' own output.

mod bdl_espn_support;
mod shared;

use bdl_espn_support::*;
use std::collections::BTreeMap;

use hoopflow::domain::Row;
use hoopflow::processors::raw::{
    basketball_ref_roster, bdl_active_players, bdl_boxscores, bdl_injuries, bdl_standings, big_data_ball_pbp,
    espn_boxscore, espn_scoreboard, espn_team_roster,
};
use hoopflow::processors::{Processor, ProcessorError, ProcessorOutput, TableWrite};
use serde_json::{json, Value};

// ── BigDataBall ──────────────────────────────────────────────────────────────────────────────────────────────

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
    inp.set_rows(
        "nba_raw.br_rosters_current",
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
    again.set_rows("nba_raw.br_rosters_current", state.into_values().collect());
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
