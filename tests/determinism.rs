//! Reproducibility: the same backfill of real data, run twice into two fresh homes, produces identical data
//! tables — the same row count and the same content hash (what `hoopflow status` prints) for every table of
//! `nba_raw`, `nba_analytics`, `nba_precompute` and `nba_predictions`.

mod shared;

use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::cli::table_digest::{digest_all, digest_table, TableLine};
use hoopflow::cli::table_hash::digest_rows;
use hoopflow::domain::SlateDate;
use hoopflow::processors::builtin_registry;
use hoopflow::sources::replay::ReplaySource;

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

async fn backfill_and_digest(dir: &std::path::Path, from: SlateDate, to: SlateDate) -> Vec<TableLine> {
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(dir).unwrap();
    let plan = Plan::backfill(from, to, 3, Some(dir.to_path_buf()), "determinism".into());
    let report = execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    assert!(report.rows_by_phase.iter().any(|(p, n)| p == "phase_3_analytics" && *n > 0), "{report:?}");
    let b = home::open(home_dir.path()).unwrap();
    let lines = digest_all(b.warehouse.as_ref(), &builtin_registry(), None).await.unwrap();
    // A partition range covering everything hashes like the whole table.
    let boxscores = hoopflow::backends::TableRef::new("nba_raw", "nbac_player_boxscores");
    let whole = digest_table(b.warehouse.as_ref(), &boxscores, None).await.unwrap();
    let ranged = digest_table(b.warehouse.as_ref(), &boxscores, Some((day("2000-01-01"), day("2100-01-01")))).await;
    assert_eq!(whole, ranged.unwrap());
    lines
}

#[actix::test]
async fn two_backfills_produce_identical_tables() {
    let Some(dir) = shared::data_dir() else { return };
    let (from, to) = (day("2025-03-10"), day("2025-03-14"));
    let a = backfill_and_digest(&dir, from, to).await;
    let b = backfill_and_digest(&dir, from, to).await;
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "table {} differs between two identical backfills", x.table);
    }
    let empty = digest_rows([]).hash;
    let filled: Vec<&TableLine> = a.iter().filter(|l| l.rows.unwrap_or(0) > 0).collect();
    for l in &filled {
        assert_ne!(l.hash.as_deref(), Some(empty.as_str()), "{} has rows but hashes as empty", l.table);
    }
    for ds in ["nba_raw.", "nba_analytics."] {
        assert!(filled.iter().any(|l| l.table.starts_with(ds)), "no {ds} table has rows: {a:?}");
    }
    let boxscores = a.iter().find(|l| l.table == "nba_raw.nbac_player_boxscores").unwrap();
    assert!(boxscores.rows.unwrap_or(0) > 500, "{boxscores:?}");
    let hashes: std::collections::BTreeSet<_> = filled.iter().filter_map(|l| l.hash.as_deref()).collect();
    assert_eq!(hashes.len(), filled.len(), "distinct tables hash differently");
}
