//! Runs the `Warehouse` contract suite against the embedded SQLite adapter, plus embedded-only checks:
//! persistence across reopen, SQLite-specific refusals in `query`, schema validation, the bulk-insert
//! figure and an order-independence property of `content_hash`.

#[path = "contract/warehouse_suite.rs"]
mod warehouse_suite;

use std::sync::Arc;
use std::time::Instant;

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{ColumnType, PortError, TableSchema, Warehouse};
use hoopflow::domain::Row;
use proptest::prelude::*;
use serde_json::{json, Value};
use warehouse_suite::{box_schema, day, obj, row};

fn warehouse() -> Arc<dyn Warehouse> {
    Arc::new(EmbeddedWarehouse::in_memory().expect("in-memory warehouse"))
}

macro_rules! contract {
    ($($check:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $check() {
            warehouse_suite::$check(warehouse()).await;
        }
    )*};
}

contract!(
    ensure_table_is_idempotent,
    ensure_table_refuses_another_schema,
    replace_partition_is_idempotent_and_scoped,
    replace_partition_with_no_rows_empties_it,
    replace_slice_touches_only_its_slice,
    read_range_columns_projects,
    replace_partition_refuses_rows_of_another_date,
    unpartitioned_tables_refuse_date_operations,
    values_round_trip_by_type,
    bad_rows_are_schema_errors_and_write_nothing,
    upsert_is_keyed,
    upsert_needs_a_key,
    read_range_is_inclusive_and_ordered,
    query_reads_dataset_tables,
    query_refuses_writes,
    content_hash_tracks_content,
    unknown_tables_are_not_found,
);

/// Several checks at once on one file-backed warehouse: unique table names keep them apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_shares_one_file_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let w: Arc<dyn Warehouse> = Arc::new(EmbeddedWarehouse::open(dir.path()).unwrap());
    let checks = vec![
        tokio::spawn(warehouse_suite::replace_partition_is_idempotent_and_scoped(w.clone())),
        tokio::spawn(warehouse_suite::upsert_is_keyed(w.clone())),
        tokio::spawn(warehouse_suite::content_hash_tracks_content(w.clone())),
        tokio::spawn(warehouse_suite::bad_rows_are_schema_errors_and_write_nothing(w.clone())),
    ];
    for c in checks {
        c.await.unwrap();
    }
}

#[tokio::test]
async fn tables_and_rows_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let schema = box_schema("boxscores");
    let extra = TableSchema::new("ct_extra", "players")
        .required("player_lookup", ColumnType::String)
        .keyed_by(&["player_lookup"]);
    let d = day("2025-01-15");
    let hash = {
        let w = EmbeddedWarehouse::open(dir.path()).unwrap();
        w.ensure_table(&schema).await.unwrap();
        w.ensure_table(&extra).await.unwrap();
        w.replace_partition(&schema.table, d, vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "b", 2)])
            .await
            .unwrap();
        w.upsert(&extra.table, vec![obj(json!({"player_lookup": "a"}))]).await.unwrap();
        w.content_hash(&schema.table).await.unwrap()
    };
    // A foreign SQLite file in the directory is not taken for a dataset.
    rusqlite::Connection::open(dir.path().join("state.db"))
        .unwrap()
        .execute_batch("CREATE TABLE documents (x)")
        .unwrap();
    for f in ["nba_raw.db", "nba_analytics.db", "nba_reference.db", "ct_extra.db"] {
        assert!(dir.path().join(f).is_file(), "{f} must be a database file");
    }
    let w = EmbeddedWarehouse::open(dir.path()).unwrap();
    assert_eq!(w.table_schema(&schema.table).await.unwrap(), Some(schema.clone()));
    assert_eq!(w.table_schema(&extra.table).await.unwrap(), Some(extra.clone()), "extra datasets are re-attached");
    assert_eq!(w.count_date(&schema.table, d).await.unwrap(), 2);
    assert_eq!(w.count(&extra.table).await.unwrap(), 1);
    assert!(
        matches!(w.query("SELECT COUNT(*) FROM state.documents").await, Err(PortError::Invalid(_))),
        "state.db must not be attached"
    );
    let probe = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let tables: i64 =
        probe.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 1, "the foreign file must be left untouched");
    assert_eq!(w.content_hash(&schema.table).await.unwrap(), hash);
    w.ensure_table(&schema).await.unwrap();
    let mut other = schema.clone();
    other.key.pop();
    assert!(matches!(w.ensure_table(&other).await, Err(PortError::Schema { .. })), "the catalog persists");
}

