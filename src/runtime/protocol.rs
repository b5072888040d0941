//! The run protocol of DESIGN §4, as plain async code over the ports; the `ProcessorHost` actor only calls
//! [`execute`].
//!
//! 1. claim the run in the ledger (a live lease or a success makes the message a duplicate);
//! 2. check the declared dependencies against the warehouse (missing critical → `not_yet_available`);
//! 3. read inputs, compute off the actor thread (panics captured), write idempotently, read back counts;
//! 4. close the run with a typed outcome (terminal states are never overwritten);
//! 5. publish the completion through the outbox (retried until acknowledged).
//!
//! Invariants: the ledger is touched before and after any write; a write that reports 0 rows for non-empty
//! output is a failure, not a success (F-05); heartbeats renew the lease while compute runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::backends::{Backends, TableRef};
use crate::domain::{Phase, RunKey, RunOutcome};
use crate::ledger::{CloseResult, Ledger, OutboxEntry, Refusal, RunContext, RunTicket};
use crate::messages::typed::{HandleOutcome, RunProcessor};
use crate::messages::{Status, UnifiedMessage};
use crate::processors::{Processor, ProcessorError, ProcessorInput, TableWrite};
use crate::supervisors::{panic_message, ActorMetrics};
use crate::topology::{DependencyCheck, ProcessorDecl, Topology};

pub use super::inputs::read_inputs;

/// What a processor host needs.
#[derive(Clone)]
pub struct HostDeps {
    pub backends: Backends,
    pub ledger: Ledger,
    pub topology: Arc<Topology>,
    /// Shared lookback reads (embedded profile only).
    pub read_cache: Option<Arc<super::read_cache::ReadCache>>,
}

/// Ran, or refused before running.
pub struct Executed {
    pub outcome: HandleOutcome,
    /// The compute step panicked (the host restarts itself).
    pub panicked: bool,
}

fn phase_of(n: u8) -> Phase {
    Phase::from_number(n).unwrap_or(Phase::Raw)
}

/// Retry delay for attempt `n` (1-based).
pub fn backoff(topology: &Topology, attempt: u32) -> Duration {
    let base = topology.defaults.retry_base_s.max(1);
    let secs = base.saturating_mul(1u64 << attempt.saturating_sub(1).min(16));
    Duration::from_secs(secs.min(topology.defaults.retry_max_s.max(base)))
}

/// Run one processor under the protocol.
pub async fn execute(
    deps: &HostDeps,
    decl: &ProcessorDecl,
    imp: Arc<dyn Processor>,
    req: RunProcessor,
    metrics: &Arc<ActorMetrics>,
) -> Executed {
    let t = &deps.topology;
    let scope = if req.scope.is_empty() {
        match input_fingerprint(deps, decl, req.origin.date).await {
            Ok(s) => s,
            Err(e) => {
                let error = format!("counting inputs: {e}");
                return done(HandleOutcome::Transient { retry_after: backoff(t, 1), error });
            }
        }
    } else {
        req.scope.clone()
    };
    let key = RunKey::new(&decl.name, req.origin.date, scope);
    let output = TableRef::parse(&decl.output);
    let ctx = RunContext {
        trigger_source: Some("pubsub".into()),
        trigger_message_id: Some(req.origin.message_id.clone()),
        parent_processor: Some(req.origin.parent_processor.clone()),
        backfill_mode: req.origin.mode == crate::domain::RunMode::Backfill,
        output_table: output.as_ref().map(|o| o.table.clone()),
        output_dataset: output.as_ref().map(|o| o.dataset.clone()),
    };
    let lease = Duration::from_secs(t.lease_s(decl));
    let claimed = deps
        .ledger
        .claim(
            &key,
            phase_of(decl.phase),
            lease,
            t.max_attempts(decl),
            req.origin.force,
            &req.origin.correlation_id,
            &ctx,
        )
        .await;
    let ticket = match claimed {
        Err(e) => return done(HandleOutcome::Transient { retry_after: backoff(t, 1), error: format!("ledger: {e}") }),
        Ok(Err(Refusal::AlreadyDone { .. })) | Ok(Err(Refusal::InFlight { .. })) => {
            return done(HandleOutcome::Duplicate)
        }
        Ok(Err(Refusal::Exhausted { state, last_error, .. })) => {
            return done(HandleOutcome::Permanent {
                reason: format!(
                    "{key}: {} after {} attempts: {}",
                    state.as_str(),
                    t.max_attempts(decl),
                    last_error.unwrap_or_default()
                ),
            })
        }
        Ok(Ok(ticket)) => ticket,
    };
    let started = Instant::now();
    let heartbeat = spawn_heartbeat(
        deps.clone(),
        ticket.clone(),
        Duration::from_secs(t.defaults.heartbeat_s.max(1)),
        metrics.clone(),
    );
    let (outcome, mut metadata, panicked) = run_body(deps, decl, imp, &req).await;
    heartbeat.abort();
    metadata.insert("attempt".into(), json!(ticket.attempt));
    let elapsed = started.elapsed().as_secs_f64();
    close_and_publish(deps, decl, &req, &ticket, outcome, metadata, elapsed, panicked).await
}

