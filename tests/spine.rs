//! End-to-end tests of the spine on the embedded backends: the event path from landed raw files to the
//! Phase 5 trigger, duplicates, deadlines, malformed envelopes and panicking processors.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use hoopflow::backends::{OutboundMessage, SubscriptionSpec, SystemClock, TableRef, VirtualClock};
use hoopflow::domain::{RowExt, SlateDate};
use hoopflow::runtime::infra::dlq_subscription;
use hoopflow::runtime::{Pipeline, PipelineOptions};
use hoopflow::sources::{Announcer, LandMode};
use hoopflow::supervisors::RestartPolicy;
use serde_json::Value;
use support::*;

fn fast() -> PipelineOptions {
    PipelineOptions {
        batch: 64,
        pull_wait: Duration::from_millis(20),
        restart: RestartPolicy { base: Duration::from_millis(50), ..RestartPolicy::default() },
        watchdog_tick: Duration::from_millis(100),
        silence: Duration::from_secs(30),
        outbox_tick: Duration::from_millis(200),
        read_cache: true,
    }
}

fn date() -> SlateDate {
    "2025-01-15".parse().unwrap()
}

async fn succeeded_per_processor(b: &hoopflow::backends::Backends) -> Vec<(String, i64)> {
    let r = b
        .warehouse
        .query(
            "SELECT processor_name, COUNT(*) FROM nba_reference.processor_run_history \
             WHERE status = 'succeeded' GROUP BY processor_name ORDER BY processor_name",
        )
        .await
        .unwrap();
    r.rows.iter().map(|row| (row[0].as_str().unwrap_or("").to_string(), row[1].as_i64().unwrap_or(-1))).collect()
}

#[actix::test]
async fn a_date_flows_through_every_phase_exactly_once_with_every_message_delivered_twice() {
    let dir = tempfile::tempdir().unwrap();
    let b = backends(dir.path(), Arc::new(SystemClock));
    let c = Counters::default();
    let t = topology();
    let p = Pipeline::start(b.clone(), &t, registry(&c, Duration::ZERO), fast()).await.unwrap();
    // A second subscriber on the Phase 5 trigger counts how often it was published.
    b.bus.ensure_subscription(&SubscriptionSpec::new("watch-p5", "nba-predictions-trigger")).await.unwrap();
    let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let how = LandMode { correlation_id: Some("corr-e2e".into()), ..Default::default() };
    for _ in 0..2 {
        for (s, path, data) in files_for(date()) {
            ann.land(&s, &path, &data, date(), &how).await.unwrap();
        }
    }
    assert!(p.wait_idle(Duration::from_millis(300), Duration::from_secs(30)).await, "pipeline did not go idle");

    let combo = b.warehouse.read_date(&TableRef::new("nba_precompute", "combo"), date()).await.unwrap();
    assert_eq!(combo.len(), 1);
    assert_eq!(combo[0].i64_of("total"), Some(expected_total(date())));
    assert_eq!(
        succeeded_per_processor(&b).await,
        ["combo", "raw_a", "raw_b", "sum_a", "sum_b"].iter().map(|n| (n.to_string(), 1)).collect::<Vec<_>>()
    );
    for counter in [&c.raw_a, &c.raw_b, &c.sum_a, &c.sum_b, &c.combo] {
        assert_eq!(counter.load(Ordering::SeqCst), 1, "a processor computed twice");
    }
    let phase5 = b.bus.peek("watch-p5", 10).await.unwrap();
    assert_eq!(phase5.len(), 1, "the Phase 5 trigger must be published exactly once");
    let trig: Value = serde_json::from_slice(&phase5[0].data).unwrap();
    assert_eq!(trig["correlation_id"], "corr-e2e");
    assert_eq!(trig["metadata"]["degraded"], false);
    // Every run carries the scraper workflow's correlation id.
    let r = b.warehouse.query("SELECT DISTINCT correlation_id FROM nba_reference.processor_run_history").await.unwrap();
    assert_eq!(r.rows, vec![vec![Value::from("corr-e2e")]]);
    let marker = b.state.get("phase3_triggers", "2025-01-15__phase3_to_phase4").await.unwrap().unwrap();
    assert_eq!(marker["published"], true);
    assert_eq!(p.backlog().await, 0);
    let prom = p.metrics.render_prometheus();
    assert!(prom.contains("hoopflow_actor_processed_total{kind=\"processor_host\",actor=\"combo-0\"} 1"), "{prom}");
    assert!(prom.contains("hoopflow_actor_mailbox_depth{kind=\"processor_host\",actor=\"raw_a-0\"} 0"));
    assert!(prom.contains("hoopflow_ack_latency_seconds_count{kind=\"bridge\",actor=\"bridge-raw\"} 4"), "{prom}");
}

