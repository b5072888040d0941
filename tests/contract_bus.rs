//! The `Bus` contract suite against the embedded SQLite bus (file-backed and in-memory, time on a
//! `VirtualClock`), plus what only the embedded bus promises: durability across a reopen of the same file
//! and across SIGKILL of the process, no double delivery among concurrent consumers of one process, and a
//! waiting pull woken by a publish at once (not at its next idle re-check).
//!
//! Benchmark (ignored by default):
//! `cargo test --release --test contract_bus -- --ignored --nocapture bench_`

#[macro_use]
#[path = "contract/bus_suite.rs"]
mod bus_suite;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bus_suite::{BusHarness, PAST_DEADLINE};
use chrono::{TimeZone, Utc};
use hoopflow::backends::embedded::bus::EmbeddedBus;
use hoopflow::backends::{Bus, Clock, OutboundMessage, SubscriptionSpec, SystemClock, VirtualClock};

fn virtual_clock() -> Arc<VirtualClock> {
    Arc::new(VirtualClock::new(Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap()))
}

fn harness(
    bus: EmbeddedBus,
    clock: Arc<VirtualClock>,
    guards: Vec<Box<dyn std::any::Any + Send + Sync>>,
) -> BusHarness {
    BusHarness {
        bus: Arc::new(bus),
        advance: Box::new(move |d| {
            clock.advance(d);
            Box::pin(async {})
        }),
        quiet_wait: Duration::from_millis(20),
        guards,
    }
}

async fn file_harness() -> BusHarness {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = virtual_clock();
    let bus = EmbeddedBus::open(&dir.path().join("bus.db"), clock.clone()).expect("open");
    harness(bus, clock, vec![Box::new(dir)])
}

async fn memory_harness() -> BusHarness {
    let clock = virtual_clock();
    harness(EmbeddedBus::in_memory(clock.clone()).expect("in_memory"), clock, Vec::new())
}

mod file {
    use super::bus_suite;
    bus_contract_tests!(bus_suite, super::file_harness());
}

mod memory {
    use super::bus_suite;
    bus_contract_tests!(bus_suite, super::memory_harness());
}

fn spec(name: &str, topic: &str) -> SubscriptionSpec {
    let mut s = SubscriptionSpec::new(name, topic);
    s.ack_deadline = Duration::from_secs(10);
    s
}

#[tokio::test]
async fn reopen_keeps_unacked_messages_with_their_attempts_and_forgets_acked_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.db");
    let clock = virtual_clock();
    let before: Vec<String>;
    {
        let bus = EmbeddedBus::open(&path, clock.clone()).unwrap();
        bus.ensure_topic("durable-topic").await.unwrap();
        bus.ensure_subscription(&spec("durable-sub", "durable-topic")).await.unwrap();
        before = bus
            .publish(
                "durable-topic",
                vec![
                    OutboundMessage::new(b"one".to_vec()).with_attr("k", "v"),
                    OutboundMessage::new(b"two".to_vec()),
                    OutboundMessage::new(b"three".to_vec()).with_ordering_key("key"),
                ],
            )
            .await
            .unwrap();
        let got = bus.pull("durable-sub", 10, Duration::ZERO).await.unwrap();
        assert_eq!(got.len(), 3);
        let two = got.iter().find(|m| m.data == b"two").unwrap();
        bus.ack("durable-sub", std::slice::from_ref(&two.ack_id)).await.unwrap();
        clock.advance(PAST_DEADLINE);
        // Both unacked messages expire and go out a second time.
        let again = bus.pull("durable-sub", 10, Duration::ZERO).await.unwrap();
        assert_eq!(again.len(), 2);
        assert!(again.iter().all(|m| m.delivery_attempt == 2));
    }

    let bus = EmbeddedBus::open(&path, clock.clone()).unwrap();
    assert_eq!(bus.list_topics().await.unwrap(), vec!["durable-topic"]);
    assert_eq!(bus.list_subscriptions().await.unwrap(), vec![spec("durable-sub", "durable-topic")]);
    assert_eq!(bus.backlog("durable-sub").await.unwrap(), 2);
    // Leases survive the reopen: nothing is handed out before the deadline.
    assert!(bus.pull("durable-sub", 10, Duration::ZERO).await.unwrap().is_empty());
    clock.advance(PAST_DEADLINE);
    let mut got = bus.pull("durable-sub", 10, Duration::ZERO).await.unwrap();
    got.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    assert_eq!(got.iter().map(|m| m.data.as_slice()).collect::<Vec<_>>(), vec![&b"one"[..], &b"three"[..]]);
    assert_eq!(got.iter().map(|m| m.delivery_attempt).collect::<Vec<_>>(), vec![3, 3]);
    assert_eq!(got[0].message_id, before[0]);
    assert_eq!(got[0].attributes.get("k").map(String::as_str), Some("v"));
    assert_eq!(got[1].ordering_key.as_deref(), Some("key"));
    bus.ack("durable-sub", &got.iter().map(|m| m.ack_id.clone()).collect::<Vec<_>>()).await.unwrap();
    assert_eq!(bus.backlog("durable-sub").await.unwrap(), 0);

    // Message ids are never reused, even after every message was acked and the file reopened.
    drop(bus);
    let bus = EmbeddedBus::open(&path, clock).unwrap();
    let next = bus.publish("durable-topic", vec![OutboundMessage::new(b"four".to_vec())]).await.unwrap();
    let max_before = before.iter().map(|id| id.parse::<u64>().unwrap()).max().unwrap();
    assert!(next[0].parse::<u64>().unwrap() > max_before, "{next:?} after {before:?}");
}

