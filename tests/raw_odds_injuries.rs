//! Odds API game lines and the NBA injury report on real captures.
//!
//! Raw processors for odds game lines, the NBA injury report PDF, NBA.com gamebooks and BettingPros props,
//! against the real captures in `shared/fixtures/nba` (skipped when absent), plus robustness (truncated,
//! mutated, empty input → `BadInput` or rows, never a panic) and one write through the embedded warehouse.

mod odds_pdf_support;
mod shared;

use hoopflow::processors::raw::{nbac_injury_report, odds_game_lines};
use hoopflow::processors::{ProcessorError, TableWrite};
use odds_pdf_support::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------------------
// odds_game_lines
// ---------------------------------------------------------------------------------------------------------

#[test]
fn odds_game_lines_spreads_and_totals_match_the_capture() {
    let Some(data) = shared::fixture("oddsa_game_lines_his/raw_b722994c.json") else { return };
    let out = run(&odds_game_lines::OddsGameLines, LINES_PATH, &data).expect("parses");
    let rows = rows(&out);
    assert_eq!(rows.len(), 8, "2 books x 2 markets x 2 outcomes");
    assert_eq!(out.writes.len(), 1);
    match &out.writes[0] {
        TableWrite::ReplaceSlice { date, scope, .. } => {
            assert_eq!(date.to_string(), "2024-01-24", "03:20Z tip-off is the 24th in New York");
            assert_eq!(
                scope,
                &vec![("source_file_path".to_string(), json!(format!("gs://nba-scraped-data/{LINES_PATH}")))]
            );
        }
        w => panic!("expected ReplaceSlice, got {w:?}"),
    }
    for r in &rows {
        assert_eq!(s(r, "game_id"), "20240124_ATL_GSW");
        assert_eq!(s(r, "game_date"), "2024-01-24");
        assert_eq!(s(r, "home_team_abbr"), "GSW");
        assert_eq!(s(r, "away_team_abbr"), "ATL");
        assert_eq!(s(r, "snapshot_timestamp"), "2024-01-25T03:55:40Z");
        assert_eq!(s(r, "previous_snapshot_timestamp"), "2024-01-25T03:50:38Z");
        assert_eq!(s(r, "commence_time"), "2024-01-25T03:20:30Z");
        assert_eq!(s(r, "odds_api_event_id"), "cd0bc7d0c238f4446ce1c03d0cea7ec4");
        assert_eq!(s(r, "data_hash").len(), 16);
    }
    let dk_atl = find(
        &rows,
        &[
            ("bookmaker_key", json!("draftkings")),
            ("market_key", json!("spreads")),
            ("outcome_name", json!("Atlanta Hawks")),
        ],
    );
    assert_eq!((f(dk_atl, "outcome_point"), f(dk_atl, "outcome_price")), (6.5, 1.91));
    assert_eq!(dk_atl["outcome_price_american"], json!(-110));
    assert_eq!(s(dk_atl, "bookmaker_title"), "DraftKings");
    assert_eq!(s(dk_atl, "bookmaker_last_update"), "2024-01-25T03:55:22Z");
    let dk_gsw = find(
        &rows,
        &[
            ("bookmaker_key", json!("draftkings")),
            ("market_key", json!("spreads")),
            ("outcome_name", json!("Golden State Warriors")),
        ],
    );
    assert_eq!((f(dk_gsw, "outcome_point"), f(dk_gsw, "outcome_price")), (-6.5, 1.83));
    assert_eq!(dk_gsw["outcome_price_american"], json!(-120));
    let fd_over = find(
        &rows,
        &[("bookmaker_key", json!("fanduel")), ("market_key", json!("totals")), ("outcome_name", json!("Over"))],
    );
    assert_eq!((f(fd_over, "outcome_point"), f(fd_over, "outcome_price")), (247.5, 1.87));
    let fd_under = find(
        &rows,
        &[("bookmaker_key", json!("fanduel")), ("market_key", json!("totals")), ("outcome_name", json!("Under"))],
    );
    assert_eq!((f(fd_under, "outcome_point"), f(fd_under, "outcome_price")), (247.5, 1.88));
    assert_eq!(fd_under["outcome_price_american"], json!(-114));
    let dk_over = find(
        &rows,
        &[("bookmaker_key", json!("draftkings")), ("market_key", json!("totals")), ("outcome_name", json!("Over"))],
    );
    assert_eq!(f(dk_over, "outcome_point"), 248.5);
}

