//! Raw processors for odds game lines, the NBA injury report PDF, NBA.com gamebooks and BettingPros props,
//! against the real captures in `shared/fixtures/nba` (skipped when absent), plus robustness (truncated,
//! mutated, empty input → `BadInput` or rows, never a panic) and one write through the embedded warehouse.

mod shared;

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{LandedObject, Warehouse};
use hoopflow::domain::Row;
use hoopflow::processors::raw::{nbac_injury_report, odds_game_lines};
use hoopflow::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};
use serde_json::{json, Value};

fn input(path: &str, data: Vec<u8>) -> ProcessorInput {
    ProcessorInput { object: Some(LandedObject { path: path.into(), generation: 1, data }), ..Default::default() }
}

fn run(p: &dyn Processor, path: &str, data: &[u8]) -> Result<ProcessorOutput, ProcessorError> {
    p.compute(&input(path, data.to_vec()))
}

fn rows(out: &ProcessorOutput) -> Vec<&Row> {
    out.writes
        .iter()
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.iter(),
        })
        .collect()
}

fn s<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("{k} is not a string in {r:?}"))
}

fn f(r: &Row, k: &str) -> f64 {
    r.get(k).and_then(Value::as_f64).unwrap_or_else(|| panic!("{k} is not a number in {r:?}"))
}

fn find<'a>(rows: &[&'a Row], pairs: &[(&str, Value)]) -> &'a Row {
    let hits: Vec<&&Row> = rows.iter().filter(|r| pairs.iter().all(|(k, v)| r.get(*k) == Some(v))).collect();
    assert_eq!(hits.len(), 1, "expected one row with {pairs:?}, found {}", hits.len());
    hits[0]
}

/// Truncated, byte-mutated and empty copies: `BadInput` or rows, never a panic or another error.
fn assert_robust(p: &dyn Processor, path: &str, data: &[u8]) {
    let empty = run(p, path, b"");
    assert!(matches!(empty, Err(ProcessorError::BadInput { .. })), "empty: {empty:?}");
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [data.len() / 2, data.len() * 9 / 10, 10] {
        cases.push((format!("truncated at {cut}"), data[..cut.min(data.len())].to_vec()));
    }
    for (step, xor) in [(97usize, 0x55u8), (13, 0x01), (1031, 0xff)] {
        let mut m = data.to_vec();
        for i in (step / 2..m.len()).step_by(step) {
            m[i] ^= xor;
        }
        cases.push((format!("mutated every {step}th byte ^ {xor:#x}"), m));
    }
    for (what, bytes) in cases {
        match run(p, path, &bytes) {
            Ok(_) | Err(ProcessorError::BadInput { .. }) => {}
            Err(e) => panic!("{what}: expected BadInput or rows, got {e:?}"),
        }
    }
}

/// Apply the writes twice to an in-memory warehouse; the table count must be the same both times.
async fn apply_twice(schema: hoopflow::backends::TableSchema, outs: &[ProcessorOutput]) -> u64 {
    let wh = EmbeddedWarehouse::in_memory().expect("warehouse");
    wh.ensure_table(&schema).await.expect("ensure_table");
    let mut counts = Vec::new();
    for _ in 0..2 {
        for out in outs {
            for w in &out.writes {
                match w.clone() {
                    TableWrite::ReplacePartition { table, date, rows } => {
                        wh.replace_partition(&table, date, rows).await.expect("replace_partition");
                    }
                    TableWrite::ReplaceSlice { table, date, scope, rows } => {
                        wh.replace_slice(&table, date, &scope, rows).await.expect("replace_slice");
                    }
                    TableWrite::Upsert { table, rows } => {
                        wh.upsert(&table, rows).await.expect("upsert");
                    }
                }
            }
        }
        counts.push(wh.count(&schema.table).await.expect("count"));
    }
    assert_eq!(counts[0], counts[1], "applying the writes twice changed the row count");
    counts[0]
}

// ---------------------------------------------------------------------------------------------------------
// odds_game_lines
// ---------------------------------------------------------------------------------------------------------

const LINES_PATH: &str =
    "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATL-GSW/20240125_035540-snap-0355.json";
const H2H_PATH: &str =
    "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATL-GSW/20240125_035540-snap-0355-h2h.json";

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

const INJURY_PATH: &str = "nba-com/injury-report-data/2024-01-04/12/20240104_173001.pdf";

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

