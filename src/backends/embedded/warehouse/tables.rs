//! Table definitions for the embedded warehouse: schema validation, DDL, row binding and row mapping.
//!
//! Invariants:
//! - a schema becomes a table only if its dataset, table and column names are plain identifiers, its
//!   columns are unique (case-insensitively, as in SQLite and BigQuery), its partition column is a DATE
//!   column and its key columns exist; names starting with `__hoopflow` or `sqlite_` are reserved;
//! - tables are STRICT, required columns are NOT NULL, the key has a UNIQUE index and the partition column
//!   an index (unless it leads the key);
//! - [`Binder::bind`] accepts a row only if every column is known, every required column is present and
//!   non-null and every value fits its column type; errors are `PortError::Schema` naming table and column;
//! - rows read back carry every schema column, in schema order.

use std::collections::{HashMap, HashSet};

use crate::backends::embedded::sqlite_util::{self, check_ident, from_sql, quote, to_cell, Cell};
use crate::backends::{ColumnType, PortError, PortResult, TableRef, TableSchema};
use crate::domain::Row;

pub(super) fn dataset_name_ok(name: &str) -> bool {
    sqlite_util::is_ident(name) && !name.eq_ignore_ascii_case("main") && !name.eq_ignore_ascii_case("temp")
}

pub(super) fn qualified(t: &TableRef) -> String {
    format!("{}.{}", quote(&t.dataset), quote(&t.table))
}

pub(super) fn schema_err(table: &TableRef, detail: impl Into<String>) -> PortError {
    PortError::Schema { table: table.to_string(), detail: detail.into() }
}

/// Validate a schema before it becomes a table.
pub(super) fn check_schema(s: &TableSchema) -> PortResult<()> {
    let t = &s.table;
    if !dataset_name_ok(&t.dataset) {
        return Err(PortError::Invalid(format!("dataset name {:?} is not a valid identifier", t.dataset)));
    }
    check_ident("table", &t.table)?;
    let lower = t.table.to_ascii_lowercase();
    if lower.starts_with("__hoopflow") || lower.starts_with("sqlite_") {
        return Err(PortError::Invalid(format!("table name {:?} is reserved", t.table)));
    }
    if s.columns.is_empty() {
        return Err(PortError::Invalid(format!("table {t} has no columns")));
    }
    let mut seen = HashSet::new();
    for c in &s.columns {
        check_ident("column", &c.name)?;
        if !seen.insert(c.name.to_ascii_lowercase()) {
            return Err(PortError::Invalid(format!("table {t}: duplicate column {}", c.name)));
        }
    }
    if let Some(p) = &s.partition_by {
        match s.column(p) {
            Some(c) if c.ty == ColumnType::Date => {}
            _ => return Err(PortError::Invalid(format!("table {t}: partition column {p} must be a DATE column"))),
        }
    }
    let mut keys = HashSet::new();
    for k in &s.key {
        if s.column(k).is_none() || !keys.insert(k) {
            return Err(PortError::Invalid(format!("table {t}: key column {k} is unknown or repeated")));
        }
    }
    Ok(())
}

pub(super) fn create_sql(s: &TableSchema) -> String {
    let t = &s.table;
    let ds = quote(&t.dataset);
    let cols: Vec<String> = s
        .columns
        .iter()
        .map(|c| {
            let not_null = if c.nullable { "" } else { " NOT NULL" };
            format!("{} {}{not_null}", quote(&c.name), c.ty.sqlite_affinity())
        })
        .collect();
    let mut sql = format!("CREATE TABLE {} ({}) STRICT;", qualified(t), cols.join(", "));
    if !s.key.is_empty() {
        let key: Vec<String> = s.key.iter().map(|k| quote(k)).collect();
        let idx = quote(&format!("__hoopflow_key_{}", t.table));
        sql += &format!("CREATE UNIQUE INDEX {ds}.{idx} ON {} ({});", quote(&t.table), key.join(", "));
    }
    if let Some(p) = &s.partition_by {
        if s.key.first() != Some(p) {
            let idx = quote(&format!("__hoopflow_part_{}", t.table));
            sql += &format!("CREATE INDEX {ds}.{idx} ON {} ({});", quote(&t.table), quote(p));
        }
    }
    sql
}

