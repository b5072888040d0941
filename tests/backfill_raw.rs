//! Phases 1–2 through the real actors on the embedded backends: a backfill of real data lands and loads
//! every player-game and every sportsbook line, and running it again changes nothing.

mod shared;

use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::SlateDate;
use hoopflow::sources::replay::ReplaySource;
use hoopflow::sources::simulator::{SimConfig, Simulator};
use hoopflow::sources::Source;
use serde_json::Value;

fn count(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(-1)
}

async fn scalar(home_dir: &std::path::Path, sql: &str) -> i64 {
    let b = home::open(home_dir).unwrap();
    let r = b.warehouse.query(sql).await.unwrap();
    count(&r.rows[0][0])
}

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

#[actix::test]
async fn backfill_of_real_data_loads_every_row_once() {
    let Some(dir) = shared::data_dir() else { return };
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(&dir).unwrap();
    // A week of 2024-25 (game logs) and a week of 2025-26 (game logs and sportsbook lines).
    let weeks = [(day("2025-03-10"), day("2025-03-16")), (day("2025-11-01"), day("2025-11-07"))];
    let mut expected_rows = 0;
    let mut expected_lines = 0;
    for (from, to) in weeks {
        for d in SlateDate::range(from, to) {
            expected_rows += source.player_games(d).len() as i64;
            expected_lines +=
                source.items(d).unwrap().iter().filter(|i| i.path.starts_with("odds-api/")).count() as i64;
        }
        let plan = Plan::backfill(from, to, 2, Some(dir.clone()), "test".into());
        execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    }
    let rows_sql = "SELECT COUNT(*) FROM nba_raw.nbac_player_boxscores";
    let files_sql = "SELECT COUNT(DISTINCT source_file_path) FROM nba_raw.odds_api_player_points_props";
    let lines_sql = "SELECT COUNT(*) FROM nba_raw.odds_api_player_points_props";
    let main_sql = "SELECT COUNT(*) FROM (SELECT snapshot_timestamp, bookmaker, player_lookup, odds_api_event_id, \
                    SUM(is_main_line) AS m FROM nba_raw.odds_api_player_points_props \
                    GROUP BY 1, 2, 3, 4 HAVING m <> 1)";
    assert_eq!(scalar(home_dir.path(), rows_sql).await, expected_rows);
    assert!(expected_rows > 1500, "{expected_rows}");
    assert_eq!(scalar(home_dir.path(), files_sql).await, expected_lines, "every event snapshot loaded");
    assert_eq!(scalar(home_dir.path(), main_sql).await, 0, "every (snapshot, book, player) has one main line");
    let lines = scalar(home_dir.path(), lines_sql).await;
    let runs_sql = "SELECT COUNT(*) FROM nba_reference.processor_run_history WHERE status = 'succeeded'";
    let runs = scalar(home_dir.path(), runs_sql).await;
    // Again: identical objects keep their generation and the ledger dedups every run.
    for (from, to) in weeks {
        let plan = Plan::backfill(from, to, 2, Some(dir.clone()), "test again".into());
        execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    }
    assert_eq!(scalar(home_dir.path(), rows_sql).await, expected_rows, "re-running changes no row count");
    assert_eq!(scalar(home_dir.path(), lines_sql).await, lines);
    assert_eq!(scalar(home_dir.path(), runs_sql).await, runs, "no processor ran twice");
    let dead =
        "SELECT COUNT(*) FROM nba_reference.processor_run_history WHERE status <> 'succeeded' AND status <> 'skipped'";
    assert_eq!(scalar(home_dir.path(), dead).await, 0);
}

#[actix::test]
async fn the_simulator_runs_through_phase_2() {
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let sim = Simulator::new(SimConfig::default());
    let (from, to) = (day("2025-01-15"), day("2025-01-17"));
    let want: i64 = SlateDate::range(from, to).map(|d| sim.player_games(d).len() as i64).sum();
    let plan = Plan::backfill(from, to, 2, None, "test".into());
    execute(home_dir.path(), &t, &plan, &sim, false).await.unwrap();
    assert_eq!(scalar(home_dir.path(), "SELECT COUNT(*) FROM nba_raw.nbac_player_boxscores").await, want);
    let lined = "SELECT COUNT(DISTINCT player_lookup) FROM nba_raw.odds_api_player_points_props";
    assert!(scalar(home_dir.path(), lined).await > 50);
    let out = "SELECT COUNT(*) FROM nba_raw.bdl_injuries WHERE injury_status_normalized = 'out'";
    assert!(scalar(home_dir.path(), out).await > 0, "the simulator's injury lists load");
    let dead = "SELECT COUNT(*) FROM nba_reference.processor_run_history WHERE status <> 'succeeded'";
    assert_eq!(scalar(home_dir.path(), dead).await, 0);
}
