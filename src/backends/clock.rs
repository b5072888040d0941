//! The `Clock` port: wall time and sleeping, real or virtual.
//!
//! Invariant: logic never calls `Utc::now()`; it asks a `Clock`. The [`VirtualClock`] only moves when a test
//! advances it, and every sleeper whose deadline has been reached wakes in deadline order, so a whole slate
//! day of timers runs in milliseconds.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use parking_lot::Mutex;
use tokio::sync::oneshot;

/// Time source.
#[async_trait]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    async fn sleep(&self, d: Duration);
    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
    /// Whether time is virtual (tests); used only to pick real-time poll intervals.
    fn is_virtual(&self) -> bool {
        false
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await
    }
}

/// A clock that moves only when told to.
pub struct VirtualClock {
    now_ms: AtomicI64,
    seq: AtomicU64,
    sleepers: Mutex<BTreeMap<(i64, u64), oneshot::Sender<()>>>,
}

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            now_ms: AtomicI64::new(start.timestamp_millis()),
            seq: AtomicU64::new(0),
            sleepers: Mutex::new(BTreeMap::new()),
        }
    }

    /// Move time forward by `d`, waking every sleeper whose deadline is reached.
    pub fn advance(&self, d: Duration) {
        let target = self.now_ms.load(Ordering::SeqCst) + d.as_millis() as i64;
        self.advance_to_ms(target);
    }

    /// Move time to `t` (never backwards).
    pub fn set(&self, t: DateTime<Utc>) {
        self.advance_to_ms(t.timestamp_millis());
    }

    fn advance_to_ms(&self, target: i64) {
        loop {
            let due = {
                let mut s = self.sleepers.lock();
                match s.keys().next().copied() {
                    Some(k) if k.0 <= target => {
                        self.now_ms.fetch_max(k.0, Ordering::SeqCst);
                        s.remove(&k)
                    }
                    _ => None,
                }
            };
            match due {
                Some(tx) => {
                    let _ = tx.send(());
                }
                None => break,
            }
        }
        self.now_ms.fetch_max(target, Ordering::SeqCst);
    }

    /// The earliest pending sleeper deadline, if any.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.sleepers.lock().keys().next().and_then(|k| Utc.timestamp_millis_opt(k.0).single())
    }

    pub fn pending_sleepers(&self) -> usize {
        self.sleepers.lock().len()
    }
}

#[async_trait]
impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.now_ms.load(Ordering::SeqCst)).single().unwrap_or_default()
    }

    async fn sleep(&self, d: Duration) {
        let deadline = self.now_ms.load(Ordering::SeqCst) + d.as_millis() as i64;
        let rx = {
            let (tx, rx) = oneshot::channel();
            let seq = self.seq.fetch_add(1, Ordering::SeqCst);
            self.sleepers.lock().insert((deadline, seq), tx);
            rx
        };
        if self.now_ms.load(Ordering::SeqCst) >= deadline {
            return;
        }
        let _ = rx.await;
    }

    fn is_virtual(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn sleepers_wake_in_deadline_order_when_advanced() {
        let clock = Arc::new(VirtualClock::new(Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap()));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for (i, secs) in [(1, 3600u64), (2, 60), (3, 86_400)] {
            let c = clock.clone();
            let o = order.clone();
            handles.push(tokio::spawn(async move {
                c.sleep(Duration::from_secs(secs)).await;
                o.lock().push((i, c.now()));
            }));
        }
        while clock.pending_sleepers() < 3 {
            tokio::task::yield_now().await;
        }
        clock.advance(Duration::from_secs(7200));
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        assert_eq!(order.lock().iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 1]);
        clock.advance(Duration::from_secs(86_400));
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(order.lock().len(), 3);
        assert_eq!(clock.now(), Utc.with_ymd_and_hms(2025, 1, 16, 14, 0, 0).unwrap());
    }
}
