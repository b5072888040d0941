//! Embedded `Warehouse`: schema'd tables in SQLite, one database file per dataset.
//!
//! Role: the default warehouse. Each dataset (`nba_raw`, `nba_analytics`, … see [`DATASETS`]) is a SQLite
//! file `<dir>/<dataset>.db` (or a private in-memory database) ATTACHed to one connection under the dataset
//! name, so `SELECT COUNT(*) FROM nba_raw.nbac_player_boxscores` works natively in [`Warehouse::query`].
//! A dataset not in [`DATASETS`] is created and attached on first `ensure_table` and re-attached by `open`
//! when its file holds a catalog (other SQLite files in the directory are left alone); SQLite attaches at
//! most 10 databases per connection. Give the warehouse its own directory (e.g. `<home>/warehouse/`).
//!
//! Invariants:
//! - tables are created from a [`TableSchema`] only (STRICT tables, NOT NULL where required, a UNIQUE index
//!   on the key); the schema is kept in the dataset's `__hoopflow_catalog` table, written in the same
//!   transaction as the table, and an existing table with another schema is a `PortError::Schema`;
//! - every write validates every row against the schema (unknown column, missing required column, value of
//!   the wrong type → `PortError::Schema` naming table and column) inside its transaction, so a bad row
//!   rolls the whole write back: no partial writes;
//! - `replace_partition` deletes the date, inserts the rows and reads the count back in one transaction;
//!   readers (serialised by the same mutex) see the old or the new partition, never a mix;
//! - values: STRING/DATE/TIMESTAMP as TEXT, INT64 INTEGER, FLOAT64 REAL, BOOL 0/1 read back as a JSON bool,
//!   JSON as text read back parsed, NULL ↔ null; rows read back carry every schema column, in schema order;
//! - `query` runs one `SELECT`/`WITH`/`VALUES` statement with `query_only` on; anything that writes is
//!   `PortError::Invalid`; values come back as SQLite holds them (BOOL as 0/1, JSON as text);
//! - durability: WAL with `synchronous=NORMAL` per dataset file (survives a killed process, not a power loss).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params_from_iter, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use self::tables::{
    check_schema, column_list, create_sql, dataset_name_ok, insert_sql, partition_of, qualified, read_row, schema_diff,
    schema_err, Binder,
};
use super::sqlite_util::{self, quote, Cell};
use crate::backends::schema::DATASETS;
use crate::backends::{PortError, PortResult, QueryResult, TableRef, TableSchema, Warehouse};
use crate::domain::{Row, SlateDate};

mod tables;

/// The per-dataset table holding each table's schema as JSON.
const CATALOG: &str = "__hoopflow_catalog";

/// SQLite-backed warehouse.
pub struct EmbeddedWarehouse {
    inner: Mutex<Inner>,
}

struct Inner {
    conn: Connection,
    /// Directory of the dataset files; `None` for an in-memory warehouse.
    dir: Option<PathBuf>,
    attached: BTreeSet<String>,
    /// Schemas of existing tables (a table's schema never changes once created).
    schemas: HashMap<TableRef, Arc<TableSchema>>,
}

impl EmbeddedWarehouse {
    /// Open (creating if needed) the warehouse in directory `dir`: one `<dataset>.db` file per dataset. Every
    /// dataset file already in the directory is attached too.
    pub fn open(dir: impl AsRef<Path>) -> PortResult<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| PortError::Storage(format!("cannot create warehouse dir {}: {e}", dir.display())))?;
        let mut datasets: BTreeSet<String> = DATASETS.iter().map(|d| d.to_string()).collect();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PortError::Storage(format!("cannot read warehouse dir {}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| PortError::Storage(format!("cannot read warehouse dir: {e}")))?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".db")) else {
                continue;
            };
            if dataset_name_ok(stem) && !datasets.contains(stem) && is_dataset_file(&entry.path()) {
                datasets.insert(stem.to_string());
            }
        }
        let mut inner = Inner::new(sqlite_util::open_memory()?, Some(dir.to_path_buf()));
        for ds in &datasets {
            inner.attach(ds)?;
        }
        tracing::debug!(dir = %dir.display(), datasets = datasets.len(), "warehouse opened");
        Ok(EmbeddedWarehouse { inner: Mutex::new(inner) })
    }

    /// A private warehouse that lives as long as this value (tests, dry runs).
    pub fn in_memory() -> PortResult<Self> {
        let mut inner = Inner::new(sqlite_util::open_memory()?, None);
        for ds in DATASETS {
            inner.attach(ds)?;
        }
        Ok(EmbeddedWarehouse { inner: Mutex::new(inner) })
    }
}