#[test]
fn odds_game_lines_moneyline_and_the_mislabelled_props_capture() {
    let Some(h2h) = shared::fixture("odds_api_historical_game_lines/raw_9221b91f.json") else { return };
    let out = run(&odds_game_lines::OddsGameLines, H2H_PATH, &h2h).expect("parses");
    let rows = rows(&out);
    assert_eq!(rows.len(), 4);
    let fd_atl = find(&rows, &[("bookmaker_key", json!("fanduel")), ("outcome_name", json!("Atlanta Hawks"))]);
    assert_eq!(s(fd_atl, "market_key"), "h2h");
    assert_eq!(f(fd_atl, "outcome_price"), 3.8);
    assert_eq!(fd_atl["outcome_price_american"], json!(280));
    assert_eq!(fd_atl["outcome_point"], Value::Null, "moneyline has no point");
    let dk_gsw =
        find(&rows, &[("bookmaker_key", json!("draftkings")), ("outcome_name", json!("Golden State Warriors"))]);
    assert_eq!(dk_gsw["outcome_price_american"], json!(-312), "1.32 is -312.5 less float error");

    // oddsa_player_props_his/raw_815b3ee3.json is labelled player props but holds game lines.
    let Some(mislabelled) = shared::fixture("oddsa_player_props_his/raw_815b3ee3.json") else { return };
    let Some(lines) = shared::fixture("oddsa_game_lines_his/raw_b722994c.json") else { return };
    let a = run(&odds_game_lines::OddsGameLines, LINES_PATH, &mislabelled).expect("parses");
    let b = run(&odds_game_lines::OddsGameLines, LINES_PATH, &lines).expect("parses");
    assert_eq!(a, b, "the mislabelled capture is the same game-lines snapshot");
}

#[test]
fn odds_game_lines_live_shape_and_bad_documents() {
    let Some(data) = shared::fixture("oddsa_game_lines_his/raw_b722994c.json") else { return };
    let v: Value = serde_json::from_slice(&data).unwrap();
    // The live endpoint: an array of bare events, no snapshot envelope.
    let live = serde_json::to_vec(&json!([v["data"].clone()])).unwrap();
    let out = run(&odds_game_lines::OddsGameLines, "odds-api/game-lines/2024-01-24/x.json", &live).expect("parses");
    assert_eq!(rows(&out).len(), 8);
    assert!(rows(&out).iter().all(|r| r["snapshot_timestamp"].is_null()));
    let mut unknown = v.clone();
    unknown["data"]["home_team"] = json!("Seattle Kraken");
    let e = run(&odds_game_lines::OddsGameLines, LINES_PATH, &serde_json::to_vec(&unknown).unwrap());
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    let mut no_price = v;
    no_price["data"]["bookmakers"][0]["markets"][0]["outcomes"][0]["price"] = json!("x");
    let e = run(&odds_game_lines::OddsGameLines, LINES_PATH, &serde_json::to_vec(&no_price).unwrap());
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    assert_robust(&odds_game_lines::OddsGameLines, LINES_PATH, &data);
}

#[tokio::test]
async fn odds_game_lines_snapshots_are_kept_and_reloads_are_idempotent() {
    let (Some(a), Some(b)) = (
        shared::fixture("oddsa_game_lines_his/raw_b722994c.json"),
        shared::fixture("odds_api_historical_game_lines/raw_9221b91f.json"),
    ) else {
        return;
    };
    let p = odds_game_lines::OddsGameLines;
    let outs = [run(&p, LINES_PATH, &a).unwrap(), run(&p, H2H_PATH, &b).unwrap()];
    assert_eq!(apply_twice(odds_game_lines::schema(), &outs).await, 12);
}

// ---------------------------------------------------------------------------------------------------------
// nbac_injury_report
// ---------------------------------------------------------------------------------------------------------

