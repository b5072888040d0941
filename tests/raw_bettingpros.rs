//! BettingPros points props on a documented sample (no real capture exists).
//!
//! Raw processors for odds game lines, the NBA injury report PDF, NBA.com gamebooks and BettingPros props,
//! against the real captures in `shared/fixtures/nba` (skipped when absent), plus robustness (truncated,
//! mutated, empty input → `BadInput` or rows, never a panic) and one write through the embedded warehouse.

mod odds_pdf_support;
mod shared;

use hoopflow::processors::{ProcessorError, TableWrite};
use odds_pdf_support::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------------------
// betting_props
// ---------------------------------------------------------------------------------------------------------

use hoopflow::processors::raw::betting_props;

/// The lineup participant of a real BettingPros event (`bp_events` capture for 2021-10-21).
fn bp_participant(events: &Value, event_id: i64, name: &str) -> Value {
    let ev = events["events"].as_array().unwrap().iter().find(|e| e["id"] == json!(event_id)).unwrap();
    let lineups = ev["lineups"].as_object().unwrap();
    lineups
        .values()
        .flat_map(|l| l.as_array().unwrap())
        .map(|p| p["participant"].clone())
        .find(|p| p["name"] == json!(name))
        .unwrap_or_else(|| panic!("{name} not in event {event_id}"))
}

/// A documented sample in the BettingPros offers API shape: there is no props capture, so the offers are
/// written by hand around real event ids and real participants (ids, names, BettingPros teams) of `bp_events`.
/// Lines: Trae Young 25.5 (DraftKings over -115 / under -105, FanDuel over -110 / under -110, FanDuel the best
/// over), P.J. Tucker 4.5 (team "FA" at BettingPros), Jimmy Butler III 21.5, and one BetMGM line with no points.
/// (BettingPros book id, line) pairs of one selection.
type BookLines = Vec<(i64, Value)>;

fn bp_offers_sample(events: &Value) -> Value {
    let line = |id: &str, l: Option<f64>, cost: i64, best: bool| json!({"id": id, "line": l, "cost": cost, "updated": "2021-10-21 22:01:07", "active": true, "best": best});
    let offer = |id: &str, event: i64, part: Value, over: BookLines, under: BookLines| {
        let books =
            |v: Vec<(i64, Value)>| v.into_iter().map(|(b, l)| json!({"id": b, "lines": [l]})).collect::<Vec<_>>();
        json!({
            "id": id, "event_id": event, "market_id": 156, "participants": [part], "active": true,
            "selections": [
                {"id": format!("{id}:over"), "selection": "over", "label": "Over", "active": true,
                 "opening_line": {"line": 24.5, "cost": -110, "book_id": 12, "created": "2021-10-20 15:00:00"},
                 "books": books(over)},
                {"id": format!("{id}:under"), "selection": "under", "label": "Under", "active": true,
                 "opening_line": {"line": 24.5, "cost": -110, "book_id": 12, "created": "2021-10-20 15:00:00"},
                 "books": books(under)},
            ]
        })
    };
    json!({
        "_parameters": {"sport": "NBA", "market_id": "156", "event_id": "20879:20880"},
        "_pagination": {"page": 1, "total_pages": 1},
        "markets": [156],
        "offers": [
            offer(
                "o-trae",
                20879,
                bp_participant(events, 20879, "Trae Young"),
                vec![
                    (12, line("l1", Some(25.5), -115, false)),
                    (10, line("l2", Some(25.5), -110, true)),
                    (19, line("l3", None, -110, false)),
                ],
                vec![(12, line("l4", Some(25.5), -105, true)), (10, line("l5", Some(25.5), -110, false))],
            ),
            offer(
                "o-tucker",
                20880,
                bp_participant(events, 20880, "P.J. Tucker"),
                vec![(12, line("l6", Some(4.5), 100, true))],
                vec![(12, line("l7", Some(4.5), -130, true))],
            ),
            offer(
                "o-butler",
                20880,
                bp_participant(events, 20880, "Jimmy Butler III"),
                vec![(24, line("l8", Some(21.5), -120, true))],
                vec![(24, line("l9", Some(21.5), -110, true))],
            ),
        ]
    })
}

fn bp_events() -> Option<Value> {
    shared::fixture("bp_events/raw_75470647.json").map(|b| serde_json::from_slice(&b).unwrap())
}

