//! Contract suite for the `Warehouse` port.
//!
//! Every check is a plain `pub async fn` over an `Arc<dyn Warehouse>`, so the embedded SQLite adapter and any
//! other adapter (BigQuery emulator) run the very same assertions. Each check creates its own, uniquely
//! named tables in [`DATASET`], so checks may run in parallel against one shared warehouse. SQL in `query`
//! checks stays within what SQLite and BigQuery both accept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hoopflow::backends::{ColumnType, PortError, PortResult, TableRef, TableSchema, Warehouse};
use hoopflow::domain::{Row, SlateDate};
use serde_json::{json, Value};

/// The dataset the checks create their tables in.
pub const DATASET: &str = "nba_raw";

/// A table name no other check (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("ct_{prefix}_{:x}_{seq}_{:08x}", std::process::id(), rand::random::<u32>())
}

pub fn day(s: &str) -> SlateDate {
    s.parse().expect("test date")
}

/// A box-score-like table using every column type, partitioned by `game_date`, keyed by
/// (`game_date`, `game_id`, `player_lookup`).
pub fn box_schema(table: &str) -> TableSchema {
    TableSchema::new(DATASET, table)
        .required("game_date", ColumnType::Date)
        .required("game_id", ColumnType::String)
        .required("player_lookup", ColumnType::String)
        .col("points", ColumnType::Int64)
        .col("minutes", ColumnType::Float64)
        .col("starter", ColumnType::Bool)
        .col("tipoff", ColumnType::Timestamp)
        .col("detail", ColumnType::Json)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "game_id", "player_lookup"])
}

pub fn obj(v: Value) -> Row {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// A minimal box-score row.
pub fn row(date: &str, game: &str, player: &str, points: i64) -> Row {
    obj(json!({"game_date": date, "game_id": game, "player_lookup": player, "points": points}))
}

async fn new_table(w: &Arc<dyn Warehouse>, prefix: &str) -> TableRef {
    let schema = box_schema(&unique(prefix));
    w.ensure_table(&schema).await.unwrap();
    schema.table
}

fn players(rows: &[Row]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r["game_date"].as_str().unwrap().to_string(), r["player_lookup"].as_str().unwrap().to_string()))
        .collect()
}

/// Assert a `PortError::Schema` naming `table` and `column`.
fn assert_schema_err<T: std::fmt::Debug>(r: PortResult<T>, table: &TableRef, column: &str) {
    match r {
        Err(PortError::Schema { table: t, detail }) => {
            assert!(t.contains(&table.table), "schema error must name the table {table}, got {t}");
            assert!(detail.contains(column), "schema error must name column {column}: {detail}");
        }
        other => panic!("expected a schema error naming {column}, got {other:?}"),
    }
}

fn assert_invalid<T: std::fmt::Debug>(r: PortResult<T>, what: &str) {
    assert!(matches!(r, Err(PortError::Invalid(_))), "{what}: expected Invalid, got {r:?}");
}

/// A count from a query cell (SQLite gives a number, BigQuery's REST API a numeric string).
fn as_count(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or_else(|| panic!("not a count: {v}"))
}

pub async fn ensure_table_is_idempotent(w: Arc<dyn Warehouse>) {
    let schema = box_schema(&unique("ensure"));
    assert_eq!(w.table_schema(&schema.table).await.unwrap(), None, "table must not exist yet");
    w.ensure_table(&schema).await.unwrap();
    w.ensure_table(&schema).await.unwrap();
    assert_eq!(w.table_schema(&schema.table).await.unwrap(), Some(schema.clone()));
    assert_eq!(w.count(&schema.table).await.unwrap(), 0);
}

pub async fn ensure_table_refuses_another_schema(w: Arc<dyn Warehouse>) {
    let schema = box_schema(&unique("ensure_other"));
    w.ensure_table(&schema).await.unwrap();
    let mut changed = schema.clone();
    changed.columns[3].ty = ColumnType::Float64;
    match w.ensure_table(&changed).await {
        Err(PortError::Schema { table, .. }) => assert!(table.contains(&schema.table.table)),
        other => panic!("expected a schema error, got {other:?}"),
    }
    let extra = schema.clone().col("extra", ColumnType::String);
    assert!(matches!(w.ensure_table(&extra).await, Err(PortError::Schema { .. })));
    assert_eq!(w.table_schema(&schema.table).await.unwrap(), Some(schema), "the table keeps its schema");
}

