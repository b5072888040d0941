//! The embedded `Bus`: an in-process, durable, at-least-once topic/subscription bus on SQLite with Pub/Sub
//! semantics (the default adapter; `bus.db` under the pipeline home).
//!
//! Role: topics and subscriptions are persisted; a publish fans out one delivery per subscription existing at
//! publish time (a later subscription does not see older messages); `pull` leases deliverable messages for
//! the subscription's ack deadline; `ack`/`nack`/`modify_ack_deadline` act only on the current delivery attempt
//! of a message; a message that would be delivered for attempt `max_delivery_attempts + 1` moves to the
//! dead-letter topic instead (if one is set), with its reason and origin as attributes.
//!
//! Invariants:
//! - every operation is one SQLite transaction on one connection behind a `parking_lot::Mutex`; nothing
//!   awaits while the lock is held, and a batch (publish, pull, ack of N) costs one commit;
//! - deadlines and delays are measured with the [`Clock`] port, never the wall clock, so a [`VirtualClock`]
//!   drives redelivery in tests; only `pull`'s `wait` is real time;
//! - durability: WAL with `synchronous=NORMAL`: a publish or ack that returned survives SIGKILL of the process;
//!   power loss or an OS crash may lose the last commits (not promised);
//! - leases are durable too: after a restart, a message leased before the crash is redelivered when its ack
//!   deadline passes, with its attempt count kept;
//! - one process owns a bus file for pulling; other processes (CLI) may open it too (`busy_timeout`), but
//!   their publishes wake this process's pullers only through the periodic re-check.
//!
//! [`VirtualClock`]: crate::backends::VirtualClock

mod checkpoint;
mod delivery;
mod ids;
mod schema;
mod sql;
mod store;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use parking_lot::Mutex;
use tokio::sync::Notify;

use self::checkpoint::Checkpointer;
use self::delivery::DeadLettered;
use self::ids::AckId;
use self::store::{after, Store};
use crate::backends::{Bus, Clock, OutboundMessage, PortError, PortResult, ReceivedMessage, SubscriptionSpec};

/// How often a waiting `pull` re-checks when the clock is virtual (a test may advance it at any time).
const VIRTUAL_POLL: Duration = Duration::from_millis(5);
/// Longest real-time nap of a waiting `pull` on a system clock (covers publishes by other processes).
const MAX_POLL: Duration = Duration::from_millis(250);

/// The embedded, SQLite-backed [`Bus`].
///
/// Where the trait leaves room, it behaves like Pub/Sub so a topology that runs here also deploys there:
/// - topic and subscription names follow the Pub/Sub id rule (3-255 characters, a letter first,
///   `[A-Za-z0-9-_.~+%]`), otherwise `Invalid`; a dead-letter topic must exist when the subscription is made;
/// - `ensure_subscription` updates `ack_deadline`, `max_delivery_attempts` and `dead_letter_topic` of an
///   existing subscription; a different `topic` or `ordering` is `Invalid` (immutable on Pub/Sub too);
/// - a message needs data or attributes; `pull` of 0 messages is `Invalid`; a malformed ack id is `Invalid`,
///   a stale or repeated one is ignored;
/// - `nack(d)` is `modify_ack_deadline(d)`;
/// - `peek` lists unacked messages (leased ones included) in the order they would be delivered, with
///   `delivery_attempt` = deliveries so far (0 = never delivered) and the ack id of the current attempt;
/// - dead-lettering needs at least one subscription on the dead-letter topic (a topic without one would drop
///   the message): without it `dead_letter` is `Invalid` and bus-driven dead-lettering keeps redelivering,
///   with a warning.
pub struct EmbeddedBus {
    store: Mutex<Store>,
    clock: Arc<dyn Clock>,
    /// One wake-up per subscription with waiting pullers.
    wakers: Mutex<HashMap<String, Arc<Notify>>>,
    location: String,
    /// File-backed buses only: moves WAL checkpoints off the calls' path.
    _checkpointer: Option<Checkpointer>,
}

impl std::fmt::Debug for EmbeddedBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBus").field("location", &self.location).finish_non_exhaustive()
    }
}

impl EmbeddedBus {
    /// Open (or create) the bus stored in the SQLite file at `path` (WAL, `synchronous=NORMAL`).
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> PortResult<Self> {
        let conn = schema::open_file(path)?;
        let checkpointer = Checkpointer::start(path)?;
        tracing::debug!(path = %path.display(), "embedded bus opened");
        Ok(Self::with_connection(conn, clock, path.display().to_string(), Some(checkpointer)))
    }

    /// A private bus in memory: same semantics, nothing survives the value.
    pub fn in_memory(clock: Arc<dyn Clock>) -> PortResult<Self> {
        Ok(Self::with_connection(schema::open_memory()?, clock, ":memory:".into(), None))
    }

    fn with_connection(
        conn: rusqlite::Connection,
        clock: Arc<dyn Clock>,
        location: String,
        checkpointer: Option<Checkpointer>,
    ) -> Self {
        EmbeddedBus {
            store: Mutex::new(Store { conn }),
            clock,
            wakers: Mutex::new(HashMap::new()),
            location,
            _checkpointer: checkpointer,
        }
    }

    fn waker(&self, subscription: &str) -> Arc<Notify> {
        self.wakers.lock().entry(subscription.to_string()).or_default().clone()
    }

    /// Wake the pullers waiting on these subscriptions (they re-check at once).
    fn wake<S: AsRef<str>>(&self, subscriptions: &[S]) {
        if subscriptions.is_empty() {
            return;
        }
        let wakers = self.wakers.lock();
        for name in subscriptions {
            if let Some(n) = wakers.get(name.as_ref()) {
                n.notify_waiters();
            }
        }
    }

