//! Phase 5 through the real actors on real 2025-26 data: a backfill through phase 5 predicts every eligible
//! player against his real sportsbook line, explains every other scheduled player, and grades the predictions
//! against the box scores.

mod shared;

use std::collections::{BTreeMap, BTreeSet};

use hoopflow::backends::{Backends, TableRef};
use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::{Row, RowExt, SlateDate};
use hoopflow::sources::replay::ReplaySource;

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

async fn rows(b: &Backends, table: &str, d: SlateDate) -> Vec<Row> {
    b.warehouse.read_date(&TableRef::parse(table).unwrap(), d).await.unwrap_or_default()
}

#[actix::test]
async fn a_slate_is_predicted_against_real_lines_explained_and_graded() {
    let Some(dir) = shared::data_dir() else { return };
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(&dir).unwrap();
    let plan = Plan::backfill(day("2025-10-21"), day("2025-11-12"), 5, Some(dir.clone()), "phase 5 test".into());
    execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    let b = home::open(home_dir.path()).unwrap();
    let d = day("2025-11-12");

    let upgc = rows(&b, "nba_analytics.upcoming_player_game_context", d).await;
    let coverage = rows(&b, "nba_predictions.prediction_coverage", d).await;
    assert!(!upgc.is_empty());
    let scheduled: BTreeSet<&str> = upgc.iter().filter_map(|r| r.str_of("player_lookup")).collect();
    let covered: BTreeSet<&str> = coverage.iter().filter_map(|r| r.str_of("player_lookup")).collect();
    assert_eq!(covered, scheduled, "every scheduled player is predicted or excluded");
    for r in &coverage {
        match r.str_of("status") {
            Some("predicted") => assert!(r.i64_of("predictions").unwrap() > 0),
            Some("excluded") => assert!(r.str_of("reason").is_some_and(|s| !s.is_empty()), "{r:?}"),
            other => panic!("status {other:?}"),
        }
    }
    let lined: Vec<&Row> = coverage.iter().filter(|r| r.bool_of("has_prop_line") == Some(true)).collect();
    let predicted_lined = lined.iter().filter(|r| r.str_of("status") == Some("predicted")).count();
    assert!(lined.len() > 50 && predicted_lined * 2 > lined.len(), "{predicted_lined} of {} lined", lined.len());

    // Predictions: the five-line ladder around the preferred book's latest pre-game main line.
    let preds = rows(&b, "nba_predictions.player_prop_predictions", d).await;
    let mut by_player: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &preds {
        by_player.entry(r.str_of("player_lookup").unwrap()).or_default().push(r);
    }
    let props = rows(&b, "nba_raw.odds_api_player_points_props", d).await;
    let mut checked = 0;
    for (p, rs) in &by_player {
        let base: Vec<&&Row> = rs.iter().filter(|r| r.f64_of("line_offset") == Some(0.0)).collect();
        assert!(base.iter().any(|r| r.str_of("system_id") == Some("ensemble_v1")), "{p}: an ensemble prediction");
        if base[0].bool_of("has_prop_line") != Some(true) {
            assert!(rs.iter().all(|r| r.str_of("recommendation") == Some("NO_LINE")));
            continue;
        }
        let offsets: BTreeSet<i64> = rs.iter().map(|r| r.f64_of("line_offset").unwrap() as i64).collect();
        assert_eq!(offsets, (-2..=2).collect(), "{p}");
        let book = base[0].str_of("bookmaker").unwrap();
        let latest = props
            .iter()
            .filter(|r| r.str_of("player_lookup") == Some(p) && r.str_of("bookmaker") == Some(book))
            .filter(|r| r.bool_of("is_main_line") == Some(true) && r.bool_of("is_pregame") == Some(true))
            .max_by(|a, b| a.str_of("snapshot_timestamp").cmp(&b.str_of("snapshot_timestamp")))
            .unwrap();
        assert_eq!(base[0].f64_of("current_points_line"), latest.f64_of("points_line"), "{p}'s {book} line");
        for r in rs {
            let rec = r.str_of("recommendation").unwrap();
            assert!(["OVER", "UNDER", "PASS"].contains(&rec), "{rec}");
            assert!((0.0..=100.0).contains(&r.f64_of("confidence_score").unwrap()));
        }
        checked += 1;
    }
    assert!(checked > 20, "{checked} lined players checked");

    // Grading: actual points from the box scores of the date.
    let results = rows(&b, "nba_predictions.prediction_results", d).await;
    let pgs = rows(&b, "nba_analytics.player_game_summary", d).await;
    let points: BTreeMap<&str, f64> =
        pgs.iter().filter_map(|r| Some((r.str_of("player_lookup")?, r.f64_of("points")?))).collect();
    assert!(results.len() * 10 > preds.len() * 8, "{} of {} predictions graded", results.len(), preds.len());
    for r in &results {
        let p = r.str_of("player_lookup").unwrap();
        assert_eq!(r.f64_of("actual_points"), points.get(p).copied(), "{p}");
        let err = (r.f64_of("predicted_points").unwrap() - points[p]).abs();
        assert!((r.f64_of("absolute_error").unwrap() - err).abs() < 0.051, "{p}");
    }
    let perf = rows(&b, "nba_predictions.system_daily_performance", d).await;
    assert_eq!(perf.len(), 5, "one row per system");
}