pub async fn replace_partition_is_idempotent_and_scoped(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "replace").await;
    let (d1, d2) = (day("2025-01-15"), day("2025-01-16"));
    let first =
        vec![row("2025-01-15", "g1", "a", 10), row("2025-01-15", "g1", "b", 20), row("2025-01-15", "g2", "c", 30)];
    assert_eq!(w.replace_partition(&t, d1, first.clone()).await.unwrap(), 3);
    assert_eq!(w.replace_partition(&t, d1, first).await.unwrap(), 3, "replacing with the same rows is idempotent");
    assert_eq!(w.count(&t).await.unwrap(), 3);
    let second = vec![row("2025-01-16", "g3", "a", 1), row("2025-01-16", "g3", "d", 2)];
    assert_eq!(w.replace_partition(&t, d2, second).await.unwrap(), 2);
    assert_eq!(w.replace_partition(&t, d1, vec![row("2025-01-15", "g1", "z", 99)]).await.unwrap(), 1);
    assert_eq!(w.count_date(&t, d1).await.unwrap(), 1);
    assert_eq!(w.count_date(&t, d2).await.unwrap(), 2, "other partitions are untouched");
    assert_eq!(w.count(&t).await.unwrap(), 3);
    let rows = w.read_date(&t, d1).await.unwrap();
    assert_eq!(players(&rows), [("2025-01-15".to_string(), "z".to_string())]);
    assert_eq!(rows[0]["points"], json!(99));
}

pub async fn replace_slice_touches_only_its_slice(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "slice").await;
    let d = day("2025-01-15");
    let g = |id: &str| vec![("game_id".to_string(), json!(id))];
    let g1 = vec![row("2025-01-15", "g1", "a", 10), row("2025-01-15", "g1", "b", 20)];
    let g2 = vec![row("2025-01-15", "g2", "c", 30)];
    assert_eq!(w.replace_slice(&t, d, &g("g1"), g1.clone()).await.unwrap(), 2);
    assert_eq!(w.replace_slice(&t, d, &g("g2"), g2).await.unwrap(), 1);
    assert_eq!(w.replace_slice(&t, d, &g("g1"), g1).await.unwrap(), 2, "replacing a slice again is idempotent");
    assert_eq!(w.count_date(&t, d).await.unwrap(), 3, "the other game's slice is untouched");
    assert_eq!(w.replace_slice(&t, d, &g("g1"), vec![row("2025-01-15", "g1", "z", 5)]).await.unwrap(), 1);
    let mut got = players(&w.read_date(&t, d).await.unwrap());
    got.sort();
    assert_eq!(got, [("2025-01-15".to_string(), "c".to_string()), ("2025-01-15".to_string(), "z".to_string())]);
    // A row outside the slice (another game, or another date) refuses the whole write.
    let stray = vec![row("2025-01-15", "g1", "y", 1), row("2025-01-15", "g3", "x", 1)];
    assert_invalid(w.replace_slice(&t, d, &g("g1"), stray).await, "row outside the slice");
    let other_day = vec![row("2025-01-16", "g1", "y", 1)];
    assert_invalid(w.replace_slice(&t, d, &g("g1"), other_day).await, "row of another date");
    assert_eq!(w.count_date(&t, d).await.unwrap(), 2, "a refused slice write changes nothing");
    // The same slice key on another date is another slice.
    assert_eq!(w.replace_slice(&t, day("2025-01-16"), &g("g1"), Vec::new()).await.unwrap(), 0);
    assert_eq!(w.count(&t).await.unwrap(), 2);
}

pub async fn read_range_columns_projects(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "project").await;
    w.replace_partition(
        &t,
        day("2025-01-15"),
        vec![row("2025-01-15", "g1", "a", 10), row("2025-01-15", "g1", "b", 20)],
    )
    .await
    .unwrap();
    w.replace_partition(&t, day("2025-01-16"), vec![row("2025-01-16", "g2", "c", 30)]).await.unwrap();
    let cols = vec!["player_lookup".to_string(), "points".to_string()];
    let got = w.read_range_columns(&t, day("2025-01-15"), day("2025-01-16"), &cols).await.unwrap();
    let full = w.read_range(&t, day("2025-01-15"), day("2025-01-16")).await.unwrap();
    assert_eq!(got.len(), full.len());
    for (g, f) in got.iter().zip(&full) {
        assert_eq!(g.keys().cloned().collect::<Vec<_>>(), cols, "only the asked columns, in schema order");
        assert_eq!(g["points"], f["points"]);
        assert_eq!(g["player_lookup"], f["player_lookup"]);
    }
    let bad = vec!["no_such_column".to_string()];
    assert!(w.read_range_columns(&t, day("2025-01-15"), day("2025-01-16"), &bad).await.is_err());
}

