//! NBA.com gamebooks (PDF and the scraper JSON) on real captures, and PDF / JSON edge cases.
//!
//! Raw processors for odds game lines, the NBA injury report PDF, NBA.com gamebooks and BettingPros props,
//! against the real captures in `shared/fixtures/nba` (skipped when absent), plus robustness (truncated,
//! mutated, empty input → `BadInput` or rows, never a panic) and one write through the embedded warehouse.

mod odds_pdf_support;
mod shared;

use hoopflow::domain::Row;
use hoopflow::processors::{ProcessorError, ProcessorOutput, TableWrite};
use odds_pdf_support::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------------------
// nbac_gamebook
// ---------------------------------------------------------------------------------------------------------

use hoopflow::processors::raw::{nbac_gamebook, nbac_injury_report};

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
// PDF and scraper-JSON edge cases (injury report and gamebook)
// ---------------------------------------------------------------------------------------------------------

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