// ---------------------------------------------------------------------------------------------------------
// nbac_gamebook
// ---------------------------------------------------------------------------------------------------------

use hoopflow::processors::raw::nbac_gamebook;

const GAMEBOOK_PATH: &str = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.pdf";
const GAMEBOOK_JSON_PATH: &str = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_014045.json";

/// A minimal valid PDF (Helvetica, one text line per entry, uncompressed content stream).
fn simple_pdf(lines: &[String]) -> Vec<u8> {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
    let height = 40 + 12 * lines.len();
    let mut content = String::from("BT\n/F1 8 Tf\n");
    for (i, l) in lines.iter().enumerate() {
        content += &format!("1 0 0 1 20 {} Tm ({}) Tj\n", height - 20 - 12 * i, esc(l));
    }
    content += "ET\n";
    pdf_with_content(content.as_bytes(), height, false)
}

/// A one-page PDF around a content stream, flate-compressed or not.
fn pdf_with_content(content: &[u8], height: usize, flate: bool) -> Vec<u8> {
    use std::io::Write;
    let (data, filter) = if flate {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(content).unwrap();
        (enc.finish().unwrap(), " /Filter /FlateDecode")
    } else {
        (content.to_vec(), "")
    };
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1400 {height}] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
        )
        .into_bytes(),
        format!("<< /Length {}{filter} >>\nstream\n", data.len()).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    objects[3].extend_from_slice(&data);
    objects[3].extend_from_slice(b"\nendstream");
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// The text of the MEM@CLE 2024-04-10 gamebook, rebuilt in the gamebook's line layout from the values the
/// original scraper read off the real PDF (`exp_0173bcd1.json`; the raw PDF capture itself is damaged).
fn gamebook_lines(exp: &Value) -> Vec<String> {
    let mut lines = vec![
        "Wednesday, April 10, 2024 Rocket Mortgage FieldHouse, Cleveland, OH".to_string(),
        "Officials: #24 Kevin Scott, #36 Brent Barnaky, #41 Nate Green".to_string(),
        "Game Duration: 2:10".to_string(),
        "Attendance: 19432 (Sellout)".to_string(),
    ];
    let stat_keys = [
        "field_goals_made",
        "field_goals_attempted",
        "three_pointers_made",
        "three_pointers_attempted",
        "free_throws_made",
        "free_throws_attempted",
        "offensive_rebounds",
        "defensive_rebounds",
        "total_rebounds",
        "assists",
        "personal_fouls",
        "steals",
        "turnovers",
        "blocks",
        "plus_minus",
        "points",
    ];
    for (head, team) in [
        ("VISITOR: Memphis Grizzlies (27-55)", "Memphis Grizzlies"),
        ("HOME: Cleveland Cavaliers (48-34)", "Cleveland Cavaliers"),
    ] {
        lines.push(head.to_string());
        lines.push("No Player Pos Min FG FGA 3P 3PA FT FTA OR DR TOT A PF ST TO BS +/- PTS".to_string());
        let mut jersey = 1;
        for (i, p) in exp["active_players"].as_array().unwrap().iter().filter(|p| p["team"] == team).enumerate() {
            let pos = ["F ", "F ", "C ", "G ", "G "].get(i).copied().unwrap_or("");
            let st = &p["stats"];
            // FG, 3P and FT as made-attempted pairs, the way the printed box score shows them.
            let pairs = format!(
                "{}-{} {}-{} {}-{}",
                st["field_goals_made"],
                st["field_goals_attempted"],
                st["three_pointers_made"],
                st["three_pointers_attempted"],
                st["free_throws_made"],
                st["free_throws_attempted"]
            );
            let rest: Vec<String> = stat_keys[6..].iter().map(|k| st[*k].to_string()).collect();
            lines.push(format!(
                "{jersey} {} {pos}{} {pairs} {}",
                p["name"].as_str().unwrap(),
                st["minutes"].as_str().unwrap(),
                rest.join(" ")
            ));
            jersey += 1;
        }
        for p in exp["dnp_players"].as_array().unwrap().iter().filter(|p| p["team"] == team) {
            lines.push(format!("{jersey} {} {}", p["name"].as_str().unwrap(), p["dnp_reason"].as_str().unwrap()));
            jersey += 1;
        }
        lines.push(format!("TOTALS 240:00 {}", "0 ".repeat(16).trim()));
    }
    lines
        .push("Inactive: Grizzlies - Bane (Injury/Illness - Lumbar; Disc Bulge), Goodwin (G League - Two-Way),".into());
    lines.push(
        "Jackson Jr. (Injury/Illness - Right Quadriceps; Tendonitis), Morant (Injury/Illness - Right Shoulder;".into(),
    );
    lines.push(
        "Labral Repair), Watanabe (Personal), Williams Jr. (Injury/Illness - Left Patellar; Tendonitis) Inactive:"
            .into(),
    );
    lines.push(
        "Cavaliers - Jerome (Injury/Illness - Right Ankle; Surgery), Merrill (Injury/Illness - Neck; Strain), Wade"
            .into(),
    );
    lines.push("(Injury/Illness - Right Knee; Sprain)".into());
    lines.push("Points in the Paint: MEM 40, CLE 56".into());
    lines
}

