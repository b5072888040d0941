use serde_json::{json, Value};

use super::*;

fn row(v: Value) -> Row {
    v.as_object().cloned().unwrap()
}

fn pred(player: &str, system: &str, offset: f64, predicted: f64, rec: &str, line: Option<f64>) -> Row {
    row(json!({
        "prediction_id": format!("{system}:{player}:2025-01-15:{offset}"), "system_id": system,
        "player_lookup": player, "game_date": "2025-01-15", "game_id": "20250115_BOS_NYK",
        "predicted_points": predicted, "confidence_score": 72.0, "recommendation": rec,
        "current_points_line": line, "line_offset": offset, "over_price": 120, "under_price": -150,
    }))
}

fn pgs(player: &str, minutes: f64, points: f64) -> Row {
    row(json!({"game_date": "2025-01-15", "game_id": "20250115_BOS_NYK", "player_lookup": player,
               "minutes_played": minutes, "points": points}))
}

fn run(preds: Vec<Row>, boxes: Vec<Row>) -> Result<ProcessorOutput, ProcessorError> {
    let mut input = ProcessorInput { date: "2025-01-15".parse().ok(), ..Default::default() };
    input.set_rows(PREDICTIONS, preds);
    input.set_rows(PGS, boxes);
    // Through the output check, as registered.
    let checked = crate::processors::raw::checked::Checked::new(std::sync::Arc::new(PredictionGrading));
    checked.compute(&input)
}

fn rows_of(out: &ProcessorOutput, table: &str) -> Vec<Row> {
    out.writes
        .iter()
        .find(|w| w.table().table == table)
        .map(|w| match w {
            TableWrite::ReplacePartition { rows, .. } => rows.clone(),
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

#[test]
fn grades_played_players_skips_those_who_did_not_and_summarises_base_lines() {
    let preds = vec![
        pred("alice", "sys_a", 0.0, 25.0, "OVER", Some(22.5)), // 30 pts: WIN at +120
        pred("alice", "sys_a", 2.0, 25.0, "UNDER", Some(24.5)), // offset line: graded, not in the summary
        pred("bob", "sys_a", 0.0, 10.0, "UNDER", Some(12.5)),  // 14 pts: LOSS
        pred("carl", "sys_a", 0.0, 18.0, "OVER", Some(15.5)),  // 0 minutes: did not play
        pred("dan", "sys_a", 0.0, 8.0, "PASS", Some(9.5)),     // no box score: did not play
        pred("bob", "sys_b", 0.0, 13.0, "NO_LINE", None),      // NO_BET
    ];
    let boxes = vec![pgs("alice", 34.0, 30.0), pgs("bob", 20.0, 14.0), pgs("carl", 0.0, 0.0)];
    let out = run(preds, boxes).unwrap();
    let res = rows_of(&out, "prediction_results");
    let who: Vec<(&str, &str, f64)> = res
        .iter()
        .map(|r| (r.str_of("player_lookup").unwrap(), r.str_of("system_id").unwrap(), r.f64_of("line_offset").unwrap()))
        .collect();
    assert_eq!(
        who,
        vec![("alice", "sys_a", 0.0), ("alice", "sys_a", 2.0), ("bob", "sys_a", 0.0), ("bob", "sys_b", 0.0)]
    );
    let a = &res[0];
    assert_eq!(a.str_of("outcome"), Some("WIN"));
    assert_eq!(a.f64_of("profit_units"), Some(1.2));
    assert_eq!((a.f64_of("signed_error"), a.f64_of("absolute_error")), (Some(-5.0), Some(5.0)));
    assert_eq!((a.bool_of("within_3"), a.bool_of("within_5")), (Some(false), Some(true)));
    assert_eq!(a.str_of("confidence_tier"), Some("high"));
    assert_eq!(res[1].str_of("outcome"), Some("LOSS"), "UNDER 24.5 with 30 points");
    assert_eq!((res[2].str_of("outcome"), res[2].f64_of("profit_units")), (Some("LOSS"), Some(-1.0)));
    assert_eq!(res[3].str_of("outcome"), Some("NO_BET"));
    assert!(res[3].get("current_points_line").is_none());
    assert_eq!(out.metadata["did_not_play"], json!(2));
    assert_eq!(out.metadata["players_did_not_play"], json!(2));
    assert_eq!(out.metadata["graded"], json!(4));

    let daily = rows_of(&out, "system_daily_performance");
    assert_eq!(daily.len(), 2);
    let d = &daily[0];
    assert_eq!(d.str_of("system_id"), Some("sys_a"));
    // Base lines: alice (−5), bob (−4) graded; carl and dan predicted but did not play.
    assert_eq!((d.i64_of("predictions"), d.i64_of("graded")), (Some(4), Some(2)));
    assert_eq!((d.f64_of("mae"), d.f64_of("bias")), (Some(4.5), Some(-4.5)));
    assert_eq!(d.f64_of("rmse"), Some(((25.0 + 16.0) / 2.0f64).sqrt()).map(|x| round(x, 4)));
    assert_eq!((d.i64_of("picks"), d.i64_of("wins"), d.i64_of("losses")), (Some(2), Some(1), Some(1)));
    assert_eq!((d.f64_of("hit_rate"), d.f64_of("profit_units")), (Some(0.5), Some(0.2)));
    let b = &daily[1];
    assert_eq!((b.i64_of("picks"), b.get("hit_rate"), b.f64_of("profit_units")), (Some(0), None, Some(0.0)));
}

#[test]
fn no_predictions_is_no_data_and_bad_rows_are_bad_input() {
    let out = run(Vec::new(), vec![pgs("alice", 30.0, 20.0)]).unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some());
    let mut p = pred("alice", "sys_a", 0.0, 25.0, "OVER", Some(22.5));
    p.remove("predicted_points");
    assert!(matches!(run(vec![p], vec![pgs("alice", 30.0, 20.0)]), Err(ProcessorError::BadInput { .. })));
    let mut b = pgs("alice", 30.0, 20.0);
    b.remove("points");
    let p = pred("alice", "sys_a", 0.0, 25.0, "OVER", Some(22.5));
    assert!(matches!(run(vec![p], vec![b]), Err(ProcessorError::BadInput { .. })));
}

#[test]
fn everybody_out_replaces_the_date_with_no_results() {
    let out = run(vec![pred("carl", "sys_a", 0.0, 18.0, "OVER", Some(15.5))], vec![pgs("carl", 0.0, 0.0)]).unwrap();
    assert!(rows_of(&out, "prediction_results").is_empty());
    assert_eq!(out.writes.len(), 2);
    let d = rows_of(&out, "system_daily_performance");
    assert_eq!((d[0].i64_of("predictions"), d[0].i64_of("graded"), d[0].get("mae")), (Some(1), Some(0), None));
}
