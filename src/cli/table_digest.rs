//! Row counts and content hashes ([`super::table_hash`]) of the pipeline's data tables, read through the
//! `Warehouse` port so they mean the same on every backend.
//!
//! Invariants:
//! - the data tables are the tables the processors of this build declare in [`HASHED_DATASETS`]; the
//!   ledger, run history and tracker tables (`nba_reference`, state store) carry run ids and clock times
//!   and are never hashed;
//! - a partitioned table is read one partition at a time (`read_date` over its distinct partition dates,
//!   optionally within a date range), so memory stays bounded by the largest partition plus 32 bytes a row;
//!   rows whose partition value is NULL, and unpartitioned tables, are read with `query` and their values
//!   typed by the table's stored schema (BOOL from 0/1, JSON from text, FLOAT64 as floats) exactly as the
//!   typed reads return them, so both paths hash the same content identically;
//! - a table absent from the warehouse is reported as absent (`None`), not as empty;
//! - read-only: nothing here writes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::table_hash::{TableDigest, TableHasher};
use crate::backends::{ColumnType, PortError, PortResult, TableRef, TableSchema, Warehouse};
use crate::domain::{Row, SlateDate};
use crate::processors::ProcessorRegistry;

/// The datasets whose tables are hashed (not `nba_reference`: ledger, history, registries).
pub const HASHED_DATASETS: [&str; 4] = ["nba_raw", "nba_analytics", "nba_precompute", "nba_predictions"];

/// One table's line; `rows` and `hash` are `None` when the table does not exist in this warehouse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableLine {
    pub table: String,
    pub rows: Option<u64>,
    pub hash: Option<String>,
}

impl TableLine {
    pub fn new(table: &TableRef, digest: Option<TableDigest>) -> Self {
        let (rows, hash) = digest.map_or((None, None), |d| (Some(d.rows), Some(d.hash)));
        TableLine { table: table.to_string(), rows, hash }
    }
}