fn gamebook_exp() -> Option<Value> {
    shared::fixture("nbac_gamebook_pdf/exp_0173bcd1.json").map(|b| serde_json::from_slice(&b).unwrap())
}

fn assert_mem_cle_active_values(rows: &[&Row]) {
    for r in rows {
        assert_eq!(s(r, "game_id"), "20240410_MEM_CLE");
        assert_eq!(s(r, "game_date"), "2024-04-10");
        assert_eq!(r["season_year"], json!(2023));
    }
    let jackson = find(rows, &[("player_lookup", json!("ggjackson"))]);
    assert_eq!(
        (s(jackson, "team_abbr"), s(jackson, "player_status"), s(jackson, "minutes")),
        ("MEM", "active", "35:42")
    );
    assert_eq!(f(jackson, "minutes_decimal"), 35.7);
    assert_eq!((jackson["points"].clone(), jackson["plus_minus"].clone()), (json!(22), json!(-13)));
    assert_eq!((jackson["field_goals_made"].clone(), jackson["field_goals_attempted"].clone()), (json!(7), json!(21)));
    assert_eq!(jackson["three_pointers_attempted"], json!(10));
    let laravia = find(rows, &[("player_lookup", json!("jakelaravia"))]);
    assert_eq!((laravia["points"].clone(), s(laravia, "minutes")), (json!(32), "40:00"));
    assert_eq!((laravia["three_pointers_made"].clone(), laravia["turnovers"].clone()), (json!(8), json!(5)));
    let mitchell = find(rows, &[("player_lookup", json!("donovanmitchell"))]);
    assert_eq!(
        (s(mitchell, "team_abbr"), mitchell["points"].clone(), s(mitchell, "minutes")),
        ("CLE", json!(29), "33:36")
    );
    let pippen = find(rows, &[("player_lookup", json!("scottypippenjr"))]);
    assert_eq!(pippen["points"], json!(18));
    let aldama = find(rows, &[("player_lookup", json!("santialdama"))]);
    assert_eq!(
        (s(aldama, "player_status"), s(aldama, "dnp_reason")),
        ("dnp", "NWT - Injury/Illness - Right Foot; Strain")
    );
    assert_eq!(aldama["points"], Value::Null);
    assert_eq!(aldama["minutes"], Value::Null);
    let morris = find(rows, &[("player_lookup", json!("marcusmorrissr"))]);
    assert_eq!((s(morris, "team_abbr"), s(morris, "dnp_reason")), ("CLE", "DNP - Coach's Decision"));
    let bane = find(rows, &[("player_lookup", json!("bane"))]);
    assert_eq!((s(bane, "player_status"), s(bane, "team_abbr")), ("inactive", "MEM"));
    assert_eq!(s(bane, "dnp_reason"), "Injury/Illness - Lumbar; Disc Bulge");
    assert_eq!(
        (s(bane, "name_resolution_status"), bane["requires_manual_review"].clone()),
        ("last_name_only", json!(true))
    );
    let jerome = find(rows, &[("player_lookup", json!("jerome"))]);
    assert_eq!((s(jerome, "team_abbr"), s(jerome, "dnp_reason")), ("CLE", "Injury/Illness - Right Ankle; Surgery"));
}