/// The dedup scope of date-level work: the row counts of the date's inputs (`date_match` dependencies), so a
/// trigger after an input changed (a later odds snapshot, a re-delivered box score) runs again, while a
/// redelivery with the same inputs is a duplicate. Empty when the processor has no date-level inputs.
async fn input_fingerprint(
    deps: &HostDeps,
    decl: &ProcessorDecl,
    date: crate::domain::SlateDate,
) -> Result<String, crate::backends::PortError> {
    let mut parts = Vec::new();
    for dep in decl.dependencies.iter().filter(|d| d.check == DependencyCheck::DateMatch) {
        let Some(table) = TableRef::parse(&dep.table) else { continue };
        let n = match deps.backends.warehouse.count_date(&table, date).await {
            Ok(n) => n,
            // A table nothing has written yet holds no rows; any other error must not pick a wrong scope.
            Err(crate::backends::PortError::NotFound(_)) => 0,
            Err(e) => return Err(e),
        };
        parts.push(n.to_string());
    }
    Ok(if parts.is_empty() { String::new() } else { format!("inputs:{}", parts.join("-")) })
}

/// Whether a run missing `tables` can wait for them instead of retrying: each is a same-date input whose own
/// landing triggers this processor.
fn parked_until_trigger(decl: &ProcessorDecl, tables: &[String]) -> bool {
    !tables.is_empty()
        && tables.iter().all(|t| {
            decl.triggers_on.contains(t)
                && decl.dependencies.iter().any(|d| &d.table == t && d.check == DependencyCheck::DateMatch)
        })
}

fn done(outcome: HandleOutcome) -> Executed {
    Executed { outcome, panicked: false }
}

fn spawn_heartbeat(
    deps: HostDeps,
    ticket: RunTicket,
    every: Duration,
    metrics: Arc<ActorMetrics>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            deps.backends.clock.sleep(every).await;
            match deps.ledger.heartbeat(&ticket, None).await {
                Ok(true) => metrics.progress(deps.backends.clock.now_ms()),
                Ok(false) => {
                    tracing::warn!(run_id = %ticket.run_id, "run lost its lease");
                    break;
                }
                Err(e) => tracing::warn!(run_id = %ticket.run_id, error = %e, "heartbeat failed"),
            }
        }
    })
}

/// The players or teams a run's writes touch (sorted, distinct), for tables tracked by entity.
fn entities_changed(writes: &[TableWrite]) -> Option<Vec<String>> {
    let mut ids = std::collections::BTreeSet::new();
    let mut tracked = false;
    for w in writes {
        let Some(kind) = crate::domain::entities::entity_kind(&w.table().to_string()) else { continue };
        tracked = true;
        let rows = match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows,
        };
        ids.extend(rows.iter().filter_map(|r| crate::domain::entities::entity_of(kind, r)).map(str::to_string));
    }
    tracked.then(|| ids.into_iter().collect())
}

type Body = (RunOutcome, serde_json::Map<String, Value>, bool);