/// The data tables the processors of `reg` write, sorted by `dataset.table`.
pub fn data_tables(reg: &ProcessorRegistry) -> Vec<TableRef> {
    let mut out: Vec<TableRef> = reg
        .all()
        .flat_map(|p| p.schemas())
        .map(|s| s.table)
        .filter(|t| HASHED_DATASETS.contains(&t.dataset.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Count and hash every data table of `reg` (partitions within `range` only, when given).
pub async fn digest_all(
    w: &dyn Warehouse,
    reg: &ProcessorRegistry,
    range: Option<(SlateDate, SlateDate)>,
) -> PortResult<Vec<TableLine>> {
    let mut out = Vec::new();
    for t in data_tables(reg) {
        out.push(TableLine::new(&t, digest_table(w, &t, range).await?));
    }
    Ok(out)
}

/// One hash over every line (table name, rows, hash; absent tables included): equal for two warehouses
/// exactly when every table is. First 16 hex characters of a SHA-256.
pub fn combined_hash(lines: &[TableLine]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for l in lines {
        let rows = l.rows.map_or("-".to_string(), |n| n.to_string());
        h.update(format!("{} {rows} {}\n", l.table, l.hash.as_deref().unwrap_or("-")).as_bytes());
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Count and hash one table; `None` if it does not exist.
pub async fn digest_table(
    w: &dyn Warehouse,
    table: &TableRef,
    range: Option<(SlateDate, SlateDate)>,
) -> PortResult<Option<TableDigest>> {
    let Some(schema) = w.table_schema(table).await? else {
        return Ok(None);
    };
    let mut h = TableHasher::new();
    let Some(part) = schema.partition_by.clone() else {
        for r in query_rows(w, &schema, "").await? {
            h.add(&r);
        }
        return Ok(Some(h.finish()));
    };
    let within = range.map_or(String::new(), |(a, b)| format!(" WHERE {part} BETWEEN '{a}' AND '{b}'"));
    let q = w.query(&format!("SELECT DISTINCT {part} FROM {table}{within}")).await?;
    let mut dates = Vec::new();
    let mut nulls = false;
    for v in q.rows.iter().filter_map(|r| r.first()) {
        match v.as_str() {
            Some(s) => dates.push(
                s.parse::<SlateDate>()
                    .map_err(|e| PortError::Storage(format!("{table}: partition value {s:?}: {e}")))?,
            ),
            None if v.is_null() => nulls = true,
            None => return Err(PortError::Storage(format!("{table}: partition value {v} is not a date"))),
        }
    }
    dates.sort();
    for d in dates {
        for r in w.read_date(table, d).await? {
            h.add(&r);
        }
    }
    if nulls && range.is_none() {
        for r in query_rows(w, &schema, &format!(" WHERE {part} IS NULL")).await? {
            h.add(&r);
        }
    }
    Ok(Some(h.finish()))
}

/// `SELECT` every schema column of the table (with `filter`), values typed by the schema.
async fn query_rows(w: &dyn Warehouse, schema: &TableSchema, filter: &str) -> PortResult<Vec<Row>> {
    let cols: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
    let sql = format!("SELECT {} FROM {}{filter}", cols.join(", "), schema.table);
    let q = w.query(&sql).await?;
    let types: BTreeMap<&str, ColumnType> = schema.columns.iter().map(|c| (c.name.as_str(), c.ty)).collect();
    q.rows
        .into_iter()
        .map(|vals| {
            q.columns
                .iter()
                .zip(vals)
                .map(|(c, v)| {
                    let ty = types.get(c.as_str()).copied().unwrap_or(ColumnType::String);
                    Ok((c.clone(), typed(ty, v).map_err(|e| PortError::Storage(format!("{}.{c}: {e}", schema.table)))?))
                })
                .collect::<PortResult<Row>>()
        })
        .collect()
}

/// A value as an ad-hoc query returns it, typed as a schema'd read would return it.
pub fn typed(ty: ColumnType, v: Value) -> Result<Value, String> {
    Ok(match (ty, v) {
        (_, Value::Null) => Value::Null,
        (ColumnType::Bool, Value::Number(n)) => Value::Bool(n.as_i64().is_some_and(|i| i != 0)),
        (ColumnType::Bool, Value::String(s)) => Value::Bool(s == "true" || s == "1"),
        (ColumnType::Json, Value::String(s)) => serde_json::from_str(&s).map_err(|e| format!("stored json: {e}"))?,
        (ColumnType::Float64, Value::Number(n)) => {
            n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
        }
        (ColumnType::Int64, Value::String(s)) => s.parse::<i64>().map(Value::from).map_err(|e| e.to_string())?,
        (ColumnType::Float64, Value::String(s)) => {
            s.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
        }
        (_, v) => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_values_are_typed_like_reads() {
        assert_eq!(typed(ColumnType::Bool, json!(1)), Ok(json!(true)));
        assert_eq!(typed(ColumnType::Bool, json!(0)), Ok(json!(false)));
        assert_eq!(typed(ColumnType::Json, json!("{\"a\":[1]}")), Ok(json!({"a": [1]})));
        assert_eq!(typed(ColumnType::Float64, json!(3)), Ok(json!(3.0)));
        assert_eq!(typed(ColumnType::Int64, json!("7")), Ok(json!(7)));
        assert_eq!(typed(ColumnType::String, json!("x")), Ok(json!("x")));
        assert_eq!(typed(ColumnType::Date, Value::Null), Ok(Value::Null));
    }

    #[test]
    fn data_tables_leave_out_the_reference_dataset() {
        let tables = data_tables(&crate::processors::builtin_registry());
        assert!(!tables.is_empty());
        assert!(tables.iter().all(|t| HASHED_DATASETS.contains(&t.dataset.as_str())));
        assert!(tables.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    }
}
