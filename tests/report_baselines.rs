//! `hoopflow report` on real data: one backfill of the whole 2024-25 regular season through Phase 3, then the
//! report's baselines against an independent computation straight from `data/nba/2024-25/player_gamelogs.csv.gz`
//! and the reference figures (25,737 player-games; MAE last-5 4.811, last-10 4.691, season-to-date 4.683).
//! Then one date is graded end to end: predictions equal to the season-to-date average are written, graded by
//! `prediction_grading` through the host's input reader, and the report scores that system exactly like the
//! season-average baseline on the same player-games.

mod shared;

use std::collections::BTreeMap;
use std::io::Read;

use hoopflow::backends::TableRef;
use hoopflow::cli::home;
use hoopflow::cli::report::load;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::{player_lookup, Row, RowExt, SlateDate};
use hoopflow::processors::grading::{predictions_schema, report};
use hoopflow::processors::{builtin_registry, TableWrite};
use hoopflow::runtime::protocol::read_inputs;
use hoopflow::sources::replay::ReplaySource;
use serde_json::{json, Value};

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

/// (MAE last 5, last 10, season) and the count, straight from the CSV: every row, grouped by player name.
fn reference(dir: &std::path::Path) -> (usize, [f64; 3]) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("2024-25/player_gamelogs.csv.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let h: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |n: &str| h.iter().position(|x| *x == n).unwrap();
    let mut by: BTreeMap<String, Vec<(String, String, f64)>> = BTreeMap::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let g = (c[at("game_date")].to_string(), c[at("nba_game_id")].to_string(), c[at("pts")].parse().unwrap_or(0.0));
        by.entry(player_lookup(c[at("player")])).or_default().push(g);
    }
    let (mut n, mut sums) = (0usize, [0.0f64; 3]);
    for games in by.values_mut() {
        games.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        for i in 1..games.len() {
            let hist: Vec<f64> = games[..i].iter().map(|g| g.2).collect();
            let avg = |k: usize| {
                let t = &hist[hist.len().saturating_sub(k)..];
                t.iter().sum::<f64>() / t.len() as f64
            };
            n += 1;
            for (s, k) in sums.iter_mut().zip([5, 10, usize::MAX]) {
                *s += (avg(k) - games[i].2).abs();
            }
        }
    }
    (n, sums.map(|s| s / n as f64))
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[actix::test]
async fn report_baselines_match_the_csv_and_a_graded_system_is_scored_on_the_same_games() {
    let Some(dir) = shared::data_dir() else { return };
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(&dir).unwrap();
    let started = std::time::Instant::now();
    let plan = Plan::backfill(day("2024-10-22"), day("2025-04-13"), 3, Some(dir.clone()), "report test".into());
    execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    eprintln!("backfill through phase 3: {:.1} s", started.elapsed().as_secs_f64());
    let b = home::open(home_dir.path()).unwrap();

    let (boxes, graded, skipped) = load(&b, None).await.unwrap();
    assert_eq!((graded.len(), skipped), (0, 0));
    let v = report::report_json(&boxes, &graded, None);
    let s = &v["seasons"]["2024-25"];
    eprintln!("{}", serde_json::to_string_pretty(s).unwrap());
    let (n, mae) = reference(&dir);
    assert_eq!(n, 25_737, "the CSV's own count");
    assert_eq!(s["player_games"], json!(25_737));
    let got: Vec<f64> = report::BASELINES.iter().map(|k| s["baselines"][k]["mae"].as_f64().unwrap()).collect();
    for (g, want) in got.iter().zip(mae) {
        assert!((g - want).abs() < 1e-4, "report {g} vs CSV {want}");
    }
    assert_eq!(got.iter().map(|x| r3(*x)).collect::<Vec<_>>(), vec![4.811, 4.691, 4.683]);
    assert_eq!(s["systems"], json!({}), "no predictions yet");
    let lined = s["lined"]["player_games"].as_u64().unwrap();
    assert!(lined > 5_000, "{lined} player-games with a consensus line");
    let line_mae = s["lined"]["line"]["mae"].as_f64().unwrap();
    let base_lined = s["lined"]["baselines"]["season_avg"]["mae"].as_f64().unwrap();
    assert!(line_mae < base_lined, "the books' line ({line_mae}) beats the season average ({base_lined})");

    // Grade one date: the season-to-date average as a system's prediction, plus one player who did not play.
    let d = day("2025-01-06");
    let games = report::player_games(&boxes, Some((d, d)));
    let todays = &games["2024-25"];
    assert!(todays.len() > 100);
    let mut preds: Vec<Row> = todays
        .iter()
        .map(|g| {
            let p = g.baselines[2];
            let rec = match g.line {
                Some(l) if p > l => "OVER",
                Some(_) => "UNDER",
                None => "NO_LINE",
            };
            pred(&g.player, p, rec, g.line, d)
        })
        .collect();
    preds.push(pred("nobody_at_all", 10.0, "OVER", Some(9.5), d));
    let table = TableRef::new("nba_predictions", "player_prop_predictions");
    b.warehouse.ensure_table(&predictions_schema()).await.unwrap();
    b.warehouse.replace_partition(&table, d, preds.clone()).await.unwrap();
    let reg = builtin_registry();
    let imp = reg.get("prediction_grading").unwrap();
    let (input, _, _) =
        read_inputs(&b, t.processor("prediction_grading").unwrap(), imp.as_ref(), d, None).await.unwrap();
    let out = imp.compute(&input).unwrap();
    eprintln!("grading metadata: {:?}", out.metadata);
    assert!(out.metadata["did_not_play"].as_u64().unwrap() >= 1);
    for w in out.writes {
        let TableWrite::ReplacePartition { table, date, rows } = w else { panic!("unexpected write") };
        b.warehouse.replace_partition(&table, date, rows).await.unwrap();
    }
    let (boxes, graded, _) = load(&b, Some((d, d))).await.unwrap();
    let v = report::report_json(&boxes, &graded, Some((d, d)));
    let sys = &v["seasons"]["2024-25"]["systems"]["season_avg_check"];
    eprintln!("{}", serde_json::to_string_pretty(&v).unwrap());
    let n_graded = sys["player_games"].as_u64().unwrap();
    assert!(n_graded + 30 >= todays.len() as u64 && n_graded < todays.len() as u64 + 1, "{n_graded}");
    for k in ["mae", "rmse", "bias"] {
        assert_eq!(sys[k], sys["baselines_same_games"]["season_avg"][k], "{k}: same predictions, same games");
    }
    let l = &v["seasons"]["2024-25"]["lined"]["systems"]["season_avg_check"];
    let picks = l["picks"].as_u64().unwrap();
    assert!(picks > 80 && l["hit_rate"].as_f64().is_some(), "{l}");
    assert!(l["coverage"].as_f64().unwrap() > 0.9, "{l}");
    let daily = b.warehouse.read_date(&TableRef::new("nba_predictions", "system_daily_performance"), d).await.unwrap();
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0].i64_of("predictions"), Some(preds.len() as i64));
    assert_eq!(daily[0].i64_of("graded").map(|g| g as u64), Some(n_graded));
    assert_eq!(daily[0].f64_of("mae"), sys["mae"].as_f64().map(|x| (x * 1e4).round() / 1e4));
}

fn pred(player: &str, predicted: f64, rec: &str, line: Option<f64>, d: SlateDate) -> Row {
    let v: Value = json!({
        "prediction_id": format!("season_avg_check:{player}:{d}:0"), "system_id": "season_avg_check",
        "player_lookup": player, "game_date": d.to_string(), "game_id": "unknown", "team_abbr": "UNK",
        "opponent_team_abbr": "UNK", "prediction_version": 1, "predicted_points": predicted,
        "confidence_score": 60.0, "recommendation": rec, "has_prop_line": line.is_some(),
        "current_points_line": line, "line_offset": 0.0, "line_source": "ACTUAL_PROP",
        "feature_quality_score": 100.0, "batch_id": "test",
    });
    let mut r = v.as_object().cloned().unwrap();
    r.retain(|_, v| !v.is_null());
    r
}