    /// One non-waiting pull attempt.
    fn try_pull(&self, subscription: &str, max: usize) -> PortResult<(Vec<ReceivedMessage>, Option<i64>)> {
        let now = self.clock.now_ms();
        let pulled = self.store.lock().pull(subscription, max, now)?;
        self.wake(&pulled.woken);
        Ok((pulled.messages, pulled.next_visible))
    }

    /// How long a waiting pull naps before re-checking, given the earliest future `visible_at`.
    fn nap(&self, next_visible: Option<i64>) -> Duration {
        if self.clock.is_virtual() {
            return VIRTUAL_POLL;
        }
        match next_visible {
            Some(t) => {
                let ms = t.saturating_sub(self.clock.now_ms()).max(1);
                Duration::from_millis(ms.unsigned_abs()).min(MAX_POLL)
            }
            None => MAX_POLL,
        }
    }
}

#[async_trait]
impl Bus for EmbeddedBus {
    async fn ensure_topic(&self, topic: &str) -> PortResult<()> {
        let now = self.clock.now_ms();
        self.store.lock().ensure_topic(topic, now)
    }

    async fn ensure_subscription(&self, spec: &SubscriptionSpec) -> PortResult<()> {
        self.store.lock().ensure_subscription(spec)?;
        // Waiting pullers re-read the (possibly changed) spec.
        self.wake(&[&spec.name]);
        Ok(())
    }

    async fn delete_subscription(&self, name: &str) -> PortResult<()> {
        let dropped = self.store.lock().delete_subscription(name)?;
        tracing::info!(subscription = %name, dropped, "subscription deleted");
        // Waiting pullers wake up and report the subscription gone.
        if let Some(n) = self.wakers.lock().remove(name) {
            n.notify_waiters();
        }
        Ok(())
    }

    async fn list_topics(&self) -> PortResult<Vec<String>> {
        self.store.lock().list_topics()
    }

    async fn list_subscriptions(&self) -> PortResult<Vec<SubscriptionSpec>> {
        self.store.lock().list_subscriptions()
    }

    async fn publish(&self, topic: &str, messages: Vec<OutboundMessage>) -> PortResult<Vec<String>> {
        let now = self.clock.now_ms();
        let (ids, woken) = self.store.lock().publish(topic, &messages, now)?;
        self.wake(&woken);
        Ok(ids)
    }

    async fn pull(&self, subscription: &str, max: usize, wait: Duration) -> PortResult<Vec<ReceivedMessage>> {
        if max == 0 {
            return Err(PortError::Invalid("pull of 0 messages".into()));
        }
        let started = tokio::time::Instant::now();
        let (messages, _) = self.try_pull(subscription, max)?;
        if !messages.is_empty() || wait.is_zero() {
            return Ok(messages);
        }
        let waker = self.waker(subscription);
        loop {
            // Register for wake-ups before looking, so a publish between the look and the nap is not missed.
            let notified = waker.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (messages, next_visible) = self.try_pull(subscription, max)?;
            let elapsed = started.elapsed();
            if !messages.is_empty() || elapsed >= wait {
                return Ok(messages);
            }
            let nap = self.nap(next_visible).min(wait - elapsed);
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep(nap) => {}
            }
        }
    }

    async fn ack(&self, subscription: &str, ack_ids: &[String]) -> PortResult<()> {
        let ids = AckId::parse_all(ack_ids)?;
        if ids.is_empty() {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let (stale, woken) = self.store.lock().ack(subscription, &ids, now)?;
        self.wake(&woken);
        if stale > 0 {
            tracing::debug!(subscription, stale, "stale or repeated acks ignored");
        }
        Ok(())
    }

    async fn nack(&self, subscription: &str, ack_ids: &[String], delay: Duration) -> PortResult<()> {
        self.modify_ack_deadline(subscription, ack_ids, delay).await
    }

    async fn modify_ack_deadline(&self, subscription: &str, ack_ids: &[String], deadline: Duration) -> PortResult<()> {
        let ids = AckId::parse_all(ack_ids)?;
        if ids.is_empty() {
            return Ok(());
        }
        let visible_at = after(self.clock.now_ms(), deadline);
        let stale = self.store.lock().set_visibility(subscription, &ids, visible_at)?;
        if stale > 0 {
            tracing::debug!(subscription, stale, "stale ack ids ignored on deadline change");
        }
        // Waiting pullers recompute when to look again (or take the message now, for a zero deadline).
        self.wake(&[subscription]);
        Ok(())
    }

    async fn dead_letter(&self, subscription: &str, ack_id: &str, reason: &str) -> PortResult<()> {
        let id = AckId::parse(ack_id)?;
        let now = self.clock.now_ms();
        let (outcome, woken) = self.store.lock().dead_letter(subscription, id, reason, now)?;
        self.wake(&woken);
        match outcome {
            DeadLettered::Moved => {
                tracing::info!(subscription, ack_id, reason, "message dead-lettered")
            }
            DeadLettered::Stale => {
                tracing::debug!(subscription, ack_id, "stale ack id ignored on dead-letter")
            }
        }
        Ok(())
    }

    async fn peek(&self, subscription: &str, max: usize) -> PortResult<Vec<ReceivedMessage>> {
        self.store.lock().peek(subscription, max)
    }

    async fn backlog(&self, subscription: &str) -> PortResult<u64> {
        self.store.lock().backlog(subscription)
    }
}