/// Whether a `.db` file is a dataset this adapter created (it holds a catalog), so that other SQLite files
/// in the directory (a bus or state database) are never attached as datasets.
fn is_dataset_file(path: &Path) -> bool {
    let check = || -> rusqlite::Result<bool> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [CATALOG], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n > 0)
    };
    match check() {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "skipping unreadable file in warehouse dir");
            false
        }
    }
}

/// Constraint violations (a duplicate key) are the caller's data, not the storage's fault.
fn write_err(table: &TableRef, e: rusqlite::Error) -> PortError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            PortError::Invalid(format!("{table}: {}", msg.as_deref().unwrap_or("constraint violation")))
        }
        _ => e.into(),
    }
}

impl Inner {
    fn new(conn: Connection, dir: Option<PathBuf>) -> Self {
        Inner { conn, dir, attached: BTreeSet::new(), schemas: HashMap::new() }
    }

    fn attach(&mut self, ds: &str) -> PortResult<()> {
        if self.attached.contains(ds) {
            return Ok(());
        }
        if !dataset_name_ok(ds) {
            return Err(PortError::Invalid(format!("dataset name {ds:?} is not a valid identifier")));
        }
        let target = match &self.dir {
            Some(dir) => dir.join(format!("{ds}.db")).to_string_lossy().into_owned(),
            None => ":memory:".to_string(),
        };
        self.conn.execute(&format!("ATTACH DATABASE ?1 AS {}", quote(ds)), [&target])?;
        if self.dir.is_some() {
            sqlite_util::set_durability(&self.conn, ds)?;
        }
        self.conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {}.{} (
                table_name TEXT PRIMARY KEY COLLATE NOCASE,
                schema_json TEXT NOT NULL
            ) STRICT",
            quote(ds),
            CATALOG
        ))?;
        self.attached.insert(ds.to_string());
        tracing::debug!(dataset = ds, "warehouse dataset attached");
        Ok(())
    }

    /// The schema of an existing table, from the cache or the dataset's catalog.
    fn lookup(&mut self, t: &TableRef) -> PortResult<Option<Arc<TableSchema>>> {
        if let Some(s) = self.schemas.get(t) {
            return Ok(Some(s.clone()));
        }
        if !self.attached.contains(&t.dataset) {
            return Ok(None);
        }
        let sql = format!("SELECT schema_json FROM {}.{CATALOG} WHERE table_name = ?1", quote(&t.dataset));
        let json: Option<String> = self.conn.query_row(&sql, [&t.table], |r| r.get(0)).optional()?;
        let Some(json) = json else { return Ok(None) };
        let schema: TableSchema = serde_json::from_str(&json)
            .map_err(|e| PortError::Storage(format!("catalog entry for {t} is not a schema: {e}")))?;
        let schema = Arc::new(schema);
        self.schemas.insert(t.clone(), schema.clone());
        Ok(Some(schema))
    }

    fn require(&mut self, t: &TableRef) -> PortResult<Arc<TableSchema>> {
        self.lookup(t)?.ok_or_else(|| PortError::NotFound(format!("table {t}")))
    }

    fn create_table(&mut self, schema: &TableSchema) -> PortResult<()> {
        let t = &schema.table;
        self.attach(&t.dataset)?;
        let ds = quote(&t.dataset);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: i64 = tx.query_row(
            &format!("SELECT COUNT(*) FROM {ds}.sqlite_master WHERE lower(name) = lower(?1)"),
            [&t.table],
            |r| r.get(0),
        )?;
        if exists > 0 {
            return Err(schema_err(t, "a table or index of that name exists without a catalog entry"));
        }
        tx.execute_batch(&create_sql(schema))?;
        let json = serde_json::to_string(schema).map_err(|e| PortError::Storage(e.to_string()))?;
        tx.execute(
            &format!("INSERT INTO {ds}.{CATALOG} (table_name, schema_json) VALUES (?1, ?2)"),
            [&t.table, &json],
        )?;
        tx.commit()?;
        self.schemas.insert(t.clone(), Arc::new(schema.clone()));
        tracing::info!(table = %t, columns = schema.columns.len(), "warehouse table created");
        Ok(())
    }
}