#[actix::test]
async fn a_stage_whose_inputs_never_arrive_fires_degraded_at_its_deadline_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(VirtualClock::new(chrono::Utc.with_ymd_and_hms(2025, 1, 16, 6, 0, 0).unwrap()));
    let b = backends(dir.path(), clock.clone());
    let c = Counters::default();
    let p = Pipeline::start(b.clone(), &topology(), registry(&c, Duration::ZERO), fast()).await.unwrap();
    let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let (s, path, data) = files_for(date()).remove(0);
    ann.land(&s, &path, &data, date(), &LandMode::default()).await.unwrap();
    // sum_a completes; sum_b never will.
    let doc = poll(|| async { b.state.get("phase3_completion", "2025-01-15").await.unwrap() }).await;
    assert!(doc["processors"].get("sum_a").is_some());
    assert!(b.state.get("phase3_triggers", "2025-01-15__phase3_to_phase4").await.unwrap().is_none());
    clock.advance(Duration::from_secs(59 * 60));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        b.state.get("phase3_triggers", "2025-01-15__phase3_to_phase4").await.unwrap().is_none(),
        "fired before its deadline"
    );
    clock.advance(Duration::from_secs(2 * 60));
    let m = poll(|| async { b.state.get("phase3_triggers", "2025-01-15__phase3_to_phase4").await.unwrap() }).await;
    assert_eq!(m["degraded"], true);
    assert_eq!(m["missing"], serde_json::json!(["sum_b"]));
    assert_eq!(m["completed"], serde_json::json!(["sum_a"]));
    drop(p);
}

async fn poll<F, Fut>(f: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    for _ in 0..500 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for a document");
}

