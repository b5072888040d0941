//! Decoding of message bodies into [`UnifiedMessage`]s: the unified message of DESIGN §2 and the legacy shapes
//! the original pipeline still sent (spec §1.1, §5.1).
//!
//! # Shape detection
//! A body is checked in this order; the first rule that matches decides the shape, so exactly one applies (a
//! marker key whose value is `null` counts as absent, except `gcs_path`: null there is a failed scrape):
//! 1. not over [`MAX_MESSAGE_BYTES`] (checked before anything is parsed), not empty or blank, UTF-8 (a leading
//!    BOM is skipped), JSON (serde_json's nesting limit of 128 applies, so no input can exhaust the stack), and
//!    an object;
//! 2. [`Shape::Unified`]: has `processor_name` or `phase` (also the later Phase 1 format with
//!    `metadata.gcs_path`);
//! 3. [`Shape::OrchestratorTrigger`]: has `triggered_by` (`{game_date, correlation_id, trigger_source, …}`);
//! 4. [`Shape::SourceTable`]: has `source_table` (`{source_table, game_date | analysis_date, success?}`);
//! 5. [`Shape::GcsFinalize`]: has `bucket` (`{bucket, name, generation?, timeCreated?, …}`);
//! 6. [`Shape::Scraper`]: has `scraper_name` or `gcs_path` (`{scraper_name | name, gcs_path, execution_id, …}`);
//! 7. otherwise [`MessageError::UnknownShape`].
//!
//! # Rules (decisions)
//! * A field of the wrong JSON type is [`MessageError::WrongType`]; a missing required field (absent or `null`)
//!   is [`MessageError::MissingField`]; a bad value is [`MessageError::InvalidValue`]. Optional `null` = absent.
//! * Fields this module does not know are moved into `metadata` (a key already in `metadata` wins).
//! * `correlation_id`: when absent, `null` or empty it defaults to `execution_id` in every shape (the original's
//!   rule); the legacy shapes have no correlation of their own, so theirs is their execution id.
//! * `game_date` is strictly `YYYY-MM-DD` and a calendar date. Timestamps are RFC 3339, or ISO 8601 without an
//!   offset read as UTC (what Python's `isoformat()` of a naive UTC time gives); they are converted to UTC and
//!   truncated to milliseconds, the precision the envelope writes, so re-encoding a decoded message is lossless.
//! * `output_table` given as `dataset.table` (or `project.dataset.table`) is split into the bare table and
//!   `output_dataset` (a known defect of the original's Phase 2); a contradicting `output_dataset` is invalid.
//! * `record_count`/`records_failed`: a non-negative integer, or a float with no fractional part.
//! * Legacy shapes without a time get the Unix epoch as `timestamp` and `metadata.timestamp_synthetic = true`
//!   (latency metrics must skip them); so `timestamp` is never the missing field of a legacy shape.
//! * GCS finalize: `processor_name` is the scraper family (the first two directory segments), `execution_id` =
//!   `gcs:<bucket>/<name>#<generation>` (`#<generation>` omitted when absent); `game_date` is the first
//!   `YYYY-MM-DD` path segment, else a `YYYYMMDD` prefix of the file name, else the slate date of `timeCreated`.
//!   The object's own `metadata` is kept as `metadata.object_metadata`.
//! * Scraper: `game_date` is the message's own `game_date` if any, else derived from `gcs_path` as above, else the
//!   slate date of `timestamp`. A `null` or empty `gcs_path` (failed / no-data scrape) leaves `metadata.gcs_path`
//!   absent; a non-empty one must be `gs://bucket/object`.
//! * Source table: `output_table` = the bare table; phase 4 for an `nba_precompute.` prefix, phase 3 for an
//!   `nba_analytics.` prefix or a bare name of one of the five analytics tables, else phase 2; `execution_id` =
//!   `legacy:<table>:<date>`; status from `success` (default success).
//! * Orchestrator trigger: `processor_name` = `triggered_by`, phase = the first `phaseN` in it (`phase3_to_phase4_…`
//!   → `phase_3_analytics`), else analytics; `execution_id` = `trigger:<triggered_by>:<game_date>`; the other
//!   fields (`expected_processors`, `upstream_processors_count`, `parent_execution_id`, …) go to `metadata`.
//!
//! Invariant: [`decode`] never panics, whatever the bytes.

