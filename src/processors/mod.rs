//! Pure business logic: raw parsers, analytics, precompute and prediction. No actors and no I/O here — a
//! processor host reads the declared inputs, calls [`Processor::compute`], and writes what it returns.
//!
//! Invariant: `compute` is a deterministic function of its [`ProcessorInput`]; it never reads the clock,
//! the network or the warehouse. Bad input is a typed [`ProcessorError`], never a panic.

pub mod analytics;
pub mod context;
pub mod grading;
pub mod precompute;
pub mod predict;
pub mod raw;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::backends::{LandedObject, TableRef};
use crate::domain::{Row, RunMode, SlateDate};

/// The one error enum of the processor layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcessorError {
    /// The input cannot be processed now or ever (bad file, wrong schema): dead-letter it.
    #[error("bad input {what}: {detail}")]
    BadInput { what: String, detail: String },
    /// A required input is not there yet.
    #[error("input not ready: {0}")]
    NotReady(String),
    /// A deterministic bug or an impossible state; retrying will not help.
    #[error("processor failed: {0}")]
    Failed(String),
    /// Something that may succeed on retry.
    #[error("transient failure: {0}")]
    Transient(String),
}

impl ProcessorError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProcessorError::Transient(_) | ProcessorError::NotReady(_))
    }
}

/// Everything a processor may look at.
#[derive(Debug, Clone, Default)]
pub struct ProcessorInput {
    pub date: Option<SlateDate>,
    pub mode: RunMode,
    /// Phase 2: the landed object that triggered the run.
    pub object: Option<LandedObject>,
    /// Rows of each declared dependency table, as the host read them. Shared (`Arc`): the host may hand the
    /// same read to several runs, so a processor never mutates its input.
    pub tables: BTreeMap<String, Arc<Vec<Row>>>,
}

impl ProcessorInput {
    /// The rows read of `table` (empty when it was not read).
    pub fn rows(&self, table: &str) -> &[Row] {
        self.tables.get(table).map(|v| v.as_slice()).unwrap_or(&[])
    }
    /// Hand the processor `rows` as `table` (tests and callers that build inputs by hand).
    pub fn set_rows(&mut self, table: impl Into<String>, rows: Vec<Row>) {
        self.tables.insert(table.into(), Arc::new(rows));
    }
}

/// One write the host must perform.
#[derive(Debug, Clone, PartialEq)]
pub enum TableWrite {
    /// Replace the whole (table, date) partition.
    ReplacePartition { table: TableRef, date: SlateDate, rows: Vec<Row> },
    /// Replace the slice of the (table, date) partition whose `scope` columns hold the given values: one
    /// game's rows, or every row loaded from one landing object (`source_file_path`).
    ReplaceSlice { table: TableRef, date: SlateDate, scope: Vec<(String, serde_json::Value)>, rows: Vec<Row> },
    /// Keyed upsert.
    Upsert { table: TableRef, rows: Vec<Row> },
}

impl TableWrite {
    pub fn table(&self) -> &TableRef {
        match self {
            TableWrite::ReplacePartition { table, .. }
            | TableWrite::ReplaceSlice { table, .. }
            | TableWrite::Upsert { table, .. } => table,
        }
    }
    pub fn len(&self) -> usize {
        match self {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a processor returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessorOutput {
    pub writes: Vec<TableWrite>,
    /// Set when there is legitimately nothing to write (no games that date).
    pub no_data_reason: Option<String>,
    /// Phase-specific metadata for the completion message.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// A processor: a name and a pure compute step.
pub trait Processor: Send + Sync + 'static {
    /// Canonical name (matches `config/pipeline.toml`).
    fn name(&self) -> &str;
    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError>;
    /// Schemas of the tables it writes (created at startup by `infra apply`).
    fn schemas(&self) -> Vec<crate::backends::TableSchema> {
        Vec::new()
    }
    /// The columns it reads of a dependency table, when it reads only some (the host then reads just those).
    fn input_columns(&self, _table: &str) -> Option<Vec<String>> {
        None
    }
}

/// Implementations by canonical name. Processors declared in the topology without an implementation in
/// this build are reported at startup and left out of every quorum.
#[derive(Clone, Default)]
pub struct ProcessorRegistry {
    map: BTreeMap<String, Arc<dyn Processor>>,
}

impl ProcessorRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, p: Arc<dyn Processor>) -> &mut Self {
        self.map.insert(p.name().to_string(), p);
        self
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Processor>> {
        self.map.get(name).cloned()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Processor>> {
        self.map.values()
    }

    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }
}

/// Every processor implemented in this build.
pub fn builtin_registry() -> ProcessorRegistry {
    let mut reg = ProcessorRegistry::new();
    raw::register(&mut reg);
    analytics::register(&mut reg);
    context::register(&mut reg);
    precompute::register(&mut reg);
    grading::register(&mut reg);
    reg.register(Arc::new(raw::checked::Checked::new(Arc::new(predict::coordinator::PredictionCoordinator))));
    reg
}
