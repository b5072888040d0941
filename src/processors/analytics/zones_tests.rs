//! Unit tests of [`super`]: zone boundaries, tallies, the per-game source choice and player matching.

use super::*;
use crate::domain::SlateDate;
use crate::processors::analytics::lines::Stats;

#[test]
fn bigdataball_paint_ends_at_8_feet() {
    assert_eq!(bdb_zone(Some("driving layup"), Some("2PT"), Some(0.0)), Some(Zone::Paint));
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(8.0)), Some(Zone::Paint));
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(8.01)), Some(Zone::MidRange));
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(9.0)), Some(Zone::MidRange));
}

#[test]
fn bigdataball_three_starts_at_23_75_feet() {
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(23.7)), Some(Zone::MidRange));
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(23.75)), Some(Zone::Three));
    assert_eq!(bdb_zone(Some("jump shot"), None, Some(30.0)), Some(Zone::Three));
}

#[test]
fn a_corner_three_is_a_three_by_its_subtype() {
    // 22 ft: shorter than the arc at the top, a three only because the subtype says so.
    assert_eq!(bdb_zone(Some("3pt jump shot"), Some("3PT"), Some(22.0)), Some(Zone::Three));
    assert_eq!(bdb_zone(Some("3PT Step Back Jump Shot"), None, Some(22.0)), Some(Zone::Three));
    assert_eq!(bdb_zone(None, Some("3PT"), Some(22.0)), Some(Zone::Three));
    assert_eq!(bdb_zone(Some("3pt jump shot"), None, None), Some(Zone::Three), "a three needs no distance");
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), None), None, "a two without a distance has no zone");
    assert_eq!(bdb_zone(Some("jump shot"), Some("2PT"), Some(-1.0)), None);
}

#[test]
fn nbac_zones_follow_the_shot_type_and_8_feet() {
    assert_eq!(nbac_zone("2PT", Some(8.0)), Some(Zone::Paint));
    assert_eq!(nbac_zone("2PT", Some(8.01)), Some(Zone::MidRange));
    assert_eq!(nbac_zone("3PT", Some(22.0)), Some(Zone::Three), "corner three");
    assert_eq!(nbac_zone("3PT", None), Some(Zone::Three));
    assert_eq!(nbac_zone("2PT", None), None);
    assert_eq!(nbac_zone("FT", Some(15.0)), None, "free throws are not zone attempts");
}

fn row(v: serde_json::Value) -> Row {
    v.as_object().cloned().unwrap_or_default()
}

fn bdb(game: &str, team: &str, who: &str, sub: &str, dist: f64, made: bool, role2: Option<&str>) -> Row {
    row(json!({
        "game_id": game, "game_date": "2025-06-22", "event_type": "shot", "event_subtype": sub,
        "event_team_abbr": team, "player_1_lookup": who, "shot_made": made, "shot_distance": dist,
        "player_2_role": role2,
    }))
}

fn nbac(game: &str, team: &str, id: i64, name: &str, kind: &str, dist: f64, made: bool) -> Row {
    row(json!({
        "game_id": game, "game_date": "2025-06-22", "team_abbr": team, "player_1_id": id, "player_1_name": name,
        "player_1_lookup": player_lookup(name), "shot_type": kind, "shot_distance": dist, "shot_made": made,
    }))
}

fn input(bdb_rows: Vec<Row>, nbac_rows: Vec<Row>) -> ProcessorInput {
    let date: SlateDate = "2025-06-22".parse().unwrap();
    let mut i = ProcessorInput { date: Some(date), ..Default::default() };
    i.set_rows(BDB_PBP, bdb_rows);
    i.set_rows(NBAC_PBP, nbac_rows);
    i
}

fn line(team: &str, lookup: &str, id: Option<i64>) -> PlayerLine {
    PlayerLine {
        game_id: "g".into(),
        nba_game_id: None,
        season_year: None,
        team: team.into(),
        opponent: String::new(),
        is_home: false,
        player_lookup: lookup.into(),
        player_name: String::new(),
        nba_player_id: id,
        minutes: None,
        plus_minus: None,
        stats: Stats::default(),
    }
}