#[test]
fn gamebook_pdf_gives_active_dnp_and_inactive_players() {
    let Some(exp) = gamebook_exp() else { return };
    let pdf = simple_pdf(&gamebook_lines(&exp));
    let out = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &pdf).expect("parses");
    let rows = rows(&out);
    assert_mem_cle_active_values(&rows);
    assert_eq!(out.metadata["active_players"], json!(21));
    assert_eq!(out.metadata["dnp_players"], json!(6));
    assert_eq!(out.metadata["inactive_players"], json!(9));
    match &out.writes[..] {
        [TableWrite::ReplaceSlice { date, scope, .. }] => {
            assert_eq!(date.to_string(), "2024-04-10");
            assert_eq!(scope, &vec![("game_id".to_string(), json!("20240410_MEM_CLE"))]);
        }
        w => panic!("expected one ReplaceSlice, got {w:?}"),
    }
    // Starter position read off the line; both teams' inactive lists on one wrapped line are split right.
    assert_eq!(s(find(&rows, &[("player_lookup", json!("ggjackson"))]), "position"), "F");
    let wade = find(&rows, &[("player_lookup", json!("wade"))]);
    assert_eq!((s(wade, "team_abbr"), s(wade, "dnp_reason")), ("CLE", "Injury/Illness - Right Knee; Sprain"));
    let williams = find(&rows, &[("player_lookup", json!("williamsjr"))]);
    assert_eq!(
        (s(williams, "team_abbr"), s(williams, "dnp_reason")),
        ("MEM", "Injury/Illness - Left Patellar; Tendonitis")
    );
    let morant = find(&rows, &[("player_lookup", json!("morant"))]);
    assert_eq!(s(morant, "dnp_reason"), "Injury/Illness - Right Shoulder; Labral Repair");
    // Every active player of the original's extraction, stat for stat.
    for p in exp["active_players"].as_array().unwrap() {
        let r = find(&rows, &[("player_name", p["name"].clone())]);
        for k in ["points", "assists", "total_rebounds", "steals", "blocks", "plus_minus", "personal_fouls"] {
            assert_eq!(r[k], p["stats"][k], "{} {k}", p["name"]);
        }
        assert_eq!(s(r, "minutes"), p["stats"]["minutes"].as_str().unwrap());
    }
}

#[test]
fn gamebook_scraper_json_gives_the_same_players() {
    let Some(json_bytes) = shared::fixture("nbac_gamebook_pdf/exp_0173bcd1.json") else { return };
    let out = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_JSON_PATH, &json_bytes).expect("parses");
    let rows = rows(&out);
    assert_mem_cle_active_values(&rows);
    assert_eq!(out.metadata["active_players"], json!(21));
    // The original's inactive list put Merrill and Wade under both teams; the rows keep one per team.
    assert_eq!(out.metadata["inactive_players"], json!(14));
    // 2021-10-08 MIL@BKN: "BROOKLYN NETS" in capitals, DNP and NWT reasons.
    let Some(mil) = shared::fixture("nbac_gamebook_pdf/exp_d8072441.json") else { return };
    let path = "nba-com/gamebooks-data/2021-10-08/20211008-MILBKN/20211009_020000.json";
    let out = run(&nbac_gamebook::NbacGamebook, path, &mil).expect("parses");
    let rows = self::rows(&out);
    assert_eq!(rows.len(), 39);
    let giannis = find(&rows, &[("player_lookup", json!("giannisantetokounmpo"))]);
    assert_eq!(
        (s(giannis, "player_status"), s(giannis, "dnp_reason")),
        ("dnp", "DNP - Injury/Illness - Left Knee; Soreness")
    );
    let kyrie = find(&rows, &[("player_lookup", json!("kyrieirving"))]);
    assert_eq!((s(kyrie, "team_abbr"), s(kyrie, "dnp_reason")), ("BKN", "NWT - Ineligible To Play"));
    // A gamebook of another game than the path's is refused.
    let e = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_JSON_PATH, &mil);
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
}

