//! `nba_reference.processor_run_history`: one row per run, keyed by `run_id`, updated in place as the run
//! moves from `running` to its terminal state (never a second row per run — production lesson F-02).

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use super::claim::ClaimDoc;
use crate::backends::{ColumnType as T, TableRef, TableSchema};
use crate::domain::Row;

pub const DATASET: &str = "nba_reference";
pub const TABLE: &str = "processor_run_history";

pub fn table_ref() -> TableRef {
    TableRef::new(DATASET, TABLE)
}

pub fn schema() -> TableSchema {
    TableSchema::new(DATASET, TABLE)
        .required("run_id", T::String)
        .required("processor_name", T::String)
        .required("phase", T::String)
        .required("data_date", T::Date)
        .col("scope", T::String)
        .required("status", T::String)
        .col("attempt", T::Int64)
        .required("started_at", T::Timestamp)
        .col("processed_at", T::Timestamp)
        .col("duration_seconds", T::Float64)
        .col("records_processed", T::Int64)
        .col("error_message", T::String)
        .col("correlation_id", T::String)
        .col("trigger_source", T::String)
        .col("trigger_message_id", T::String)
        .col("parent_processor", T::String)
        .col("backfill_mode", T::Bool)
        .col("output_table", T::String)
        .col("output_dataset", T::String)
        .col("progress", T::String)
        .partitioned_by("data_date")
        .keyed_by(&["run_id"])
}

/// Context of a run that the claim document does not carry.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunContext {
    pub trigger_source: Option<String>,
    pub trigger_message_id: Option<String>,
    pub parent_processor: Option<String>,
    pub backfill_mode: bool,
    pub output_table: Option<String>,
    pub output_dataset: Option<String>,
}

fn ts(ms: i64) -> Value {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => Value::Null,
    }
}

/// The history row for the run described by `doc`.
pub fn row_of(doc: &ClaimDoc) -> Row {
    let ctx = &doc.context;
    let duration = doc.finished_ms.map(|f| (f - doc.started_ms) as f64 / 1000.0);
    let v = json!({
        "run_id": doc.run_id,
        "processor_name": doc.processor,
        "phase": doc.phase,
        "data_date": doc.date,
        "scope": if doc.scope.is_empty() { Value::Null } else { Value::String(doc.scope.clone()) },
        "status": doc.state.as_str(),
        "attempt": doc.runs,
        "started_at": ts(doc.started_ms),
        "processed_at": doc.finished_ms.map(ts).unwrap_or(Value::Null),
        "duration_seconds": duration,
        "records_processed": doc.outcome.as_ref().map(|o| o.rows() as i64),
        "error_message": doc.outcome.as_ref().and_then(|o| o.error_text()),
        "correlation_id": doc.correlation_id,
        "trigger_source": ctx.trigger_source,
        "trigger_message_id": ctx.trigger_message_id,
        "parent_processor": ctx.parent_processor,
        "backfill_mode": ctx.backfill_mode,
        "output_table": ctx.output_table,
        "output_dataset": ctx.output_dataset,
        "progress": doc.progress,
    });
    match v {
        Value::Object(mut m) => {
            m.retain(|_, v| !v.is_null());
            m
        }
        _ => Row::new(),
    }
}