/// What differs between an existing schema and a requested one, for the error message.
pub(super) fn schema_diff(have: &TableSchema, want: &TableSchema) -> String {
    let show = |s: &TableSchema| -> Vec<String> {
        s.columns
            .iter()
            .map(|c| {
                format!("{} {}{}", c.name, sqlite_util::type_name(c.ty), if c.nullable { "" } else { " NOT NULL" })
            })
            .collect()
    };
    let (h, w) = (show(have), show(want));
    if h != w {
        let at = h.iter().zip(&w).position(|(a, b)| a != b).unwrap_or(h.len().min(w.len()));
        return format!(
            "existing table has another schema: column {} is {:?}, requested {:?}",
            at + 1,
            h.get(at).map(String::as_str).unwrap_or("absent"),
            w.get(at).map(String::as_str).unwrap_or("absent")
        );
    }
    if have.partition_by != want.partition_by {
        return format!("existing table is partitioned by {:?}, requested {:?}", have.partition_by, want.partition_by);
    }
    format!("existing table is keyed by {:?}, requested {:?}", have.key, want.key)
}

/// Validates rows against a schema and lays their values out in column order.
pub(super) struct Binder<'s> {
    schema: &'s TableSchema,
    index: HashMap<&'s str, usize>,
}

impl<'s> Binder<'s> {
    pub(super) fn new(schema: &'s TableSchema) -> Self {
        let index = schema.columns.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
        Binder { schema, index }
    }

    fn position(&self, col: &str) -> PortResult<usize> {
        self.index.get(col).copied().ok_or_else(|| schema_err(&self.schema.table, format!("unknown column {col}")))
    }

    /// The cells of the columns `row` names, in the row's order, typed by the schema (for filters).
    pub(super) fn bind_partial(&self, row: &Row, out: &mut Vec<(String, Cell<'static>)>) -> PortResult<()> {
        out.clear();
        for (name, value) in row {
            let i = self.position(name)?;
            let cell = to_cell(self.schema.columns[i].ty, value)
                .map_err(|e| schema_err(&self.schema.table, format!("column {name}: {e}")))?;
            out.push((name.clone(), cell.into_owned()));
        }
        Ok(())
    }

    /// Fill `out` with `row`'s cells in schema column order.
    pub(super) fn bind<'r>(&self, row: &'r Row, out: &mut Vec<Cell<'r>>) -> PortResult<()> {
        let cols = &self.schema.columns;
        out.clear();
        out.resize(cols.len(), Cell::Null);
        for (j, (name, value)) in row.iter().enumerate() {
            // Rows usually list columns in schema order: try the same position before the map.
            let i = match cols.get(j) {
                Some(c) if c.name == *name => j,
                _ => self.position(name)?,
            };
            out[i] = to_cell(cols[i].ty, value)
                .map_err(|e| schema_err(&self.schema.table, format!("column {name}: {e}")))?;
        }
        for (c, cell) in cols.iter().zip(out.iter()) {
            if !c.nullable && *cell == Cell::Null {
                return Err(schema_err(
                    &self.schema.table,
                    format!("column {} is required but missing or null", c.name),
                ));
            }
        }
        Ok(())
    }
}

pub(super) fn column_list(s: &TableSchema) -> String {
    s.columns.iter().map(|c| quote(&c.name)).collect::<Vec<_>>().join(", ")
}

pub(super) fn insert_sql(s: &TableSchema, upsert: bool) -> String {
    let marks: Vec<String> = (1..=s.columns.len()).map(|i| format!("?{i}")).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ({})", qualified(&s.table), column_list(s), marks.join(", "));
    if upsert {
        let key: Vec<String> = s.key.iter().map(|k| quote(k)).collect();
        let set: Vec<String> = s
            .columns
            .iter()
            .filter(|c| !s.key.contains(&c.name))
            .map(|c| format!("{0} = excluded.{0}", quote(&c.name)))
            .collect();
        sql += &format!(" ON CONFLICT ({}) DO ", key.join(", "));
        sql += &if set.is_empty() { "NOTHING".to_string() } else { format!("UPDATE SET {}", set.join(", ")) };
    }
    sql
}

pub(super) fn read_row(s: &TableSchema, r: &rusqlite::Row<'_>) -> PortResult<Row> {
    let mut row = Row::with_capacity(s.columns.len());
    for (i, c) in s.columns.iter().enumerate() {
        row.insert(c.name.clone(), from_sql(c.ty, r.get_ref(i)?)?);
    }
    Ok(row)
}

pub(super) fn partition_of(s: &TableSchema) -> PortResult<&str> {
    s.partition_by.as_deref().ok_or_else(|| PortError::Invalid(format!("table {} has no partition column", s.table)))
}