#[test]
fn gamebook_damaged_captures_and_bad_files_are_bad_input() {
    let p = nbac_gamebook::NbacGamebook;
    // Both real PDF captures lost their high bytes (flate streams fail their checksum): BadInput, no panic.
    for name in ["nbac_gamebook_pdf/raw_0173bcd1.pdf", "nbac_gamebook_pdf/raw_d8072441.pdf"] {
        let Some(pdf) = shared::fixture(name) else { return };
        let e = run(&p, GAMEBOOK_PATH, &pdf);
        assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{name}: {e:?}");
        assert_robust(&p, GAMEBOOK_PATH, &pdf);
    }
    let Some(exp) = gamebook_exp() else { return };
    let pdf = simple_pdf(&gamebook_lines(&exp));
    assert_robust(&p, GAMEBOOK_PATH, &pdf);
    let Some(json_bytes) = shared::fixture("nbac_gamebook_pdf/exp_0173bcd1.json") else { return };
    assert_robust(&p, GAMEBOOK_JSON_PATH, &json_bytes);
    // A stat line missing a number fails the file instead of shifting the columns.
    let mut lines = gamebook_lines(&exp);
    let i = lines.iter().position(|l| l.contains("GG Jackson")).unwrap();
    lines[i] = lines[i].rsplit_once(' ').unwrap().0.to_string();
    let e = run(&p, GAMEBOOK_PATH, &simple_pdf(&lines));
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
    // No game code in the path.
    let e = run(&p, "nba-com/gamebooks-data/2024-04-10/x.pdf", &pdf);
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");
}

#[tokio::test]
async fn gamebook_rows_fit_the_warehouse() {
    let Some(exp) = gamebook_exp() else { return };
    let pdf_out = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &simple_pdf(&gamebook_lines(&exp))).unwrap();
    let json_bytes = serde_json::to_vec(&exp).unwrap();
    let json_out = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_JSON_PATH, &json_bytes).unwrap();
    // The JSON reload replaces the PDF's slice of the same game: the count is the JSON's.
    assert_eq!(
        apply_twice(nbac_gamebook::schema(), &[pdf_out, json_out.clone()]).await,
        json_out.writes[0].len() as u64
    );
}

// ---------------------------------------------------------------------------------------------------------
// betting_props
// ---------------------------------------------------------------------------------------------------------

use hoopflow::processors::raw::betting_props;

const PROPS_PATH: &str = "bettingpros/player-props/points/2021-10-21/20211021_223000.json";

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

#[test]
fn injury_report_scraper_json_is_loaded_too() {
    // 2025-03-15: the PDF capture is damaged, the original scraper's records of it are not.
    let Some(json_bytes) = shared::fixture("_history/nbac_injury_report_exp_f0027997.json") else { return };
    let path = "nba-com/injury-report-data/2025-03-15/01/20250315_053002.json";
    let out = run(&nbac_injury_report::NbacInjuryReport, path, &json_bytes).expect("parses");
    let rows = rows(&out);
    assert_eq!(rows.len(), 52);
    let count = |st: &str| rows.iter().filter(|r| r["injury_status"] == json!(st)).count();
    assert_eq!(
        (count("out"), count("questionable"), count("probable"), count("doubtful"), count("available")),
        (39, 5, 5, 1, 2)
    );
    for r in &rows {
        assert_eq!(
            (s(r, "report_date"), r["report_hour"].clone(), s(r, "season")),
            ("2025-03-15", json!(1), "2024-25")
        );
    }
    let claxton = find(&rows, &[("player_lookup", json!("nicclaxton"))]);
    assert_eq!(
        (s(claxton, "team"), s(claxton, "game_id"), s(claxton, "injury_status")),
        ("BKN", "20250315_BOS_BKN", "out")
    );
    assert_eq!(
        (s(claxton, "reason"), s(claxton, "reason_category"), s(claxton, "game_time")),
        ("Rest", "rest", "06:00 (ET)")
    );
    let giddey = find(&rows, &[("player_lookup", json!("joshgiddey"))]);
    assert_eq!(
        (s(giddey, "team"), s(giddey, "injury_status"), s(giddey, "reason_category")),
        ("CHI", "doubtful", "injury")
    );
    let payton = find(&rows, &[("player_lookup", json!("garypaytonii")), ("game_id", json!("20250315_NYK_GSW"))]);
    assert_eq!((s(payton, "team"), s(payton, "injury_status")), ("GSW", "available"));

    // 2024-01-04: the scraper's JSON of the PDF above gives the same players, statuses and reasons.
    let (Some(pdf), Some(exp)) = (
        shared::fixture("nbac_injury_report/raw_f4391904.pdf"),
        shared::fixture("nbac_injury_report/exp_f4391904.json"),
    ) else {
        return;
    };
    let from_pdf = run(&nbac_injury_report::NbacInjuryReport, INJURY_PATH, &pdf).unwrap();
    let from_json =
        run(&nbac_injury_report::NbacInjuryReport, &INJURY_PATH.replace(".pdf", ".json"), &exp).expect("parses");
    let key = |o: &ProcessorOutput| {
        let mut v: Vec<String> = self::rows(o)
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}|{}",
                    s(r, "game_id"),
                    s(r, "team"),
                    s(r, "player_lookup"),
                    s(r, "injury_status"),
                    s(r, "reason")
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&from_pdf), key(&from_json));
    assert!(self::rows(&from_json)
        .iter()
        .all(|r| r["report_hour"] == json!(12) && s(r, "report_date") == "2024-01-04"));
    assert_robust(&nbac_injury_report::NbacInjuryReport, path, &json_bytes);
}

