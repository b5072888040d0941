//! The binary's `bench season --json` and `status --json` on the built-in simulator: the documented keys are
//! there, and `status` lists every data table with its row count and content hash.

use std::process::Command;

use serde_json::Value;

fn hoopflow(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_hoopflow")).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn bench_season_prints_its_figures_as_json() {
    let v =
        hoopflow(&["bench", "season", "--from", "2025-01-15", "--to", "2025-01-16", "--through-phase", "3", "--json"]);
    for key in ["season_wall_s", "season_peak_rss_mb", "season_dates_per_s", "season_rows_per_s", "season_rows"] {
        assert!(v.get(key).and_then(Value::as_f64).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["season_dates"], 2);
    assert!(v["season_table_rows"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["season_tables_hash"].as_str().map(str::len), Some(16), "{v}");
    let phases = v["phases"].as_array().unwrap();
    let raw = phases.iter().find(|p| p["phase"] == "phase_2_raw").unwrap();
    assert!(raw["rows"].as_u64().unwrap() > 0 && raw["failed"] == 0, "{raw}");
    assert!(phases.iter().any(|p| p["phase"] == "phase_3_analytics"), "{v}");
}

#[test]
fn status_lists_every_data_table_with_a_hash() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let empty = hoopflow(&["--home", h, "status", "--json"]);
    let absent = empty["tables"].as_array().unwrap();
    assert!(!absent.is_empty() && absent.iter().all(|t| t["rows"].is_null()), "a fresh home has no tables: {empty}");
    let out = Command::new(env!("CARGO_BIN_EXE_hoopflow"))
        .args(["--home", h, "backfill", "--from", "2025-01-15", "--to", "2025-01-15", "--through-phase", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = hoopflow(&["--home", h, "status", "--date", "2025-01-15", "--json"]);
    let tables = v["tables"].as_array().unwrap();
    assert_eq!(tables.len(), absent.len());
    let boxscores = tables.iter().find(|t| t["table"] == "nba_raw.nbac_player_boxscores").unwrap();
    assert!(boxscores["rows"].as_u64().unwrap() > 0, "{boxscores}");
    assert_eq!(boxscores["hash"].as_str().unwrap().len(), 16);
    assert!(tables.iter().all(|t| !t["table"].as_str().unwrap().starts_with("nba_reference.")));
    assert!(v["processors"].as_array().is_some_and(|p| !p.is_empty()), "the grid is still there");
    // The same range within partitions hashes the same table alike.
    let ranged = hoopflow(&["--home", h, "status", "--from", "2025-01-15", "--to", "2025-01-15", "--json"]);
    let b2 = ranged["tables"].as_array().unwrap().iter().find(|t| t["table"] == boxscores["table"]).unwrap().clone();
    assert_eq!(&b2, boxscores);
}