#[tokio::test]
async fn query_refuses_sqlite_side_doors_and_stays_usable() {
    let w = EmbeddedWarehouse::in_memory().unwrap();
    let schema = box_schema("side_doors");
    w.ensure_table(&schema).await.unwrap();
    let t = &schema.table;
    let refused = [
        "ATTACH DATABASE '/tmp/x.db' AS x".to_string(),
        "DETACH DATABASE nba_raw".to_string(),
        "PRAGMA query_only = OFF".to_string(),
        "PRAGMA nba_raw.journal_mode = DELETE".to_string(),
        "BEGIN".to_string(),
        "COMMIT".to_string(),
        "VACUUM".to_string(),
        format!("SELECT 1; DELETE FROM {t}"),
        format!("WITH x AS (SELECT 1) DELETE FROM {t}"),
        format!("SELECT * FROM {t}; SELECT 2"),
        "SELECT * FROM nba_raw.no_such_table".to_string(),
        String::new(),
    ];
    for sql in &refused {
        assert!(matches!(w.query(sql).await, Err(PortError::Invalid(_))), "must refuse {sql:?}");
    }
    // After refusals (and query_only toggles), writes still work and data is intact.
    let d = day("2025-01-15");
    let mut r = row("2025-01-15", "g", "a", 1);
    r.insert("starter".into(), json!(true));
    r.insert("detail".into(), json!({"k": 1}));
    assert_eq!(w.replace_partition(t, d, vec![r]).await.unwrap(), 1);
    let q = w.query(&format!("SELECT starter, detail FROM {t};  -- trailing comment")).await.unwrap();
    assert_eq!(q.rows, [vec![json!(1), json!("{\"k\":1}")]], "query shows SQLite's native values");
    let q = w.query("SELECT COUNT(*) FROM nba_raw.side_doors WHERE points > 0").await.unwrap();
    assert_eq!(q.rows, [vec![json!(1)]]);
}

#[tokio::test]
async fn schemas_are_validated() {
    let w = EmbeddedWarehouse::in_memory().unwrap();
    let bad = [
        TableSchema::new("nba_raw", "bad-name").col("a", ColumnType::String),
        TableSchema::new("nba_raw", "no_columns"),
        TableSchema::new("nba_raw", "__hoopflow_catalog").col("a", ColumnType::String),
        TableSchema::new("main", "t").col("a", ColumnType::String),
        TableSchema::new("nba_raw", "dup").col("a", ColumnType::String).col("A", ColumnType::Int64),
        TableSchema::new("nba_raw", "part_type").col("d", ColumnType::String).partitioned_by("d"),
        TableSchema::new("nba_raw", "part_missing").col("d", ColumnType::Date).partitioned_by("x"),
        TableSchema::new("nba_raw", "key_missing").col("d", ColumnType::Date).keyed_by(&["x"]),
        TableSchema::new("nba_raw", "bad_col").col("a b", ColumnType::String),
    ];
    for s in &bad {
        assert!(matches!(w.ensure_table(s).await, Err(PortError::Invalid(_))), "must refuse {s:?}");
    }
}

#[tokio::test]
async fn duplicate_keys_in_a_partition_are_refused() {
    let w = EmbeddedWarehouse::in_memory().unwrap();
    let schema = box_schema("dup_keys");
    w.ensure_table(&schema).await.unwrap();
    let d = day("2025-01-15");
    let rows = vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "a", 2)];
    assert!(matches!(w.replace_partition(&schema.table, d, rows).await, Err(PortError::Invalid(_))));
    assert_eq!(w.count(&schema.table).await.unwrap(), 0);
    // In an upsert batch the last row for a key wins.
    let rows = vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "a", 2)];
    assert_eq!(w.upsert(&schema.table, rows).await.unwrap(), 1);
    assert_eq!(w.read_date(&schema.table, d).await.unwrap()[0]["points"], json!(2));
}