#[actix::test]
async fn malformed_envelopes_are_dead_lettered_with_a_reason_and_the_pipeline_keeps_going() {
    let dir = tempfile::tempdir().unwrap();
    let b = backends(dir.path(), Arc::new(SystemClock));
    let c = Counters::default();
    let p = Pipeline::start(b.clone(), &topology(), registry(&c, Duration::ZERO), fast()).await.unwrap();
    let ts = "2025-01-15T12:00:00Z";
    let bad: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not json at all".to_vec(),
        b"[1, 2, 3]".to_vec(),
        format!(r#"{{"processor_name": 5, "phase": "phase_1_scrapers", "execution_id": "e", "game_date": "2025-01-15", "status": "success", "timestamp": "{ts}"}}"#).into_bytes(),
        format!(r#"{{"phase": "phase_1_scrapers", "execution_id": "e", "game_date": "2025-01-15", "status": "success", "timestamp": "{ts}"}}"#).into_bytes(),
        vec![b'x'; 10 * 1024 * 1024],
        format!(r#"{{"scraper_name": "s", "gcs_path": "gs://bucket/unrouted/2025-01-15/x.json", "status": "success", "execution_id": "e2", "timestamp": "{ts}"}}"#).into_bytes(),
    ];
    let n = bad.len();
    b.bus
        .publish(
            "nba-phase1-scrapers-complete",
            bad.into_iter().map(|d| OutboundMessage::new(d).with_attr("case", "malformed")).collect(),
        )
        .await
        .unwrap();
    let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    for (s, path, data) in files_for(date()) {
        ann.land(&s, &path, &data, date(), &LandMode::default()).await.unwrap();
    }
    assert!(p.wait_idle(Duration::from_millis(300), Duration::from_secs(30)).await);
    let dead = b.bus.peek(&dlq_subscription("nba-phase1-scrapers-complete"), 100).await.unwrap();
    assert_eq!(dead.len(), n, "every malformed envelope must be dead-lettered");
    let reasons: Vec<String> =
        dead.iter().map(|m| m.attributes.get("dead_letter_reason").cloned().unwrap_or_default()).collect();
    for (i, want) in [
        "empty",
        "not UTF-8 JSON",
        "not an object",
        "processor_name",
        "processor_name",
        "over the",
        "no raw processor matches",
    ]
    .iter()
    .enumerate()
    {
        assert!(reasons[i].contains(want), "reason {i} `{}` lacks `{want}`", reasons[i]);
    }
    // `dlq replay` sends them back to their source topic; still malformed, they come back with the mark.
    hoopflow::cli::dlq::run(dir.path(), &topology(), hoopflow::cli::DlqAction::Replay { topic: None, id: None })
        .await
        .unwrap();
    assert!(p.wait_idle(Duration::from_millis(300), Duration::from_secs(30)).await);
    let again = b.bus.peek(&dlq_subscription("nba-phase1-scrapers-complete"), 100).await.unwrap();
    assert_eq!(again.len(), n);
    assert!(again.iter().all(|m| m.attributes.contains_key("replayed_from")));
    // The good files of the same date went all the way through.
    let combo = b.warehouse.read_date(&TableRef::new("nba_precompute", "combo"), date()).await.unwrap();
    assert_eq!(combo[0].i64_of("total"), Some(expected_total(date())));
}

#[actix::test]
async fn a_panicking_processor_is_restarted_retried_by_policy_then_dead_lettered_while_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    let b = backends(dir.path(), Arc::new(SystemClock));
    let c = Counters::default();
    let p = Pipeline::start(b.clone(), &topology(), registry(&c, Duration::ZERO), fast()).await.unwrap();
    let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let d2: SlateDate = "2025-01-16".parse().unwrap();
    ann.land("scraper_a", "a/2025-01-15/boom.json", b"[\"panic\"]", date(), &LandMode::default()).await.unwrap();
    for (s, path, data) in files_for(d2) {
        ann.land(&s, &path, &data, d2, &LandMode::default()).await.unwrap();
    }
    assert!(p.wait_idle(Duration::from_millis(500), Duration::from_secs(60)).await);
    let host = p.metrics.get("raw_a-0").unwrap();
    assert_eq!(host.panics.load(Ordering::SeqCst), 3, "3 attempts (max_attempts) then stop retrying");
    assert!(host.restarts.load(Ordering::SeqCst) >= 3, "the host restarts after each panic");
    let dead = b.bus.peek(&dlq_subscription("nba-phase1-scrapers-complete"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    let reason = &dead[0].attributes["dead_letter_reason"];
    assert!(reason.contains("panicked: deterministic bug in raw_a") && reason.contains("after 3 attempts"), "{reason}");
    // The other date went through while raw_a was failing and restarting.
    let combo = b.warehouse.read_date(&TableRef::new("nba_precompute", "combo"), d2).await.unwrap();
    assert_eq!(combo[0].i64_of("total"), Some(expected_total(d2)));
}

#[actix::test]
async fn a_legacy_orchestrator_trigger_starts_the_processors_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let b = backends(dir.path(), Arc::new(SystemClock));
    let c = Counters::default();
    let _p = Pipeline::start(b.clone(), &topology(), registry(&c, Duration::ZERO), fast()).await.unwrap();
    let legacy = r#"{"game_date": "2025-01-15", "correlation_id": "corr-legacy", "trigger_source": "orchestrator",
        "triggered_by": "phase3_to_phase4_orchestrator", "expected_processors": ["combo"],
        "timestamp": "2025-01-16T06:00:00Z"}"#;
    b.bus.publish("nba-phase4-trigger", vec![OutboundMessage::new(legacy.as_bytes().to_vec())]).await.unwrap();
    // No Phase 3 output exists, so combo runs and reports its inputs as not yet available.
    // Date-level runs are scoped by their inputs' row counts (here none yet).
    let claim = poll(|| async {
        b.state.list("run_claims", "combo__2025-01-15").await.unwrap().into_iter().next().map(|(_, v)| v)
    })
    .await;
    assert_eq!(claim["state"], "not_yet_available");
    assert_eq!(claim["correlation_id"], "corr-legacy");
    assert!(c.combo.load(Ordering::SeqCst) == 0, "compute must not run without its dependencies");
}

#[test]
fn a_stage_with_no_runnable_processors_to_start_fires_no_trigger() {
    let t = topology();
    let full = registry(&Counters::default(), Duration::ZERO);
    let (eff, _) = hoopflow::runtime::effective_topology(&t, &full);
    let stage = |t: &hoopflow::topology::Topology| t.trackers[0].stages[0].clone();
    assert_eq!(stage(&eff).fires_topics, ["nba-phase4-trigger"]);
    // Without `combo` (the only processor the stage starts), the stage still completes but publishes no
    // empty trigger, which the dispatcher would dead-letter as malformed.
    let mut partial = hoopflow::processors::ProcessorRegistry::new();
    for name in ["raw_a", "raw_b", "sum_a", "sum_b"] {
        partial.register(full.get(name).unwrap());
    }
    let (eff, left_out) = hoopflow::runtime::effective_topology(&t, &partial);
    assert_eq!(left_out, ["combo"]);
    assert!(stage(&eff).fires_processors.is_empty());
    assert!(stage(&eff).fires_topics.is_empty());
}