#[test]
fn injury_report_rows_match_the_pdf() {
    let Some(pdf) = shared::fixture("nbac_injury_report/raw_f4391904.pdf") else { return };
    let out = run(&nbac_injury_report::NbacInjuryReport, INJURY_PATH, &pdf).expect("parses");
    let rows = rows(&out);
    assert_eq!(rows.len(), 14);
    assert_eq!(out.metadata["teams_not_yet_submitted"], json!(29));
    match &out.writes[..] {
        [TableWrite::ReplaceSlice { date, scope, .. }] => {
            assert_eq!(date.to_string(), "2024-01-04");
            assert_eq!(scope[0].0, "source_file_path");
        }
        w => panic!("expected one ReplaceSlice, got {w:?}"),
    }
    for r in &rows {
        assert_eq!(s(r, "report_date"), "2024-01-04");
        assert_eq!(r["report_hour"], json!(12));
        assert_eq!(s(r, "report_time"), "12:30 PM");
        assert_eq!(s(r, "season"), "2023-24");
        assert_eq!(s(r, "game_date"), "2024-01-04");
    }
    let barlow = find(&rows, &[("player_lookup", json!("dominickbarlow"))]);
    assert_eq!(s(barlow, "player_name_original"), "Barlow, Dominick");
    assert_eq!(s(barlow, "player_full_name"), "Dominick Barlow");
    assert_eq!(s(barlow, "injury_status"), "questionable");
    assert_eq!(s(barlow, "reason"), "G League - Two-Way");
    assert_eq!(s(barlow, "reason_category"), "g_league");
    assert_eq!(s(barlow, "team"), "SAS");
    assert_eq!(s(barlow, "game_id"), "20240104_MIL_SAS");
    assert_eq!((s(barlow, "away_team"), s(barlow, "home_team"), s(barlow, "matchup")), ("MIL", "SAS", "MIL@SAS"));
    assert_eq!(s(barlow, "game_time"), "07:30 (ET)");
    let branham = find(&rows, &[("player_lookup", json!("malakibranham"))]);
    assert_eq!(
        (s(branham, "injury_status"), s(branham, "reason")),
        ("doubtful", "Injury/Illness - Right Ankle; Sprain")
    );
    assert_eq!(s(branham, "reason_category"), "injury");
    // The wrapped reason is printed above and below the player's line.
    let mcdermott = find(&rows, &[("player_lookup", json!("dougmcdermott"))]);
    assert_eq!(s(mcdermott, "injury_status"), "out");
    assert_eq!(s(mcdermott, "reason"), "Injury/Illness - Right Forearm; Contusion");
    assert_eq!(s(mcdermott, "team"), "SAS", "team carried over from the first SAS line");
    let duke = find(&rows, &[("player_lookup", json!("daviddukejr"))]);
    assert_eq!(s(duke, "player_full_name"), "David Duke Jr.");
    // A new game on a continuation line: time and matchup given, date carried over.
    let cancar = find(&rows, &[("player_lookup", json!("vlatkocancar"))]);
    assert_eq!(
        (s(cancar, "game_id"), s(cancar, "team"), s(cancar, "game_time")),
        ("20240104_DEN_GSW", "DEN", "10:00 (ET)")
    );
    assert_eq!(s(cancar, "reason"), "Injury/Illness - Left Knee; Surgery");
    let jackson = find(&rows, &[("player_lookup", json!("reggiejackson"))]);
    assert_eq!((s(jackson, "injury_status"), s(jackson, "team")), ("probable", "DEN"));
    let green = find(&rows, &[("player_lookup", json!("draymondgreen"))]);
    assert_eq!((s(green, "team"), s(green, "injury_status"), s(green, "reason")), ("GSW", "out", "League Suspension"));
    assert_eq!(s(green, "reason_category"), "suspension");
    let payton = find(&rows, &[("player_lookup", json!("garypaytonii"))]);
    assert_eq!(s(payton, "player_full_name"), "Gary Payton II");
    assert_eq!(s(payton, "reason"), "Injury/Illness - Left Hamstring; Strain");
}

#[test]
fn injury_report_agrees_with_the_original_extraction() {
    let (Some(pdf), Some(exp)) = (
        shared::fixture("nbac_injury_report/raw_f4391904.pdf"),
        shared::fixture("nbac_injury_report/exp_f4391904.json"),
    ) else {
        return;
    };
    let out = run(&nbac_injury_report::NbacInjuryReport, INJURY_PATH, &pdf).expect("parses");
    let rows = rows(&out);
    let exp: Value = serde_json::from_slice(&exp).unwrap();
    let records = exp["records"].as_array().unwrap();
    assert_eq!(records.len(), rows.len());
    for rec in records {
        let r = find(&rows, &[("player_name_original", rec["player"].clone())]);
        assert_eq!(s(r, "team"), rec["team"].as_str().unwrap());
        assert_eq!(s(r, "matchup"), rec["matchup"].as_str().unwrap());
        assert_eq!(s(r, "game_time"), rec["gametime"].as_str().unwrap());
        assert_eq!(s(r, "injury_status"), rec["status"].as_str().unwrap().to_lowercase());
        assert_eq!(s(r, "reason"), rec["reason"].as_str().unwrap());
    }
}

#[test]
fn injury_report_bad_pdfs_are_bad_input() {
    let Some(pdf) = shared::fixture("nbac_injury_report/raw_f4391904.pdf") else { return };
    let p = nbac_injury_report::NbacInjuryReport;
    assert_robust(&p, INJURY_PATH, &pdf);
    for (what, bytes) in [
        ("JSON that is not a report", b"{\"events\": []}".to_vec()),
        ("HTML", b"<html><body>Access denied</body></html>".to_vec()),
        ("a PDF header only", b"%PDF-1.4\n%%EOF".to_vec()),
    ] {
        let e = run(&p, INJURY_PATH, &bytes);
        assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{what}: {e:?}");
    }
    // The 2025-03-15 capture's flate streams are damaged (its high bytes were lost): unreadable, not a panic.
    if let Some(damaged) = shared::fixture("_history/nbac_injury_report_raw_f0027997.pdf") {
        let e = run(&p, "nba-com/injury-report-data/2025-03-15/01/20250315_053002.pdf", &damaged);
        assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    }
}

#[tokio::test]
async fn injury_report_rows_fit_the_warehouse() {
    let Some(pdf) = shared::fixture("nbac_injury_report/raw_f4391904.pdf") else { return };
    let out = run(&nbac_injury_report::NbacInjuryReport, INJURY_PATH, &pdf).unwrap();
    let later = run(&nbac_injury_report::NbacInjuryReport, &INJURY_PATH.replace("/12/", "/13/"), &pdf).unwrap();
    assert_eq!(apply_twice(nbac_injury_report::schema(), &[out, later]).await, 28, "both snapshots kept");
}