/// 26,000 rows of 30 columns in one `replace_partition`. Prints the time; run with `--release --nocapture`
/// for the figure quoted in the docs. The bound asserted here only catches pathologies (debug builds).
#[tokio::test]
async fn bulk_replace_partition_26k_rows() {
    const ROWS: usize = 26_000;
    let mut schema = TableSchema::new("nba_analytics", "bulk")
        .required("game_date", ColumnType::Date)
        .required("game_id", ColumnType::String)
        .required("player_lookup", ColumnType::String)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "game_id", "player_lookup"]);
    let kinds = [ColumnType::Int64, ColumnType::Float64, ColumnType::String, ColumnType::Bool];
    for i in 0..27 {
        schema = schema.col(&format!("c{i:02}"), kinds[i % kinds.len()]);
    }
    let rows: Vec<Row> = (0..ROWS)
        .map(|n| {
            let mut r = row("2025-01-15", &format!("00224{:05}", n / 30), &format!("player{n:06}"), 0);
            r.remove("points");
            for i in 0..27 {
                let v = match i % 4 {
                    0 => json!(n as i64 * 7 + i as i64),
                    1 => json!(n as f64 / 3.0 + i as f64),
                    2 => json!(format!("v{n}-{i}")),
                    _ => json!(n % 2 == 0),
                };
                r.insert(format!("c{i:02}"), v);
            }
            r
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let stores: [(&str, EmbeddedWarehouse); 2] =
        [("memory", EmbeddedWarehouse::in_memory().unwrap()), ("file", EmbeddedWarehouse::open(dir.path()).unwrap())];
    for (kind, w) in stores {
        w.ensure_table(&schema).await.unwrap();
        let baseline = rows.clone();
        let started = Instant::now();
        drop(baseline);
        let dropping = started.elapsed();
        let started = Instant::now();
        let n = w.replace_partition(&schema.table, day("2025-01-15"), rows.clone()).await.unwrap();
        let first = started.elapsed();
        let started = Instant::now();
        let again = w.replace_partition(&schema.table, day("2025-01-15"), rows.clone()).await.unwrap();
        let second = started.elapsed();
        let started = Instant::now();
        let up = w.upsert(&schema.table, rows.clone()).await.unwrap();
        let upsert = started.elapsed();
        println!(
            "bulk ({kind}): {ROWS} rows x {} columns: replace_partition {first:?} (fresh), {second:?} (replacing), upsert {upsert:?} (each includes {dropping:?} to drop the rows)",
            schema.columns.len()
        );
        assert_eq!((n, again, up), (ROWS as u64, ROWS as u64, ROWS as u64));
        assert!(first.as_secs() < 60, "bulk insert took {first:?}");
    }
}

type Spec = (i32, f64, Option<bool>);

/// Rows with unique keys (one per `i32`), in map order, and the same rows shuffled.
fn rows_and_shuffle() -> impl Strategy<Value = (Vec<Spec>, Vec<Spec>)> {
    prop::collection::btree_map(any::<i32>(), (-1e6f64..1e6, any::<Option<bool>>()), 1..30)
        .prop_map(|m| m.into_iter().map(|(p, (m, s))| (p, m, s)).collect::<Vec<_>>())
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

fn spec_rows(v: &[Spec]) -> Vec<Row> {
    v.iter()
        .map(|(p, m, s)| {
            let mut r = row("2025-01-15", "g", &format!("p{p}"), i64::from(*p));
            r.insert("minutes".into(), json!(m));
            r.insert("starter".into(), s.map_or(Value::Null, Value::Bool));
            r
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The content hash ignores row order and write path, and sees any changed value.
    #[test]
    fn content_hash_is_order_independent((rows, shuffled) in rows_and_shuffle(), bump in 0usize..30) {
        let (a_rows, b_rows) = (spec_rows(&rows), spec_rows(&shuffled));
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let w = EmbeddedWarehouse::in_memory().unwrap();
            let (a, b) = (box_schema("prop_a"), box_schema("prop_b"));
            w.ensure_table(&a).await.unwrap();
            w.ensure_table(&b).await.unwrap();
            w.replace_partition(&a.table, day("2025-01-15"), a_rows.clone()).await.unwrap();
            w.upsert(&b.table, b_rows).await.unwrap();
            let ha = w.content_hash(&a.table).await.unwrap();
            prop_assert_eq!(&ha, &w.content_hash(&b.table).await.unwrap());
            let mut changed = a_rows[bump % a_rows.len()].clone();
            let old = changed["points"].as_i64().unwrap();
            changed.insert("points".into(), json!(old.wrapping_add(1)));
            w.upsert(&b.table, vec![changed]).await.unwrap();
            prop_assert_ne!(&ha, &w.content_hash(&b.table).await.unwrap());
            Ok(())
        })?;
    }
}