async fn run_body(deps: &HostDeps, decl: &ProcessorDecl, imp: Arc<dyn Processor>, req: &RunProcessor) -> Body {
    let b = &deps.backends;
    let date = req.origin.date;
    let t_read = Instant::now();
    let cache = deps.read_cache.as_deref();
    let (input, missing, missing_tables) = match read_inputs(b, decl, imp.as_ref(), date, cache).await {
        Ok(r) => r,
        Err((table, e)) => {
            return (RunOutcome::FailedTransient { error: format!("reading {table}: {e}") }, Default::default(), false)
        }
    };
    let mut input = ProcessorInput { mode: req.origin.mode, ..input };
    if !missing.is_empty() {
        let mut md = serde_json::Map::new();
        md.insert("missing_dependencies".into(), json!(missing));
        md.insert("missing_tables".into(), json!(missing_tables));
        return (RunOutcome::NotYetAvailable { reason: format!("missing: {}", missing.join(", ")) }, md, false);
    }
    if let Some(path) = &req.object_path {
        match b.landing.get(path).await {
            Ok(o) => input.object = Some(o),
            Err(crate::backends::PortError::NotFound(_)) => {
                return (
                    RunOutcome::FailedPermanent { error: format!("landed object {path} not found") },
                    Default::default(),
                    false,
                )
            }
            Err(e) => {
                return (
                    RunOutcome::FailedTransient { error: format!("landing {path}: {e}") },
                    Default::default(),
                    false,
                )
            }
        }
    }
    let read_ms = t_read.elapsed().as_secs_f64() * 1000.0;
    let t_compute = Instant::now();
    let computed = tokio::task::spawn_blocking(move || imp.compute(&input)).await;
    let compute_ms = t_compute.elapsed().as_secs_f64() * 1000.0;
    let out = match computed {
        Err(join) if join.is_panic() => {
            let msg = panic_message(join.into_panic().as_ref());
            tracing::error!(processor = %decl.name, %date, panic = %msg, "processor panicked");
            return (RunOutcome::FailedTransient { error: format!("panicked: {msg}") }, Default::default(), true);
        }
        Err(e) => {
            return (RunOutcome::FailedTransient { error: format!("compute task: {e}") }, Default::default(), false)
        }
        Ok(Err(e)) => {
            let o = match e {
                ProcessorError::BadInput { .. } | ProcessorError::Failed(_) => {
                    RunOutcome::FailedPermanent { error: e.to_string() }
                }
                ProcessorError::NotReady(r) => RunOutcome::NotYetAvailable { reason: r },
                ProcessorError::Transient(_) => RunOutcome::FailedTransient { error: e.to_string() },
            };
            return (o, Default::default(), false);
        }
        Ok(Ok(out)) => out,
    };
    let mut out = out;
    if !out.metadata.contains_key("entities_changed") {
        if let Some(ids) = entities_changed(&out.writes) {
            out.metadata.insert("entities_changed".into(), json!(ids));
            out.metadata.insert("is_incremental".into(), json!(false));
        }
    }
    let t_write = Instant::now();
    let mut written: BTreeMap<String, u64> = BTreeMap::new();
    let mut expected = 0usize;
    for w in out.writes {
        expected += w.len();
        let name = w.table().to_string();
        let written_date = match &w {
            TableWrite::ReplacePartition { date, .. } | TableWrite::ReplaceSlice { date, .. } => Some(*date),
            TableWrite::Upsert { .. } => None,
        };
        let r = match w {
            TableWrite::ReplacePartition { table, date, rows } => {
                b.warehouse.replace_partition(&table, date, rows).await
            }
            TableWrite::ReplaceSlice { table, date, scope, rows } => {
                b.warehouse.replace_slice(&table, date, &scope, rows).await
            }
            TableWrite::Upsert { table, rows } => b.warehouse.upsert(&table, rows).await,
        };
        if let Some(c) = &deps.read_cache {
            c.note_write(&name, written_date);
        }
        match r {
            Ok(n) => *written.entry(name).or_default() += n,
            Err(e) if e.is_retryable() => {
                return (RunOutcome::FailedTransient { error: format!("writing {name}: {e}") }, out.metadata, false)
            }
            Err(e) => {
                return (RunOutcome::FailedPermanent { error: format!("writing {name}: {e}") }, out.metadata, false)
            }
        }
    }
    let total: u64 = written.values().sum();
    let mut md = out.metadata;
    md.insert("rows_written".into(), json!(written));
    let ms = |x: f64| (x * 10.0).round() / 10.0;
    let write_ms = t_write.elapsed().as_secs_f64() * 1000.0;
    tracing::debug!(processor = %decl.name, %date, read_ms, compute_ms, write_ms, rows = total, "run timings");
    md.insert("timings_ms".into(), json!({"read": ms(read_ms), "compute": ms(compute_ms), "write": ms(write_ms)}));
    if expected > 0 && total == 0 {
        return (RunOutcome::FailedPermanent { error: format!("wrote {expected} rows but read back 0") }, md, false);
    }
    match out.no_data_reason {
        Some(reason) if total == 0 => (RunOutcome::NoDataExpected { reason }, md, false),
        _ => (RunOutcome::Succeeded { rows: total }, md, false),
    }
}