#[test]
fn betting_props_offers_become_one_row_per_side_and_book_line() {
    let Some(events) = bp_events() else { return };
    let sample = serde_json::to_vec(&bp_offers_sample(&events)).unwrap();
    let out = run(&betting_props::BettingProps, PROPS_PATH, &sample).expect("parses");
    let rows = rows(&out);
    assert_eq!(rows.len(), 8, "4 Trae Young lines with points (the BetMGM one has none), 2 Tucker, 2 Butler");
    assert_eq!(out.metadata["lines_without_points"], json!(1));
    match &out.writes[..] {
        [TableWrite::ReplaceSlice { date, scope, .. }] => {
            assert_eq!(date.to_string(), "2021-10-21");
            assert_eq!(scope[0].1, json!(format!("gs://nba-scraped-data/{PROPS_PATH}")));
        }
        w => panic!("expected one ReplaceSlice, got {w:?}"),
    }
    for r in &rows {
        assert_eq!((s(r, "game_date"), s(r, "market_type")), ("2021-10-21", "points"));
        assert_eq!(r["market_id"], json!(156));
    }
    let fd_over = find(
        &rows,
        &[("player_lookup", json!("traeyoung")), ("bookmaker", json!("FanDuel")), ("bet_side", json!("over"))],
    );
    assert_eq!(
        (f(fd_over, "points_line"), fd_over["odds_american"].clone(), fd_over["is_best_line"].clone()),
        (25.5, json!(-110), json!(true))
    );
    assert_eq!(
        (fd_over["bp_event_id"].clone(), fd_over["bp_player_id"].clone(), fd_over["book_id"].clone()),
        (json!(20879), json!(3473), json!(10))
    );
    assert_eq!(
        (s(fd_over, "player_team"), s(fd_over, "validated_team"), fd_over["has_team_issues"].clone()),
        ("ATL", "ATL", json!(false))
    );
    assert_eq!((s(fd_over, "player_position"), s(fd_over, "offer_id"), s(fd_over, "line_id")), ("G", "o-trae", "l2"));
    assert_eq!(
        (f(fd_over, "opening_line"), fd_over["opening_odds"].clone(), s(fd_over, "opening_timestamp")),
        (24.5, json!(-110), "2021-10-20 15:00:00")
    );
    assert_eq!(s(fd_over, "bookmaker_last_update"), "2021-10-21 22:01:07");
    let dk_under = find(
        &rows,
        &[("player_lookup", json!("traeyoung")), ("bookmaker", json!("DraftKings")), ("bet_side", json!("under"))],
    );
    assert_eq!((dk_under["odds_american"].clone(), dk_under["is_best_line"].clone()), (json!(-105), json!(true)));
    // BettingPros lists P.J. Tucker as a free agent: kept as sent, flagged.
    let tucker = find(&rows, &[("player_lookup", json!("pjtucker")), ("bet_side", json!("over"))]);
    assert_eq!(
        (s(tucker, "player_team"), tucker["validated_team"].clone(), tucker["has_team_issues"].clone()),
        ("FA", Value::Null, json!(true))
    );
    assert_eq!((f(tucker, "points_line"), tucker["odds_american"].clone()), (4.5, json!(100)));
    let butler = find(&rows, &[("player_lookup", json!("jimmybutleriii")), ("bet_side", json!("under"))]);
    assert_eq!((s(butler, "bookmaker"), f(butler, "points_line")), ("bet365", 21.5));
}

#[test]
fn betting_props_scraper_shape_gives_the_same_rows() {
    let Some(events) = bp_events() else { return };
    let offers = bp_offers_sample(&events);
    // The original scraper's flattening of the same offers.
    let props: Vec<Value> = offers["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let part = &o["participants"][0];
            let mut prop = json!({
                "offer_id": o["id"], "event_id": o["event_id"], "player_id": part["id"], "player_name": part["name"],
                "player_team": part["player"]["team"], "player_position": part["player"]["position"],
            });
            for sel in o["selections"].as_array().unwrap() {
                let books: Vec<Value> = sel["books"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|b| {
                        b["lines"].as_array().unwrap().iter().map(move |l| {
                            json!({"book_id": b["id"], "book_name": betting_props::book_name(b["id"].as_i64().unwrap()),
                                   "line_id": l["id"], "line": l["line"], "odds": l["cost"], "updated": l["updated"],
                                   "active": l["active"], "best": l["best"]})
                        })
                    })
                    .collect();
                prop[sel["selection"].as_str().unwrap()] =
                    json!({"opening_line": sel["opening_line"], "sportsbooks": books});
            }
            prop
        })
        .collect();
    let scraped = json!({"date": "2021-10-21", "market_type": "points", "market_id": 156, "props": props});
    let a = run(&betting_props::BettingProps, PROPS_PATH, &serde_json::to_vec(&offers).unwrap()).unwrap();
    let b = run(&betting_props::BettingProps, PROPS_PATH, &serde_json::to_vec(&scraped).unwrap()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn betting_props_bad_files_are_bad_input() {
    let Some(events) = bp_events() else { return };
    let p = betting_props::BettingProps;
    let sample = serde_json::to_vec(&bp_offers_sample(&events)).unwrap();
    assert_robust(&p, PROPS_PATH, &sample);
    // The events capture is not a props file.
    let raw_events = shared::fixture("bp_events/raw_75470647.json").unwrap();
    let e = run(&p, PROPS_PATH, &raw_events);
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    let mut bad_odds = bp_offers_sample(&events);
    bad_odds["offers"][0]["selections"][0]["books"][0]["lines"][0]["cost"] = json!("minus");
    let e = run(&p, PROPS_PATH, &serde_json::to_vec(&bad_odds).unwrap());
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    let mut no_player = bp_offers_sample(&events);
    no_player["offers"][1]["participants"] = json!([]);
    let e = run(&p, PROPS_PATH, &serde_json::to_vec(&no_player).unwrap());
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    let empty_offers = run(&p, PROPS_PATH, br#"{"offers": []}"#).unwrap();
    assert!(empty_offers.writes.is_empty() && empty_offers.no_data_reason.is_some());
}

#[tokio::test]
async fn betting_props_rows_fit_the_warehouse() {
    let Some(events) = bp_events() else { return };
    let sample = serde_json::to_vec(&bp_offers_sample(&events)).unwrap();
    let first = run(&betting_props::BettingProps, PROPS_PATH, &sample).unwrap();
    let later = run(&betting_props::BettingProps, &PROPS_PATH.replace("223000", "233000"), &sample).unwrap();
    assert_eq!(apply_twice(betting_props::schema(), &[first, later]).await, 16, "both snapshots kept");
}
