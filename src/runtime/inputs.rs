//! How a processor host reads a run's inputs: every declared dependency of the run's date, checked against
//! its minimum, projected to the processor's columns, lookbacks shared through the [`ReadCache`].
//!
//! Invariants: a `lookback` never includes the run's own date (`[date − window_days, date − 1]`), so a
//! processor cannot see a result of the day it computes; a table that does not exist yet reads as empty; any
//! other read error is returned with the table's name (the run is retried, never computed on partial input).

use std::sync::Arc;

use super::read_cache::{ReadCache, ReadKey};
use crate::backends::{Backends, TableRef};
use crate::processors::{Processor, ProcessorInput};
use crate::topology::{Dependency, DependencyCheck, ProcessorDecl};

/// The inputs of a date-level run as the host reads them: each declared dependency — a `date_match` read of
/// the date, a `lookback` of the `window_days` before it (the date excluded) — projected to the processor's
/// `input_columns`. Also returns the unmet critical dependencies (description, table). Lookback reads go
/// through `cache` when there is one. Public so tests can rebuild a date exactly as the pipeline does.
pub async fn read_inputs(
    b: &Backends,
    decl: &ProcessorDecl,
    imp: &dyn Processor,
    date: crate::domain::SlateDate,
    cache: Option<&ReadCache>,
) -> Result<(ProcessorInput, Vec<String>, Vec<String>), (String, crate::backends::PortError)> {
    let mut input = ProcessorInput { date: Some(date), ..Default::default() };
    let mut missing = Vec::new();
    let mut missing_tables: Vec<String> = Vec::new();
    for dep in &decl.dependencies {
        let Some(table) = TableRef::parse(&dep.table) else { continue };
        let cols = imp.input_columns(&dep.table);
        // A table declared twice (the date and a lookback) keeps its lookback under `<table>:lookback`.
        let twice = decl.dependencies.iter().filter(|d| d.table == dep.table).count() > 1;
        let lookback_key = if twice { format!("{}:lookback", dep.table) } else { dep.table.clone() };
        if dep.check == DependencyCheck::Lookback {
            let w = i64::from(dep.window_days.unwrap_or(30));
            let key =
                ReadKey { table: dep.table.clone(), from: date.add_days(-w), to: date.pred(), columns: cols.clone() };
            if let Some(rows) = cache.and_then(|c| c.get(&key)) {
                note_missing(dep, rows.len(), &mut missing, &mut missing_tables);
                input.tables.insert(lookback_key, rows);
                continue;
            }
            let token = cache.map(|c| c.begin());
            let rows = match cols {
                Some(c) => b.warehouse.read_range_columns(&table, key.from, key.to, &c).await,
                None => b.warehouse.read_range(&table, key.from, key.to).await,
            };
            let rows = match rows {
                Ok(r) => Arc::new(r),
                Err(crate::backends::PortError::NotFound(_)) => Arc::new(Vec::new()),
                Err(e) => return Err((dep.table.clone(), e)),
            };
            if let (Some(c), Some(token)) = (cache, token) {
                c.put(key, token, rows.clone());
            }
            note_missing(dep, rows.len(), &mut missing, &mut missing_tables);
            input.tables.insert(lookback_key, rows);
            continue;
        }
        let rows = match (dep.check, cols) {
            (DependencyCheck::DateMatch, None) => b.warehouse.read_date(&table, date).await,
            (DependencyCheck::DateMatch, Some(c)) => b.warehouse.read_range_columns(&table, date, date, &c).await,
            // Read above, through the cache.
            (DependencyCheck::Lookback, _) => continue,
            (DependencyCheck::Exists, _) => {
                // Only the count matters: stand in placeholder rows up to the required minimum.
                b.warehouse.count(&table).await.map(|n| vec![Default::default(); n.min(dep.min_rows) as usize])
            }
        };
        let rows = match rows {
            Ok(r) => r,
            Err(crate::backends::PortError::NotFound(_)) => Vec::new(),
            Err(e) => return Err((dep.table.clone(), e)),
        };
        note_missing(dep, rows.len(), &mut missing, &mut missing_tables);
        if dep.check != DependencyCheck::Exists {
            input.set_rows(dep.table.clone(), rows);
        }
    }
    Ok((input, missing, missing_tables))
}

/// Record a critical dependency with fewer rows than its minimum.
fn note_missing(dep: &Dependency, n: usize, missing: &mut Vec<String>, tables: &mut Vec<String>) {
    if (n as u64) < dep.min_rows && dep.critical {
        missing.push(format!("{} ({} rows < {})", dep.table, n, dep.min_rows));
        tables.push(dep.table.clone());
    }
}