#[test]
fn small_layout_cases_of_the_pdf_and_json_forms() {
    // Injury report JSON: a repeated (game, player) keeps its first entry; the hour comes from the path.
    let rec = |status: &str| {
        json!({"date": "03/15/25", "gametime": "06:00 (ET)", "matchup": "BOS@BKN", "team": "Nets",
               "player": "Claxton, Nic", "status": status, "reason": "Rest"})
    };
    let twice = serde_json::to_vec(&json!([rec("OUT"), rec("Questionable")])).unwrap();
    let path = "nba-com/injury-report-data/2025-03-15/17/20250315_220000.json";
    let out = run(&nbac_injury_report::NbacInjuryReport, path, &twice).unwrap();
    let rows = rows(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (s(rows[0], "injury_status"), rows[0]["report_hour"].clone()),
        ("out", json!(17)),
        "case-insensitive status"
    );
    assert_eq!(out.metadata["duplicate_players_dropped"], json!(1));
    let unknown = serde_json::to_vec(&json!([rec("Day-To-Day")])).unwrap();
    let e = run(&nbac_injury_report::NbacInjuryReport, path, &unknown);
    assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "{e:?}");

    // Gamebook PDF: a DNP mark with no reason still gives the player a dnp row.
    let Some(exp) = gamebook_exp() else { return };
    let mut lines = gamebook_lines(&exp);
    let at = lines.iter().position(|l| l.starts_with("TOTALS")).unwrap();
    lines.insert(at, "30 Jordan Example DNP".into());
    let out = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &simple_pdf(&lines)).unwrap();
    let rows = self::rows(&out);
    let ex = find(&rows, &[("player_lookup", json!("jordanexample"))]);
    assert_eq!((s(ex, "team_abbr"), s(ex, "player_status"), s(ex, "dnp_reason")), ("MEM", "dnp", "DNP"));
}

#[test]
fn deeply_nested_pdf_objects_do_not_overflow_the_stack() {
    for depth in [10_000usize, 200_000] {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let obj1 = pdf.len();
        pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let obj2 = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Count 1 /Kids ");
        pdf.extend(std::iter::repeat_n(b'[', depth));
        pdf.extend(std::iter::repeat_n(b']', depth));
        pdf.extend_from_slice(b" >>\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "xref\n0 3\n0000000000 65535 f \n{obj1:010} 00000 n \n{obj2:010} 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        let e = run(&nbac_injury_report::NbacInjuryReport, INJURY_PATH, &pdf);
        assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "depth {depth}: {e:?}");
        // The same nesting inside a page's (compressed or plain) content stream.
        for flate in [true, false] {
            let mut content = b"BT /F1 8 Tf 1 0 0 1 20 20 Tm ".to_vec();
            content.extend(std::iter::repeat_n(b'[', depth));
            content.extend(std::iter::repeat_n(b']', depth));
            content.extend_from_slice(b" TJ ET\n");
            let e = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &pdf_with_content(&content, 100, flate));
            assert!(matches!(e, Err(ProcessorError::BadInput { .. })), "content depth {depth}: {e:?}");
        }
    }
    // A real PDF with a flate content stream still reads.
    let Some(exp) = gamebook_exp() else { return };
    let plain = simple_pdf(&gamebook_lines(&exp));
    let at = plain.windows(3).position(|w| w == b"BT\n").unwrap();
    let end = plain.windows(3).position(|w| w == b"ET\n").unwrap() + 3;
    let flated = pdf_with_content(&plain[at..end], 40 + 12 * gamebook_lines(&exp).len(), true);
    let a = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &plain).unwrap();
    let b = run(&nbac_gamebook::NbacGamebook, GAMEBOOK_PATH, &flated).unwrap();
    assert_eq!(self::rows(&a).len(), self::rows(&b).len());
}
