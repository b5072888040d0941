//! The unified phase-completion message (DESIGN §2).
//!
//! Invariant: [`UnifiedMessage::to_json`] drops `None` fields, writes `game_date` as `YYYY-MM-DD` and
//! `timestamp` as RFC 3339 UTC, and keeps unknown input fields inside `metadata`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::{Phase, SlateDate};

/// Completion status on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    Partial,
    NoData,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Partial => "partial",
            Status::NoData => "no_data",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "success" => Some(Status::Success),
            "partial" => Some(Status::Partial),
            "no_data" => Some(Status::NoData),
            "failed" => Some(Status::Failed),
            _ => None,
        }
    }

    /// Whether a completion with this status counts toward a quorum.
    pub fn counts_as_complete(self) -> bool {
        matches!(self, Status::Success | Status::Partial | Status::NoData)
    }
}

/// The unified message.
#[derive(Debug, Clone, PartialEq)]
pub struct UnifiedMessage {
    pub processor_name: String,
    pub phase: Phase,
    pub execution_id: String,
    pub correlation_id: String,
    pub game_date: SlateDate,
    pub output_table: Option<String>,
    pub output_dataset: Option<String>,
    pub status: Status,
    pub record_count: Option<i64>,
    pub records_failed: Option<i64>,
    pub timestamp: DateTime<Utc>,
    pub duration_seconds: Option<f64>,
    pub parent_processor: Option<String>,
    pub trigger_source: Option<String>,
    pub trigger_message_id: Option<String>,
    pub skip_downstream_trigger: bool,
    pub backfill_mode: bool,
    pub backfill_reason: Option<String>,
    pub error_message: Option<String>,
    pub error_type: Option<String>,
    pub metadata: Map<String, Value>,
}

impl UnifiedMessage {
    /// A message with the required fields set and everything else empty.
    pub fn new(
        processor_name: impl Into<String>,
        phase: Phase,
        execution_id: impl Into<String>,
        correlation_id: impl Into<String>,
        game_date: SlateDate,
        status: Status,
        timestamp: DateTime<Utc>,
    ) -> Self {
        UnifiedMessage {
            processor_name: processor_name.into(),
            phase,
            execution_id: execution_id.into(),
            correlation_id: correlation_id.into(),
            game_date,
            output_table: None,
            output_dataset: None,
            status,
            record_count: None,
            records_failed: None,
            timestamp,
            duration_seconds: None,
            parent_processor: None,
            trigger_source: None,
            trigger_message_id: None,
            skip_downstream_trigger: false,
            backfill_mode: false,
            backfill_reason: None,
            error_message: None,
            error_type: None,
            metadata: Map::new(),
        }
    }

    /// Serialise, dropping `None` fields.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("processor_name".into(), self.processor_name.clone().into());
        m.insert("phase".into(), self.phase.as_str().into());
        m.insert("execution_id".into(), self.execution_id.clone().into());
        m.insert("correlation_id".into(), self.correlation_id.clone().into());
        m.insert("game_date".into(), self.game_date.to_string().into());
        put_opt(&mut m, "output_table", self.output_table.clone().map(Value::from));
        put_opt(&mut m, "output_dataset", self.output_dataset.clone().map(Value::from));
        m.insert("status".into(), self.status.as_str().into());
        put_opt(&mut m, "record_count", self.record_count.map(Value::from));
        put_opt(&mut m, "records_failed", self.records_failed.map(Value::from));
        m.insert("timestamp".into(), self.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true).into());
        put_opt(&mut m, "duration_seconds", self.duration_seconds.map(Value::from));
        put_opt(&mut m, "parent_processor", self.parent_processor.clone().map(Value::from));
        put_opt(&mut m, "trigger_source", self.trigger_source.clone().map(Value::from));
        put_opt(&mut m, "trigger_message_id", self.trigger_message_id.clone().map(Value::from));
        m.insert("skip_downstream_trigger".into(), self.skip_downstream_trigger.into());
        m.insert("backfill_mode".into(), self.backfill_mode.into());
        put_opt(&mut m, "backfill_reason", self.backfill_reason.clone().map(Value::from));
        put_opt(&mut m, "error_message", self.error_message.clone().map(Value::from));
        put_opt(&mut m, "error_type", self.error_type.clone().map(Value::from));
        if !self.metadata.is_empty() {
            m.insert("metadata".into(), Value::Object(self.metadata.clone()));
        }
        Value::Object(m)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json()).unwrap_or_default()
    }
}

fn put_opt(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        if !v.is_null() {
            m.insert(k.into(), v);
        }
    }
}