use chrono::DateTime;
use serde_json::Value;

use super::{MessageError, Status, UnifiedMessage};
use crate::domain::{Phase, SlateDate};

#[path = "decode_fields.rs"]
mod fields;

use fields::{
    date_in_path, invalid, mark_synthetic, or_execution, parse_date, parse_status, parse_time, phase_in_name,
    scraper_family, shown, split_table, wrong, Fields,
};

/// Largest accepted body (1 MiB); larger bodies are rejected before parsing.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// Which wire format a message arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    Unified,
    GcsFinalize,
    Scraper,
    SourceTable,
    OrchestratorTrigger,
}

impl Shape {
    /// Stable label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Unified => "unified",
            Shape::GcsFinalize => "gcs_finalize",
            Shape::Scraper => "scraper",
            Shape::SourceTable => "source_table",
            Shape::OrchestratorTrigger => "orchestrator_trigger",
        }
    }
}

/// A decoded message and the shape it arrived in.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub message: UnifiedMessage,
    pub shape: Shape,
}

/// The tables of the five Phase 3 processors, recognised without a dataset prefix.
const ANALYTICS_TABLES: [&str; 5] = [
    "player_game_summary",
    "team_offense_game_summary",
    "team_defense_game_summary",
    "upcoming_player_game_context",
    "upcoming_team_game_context",
];

type Result<T> = std::result::Result<T, MessageError>;

/// Decode a message body. Never panics.
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError::TooLarge { size: bytes.len(), limit: MAX_MESSAGE_BYTES });
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(MessageError::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| MessageError::NotJson(format!("not UTF-8: {e}")))?;
    let value: Value = serde_json::from_str(text).map_err(|e| MessageError::NotJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(MessageError::NotAnObject);
    };
    let mut f = Fields(map);
    let has = |k: &str| f.0.get(k).is_some_and(|v| !v.is_null());
    let shape = if has("processor_name") || has("phase") {
        Shape::Unified
    } else if has("triggered_by") {
        Shape::OrchestratorTrigger
    } else if has("source_table") {
        Shape::SourceTable
    } else if has("bucket") {
        Shape::GcsFinalize
    } else if has("scraper_name") || f.0.contains_key("gcs_path") {
        Shape::Scraper
    } else {
        return Err(MessageError::UnknownShape);
    };
    let message = match shape {
        Shape::Unified => unified(&mut f)?,
        Shape::OrchestratorTrigger => orchestrator(&mut f)?,
        Shape::SourceTable => source_table(&mut f)?,
        Shape::GcsFinalize => gcs_finalize(&mut f)?,
        Shape::Scraper => scraper(&mut f)?,
    };
    Ok(Decoded { message: f.finish(message), shape })
}

// ---------------------------------------------------------------------------------------------------------
// Shapes.

fn unified(f: &mut Fields) -> Result<UnifiedMessage> {
    let processor_name = f.req_str("processor_name")?;
    let phase = f.req_str("phase")?;
    let phase: Phase = phase.parse().map_err(|_| invalid("phase", format!("unknown phase `{}`", shown(&phase))))?;
    let execution_id = f.req_str("execution_id")?;
    let correlation_id = f.opt_str("correlation_id")?;
    let game_date = parse_date("game_date", &f.req_str("game_date")?)?;
    let status = parse_status(&f.req_str("status")?)?;
    let timestamp = parse_time("timestamp", &f.req_str("timestamp")?)?;
    let correlation_id = or_execution(correlation_id, &execution_id);
    let mut m = UnifiedMessage::new(processor_name, phase, execution_id, correlation_id, game_date, status, timestamp);
    let dataset = f.opt_str("output_dataset")?;
    match f.opt_str("output_table")? {
        Some(table) => {
            let (ds, bare) = split_table("output_table", &table, dataset)?;
            (m.output_dataset, m.output_table) = (ds, Some(bare));
        }
        None => m.output_dataset = dataset,
    }
    m.record_count = f.opt_count("record_count")?;
    m.records_failed = f.opt_count("records_failed")?;
    m.duration_seconds = f.opt_duration("duration_seconds")?;
    m.parent_processor = f.opt_str("parent_processor")?;
    m.trigger_source = f.opt_str("trigger_source")?;
    m.trigger_message_id = f.opt_str("trigger_message_id")?;
    m.skip_downstream_trigger = f.opt_bool("skip_downstream_trigger")?.unwrap_or(false);
    m.backfill_mode = f.opt_bool("backfill_mode")?.unwrap_or(false);
    m.backfill_reason = f.opt_str("backfill_reason")?;
    m.error_message = f.opt_str("error_message")?;
    m.error_type = f.opt_str("error_type")?;
    if let Some(meta) = f.opt_object("metadata")? {
        m.metadata = meta;
    }
    Ok(m)
}

