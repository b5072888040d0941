//! Reproducibility: the same backfill of real data through Phase 4, run twice into two fresh homes, produces identical data
//! tables — the same row count and the same content hash (what `hoopflow status` prints) for every table of
//! `nba_raw`, `nba_analytics`, `nba_precompute` and `nba_predictions`.

mod shared;

use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::cli::table_digest::{combined_hash, digest_all, digest_table, TableLine};
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
    let plan = Plan::backfill(from, to, 4, Some(dir.to_path_buf()), "determinism".into());
    let report = execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    for phase in ["phase_3_analytics", "phase_4_precompute"] {
        assert!(report.rows_by_phase.iter().any(|(p, n)| p == phase && *n > 0), "{phase}: {report:?}");
    }
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
    // Opening week and the first days after the bootstrap window: every phase through the feature store.
    let (from, to) = (day("2024-10-22"), day("2024-11-08"));
    let a = backfill_and_digest(&dir, from, to).await;
    let b = backfill_and_digest(&dir, from, to).await;
    assert_eq!(a.len(), b.len());
    assert_eq!(combined_hash(&a), combined_hash(&b));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "table {} differs between two identical backfills", x.table);
    }
    let empty = digest_rows([]).hash;
    let filled: Vec<&TableLine> = a.iter().filter(|l| l.rows.unwrap_or(0) > 0).collect();
    for l in &filled {
        assert_ne!(l.hash.as_deref(), Some(empty.as_str()), "{} has rows but hashes as empty", l.table);
    }
    for ds in ["nba_raw.", "nba_analytics.", "nba_precompute.", "nba_predictions."] {
        assert!(filled.iter().any(|l| l.table.starts_with(ds)), "no {ds} table has rows: {a:?}");
    }
    let boxscores = a.iter().find(|l| l.table == "nba_raw.nbac_player_boxscores").unwrap();
    assert!(boxscores.rows.unwrap_or(0) > 500, "{boxscores:?}");
    let hashes: std::collections::BTreeSet<_> = filled.iter().filter_map(|l| l.hash.as_deref()).collect();
    assert_eq!(hashes.len(), filled.len(), "distinct tables hash differently");
}

#[actix::test]
async fn typed_reads_and_ad_hoc_queries_hash_alike() {
    use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
    use hoopflow::backends::{ColumnType as T, TableSchema, Warehouse};
    let w = EmbeddedWarehouse::in_memory().unwrap();
    let cols = |s: TableSchema| {
        s.required("game_date", T::Date).col("n", T::Int64).col("x", T::Float64).col("ok", T::Bool).col("doc", T::Json)
    };
    let parted = cols(TableSchema::new("nba_raw", "parted")).partitioned_by("game_date");
    let flat = cols(TableSchema::new("nba_raw", "flat")).keyed_by(&["game_date", "n"]);
    w.ensure_table(&parted).await.unwrap();
    w.ensure_table(&flat).await.unwrap();
    let rows: Vec<hoopflow::domain::Row> = (0..6)
        .map(|i| {
            let v = serde_json::json!({"game_date": format!("2025-01-1{}", i % 3), "n": i, "x": f64::from(i) / 2.0,
                "ok": i % 2 == 0, "doc": {"b": [i, null], "a": "z"}});
            v.as_object().unwrap().clone()
        })
        .collect();
    for d in ["2025-01-10", "2025-01-11", "2025-01-12"] {
        let part: Vec<_> = rows.iter().filter(|r| r["game_date"] == d).cloned().collect();
        w.replace_partition(&parted.table, day(d), part).await.unwrap();
    }
    w.upsert(&flat.table, rows.iter().rev().cloned().collect()).await.unwrap();
    let a = digest_table(&w, &parted.table, None).await.unwrap().unwrap();
    let b = digest_table(&w, &flat.table, None).await.unwrap().unwrap();
    assert_eq!(a, b, "read_date per partition and a typed query hash the same content alike");
    assert_eq!(a, digest_rows(&rows));
    assert_eq!(
        digest_table(&w, &parted.table, Some((day("2025-01-11"), day("2025-01-11")))).await.unwrap().unwrap().rows,
        2
    );
    let missing = hoopflow::backends::TableRef::new("nba_raw", "missing");
    assert_eq!(digest_table(&w, &missing, None).await.unwrap(), None);
}