#[test]
fn bigdataball_wins_per_game_and_free_throws_are_ignored() {
    let g1 = "20250622_IND_OKC";
    let g2 = "20250622_NYK_PHI";
    let ft = row(json!({"game_id": g1, "game_date": "2025-06-22", "event_type": "free throw", "shot_made": true}));
    let i = input(
        vec![bdb(g1, "OKC", "a", "layup", 1.0, true, Some("assist")), ft],
        vec![nbac(g1, "OKC", 1, "A. Bc", "2PT", 1.0, true), nbac(g2, "PHI", 2, "T. Maxey", "3PT", 25.0, false)],
    );
    let games = shots_by_game(&i).unwrap();
    assert_eq!(games[g1].source, ZoneSource::BigDataBall);
    assert_eq!(games[g1].shots.len(), 1, "one game, one source; the free throw is no attempt");
    assert_eq!(games[g2].source, ZoneSource::NbacPbp);
    let t = games[g1].team_tally("OKC");
    assert_eq!((t.paint_att, t.paint_made, t.assisted, t.unassisted(), t.points_in_paint()), (1, 1, 1, 0, 2));
    assert_eq!(games[g2].team_tally("PHI").three_att, 1);
}

#[test]
fn tallies_count_blocks_by_zone_and_unzoned_twos_fail_the_fga_check() {
    let g = "20250622_IND_OKC";
    let i = input(
        vec![
            bdb(g, "IND", "x", "jump shot", 14.0, false, Some("block")),
            bdb(g, "IND", "x", "3pt jump shot", 22.0, false, Some("block")),
            bdb(g, "IND", "x", "jump shot", 15.0, true, None),
        ],
        vec![],
    );
    let t = shots_by_game(&i).unwrap()[g].team_tally("IND");
    assert_eq!((t.mid_att, t.mid_made, t.blocked_mid, t.blocked_three, t.blocked_paint), (2, 1, 1, 1, 0));
    assert_eq!((t.three_att, t.assisted, t.unassisted()), (1, 0, 1));
    assert!(t.matches_fga(Some(3)) && !t.matches_fga(Some(4)) && t.matches_fga(None));
    let mut odd = t;
    odd.add(&Shot { zone: None, ..shots_by_game(&i).unwrap()[g].shots[0].clone() });
    assert!(!odd.matches_fga(Some(4)), "a shot without a zone is an attempt no zone accounts for");
}

#[test]
fn players_match_by_id_lookup_suffix_and_abbreviated_name() {
    let g = "20250115_PHI_NYK";
    let roster = vec![
        line("PHI", "tyresemaxey", None),
        line("PHI", "paulgeorge", Some(202331)),
        line("NYK", "jalenbrunson", None),
        line("NYK", "jarenjacksonjr", None),
        line("NYK", "joshhart", None),
        line("NYK", "jordanhart", None),
    ];
    let i = input(
        vec![],
        vec![
            nbac(g, "PHI", 1630178, "T. Maxey", "2PT", 1.0, true),
            nbac(g, "PHI", 202331, "P. George", "2PT", 17.0, false),
            nbac(g, "NYK", 1628973, "J. Brunson", "3PT", 25.0, true),
            nbac(g, "NYK", 9, "J. Jackson Jr.", "2PT", 3.0, true),
            nbac(g, "NYK", 10, "J. Hart", "2PT", 3.0, true),
            nbac(g, "NYK", 11, "T. Maxey", "2PT", 3.0, true),
        ],
    );
    let p = shots_by_game(&i).unwrap()[g].player_tallies(&roster);
    let get = |t: &str, k: &str| p.by_player[&(t.to_string(), k.to_string())];
    assert_eq!(get("PHI", "tyresemaxey").paint_made, 1);
    assert_eq!(get("PHI", "paulgeorge").mid_att, 1);
    assert_eq!(get("NYK", "jalenbrunson").three_made, 1);
    assert_eq!(get("NYK", "jarenjacksonjr").paint_att, 1);
    // Two Harts starting with J: never a guess; a Maxey on the wrong team matches nobody.
    assert_eq!((get("NYK", "joshhart").paint_att, get("NYK", "jordanhart").paint_att), (0, 0));
    assert_eq!(p.unmatched, 2);
}

#[test]
fn a_shot_without_a_game_is_bad_input_and_no_play_by_play_means_null_columns() {
    let mut r = bdb("g", "OKC", "a", "layup", 1.0, true, None);
    r.remove("game_id");
    let err = shots_by_game(&input(vec![r], vec![])).unwrap_err();
    assert!(matches!(err, ProcessorError::BadInput { ref what, .. } if what == BDB_PBP), "{err:?}");
    let mut out = Row::new();
    assert!(!put_player(&mut out, None, Some(10)), "no zones: nothing to disagree with");
    assert_eq!(out["paint_attempts"], Value::Null);
    assert_eq!(out["shot_zones_source"], Value::Null);
    let mut d = Row::new();
    put_defense(&mut d, None, None);
    assert_eq!((d["blocks_paint"].clone(), d["shot_zones_available"].clone()), (Value::Null, json!(false)));
    assert_eq!(input_columns(NBAC_PBP).map(|c| c.len()), Some(12));
    assert_eq!(input_columns("nba_raw.nbac_player_boxscores"), None);
}