/// Run a SELECT of the schema's columns and map each row back to JSON.
fn select_rows(conn: &Connection, s: &TableSchema, filter: &str, args: &[&str]) -> PortResult<Vec<Row>> {
    let mut order: Vec<String> = s.partition_by.iter().chain(&s.key).map(|c| quote(c)).collect();
    order.dedup();
    order.push("rowid".into());
    let sql = format!("SELECT {} FROM {} {filter} ORDER BY {}", column_list(s), qualified(&s.table), order.join(", "));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_row(s, r)?);
    }
    Ok(out)
}

fn count_where(conn: &Connection, t: &TableRef, filter: &str, args: &[&str]) -> PortResult<u64> {
    let sql = format!("SELECT COUNT(*) FROM {} {filter}", qualified(t));
    let n: i64 = conn.query_row(&sql, params_from_iter(args), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

fn run_query(conn: &Connection, sql: &str) -> PortResult<QueryResult> {
    let mut stmt = conn.prepare(sql).map_err(|e| PortError::Invalid(format!("query rejected: {e}")))?;
    if !stmt.readonly() {
        return Err(PortError::Invalid("query is read-only: the statement would write".into()));
    }
    let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let mut rows = stmt.query([]).map_err(|e| PortError::Invalid(format!("query failed: {e}")))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let vals = (0..columns.len()).map(|i| sqlite_util::raw_to_json(r.get_ref(i)?)).collect::<PortResult<_>>()?;
        out.push(vals);
    }
    Ok(QueryResult { columns, rows: out })
}

#[async_trait]
impl Warehouse for EmbeddedWarehouse {
    async fn ensure_table(&self, schema: &TableSchema) -> PortResult<()> {
        check_schema(schema)?;
        let mut inner = self.inner.lock();
        match inner.lookup(&schema.table)? {
            Some(have) if *have == *schema => Ok(()),
            Some(have) => Err(schema_err(&schema.table, schema_diff(&have, schema))),
            None => inner.create_table(schema),
        }
    }

    async fn table_schema(&self, table: &TableRef) -> PortResult<Option<TableSchema>> {
        Ok(self.inner.lock().lookup(table)?.map(|s| (*s).clone()))
    }

    async fn replace_partition(&self, table: &TableRef, date: SlateDate, rows: Vec<Row>) -> PortResult<u64> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let part = partition_of(&schema)?;
        let part_idx = schema.columns.iter().position(|c| c.name == part).unwrap_or_default();
        let day = date.to_string();
        let binder = Binder::new(&schema);
        let tx = inner.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(&format!("DELETE FROM {} WHERE {} = ?1", qualified(table), quote(part)), [&day])?;
        {
            let mut stmt = tx.prepare(&insert_sql(&schema, false))?;
            let mut cells = Vec::with_capacity(schema.columns.len());
            for row in &rows {
                binder.bind(row, &mut cells)?;
                if !matches!(&cells[part_idx], Cell::Text(d) if *d == day) {
                    return Err(PortError::Invalid(format!(
                        "{table}: every row must have {part} = {day}, got {}",
                        row.get(part).map_or_else(|| "no value".to_string(), Value::to_string)
                    )));
                }
                stmt.execute(params_from_iter(cells.iter())).map_err(|e| write_err(table, e))?;
            }
        }
        let n = count_where(&tx, table, &format!("WHERE {} = ?1", quote(part)), &[day.as_str()])?;
        tx.commit()?;
        tracing::debug!(table = %table, date = %day, rows = n, "partition replaced");
        Ok(n)
    }

    async fn replace_slice(
        &self,
        table: &TableRef,
        date: SlateDate,
        scope: &[(String, Value)],
        rows: Vec<Row>,
    ) -> PortResult<u64> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let part = partition_of(&schema)?.to_string();
        let day = date.to_string();
        let mut slice = Row::new();
        slice.insert(part.clone(), Value::String(day.clone()));
        for (c, v) in scope {
            if v.is_null() {
                return Err(PortError::Invalid(format!("{table}: scope column {c} must not be null")));
            }
            slice.insert(c.clone(), v.clone());
        }
        let binder = Binder::new(&schema);
        let mut scope_cells = Vec::new();
        binder.bind_partial(&slice, &mut scope_cells)?;
        let filter: Vec<String> =
            scope_cells.iter().enumerate().map(|(i, (c, _))| format!("{} = ?{}", quote(c), i + 1)).collect();
        let filter = format!("WHERE {}", filter.join(" AND "));
        let args: Vec<Cell<'_>> = scope_cells.iter().map(|(_, v)| v.clone()).collect();
        let idx: Vec<usize> =
            scope_cells.iter().filter_map(|(c, _)| schema.columns.iter().position(|col| col.name == *c)).collect();
        let tx = inner.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(&format!("DELETE FROM {} {filter}", qualified(table)), params_from_iter(args.iter()))?;
        {
            let mut stmt = tx.prepare(&insert_sql(&schema, false))?;
            let mut cells = Vec::with_capacity(schema.columns.len());
            for row in &rows {
                binder.bind(row, &mut cells)?;
                for (k, &i) in idx.iter().enumerate() {
                    if cells[i] != args[k] {
                        return Err(PortError::Invalid(format!(
                            "{table}: every row must lie in the slice {}, got {} = {}",
                            Value::Object(slice.clone()),
                            scope_cells[k].0,
                            row.get(&scope_cells[k].0).map_or_else(|| "no value".to_string(), Value::to_string)
                        )));
                    }
                }
                stmt.execute(params_from_iter(cells.iter())).map_err(|e| write_err(table, e))?;
            }
        }
        let n: i64 = tx.query_row(
            &format!("SELECT COUNT(*) FROM {} {filter}", qualified(table)),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        tx.commit()?;
        tracing::debug!(table = %table, date = %day, rows = n, "slice replaced");
        Ok(n.max(0) as u64)
    }

    async fn upsert(&self, table: &TableRef, rows: Vec<Row>) -> PortResult<u64> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        if schema.key.is_empty() {
            return Err(PortError::Invalid(format!("table {table} has no key to upsert by")));
        }
        let key_idx: Vec<usize> =
            schema.key.iter().filter_map(|k| schema.columns.iter().position(|c| &c.name == k)).collect();
        let binder = Binder::new(&schema);
        let tx = inner.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut keys: Vec<Vec<Cell<'static>>> = Vec::new();
        let mut seen = HashSet::new();
        {
            let mut stmt = tx.prepare(&insert_sql(&schema, true))?;
            let mut cells = Vec::with_capacity(schema.columns.len());
            for row in &rows {
                binder.bind(row, &mut cells)?;
                let key: Vec<Cell<'static>> = key_idx.iter().map(|i| cells[*i].clone().into_owned()).collect();
                if let Some(pos) = key.iter().position(|c| *c == Cell::Null) {
                    return Err(PortError::Invalid(format!("{table}: key column {} is null", schema.key[pos])));
                }
                stmt.execute(params_from_iter(cells.iter())).map_err(|e| write_err(table, e))?;
                if seen.insert(format!("{key:?}")) {
                    keys.push(key);
                }
            }
        }
        let mut n = 0u64;
        {
            let filter: Vec<String> =
                schema.key.iter().enumerate().map(|(i, k)| format!("{} = ?{}", quote(k), i + 1)).collect();
            let sql = format!("SELECT COUNT(*) FROM {} WHERE {}", qualified(table), filter.join(" AND "));
            let mut stmt = tx.prepare(&sql)?;
            for key in &keys {
                let c: i64 = stmt.query_row(params_from_iter(key.iter()), |r| r.get(0))?;
                n += c.max(0) as u64;
            }
        }
        tx.commit()?;
        tracing::debug!(table = %table, rows = rows.len(), keys = n, "rows upserted");
        Ok(n)
    }

    async fn read_date(&self, table: &TableRef, date: SlateDate) -> PortResult<Vec<Row>> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let filter = format!("WHERE {} = ?1", quote(partition_of(&schema)?));
        select_rows(&inner.conn, &schema, &filter, &[date.to_string().as_str()])
    }

    async fn read_range(&self, table: &TableRef, from: SlateDate, to: SlateDate) -> PortResult<Vec<Row>> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let filter = format!("WHERE {} BETWEEN ?1 AND ?2", quote(partition_of(&schema)?));
        select_rows(&inner.conn, &schema, &filter, &[from.to_string().as_str(), to.to_string().as_str()])
    }

    async fn read_range_columns(
        &self,
        table: &TableRef,
        from: SlateDate,
        to: SlateDate,
        columns: &[String],
    ) -> PortResult<Vec<Row>> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let mut projected = (*schema).clone();
        for c in columns {
            if schema.column(c).is_none() {
                return Err(schema_err(table, format!("unknown column {c}")));
            }
        }
        projected.columns.retain(|c| columns.contains(&c.name));
        let filter = format!("WHERE {} BETWEEN ?1 AND ?2", quote(partition_of(&schema)?));
        select_rows(&inner.conn, &projected, &filter, &[from.to_string().as_str(), to.to_string().as_str()])
    }

    async fn count_date(&self, table: &TableRef, date: SlateDate) -> PortResult<u64> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let filter = format!("WHERE {} = ?1", quote(partition_of(&schema)?));
        count_where(&inner.conn, table, &filter, &[date.to_string().as_str()])
    }

    async fn count(&self, table: &TableRef) -> PortResult<u64> {
        let mut inner = self.inner.lock();
        inner.require(table)?;
        count_where(&inner.conn, table, "", &[])
    }

    async fn query(&self, sql: &str) -> PortResult<QueryResult> {
        let stmt = sqlite_util::screen_read_only(sql)?;
        let inner = self.inner.lock();
        inner.conn.pragma_update(None, "query_only", true)?;
        let result = run_query(&inner.conn, stmt);
        let reset = inner.conn.pragma_update(None, "query_only", false);
        let result = result?;
        reset?;
        Ok(result)
    }

    /// FNV-1a-64 of each row's canonical text (the row as read back, serialised as compact JSON with the
    /// columns in schema order), summed with wrapping, then the row count: `{sum:016x}{count:016x}`.
    async fn content_hash(&self, table: &TableRef) -> PortResult<String> {
        let mut inner = self.inner.lock();
        let schema = inner.require(table)?;
        let sql = format!("SELECT {} FROM {}", column_list(&schema), qualified(table));
        let mut stmt = inner.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let (mut sum, mut count) = (0u64, 0u64);
        let mut buf = Vec::new();
        while let Some(r) = rows.next()? {
            buf.clear();
            serde_json::to_writer(&mut buf, &read_row(&schema, r)?).map_err(|e| PortError::Storage(e.to_string()))?;
            sum = sum.wrapping_add(sqlite_util::fnv1a64(&buf));
            count += 1;
        }
        Ok(format!("{sum:016x}{count:016x}"))
    }
}