fn orchestrator(f: &mut Fields) -> Result<UnifiedMessage> {
    let triggered_by = f.req_str("triggered_by")?;
    let game_date = parse_date("game_date", &f.req_str("game_date")?)?;
    let (timestamp, synthetic) = f.opt_time("timestamp")?;
    let execution_id = format!("trigger:{triggered_by}:{game_date}");
    let correlation_id = or_execution(f.opt_str("correlation_id")?, &execution_id);
    let phase = phase_in_name(&triggered_by).unwrap_or(Phase::Analytics);
    let mut m =
        UnifiedMessage::new(&triggered_by, phase, execution_id, correlation_id, game_date, Status::Success, timestamp);
    m.trigger_source = Some(f.opt_str("trigger_source")?.unwrap_or_else(|| "orchestrator".into()));
    m.parent_processor = f.opt_str("parent_processor")?;
    if let Some(v) = f.take("expected_processors") {
        let ok = v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        if !ok {
            return Err(wrong("expected_processors", "array of strings"));
        }
        m.metadata.insert("expected_processors".into(), v);
    }
    if let Some(n) = f.opt_count("upstream_processors_count")? {
        m.metadata.insert("upstream_processors_count".into(), n.into());
    }
    if let Some(p) = f.opt_str("parent_execution_id")? {
        m.metadata.insert("parent_execution_id".into(), p.into());
    }
    mark_synthetic(&mut m, synthetic);
    Ok(m)
}

fn source_table(f: &mut Fields) -> Result<UnifiedMessage> {
    let raw = f.req_str("source_table")?;
    let (dataset, table) = split_table("source_table", &raw, None)?;
    if table.is_empty() {
        return Err(invalid("source_table", "must not be empty".into()));
    }
    let game_date = match (f.opt_str("game_date")?, f.opt_str("analysis_date")?) {
        (Some(d), _) => parse_date("game_date", &d)?,
        (None, Some(d)) => parse_date("analysis_date", &d)?,
        (None, None) => return Err(MessageError::MissingField("game_date")),
    };
    let success = f.opt_bool("success")?.unwrap_or(true);
    let (timestamp, synthetic) = f.opt_time("timestamp")?;
    let known_analytics = ANALYTICS_TABLES.contains(&table.as_str());
    let (phase, dataset) = match dataset.as_deref() {
        Some("nba_precompute") => (Phase::Precompute, dataset),
        Some("nba_analytics") => (Phase::Analytics, dataset),
        None if known_analytics => (Phase::Analytics, Some("nba_analytics".to_string())),
        None => (Phase::Raw, Some("nba_raw".to_string())),
        Some(_) if known_analytics => (Phase::Analytics, dataset),
        Some(_) => (Phase::Raw, dataset),
    };
    let execution_id = format!("legacy:{table}:{game_date}");
    let correlation_id = or_execution(f.opt_str("correlation_id")?, &execution_id);
    let status = if success { Status::Success } else { Status::Failed };
    let mut m = UnifiedMessage::new(&table, phase, execution_id, correlation_id, game_date, status, timestamp);
    (m.output_table, m.output_dataset) = (Some(table), dataset);
    mark_synthetic(&mut m, synthetic);
    Ok(m)
}