pub async fn replace_partition_with_no_rows_empties_it(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "replace_empty").await;
    let d = day("2025-02-01");
    w.replace_partition(&t, d, vec![row("2025-02-01", "g", "a", 1), row("2025-02-01", "g", "b", 2)]).await.unwrap();
    assert_eq!(w.replace_partition(&t, d, Vec::new()).await.unwrap(), 0);
    assert_eq!(w.count_date(&t, d).await.unwrap(), 0);
    assert!(w.read_date(&t, d).await.unwrap().is_empty());
}

pub async fn replace_partition_refuses_rows_of_another_date(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "replace_foreign").await;
    let d = day("2025-01-15");
    w.replace_partition(&t, d, vec![row("2025-01-15", "g", "a", 1)]).await.unwrap();
    let mixed = vec![row("2025-01-15", "g", "b", 2), row("2025-01-16", "g", "c", 3)];
    assert_invalid(w.replace_partition(&t, d, mixed).await, "row of another date");
    assert_eq!(w.count(&t).await.unwrap(), 1, "a refused replace must write nothing");
    assert_eq!(players(&w.read_date(&t, d).await.unwrap()), [("2025-01-15".to_string(), "a".to_string())]);
}

pub async fn unpartitioned_tables_refuse_date_operations(w: Arc<dyn Warehouse>) {
    let schema = TableSchema::new(DATASET, &unique("plain"))
        .required("player_lookup", ColumnType::String)
        .col("team", ColumnType::String)
        .keyed_by(&["player_lookup"]);
    w.ensure_table(&schema).await.unwrap();
    let t = &schema.table;
    let d = day("2025-01-15");
    assert_invalid(w.replace_partition(t, d, vec![obj(json!({"player_lookup": "a"}))]).await, "replace");
    assert_invalid(w.read_date(t, d).await, "read_date");
    assert_invalid(w.count_date(t, d).await, "count_date");
    assert_eq!(w.count(t).await.unwrap(), 0);
}

pub async fn values_round_trip_by_type(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "values").await;
    let d = day("2025-01-15");
    let full = obj(json!({
        "game_date": "2025-01-15", "game_id": "0022400555", "player_lookup": "lebronjames",
        "points": 31, "minutes": 36.5, "starter": true, "tipoff": "2025-01-16T00:30:00Z",
        "detail": {"fg": [11, 20], "note": "ok", "plus_minus": -4},
    }));
    let sparse = obj(json!({
        "game_date": "2025-01-15", "game_id": "0022400555", "player_lookup": "maxchristie",
        "starter": false, "detail": null,
    }));
    assert_eq!(w.replace_partition(&t, d, vec![sparse, full.clone()]).await.unwrap(), 2);
    let rows = w.read_date(&t, d).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], full, "every type must read back as written");
    let expected_sparse = obj(json!({
        "game_date": "2025-01-15", "game_id": "0022400555", "player_lookup": "maxchristie",
        "points": null, "minutes": null, "starter": false, "tipoff": null, "detail": null,
    }));
    assert_eq!(rows[1], expected_sparse, "absent nullable columns read back as null");
}

pub async fn bad_rows_are_schema_errors_and_write_nothing(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "bad_rows").await;
    let d = day("2025-01-15");
    let good = vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "b", 2)];
    w.replace_partition(&t, d, good.clone()).await.unwrap();
    let before = w.content_hash(&t).await.unwrap();

    let mut unknown = row("2025-01-15", "g", "c", 3);
    unknown.insert("rebounds".into(), json!(4));
    let mut missing = row("2025-01-15", "g", "c", 3);
    missing.remove("player_lookup");
    let mut null_required = row("2025-01-15", "g", "c", 3);
    null_required.insert("game_id".into(), Value::Null);
    let mut wrong_int = row("2025-01-15", "g", "c", 3);
    wrong_int.insert("points".into(), json!("ten"));
    let mut fractional_int = row("2025-01-15", "g", "c", 3);
    fractional_int.insert("points".into(), json!(3.5));
    let mut wrong_bool = row("2025-01-15", "g", "c", 3);
    wrong_bool.insert("starter".into(), json!("yes"));
    let mut wrong_date = row("2025-01-15", "g", "c", 3);
    wrong_date.insert("game_date".into(), json!("15/01/2025"));
    let mut wrong_ts = row("2025-01-15", "g", "c", 3);
    wrong_ts.insert("tipoff".into(), json!("tonight"));
    let cases = [
        (unknown, "rebounds"),
        (missing, "player_lookup"),
        (null_required, "game_id"),
        (wrong_int, "points"),
        (fractional_int, "points"),
        (wrong_bool, "starter"),
        (wrong_date, "game_date"),
        (wrong_ts, "tipoff"),
    ];
    for (bad, column) in cases {
        // The bad row comes last, after rows that would otherwise be written.
        let mut batch = vec![row("2025-01-15", "g", "x", 7), row("2025-01-15", "g", "y", 8)];
        batch.push(bad.clone());
        assert_schema_err(w.replace_partition(&t, d, batch.clone()).await, &t, column);
        assert_schema_err(w.upsert(&t, batch).await, &t, column);
        assert_eq!(w.content_hash(&t).await.unwrap(), before, "a refused write ({column}) must change nothing");
    }
    assert_eq!(w.read_date(&t, d).await.unwrap().len(), 2);
}