const CHILD_ENV: &str = "HOOPFLOW_BUS_KILL_CHILD_DB";

/// Helper process of `a_killed_process_loses_no_committed_publish_or_ack`: acks what is waiting, then
/// publishes forever, printing each committed operation.
#[test]
#[ignore = "helper process, started by a_killed_process_loses_no_committed_publish_or_ack"]
fn kill_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let bus = EmbeddedBus::open(Path::new(&path), Arc::new(SystemClock)).unwrap();
        let mut out = std::io::stdout().lock();
        // libtest has printed "test kill_child ... " without a newline.
        writeln!(out).unwrap();
        let got = bus.pull("kill-sub", 10, Duration::ZERO).await.unwrap();
        bus.ack("kill-sub", &got.iter().map(|m| m.ack_id.clone()).collect::<Vec<_>>()).await.unwrap();
        for m in &got {
            writeln!(out, "acked {}", m.message_id).unwrap();
        }
        for i in 0u64.. {
            let ids = bus
                .publish("kill-topic", (0..5).map(|j| OutboundMessage::new(format!("c{i}-{j}").into_bytes())).collect())
                .await
                .unwrap();
            for id in ids {
                writeln!(out, "published {id}").unwrap();
            }
            out.flush().unwrap();
        }
    });
}

#[tokio::test]
async fn a_killed_process_loses_no_committed_publish_or_ack() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.db");
    let initial: Vec<String>;
    {
        let bus = EmbeddedBus::open(&path, Arc::new(SystemClock)).unwrap();
        bus.ensure_topic("kill-topic").await.unwrap();
        bus.ensure_subscription(&SubscriptionSpec::new("kill-sub", "kill-topic")).await.unwrap();
        initial = bus
            .publish("kill-topic", (0..20).map(|i| OutboundMessage::new(format!("p{i}").into_bytes())).collect())
            .await
            .unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "kill_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = HashSet::new();
    let mut published = HashSet::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("acked ") {
            acked.insert(id.to_string());
        } else if let Some(id) = line.strip_prefix("published ") {
            published.insert(id.to_string());
        }
        if published.len() >= 2_000 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL, mid-stream
    child.wait().unwrap();
    assert_eq!(acked.len(), 10, "the child acked 10 of the initial messages");
    assert!(published.len() >= 2_000);

    let bus = EmbeddedBus::open(&path, Arc::new(SystemClock)).unwrap();
    let backlog = bus.backlog("kill-sub").await.unwrap() as usize;
    let waiting: HashSet<String> =
        bus.peek("kill-sub", backlog + 1).await.unwrap().into_iter().map(|m| m.message_id).collect();
    assert_eq!(waiting.len(), backlog);
    for id in &acked {
        assert!(!waiting.contains(id), "acked message {id} came back after the kill");
    }
    for id in initial.iter().filter(|id| !acked.contains(*id)) {
        assert!(waiting.contains(id), "unacked message {id} lost");
    }
    let lost: Vec<_> = published.iter().filter(|id| !waiting.contains(*id)).collect();
    assert!(lost.is_empty(), "{} committed publishes lost, e.g. {:?}", lost.len(), lost.first());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_consumers_never_share_a_lease() {
    const N: usize = 5_000;
    let clock = virtual_clock();
    let bus: Arc<dyn Bus> = Arc::new(EmbeddedBus::in_memory(clock).unwrap());
    bus.ensure_topic("conc-topic").await.unwrap();
    bus.ensure_subscription(&spec("conc-sub", "conc-topic")).await.unwrap();
    let producer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            for b in 0..N / 100 {
                let msgs = (0..100).map(|i| OutboundMessage::new(format!("{}", b * 100 + i).into_bytes())).collect();
                bus.publish("conc-topic", msgs).await.unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut consumers = Vec::new();
    for _ in 0..4 {
        let bus = bus.clone();
        consumers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = bus.pull("conc-sub", 37, Duration::from_millis(300)).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                bus.ack("conc-sub", &got.iter().map(|m| m.ack_id.clone()).collect::<Vec<_>>()).await.unwrap();
                mine.extend(got.into_iter().map(|m| m.message_id));
            }
        }));
    }
    producer.await.unwrap();
    let mut all = Vec::new();
    for c in consumers {
        all.extend(c.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), N, "each message delivered exactly once while leases hold");
    assert_eq!(distinct.len(), N);
    assert_eq!(bus.backlog("conc-sub").await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_pull_wakes_on_publish_not_on_its_next_poll() {
    let bus = Arc::new(EmbeddedBus::in_memory(Arc::new(SystemClock)).unwrap());
    bus.ensure_topic("wake-topic").await.unwrap();
    bus.ensure_subscription(&spec("wake-sub", "wake-topic")).await.unwrap();
    for round in 0..5 {
        let waiter = {
            let bus = bus.clone();
            tokio::spawn(async move {
                let got = bus.pull("wake-sub", 10, Duration::from_secs(5)).await.unwrap();
                (got, Instant::now())
            })
        };
        // Let the pull park (its idle re-check is 250 ms away).
        tokio::time::sleep(Duration::from_millis(30)).await;
        let sent = Instant::now();
        bus.publish("wake-topic", vec![OutboundMessage::new(format!("r{round}").into_bytes())]).await.unwrap();
        let (got, at) = waiter.await.unwrap();
        assert_eq!(got.len(), 1);
        let hop = at - sent;
        assert!(hop < Duration::from_millis(150), "round {round}: woke after {hop:?}");
        bus.ack("wake-sub", &[got[0].ack_id.clone()]).await.unwrap();
    }
}

const BENCH_BATCH: usize = 500;

/// A unified-message-sized payload.
fn bench_payload(i: usize) -> Vec<u8> {
    format!(
        r#"{{"processor_name":"bdl_boxscores","phase":"phase_2_raw","execution_id":"e-{i}","correlation_id":"c-{i}","game_date":"2025-01-15","status":"success","record_count":{i}}}"#
    )
    .into_bytes()
}

fn bench_batch(b: usize) -> Vec<OutboundMessage> {
    (b * BENCH_BATCH..(b + 1) * BENCH_BATCH)
        .map(|i| OutboundMessage::new(bench_payload(i)).with_attr("game_date", "2025-01-15"))
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: cargo test --release --test contract_bus -- --ignored --nocapture bench_"]
async fn bench_throughput_and_latency() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let bus: Arc<dyn Bus> = Arc::new(EmbeddedBus::open(&dir.path().join("bus.db"), clock).unwrap());
    bus.ensure_topic("bench-topic").await.unwrap();
    let mut s = SubscriptionSpec::new("bench-sub", "bench-topic");
    s.ack_deadline = Duration::from_secs(60);
    bus.ensure_subscription(&s).await.unwrap();

    const N: usize = 200_000;
    const BATCH: usize = BENCH_BATCH;
    let (payload, batch) = (bench_payload, bench_batch);

    // Cost per message of each operation, one task, batches of 500 (backlog of N/2 built first).
    bus.ensure_topic("ops-topic").await.unwrap();
    bus.ensure_subscription(&SubscriptionSpec::new("ops-sub", "ops-topic")).await.unwrap();
    let (mut t_pub, mut t_pull, mut t_ack) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for b in 0..N / 2 / BATCH {
        let msgs = batch(b);
        let t = Instant::now();
        bus.publish("ops-topic", msgs).await.unwrap();
        t_pub += t.elapsed();
    }
    let mut drained = 0;
    while drained < N / 2 {
        let t = Instant::now();
        let got = bus.pull("ops-sub", BATCH, Duration::ZERO).await.unwrap();
        t_pull += t.elapsed();
        let ids: Vec<String> = got.iter().map(|m| m.ack_id.clone()).collect();
        let t = Instant::now();
        bus.ack("ops-sub", &ids).await.unwrap();
        t_ack += t.elapsed();
        drained += got.len();
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / (N / 2) as f64;
    println!(
        "per message, batches of {BATCH}: publish {:.2} us, pull {:.2} us, ack {:.2} us",
        per(t_pub),
        per(t_pull),
        per(t_ack)
    );

    // Throughput: batches of 500 published while a consumer pulls 500 and acks.
    let started = Instant::now();
    let producer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            for b in 0..N / BATCH {
                bus.publish("bench-topic", batch(b)).await.unwrap();
            }
            started.elapsed()
        })
    };
    let consumer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            let mut seen = vec![false; N];
            let mut count = 0;
            while count < N {
                let got = bus.pull("bench-sub", BATCH, Duration::from_secs(1)).await.unwrap();
                assert!(!got.is_empty(), "consumer starved at {count}");
                let ids: Vec<String> = got.iter().map(|m| m.ack_id.clone()).collect();
                bus.ack("bench-sub", &ids).await.unwrap();
                for m in &got {
                    let v: serde_json::Value = serde_json::from_slice(&m.data).unwrap();
                    let i = v["record_count"].as_u64().unwrap() as usize;
                    assert!(!std::mem::replace(&mut seen[i], true), "duplicate {i}");
                }
                count += got.len();
            }
            started.elapsed()
        })
    };
    let publish_done = producer.await.unwrap();
    let all_acked = consumer.await.unwrap();
    println!(
        "throughput: {N} msgs, publish done in {:.0} ms ({:.0} msg/s), all acked in {:.0} ms ({:.0} msg/s end to end)",
        publish_done.as_secs_f64() * 1e3,
        N as f64 / publish_done.as_secs_f64(),
        all_acked.as_secs_f64() * 1e3,
        N as f64 / all_acked.as_secs_f64()
    );
    assert_eq!(bus.backlog("bench-sub").await.unwrap(), 0);
    let wal = std::fs::metadata(dir.path().join("bus.db-wal")).map(|m| m.len()).unwrap_or(0);
    println!("wal file after the run: {:.1} MiB", wal as f64 / (1 << 20) as f64);

    // Latency: one message at a time, from before publish to the waiting consumer's pull returning.
    bus.ensure_topic("lat-topic").await.unwrap();
    bus.ensure_subscription(&SubscriptionSpec::new("lat-sub", "lat-topic")).await.unwrap();
    const ROUNDS: usize = 5_000;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let consumer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            for _ in 0..ROUNDS {
                let got = loop {
                    let got = bus.pull("lat-sub", 1, Duration::from_secs(1)).await.unwrap();
                    if !got.is_empty() {
                        break got;
                    }
                };
                let at = Instant::now();
                bus.ack("lat-sub", &[got[0].ack_id.clone()]).await.unwrap();
                tx.send(at).unwrap();
            }
        })
    };
    let mut hops = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        // Let the consumer park in its pull so the wake-up path is measured.
        tokio::time::sleep(Duration::from_micros(200)).await;
        let t0 = Instant::now();
        bus.publish("lat-topic", vec![OutboundMessage::new(payload(i))]).await.unwrap();
        let at = rx.recv().await.unwrap();
        hops.push(at - t0);
    }
    consumer.await.unwrap();
    hops.sort();
    println!(
        "latency publish->pull (waiting consumer, {ROUNDS} rounds): p50 {:?} p99 {:?} max {:?}",
        percentile(&hops, 0.50),
        percentile(&hops, 0.99),
        hops[ROUNDS - 1]
    );
}