fn gcs_finalize(f: &mut Fields) -> Result<UnifiedMessage> {
    let bucket = f.req_str("bucket")?;
    let name = f.req_str("name")?;
    if bucket.is_empty() || name.is_empty() {
        let field = if bucket.is_empty() { "bucket" } else { "name" };
        return Err(invalid(field, "must not be empty".into()));
    }
    let generation = match f.take("generation") {
        None | Some(Value::Null) => None,
        Some(v @ Value::String(_)) | Some(v @ Value::Number(_)) => Some(v),
        Some(_) => return Err(wrong("generation", "string or integer")),
    };
    let created = f.opt_str("timeCreated")?.map(|s| parse_time("timeCreated", &s)).transpose()?;
    let updated = f.opt_str("updated")?.map(|s| parse_time("updated", &s)).transpose()?;
    let game_date = date_in_path(&name)
        .or_else(|| created.map(SlateDate::of_instant))
        .ok_or(MessageError::MissingField("game_date"))?;
    let gen_text = generation.as_ref().map(|g| g.as_str().map_or_else(|| g.to_string(), str::to_string));
    let execution_id = match &gen_text {
        Some(g) => format!("gcs:{bucket}/{name}#{g}"),
        None => format!("gcs:{bucket}/{name}"),
    };
    let correlation_id = or_execution(f.opt_str("correlation_id")?, &execution_id);
    let timestamp = created.or(updated);
    let family = scraper_family(&name);
    let mut m = UnifiedMessage::new(
        family,
        Phase::Scrapers,
        execution_id,
        correlation_id,
        game_date,
        Status::Success,
        timestamp.unwrap_or(DateTime::UNIX_EPOCH),
    );
    m.metadata.insert("gcs_path".into(), format!("gs://{bucket}/{name}").into());
    if let Some(g) = generation {
        m.metadata.insert("generation".into(), g);
    }
    if let Some(object_meta) = f.take("metadata") {
        m.metadata.insert("object_metadata".into(), object_meta);
    }
    mark_synthetic(&mut m, timestamp.is_none());
    Ok(m)
}

fn scraper(f: &mut Fields) -> Result<UnifiedMessage> {
    let name = match f.opt_str("scraper_name")? {
        Some(n) => n,
        None => f.opt_str("name")?.ok_or(MessageError::MissingField("scraper_name"))?,
    };
    let gcs_path = f.opt_str("gcs_path")?.filter(|p| !p.is_empty());
    if let Some(p) = &gcs_path {
        let ok = p
            .strip_prefix("gs://")
            .and_then(|r| r.split_once('/'))
            .is_some_and(|(b, o)| !b.is_empty() && !o.is_empty());
        if !ok {
            return Err(invalid("gcs_path", format!("`{}` is not gs://bucket/object", shown(p))));
        }
    }
    let execution_id = f.req_str("execution_id")?;
    let status = parse_status(&f.req_str("status")?)?;
    let (timestamp, synthetic) = f.opt_time("timestamp")?;
    let game_date = match f.opt_str("game_date")? {
        Some(d) => parse_date("game_date", &d)?,
        None => gcs_path
            .as_deref()
            .and_then(|p| p.strip_prefix("gs://")?.split_once('/').map(|(_, o)| o))
            .and_then(date_in_path)
            .or_else(|| (!synthetic).then(|| SlateDate::of_instant(timestamp)))
            .ok_or(MessageError::MissingField("game_date"))?,
    };
    let correlation_id = or_execution(f.opt_str("correlation_id")?, &execution_id);
    let mut m = UnifiedMessage::new(name, Phase::Scrapers, execution_id, correlation_id, game_date, status, timestamp);
    m.record_count = f.opt_count("record_count")?;
    m.duration_seconds = f.opt_duration("duration_seconds")?;
    if let Some(p) = gcs_path {
        m.metadata.insert("gcs_path".into(), p.into());
    }
    if let Some(w) = f.opt_str("workflow")? {
        m.metadata.insert("workflow".into(), w.into());
    }
    mark_synthetic(&mut m, synthetic);
    Ok(m)
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