pub async fn upsert_is_keyed(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "upsert").await;
    let first = vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "b", 2), row("2025-01-16", "h", "a", 3)];
    assert_eq!(w.upsert(&t, first).await.unwrap(), 3);
    let second = vec![row("2025-01-15", "g", "b", 20), row("2025-01-16", "h", "c", 4)];
    assert_eq!(w.upsert(&t, second.clone()).await.unwrap(), 2, "the count covers the given keys only");
    assert_eq!(w.count(&t).await.unwrap(), 4, "an existing key is replaced, not duplicated");
    assert_eq!(w.upsert(&t, second).await.unwrap(), 2, "upsert is idempotent");
    assert_eq!(w.count(&t).await.unwrap(), 4);
    let rows = w.read_date(&t, day("2025-01-15")).await.unwrap();
    let points: Vec<Value> = rows.iter().map(|r| r["points"].clone()).collect();
    assert_eq!(points, [json!(1), json!(20)]);
    let mut partial = row("2025-01-15", "g", "a", 5);
    partial.insert("minutes".into(), json!(12.0));
    w.upsert(&t, vec![partial]).await.unwrap();
    w.upsert(&t, vec![row("2025-01-15", "g", "a", 6)]).await.unwrap();
    let rows = w.read_date(&t, day("2025-01-15")).await.unwrap();
    assert_eq!(rows[0]["points"], json!(6));
    assert_eq!(rows[0]["minutes"], Value::Null, "upsert replaces the whole row");
}

pub async fn upsert_needs_a_key(w: Arc<dyn Warehouse>) {
    let schema = TableSchema::new(DATASET, &unique("nokey"))
        .required("game_date", ColumnType::Date)
        .col("points", ColumnType::Int64)
        .partitioned_by("game_date");
    w.ensure_table(&schema).await.unwrap();
    assert_invalid(w.upsert(&schema.table, vec![obj(json!({"game_date": "2025-01-15"}))]).await, "keyless upsert");
    assert_eq!(w.count(&schema.table).await.unwrap(), 0);
}

pub async fn read_range_is_inclusive_and_ordered(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "range").await;
    for date in ["2025-01-14", "2025-01-15", "2025-01-16", "2025-01-17"] {
        let rows = vec![row(date, "g2", "b", 1), row(date, "g1", "z", 2), row(date, "g1", "a", 3)];
        w.replace_partition(&t, day(date), rows).await.unwrap();
    }
    let rows = w.read_range(&t, day("2025-01-15"), day("2025-01-16")).await.unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let s = |c: &str| r[c].as_str().unwrap().to_string();
            (s("game_date"), s("game_id"), s("player_lookup"))
        })
        .collect();
    let want: Vec<(String, String, String)> = ["2025-01-15", "2025-01-16"]
        .iter()
        .flat_map(|d| {
            [("g1", "a"), ("g1", "z"), ("g2", "b")].map(|(g, p)| (d.to_string(), g.to_string(), p.to_string()))
        })
        .collect();
    assert_eq!(got, want, "rows ordered by partition then key");
    assert_eq!(w.read_range(&t, day("2025-01-17"), day("2025-01-17")).await.unwrap().len(), 3);
    assert!(w.read_range(&t, day("2025-01-16"), day("2025-01-15")).await.unwrap().is_empty());
    assert!(w.read_range(&t, day("2025-02-01"), day("2025-02-28")).await.unwrap().is_empty());
}

