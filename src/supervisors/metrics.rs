//! Per-actor counters and their Prometheus rendering.
//!
//! Mailbox depth is not observable in actix, so it is derived: `sent` is counted by the sender side
//! (`Pool::send`, bridges) and `received` at the start of every handler; depth = sent − received.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use dashmap::DashMap;

/// Counters of one actor instance (they survive restarts: the supervisor keeps the same struct).
#[derive(Debug, Default)]
pub struct ActorMetrics {
    pub kind: String,
    pub name: String,
    pub sent: AtomicU64,
    pub received: AtomicU64,
    pub processed: AtomicU64,
    pub failed: AtomicU64,
    pub panics: AtomicU64,
    pub restarts: AtomicU64,
    pub quarantined: AtomicU64,
    /// Handler currently running since (ms, clock time); 0 when idle.
    pub busy_since_ms: AtomicI64,
    pub last_progress_ms: AtomicI64,
    /// Ack latency (publish → ack) for bridges: sum and count in µs, plus bucket counts.
    pub ack_latency_us_sum: AtomicU64,
    pub ack_latency_count: AtomicU64,
    pub ack_latency_buckets: [AtomicU64; 8],
}

/// Upper bounds of the ack latency buckets, in seconds.
pub const LATENCY_BUCKETS_S: [f64; 8] = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10.0, 60.0];

impl ActorMetrics {
    pub fn new(kind: &str, name: &str) -> Self {
        ActorMetrics { kind: kind.into(), name: name.into(), ..Default::default() }
    }

    pub fn mailbox_depth(&self) -> u64 {
        self.sent.load(Relaxed).saturating_sub(self.received.load(Relaxed))
    }

    /// Mark a handler start; the guard marks it done.
    pub fn enter(self: &Arc<Self>, now_ms: i64) -> BusyGuard {
        self.received.fetch_add(1, Relaxed);
        self.busy_since_ms.store(now_ms, Relaxed);
        self.last_progress_ms.store(now_ms, Relaxed);
        BusyGuard { m: self.clone(), failed: false }
    }

    pub fn progress(&self, now_ms: i64) {
        self.last_progress_ms.store(now_ms, Relaxed);
    }

    pub fn observe_ack_latency(&self, seconds: f64) {
        self.ack_latency_us_sum.fetch_add((seconds * 1e6).max(0.0) as u64, Relaxed);
        self.ack_latency_count.fetch_add(1, Relaxed);
        for (i, b) in LATENCY_BUCKETS_S.iter().enumerate() {
            if seconds <= *b {
                self.ack_latency_buckets[i].fetch_add(1, Relaxed);
            }
        }
    }
}

/// Marks the end of a handler: `processed` or `failed`, and idle.
pub struct BusyGuard {
    m: Arc<ActorMetrics>,
    failed: bool,
}

impl BusyGuard {
    pub fn fail(&mut self) {
        self.failed = true;
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if self.failed {
            self.m.failed.fetch_add(1, Relaxed);
        } else {
            self.m.processed.fetch_add(1, Relaxed);
        }
        self.m.busy_since_ms.store(0, Relaxed);
    }
}

/// All actor metrics of a process.
#[derive(Debug, Default, Clone)]
pub struct MetricsRegistry {
    actors: Arc<DashMap<String, Arc<ActorMetrics>>>,
}

impl MetricsRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register (or fetch) the metrics of actor `name` of `kind`.
    pub fn actor(&self, kind: &str, name: &str) -> Arc<ActorMetrics> {
        self.actors.entry(name.to_string()).or_insert_with(|| Arc::new(ActorMetrics::new(kind, name))).clone()
    }

    pub fn all(&self) -> Vec<Arc<ActorMetrics>> {
        let mut v: Vec<_> = self.actors.iter().map(|e| e.value().clone()).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    pub fn get(&self, name: &str) -> Option<Arc<ActorMetrics>> {
        self.actors.get(name).map(|e| e.value().clone())
    }

    /// Prometheus text exposition.
    pub fn render_prometheus(&self) -> String {
        let all = self.all();
        let mut out = String::new();
        type Counter = (&'static str, &'static str, fn(&ActorMetrics) -> u64);
        let counters: [Counter; 8] = [
            ("hoopflow_actor_received_total", "messages handled by the actor", |m| m.received.load(Relaxed)),
            ("hoopflow_actor_processed_total", "handlers that finished", |m| m.processed.load(Relaxed)),
            ("hoopflow_actor_failed_total", "handlers that failed", |m| m.failed.load(Relaxed)),
            ("hoopflow_actor_panics_total", "handler panics caught", |m| m.panics.load(Relaxed)),
            ("hoopflow_actor_restarts_total", "supervisor restarts", |m| m.restarts.load(Relaxed)),
            ("hoopflow_actor_quarantines_total", "restart-intensity limit reached", |m| m.quarantined.load(Relaxed)),
            ("hoopflow_actor_mailbox_depth", "messages sent but not yet received", |m| m.mailbox_depth()),
            ("hoopflow_actor_busy", "1 while a handler runs", |m| u64::from(m.busy_since_ms.load(Relaxed) != 0)),
        ];
        for (name, help, f) in counters {
            let ty = if name.ends_with("_total") { "counter" } else { "gauge" };
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {ty}");
            for m in &all {
                let _ = writeln!(out, "{name}{{kind=\"{}\",actor=\"{}\"}} {}", m.kind, m.name, f(m));
            }
        }
        let _ = writeln!(
            out,
            "# HELP hoopflow_ack_latency_seconds publish to ack latency per bridge\n# TYPE hoopflow_ack_latency_seconds histogram"
        );
        for m in all.iter().filter(|m| m.ack_latency_count.load(Relaxed) > 0) {
            let labels = format!("kind=\"{}\",actor=\"{}\"", m.kind, m.name);
            for (i, b) in LATENCY_BUCKETS_S.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "hoopflow_ack_latency_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    m.ack_latency_buckets[i].load(Relaxed)
                );
            }
            let n = m.ack_latency_count.load(Relaxed);
            let _ = writeln!(out, "hoopflow_ack_latency_seconds_bucket{{{labels},le=\"+Inf\"}} {n}");
            let _ = writeln!(
                out,
                "hoopflow_ack_latency_seconds_sum{{{labels}}} {}",
                m.ack_latency_us_sum.load(Relaxed) as f64 / 1e6
            );
            let _ = writeln!(out, "hoopflow_ack_latency_seconds_count{{{labels}}} {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_sent_minus_received_and_rendered() {
        let r = MetricsRegistry::new();
        let m = r.actor("processor_host", "host-a");
        m.sent.fetch_add(100, Relaxed);
        for _ in 0..40 {
            let _g = m.enter(1);
        }
        assert_eq!(m.mailbox_depth(), 60);
        assert_eq!(m.processed.load(Relaxed), 40);
        m.observe_ack_latency(0.002);
        let text = r.render_prometheus();
        assert!(text.contains("hoopflow_actor_mailbox_depth{kind=\"processor_host\",actor=\"host-a\"} 60"));
        assert!(text
            .contains("hoopflow_ack_latency_seconds_bucket{kind=\"processor_host\",actor=\"host-a\",le=\"0.005\"} 1"));
        assert!(text
            .contains("hoopflow_ack_latency_seconds_bucket{kind=\"processor_host\",actor=\"host-a\",le=\"0.001\"} 0"));
    }
}
