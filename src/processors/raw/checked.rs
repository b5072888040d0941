//! The output check every raw processor runs behind: rows are validated against their table's schema and
//! keys before the host writes anything, so a malformed file is a `BadInput` naming the file, not a write
//! error half-way through.
//!
//! Invariants: a write whose rows do not fit their schema (unknown column, missing required value, a value of
//! the wrong type, an impossible date) fails the whole run as `BadInput`; within one write, rows that repeat a
//! key with identical content are folded into one (a source listing a row twice), and rows that repeat a key
//! with different content are `BadInput` (the file contradicts itself). A write to a table the processor did
//! not declare is `Failed` (a bug).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::backends::{TableRef, TableSchema};
use crate::domain::Row;
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

/// A processor whose output is checked against its declared schemas.
pub struct Checked {
    inner: Arc<dyn Processor>,
    schemas: BTreeMap<TableRef, TableSchema>,
}

impl Checked {
    pub fn new(inner: Arc<dyn Processor>) -> Self {
        let schemas = inner.schemas().into_iter().map(|s| (s.table.clone(), s)).collect();
        Checked { inner, schemas }
    }
}

fn rows_mut(w: &mut TableWrite) -> &mut Vec<Row> {
    match w {
        TableWrite::ReplacePartition { rows, .. }
        | TableWrite::ReplaceSlice { rows, .. }
        | TableWrite::Upsert { rows, .. } => rows,
    }
}

/// Check and fold one write's rows.
pub fn check_rows(schema: &TableSchema, rows: &mut Vec<Row>) -> Result<(), String> {
    for (i, r) in rows.iter().enumerate() {
        schema.check_row(r).map_err(|e| format!("{} row {i}: {e}", schema.table))?;
    }
    if schema.key.is_empty() {
        return Ok(());
    }
    let mut seen: HashMap<Vec<String>, usize> = HashMap::with_capacity(rows.len());
    let mut keep = vec![true; rows.len()];
    for (i, r) in rows.iter().enumerate() {
        let key: Vec<String> =
            schema.key.iter().map(|k| r.get(k).map_or_else(|| "null".into(), Value::to_string)).collect();
        match seen.get(&key) {
            None => {
                seen.insert(key, i);
            }
            Some(&first) if rows[first] == *r => keep[i] = false,
            Some(_) => {
                return Err(format!(
                    "{}: two different rows for the key ({}) = ({})",
                    schema.table,
                    schema.key.join(", "),
                    key.join(", ")
                ))
            }
        }
    }
    let mut k = keep.into_iter();
    rows.retain(|_| k.next().unwrap_or(true));
    Ok(())
}

impl Processor for Checked {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let mut out = self.inner.compute(input)?;
        let what = input.object.as_ref().map_or_else(|| self.name().to_string(), |o| o.path.clone());
        for w in &mut out.writes {
            let table = w.table().clone();
            let schema = self.schemas.get(&table).ok_or_else(|| {
                ProcessorError::Failed(format!("{} wrote {table}, which it does not declare", self.name()))
            })?;
            check_rows(schema, rows_mut(w))
                .map_err(|detail| ProcessorError::BadInput { what: what.clone(), detail })?;
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        self.inner.schemas()
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        self.inner.input_columns(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::ColumnType as T;
    use serde_json::json;

    fn schema() -> TableSchema {
        TableSchema::new("nba_raw", "t")
            .required("d", T::Date)
            .required("k", T::String)
            .col("v", T::Int64)
            .keyed_by(&["d", "k"])
    }

    fn row(v: Value) -> Row {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn duplicates_fold_conflicts_and_bad_values_are_errors() {
        let s = schema();
        let mut rows =
            vec![row(json!({"d": "2025-01-01", "k": "a", "v": 1})), row(json!({"d": "2025-01-01", "k": "a", "v": 1}))];
        check_rows(&s, &mut rows).unwrap();
        assert_eq!(rows.len(), 1, "identical duplicates fold");
        let mut conflict =
            vec![row(json!({"d": "2025-01-01", "k": "a", "v": 1})), row(json!({"d": "2025-01-01", "k": "a", "v": 2}))];
        assert!(check_rows(&s, &mut conflict).unwrap_err().contains("two different rows"));
        for bad in [
            json!({"d": "2025-02-30", "k": "a"}),
            json!({"d": "2025-01-01"}),
            json!({"d": "2025-01-01", "k": "a", "v": "x"}),
            json!({"d": "2025-01-01", "k": "a", "z": 1}),
        ] {
            assert!(check_rows(&s, &mut vec![row(bad.clone())]).is_err(), "{bad}");
        }
    }
}