pub async fn query_reads_dataset_tables(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "query").await;
    let rows = vec![row("2025-01-15", "g", "b", 20), row("2025-01-15", "g", "a", 10), row("2025-01-16", "g", "a", 5)];
    w.upsert(&t, rows).await.unwrap();
    let r = w.query(&format!("SELECT COUNT(*) AS n FROM {t}")).await.unwrap();
    assert_eq!(r.columns, ["n"]);
    assert_eq!(r.rows.len(), 1);
    assert_eq!(as_count(&r.rows[0][0]), 3);
    let r = w
        .query(&format!("SELECT player_lookup, points FROM {t} WHERE game_date = '2025-01-15' ORDER BY player_lookup"))
        .await
        .unwrap();
    assert_eq!(r.columns, ["player_lookup", "points"]);
    let got: Vec<(Value, i64)> = r.rows.iter().map(|v| (v[0].clone(), as_count(&v[1]))).collect();
    assert_eq!(got, [(json!("a"), 10), (json!("b"), 20)]);
}

pub async fn query_refuses_writes(w: Arc<dyn Warehouse>) {
    let t = new_table(&w, "query_ro").await;
    w.replace_partition(&t, day("2025-01-15"), vec![row("2025-01-15", "g", "a", 1)]).await.unwrap();
    let writes = [
        format!("DELETE FROM {t} WHERE TRUE"),
        format!("INSERT INTO {t} (game_date, game_id, player_lookup) VALUES ('2025-01-15', 'g', 'b')"),
        format!("UPDATE {t} SET points = 2 WHERE TRUE"),
        format!("DROP TABLE {t}"),
        format!("CREATE TABLE {DATASET}.{} (x INT64)", unique("created")),
    ];
    for sql in &writes {
        assert_invalid(w.query(sql).await, sql);
    }
    assert_eq!(w.count(&t).await.unwrap(), 1, "refused statements must not write");
    assert_eq!(w.read_date(&t, day("2025-01-15")).await.unwrap()[0]["points"], json!(1));
}

pub async fn content_hash_tracks_content(w: Arc<dyn Warehouse>) {
    let (a, b) = (new_table(&w, "hash_a").await, new_table(&w, "hash_b").await);
    let empty = w.content_hash(&a).await.unwrap();
    assert_eq!(empty, w.content_hash(&b).await.unwrap(), "empty tables hash alike");
    let d1 = vec![row("2025-01-15", "g", "a", 1), row("2025-01-15", "g", "b", 2)];
    let d2 = vec![row("2025-01-16", "g", "a", 3), row("2025-01-16", "g", "c", 4)];
    w.replace_partition(&a, day("2025-01-15"), d1.clone()).await.unwrap();
    w.replace_partition(&a, day("2025-01-16"), d2.clone()).await.unwrap();
    // Same content, written in another order and through another path.
    let mut reversed: Vec<Row> = d2.iter().chain(&d1).cloned().collect();
    reversed.reverse();
    w.upsert(&b, reversed).await.unwrap();
    let ha = w.content_hash(&a).await.unwrap();
    assert_ne!(ha, empty, "rows must change the hash");
    assert_eq!(ha, w.content_hash(&b).await.unwrap(), "identical content must hash identically");
    assert_eq!(ha, w.content_hash(&a).await.unwrap(), "the hash is stable");
    w.upsert(&b, vec![row("2025-01-16", "g", "c", 5)]).await.unwrap();
    let hb = w.content_hash(&b).await.unwrap();
    assert_ne!(ha, hb, "one changed value must change the hash");
    let mut flipped = row("2025-01-16", "g", "c", 4);
    flipped.insert("starter".into(), json!(false));
    w.upsert(&b, vec![flipped]).await.unwrap();
    assert_ne!(ha, w.content_hash(&b).await.unwrap(), "null → false must change the hash");
    w.upsert(&b, vec![row("2025-01-16", "g", "c", 4)]).await.unwrap();
    assert_eq!(ha, w.content_hash(&b).await.unwrap(), "restored content hashes as before");
}

pub async fn unknown_tables_are_not_found(w: Arc<dyn Warehouse>) {
    let t = TableRef::new(DATASET, unique("missing"));
    assert_eq!(w.table_schema(&t).await.unwrap(), None);
    let d = day("2025-01-15");
    assert!(matches!(w.count(&t).await, Err(PortError::NotFound(_))));
    assert!(matches!(w.count_date(&t, d).await, Err(PortError::NotFound(_))));
    assert!(matches!(w.read_date(&t, d).await, Err(PortError::NotFound(_))));
    assert!(matches!(
        w.replace_partition(&t, d, vec![row("2025-01-15", "g", "a", 1)]).await,
        Err(PortError::NotFound(_))
    ));
    assert!(matches!(w.upsert(&t, vec![row("2025-01-15", "g", "a", 1)]).await, Err(PortError::NotFound(_))));
    assert!(matches!(w.content_hash(&t).await, Err(PortError::NotFound(_))));
}