#[allow(clippy::too_many_arguments)]
async fn close_and_publish(
    deps: &HostDeps,
    decl: &ProcessorDecl,
    req: &RunProcessor,
    ticket: &RunTicket,
    outcome: RunOutcome,
    metadata: serde_json::Map<String, Value>,
    elapsed: f64,
    panicked: bool,
) -> Executed {
    let t = &deps.topology;
    let clock = &deps.backends.clock;
    let parked_tables: Vec<String> = metadata
        .get("missing_tables")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let status = match &outcome {
        RunOutcome::Succeeded { .. } => Some(Status::Success),
        RunOutcome::NoDataExpected { .. } => Some(Status::NoData),
        RunOutcome::FailedPermanent { .. } => Some(Status::Failed),
        _ => None,
    };
    let outbox = status.map(|status| {
        let mut m = UnifiedMessage::new(
            decl.class.clone(),
            phase_of(decl.phase),
            ticket.run_id.clone(),
            req.origin.correlation_id.clone(),
            req.origin.date,
            status,
            clock.now(),
        );
        if let Some(o) = TableRef::parse(&decl.output) {
            m.output_table = Some(o.table);
            m.output_dataset = Some(o.dataset);
        }
        m.record_count = Some(outcome.rows() as i64);
        m.duration_seconds = Some(elapsed);
        m.parent_processor = Some(req.origin.parent_processor.clone());
        m.trigger_source = Some("pubsub".into());
        m.trigger_message_id = Some(req.origin.message_id.clone());
        m.backfill_mode = req.origin.mode == crate::domain::RunMode::Backfill;
        m.skip_downstream_trigger = req.origin.skip_downstream_trigger;
        m.backfill_reason = req.origin.backfill_reason.clone();
        if let Some(e) = outcome.error_text().filter(|_| status == Status::Failed) {
            m.error_message = Some(e);
            m.error_type = Some("failed_permanent".into());
        }
        m.metadata = metadata.clone();
        m.metadata.insert("processor".into(), json!(decl.name));
        if let Some(p) = req.origin.through_phase {
            m.metadata.insert("through_phase".into(), json!(p));
        }
        if req.origin.mode == crate::domain::RunMode::SameDay {
            m.metadata.insert("run_mode".into(), json!("same_day"));
        }
        if !req.scope.is_empty() {
            m.metadata.insert("scope".into(), json!(req.scope));
        }
        OutboxEntry { topic: decl.publishes.clone(), data: m.to_json(), ordering_key: None }
    });
    let closed = deps.ledger.close(ticket, &outcome, outbox).await;
    match closed {
        Err(e) => Executed {
            outcome: HandleOutcome::Transient {
                retry_after: backoff(t, ticket.attempt),
                error: format!("ledger close: {e}"),
            },
            panicked,
        },
        Ok(CloseResult::Stale) => {
            tracing::warn!(run_id = %ticket.run_id, "completion after lease loss discarded");
            Executed { outcome: HandleOutcome::Duplicate, panicked }
        }
        Ok(CloseResult::Closed(_)) => {
            if let Err(e) = deps.ledger.flush_outbox(&ticket.key.doc_id(), deps.backends.bus.as_ref()).await {
                // The outbox relay publishes it later; the run itself is done.
                tracing::warn!(run_id = %ticket.run_id, error = %e, "completion publish failed, left in outbox");
            }
            let outcome = match outcome {
                RunOutcome::Succeeded { .. } => HandleOutcome::Done,
                RunOutcome::NoDataExpected { .. } => HandleOutcome::NoData,
                // Parked: every missing input is one whose own landing triggers this processor for the date,
                // so its arrival runs it; retrying on a timer would only poll (DESIGN: no retry storms).
                RunOutcome::NotYetAvailable { .. } if parked_until_trigger(decl, &parked_tables) => {
                    HandleOutcome::NoData
                }
                RunOutcome::NotYetAvailable { reason } => {
                    HandleOutcome::NotReady { retry_after: backoff(t, ticket.attempt.min(6)), reason }
                }
                RunOutcome::FailedTransient { error } | RunOutcome::TimedOut { last_error: Some(error) } => {
                    HandleOutcome::Transient { retry_after: backoff(t, ticket.attempt), error }
                }
                RunOutcome::TimedOut { last_error: None } => {
                    HandleOutcome::Transient { retry_after: backoff(t, ticket.attempt), error: "timed out".into() }
                }
                RunOutcome::FailedPermanent { error } => {
                    HandleOutcome::Permanent { reason: format!("{}: {error}", ticket.key) }
                }
            };
            Executed { outcome, panicked }
        }
    }
}
