//! The contract suite of the `Bus` port: every adapter (embedded SQLite, Google Pub/Sub on the emulator) must
//! pass the same checks, so both provably behave alike.
//!
//! Each check is a plain `pub async fn(&BusHarness)`; [`bus_contract_tests!`] turns the whole list into one
//! `#[tokio::test]` per check for a given harness constructor, so a new adapter runs the same list:
//!
//! ```ignore
//! #[macro_use]
//! #[path = "contract/bus_suite.rs"]
//! mod bus_suite;
//! async fn harness() -> bus_suite::BusHarness { /* connect to the emulator; advance = real sleep */ }
//! bus_contract_tests!(bus_suite, harness());
//! ```
//!
//! Rules the checks follow so they hold on Pub/Sub too: names are unique per check (checks run in parallel,
//! possibly against one shared emulator) and valid Pub/Sub ids; ack deadlines are at least 10 s and
//! `max_delivery_attempts` is 5 to 100 (the Pub/Sub bounds); time moves only through `BusHarness::advance` (a
//! virtual clock for the embedded bus, a real sleep for an emulator); one pull may return fewer messages than
//! are available, so checks accumulate pulls.

use std::any::Any;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hoopflow::backends::{Bus, OutboundMessage, PortError, ReceivedMessage, SubscriptionSpec};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// Moves the bus's notion of time forward (virtual clock) or waits that long (real backends).
pub type Advance = Box<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// What a check needs: the bus under test and a way to move time.
pub struct BusHarness {
    pub bus: Arc<dyn Bus>,
    pub advance: Advance,
    /// How long a pull waits when the check expects nothing: an in-process bus answers at once, a remote
    /// one (emulator) needs time for a message to show up if one wrongly exists.
    pub quiet_wait: Duration,
    /// Kept alive for the harness's lifetime (temp dirs, emulator handles); dropped after `bus`.
    #[allow(dead_code)] // held only for its `Drop`
    pub guards: Vec<Box<dyn Any + Send + Sync>>,
}

/// The ack deadline the checks use (the Pub/Sub minimum).
pub const ACK_DEADLINE: Duration = Duration::from_secs(10);
/// Just past [`ACK_DEADLINE`].
pub const PAST_DEADLINE: Duration = Duration::from_secs(11);
/// How long the checks wait, in total, for messages they expect.
const SOME_WAIT: Duration = Duration::from_secs(10);

/// A name unique to this process and call, valid as a Pub/Sub topic or subscription id.
pub fn unique(tag: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("ct-{tag}-{}-{n}-{:06x}", std::process::id(), rand::random::<u32>() & 0xff_ffff)
}

impl BusHarness {
    pub async fn advance(&self, d: Duration) {
        (self.advance)(d).await
    }

    pub async fn topic(&self, tag: &str) -> String {
        let topic = unique(tag);
        self.bus.ensure_topic(&topic).await.expect("ensure_topic");
        topic
    }

    /// A subscription on `topic` with [`ACK_DEADLINE`], adjusted by `f`.
    pub async fn subscription(&self, topic: &str, tag: &str, f: impl FnOnce(&mut SubscriptionSpec)) -> String {
        let mut spec = SubscriptionSpec::new(unique(tag), topic);
        spec.ack_deadline = ACK_DEADLINE;
        f(&mut spec);
        self.bus.ensure_subscription(&spec).await.expect("ensure_subscription");
        spec.name
    }

    pub async fn publish(&self, topic: &str, msgs: Vec<OutboundMessage>) -> Vec<String> {
        let n = msgs.len();
        let ids = self.bus.publish(topic, msgs).await.expect("publish");
        assert_eq!(ids.len(), n, "one message id per published message");
        ids
    }

    /// Pull until exactly `n` messages arrived (never asks for more than are missing).
    pub async fn pull_exact(&self, sub: &str, n: usize) -> Vec<ReceivedMessage> {
        let until = tokio::time::Instant::now() + SOME_WAIT;
        let mut got = Vec::new();
        while got.len() < n {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            got.extend(self.bus.pull(sub, n - got.len(), left).await.expect("pull"));
        }
        assert_eq!(got.len(), n, "expected {n} messages on {sub}, got {}", got.len());
        got
    }

    /// Assert that nothing is deliverable on `sub` right now.
    pub async fn pull_none(&self, sub: &str) {
        let got = self.bus.pull(sub, 100, self.quiet_wait).await.expect("pull");
        assert!(got.is_empty(), "expected nothing on {sub}, got {:?}", texts(&got));
    }

    pub async fn nack(&self, sub: &str, m: &ReceivedMessage, delay: Duration) {
        self.bus.nack(sub, std::slice::from_ref(&m.ack_id), delay).await.expect("nack");
    }

    pub async fn modify_ack_deadline(&self, sub: &str, m: &ReceivedMessage, deadline: Duration) {
        self.bus
            .modify_ack_deadline(sub, std::slice::from_ref(&m.ack_id), deadline)
            .await
            .expect("modify_ack_deadline");
    }

    pub async fn ack(&self, sub: &str, msgs: &[&ReceivedMessage]) {
        let ids: Vec<String> = msgs.iter().map(|m| m.ack_id.clone()).collect();
        self.bus.ack(sub, &ids).await.expect("ack");
    }
}

fn text(m: &ReceivedMessage) -> String {
    String::from_utf8_lossy(&m.data).into_owned()
}

fn texts(ms: &[ReceivedMessage]) -> Vec<String> {
    ms.iter().map(text).collect()
}

fn msg(s: &str) -> OutboundMessage {
    OutboundMessage::new(s.as_bytes().to_vec())
}

/// One `#[tokio::test]` per check, each on a fresh harness from `$make` (a future of [`BusHarness`]).
#[macro_export]
macro_rules! bus_contract_tests {
    ($suite:ident, $make:expr) => {
        $crate::bus_contract_tests!(@each $suite, $make,
            round_trip_with_attributes,
            unacked_message_is_redelivered_after_the_ack_deadline,
            nack_with_delay,
            stale_ack_is_ignored_and_double_ack_is_harmless,
            modify_ack_deadline_extends_the_lease,
            ordering_keys_hold_per_key_order_with_random_acks,
            nacked_head_blocks_only_its_own_key,
            dead_letter_after_max_delivery_attempts,
            without_dead_letter_topic_redelivery_continues,
            explicit_dead_letter_with_reason,
            dead_lettered_head_unblocks_its_key,
            fan_out_to_every_subscription_existing_at_publish_time,
            peek_and_backlog,
            ensure_is_idempotent_and_updates_the_spec,
            unknown_names_and_bad_input_are_errors,
            batch_of_1000_is_neither_lost_nor_duplicated,
        );
    };
    (@each $suite:ident, $make:expr, $($check:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let harness = $make.await;
                $suite::$check(&harness).await;
            }
        )+
    };
}

pub async fn round_trip_with_attributes(h: &BusHarness) {
    let topic = h.topic("rt").await;
    let sub = h.subscription(&topic, "rt", |_| {}).await;
    let sent = msg("hello").with_attr("game_date", "2025-01-15").with_attr("phase", "phase_2_raw");
    let ids = h.publish(&topic, vec![sent.clone(), msg("second"), msg("third")]).await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3, "message ids are distinct: {ids:?}");

    let mut got = h.pull_exact(&sub, 3).await;
    got.sort_by_key(|m| ids.iter().position(|id| *id == m.message_id));
    let m = &got[0];
    assert_eq!(m.message_id, ids[0]);
    assert_eq!(m.data, sent.data);
    assert_eq!(m.attributes, sent.attributes);
    assert_eq!(m.ordering_key, None);
    assert_eq!(m.delivery_attempt, 1);
    assert!(!m.ack_id.is_empty());
    assert_eq!(texts(&got[1..]), vec!["second", "third"]);
    assert!(got[1].attributes.is_empty());
    let ack_ids: HashSet<_> = got.iter().map(|m| &m.ack_id).collect();
    assert_eq!(ack_ids.len(), 3, "ack ids are distinct");

    h.ack(&sub, &got.iter().collect::<Vec<_>>()).await;
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
}

pub async fn unacked_message_is_redelivered_after_the_ack_deadline(h: &BusHarness) {
    let topic = h.topic("redeliver").await;
    let sub = h.subscription(&topic, "redeliver", |_| {}).await;
    let ids = h.publish(&topic, vec![msg("payload")]).await;

    let first = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(first.delivery_attempt, 1);
    h.pull_none(&sub).await;
    h.advance(ACK_DEADLINE / 2).await;
    h.pull_none(&sub).await;

    h.advance(ACK_DEADLINE / 2 + Duration::from_secs(1)).await;
    let second = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(second.message_id, ids[0]);
    assert_eq!(second.data, b"payload");
    assert_eq!(second.delivery_attempt, 2);
    assert_ne!(second.ack_id, first.ack_id, "a redelivery has a new ack id");

    h.ack(&sub, &[&second]).await;
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
}

pub async fn nack_with_delay(h: &BusHarness) {
    let topic = h.topic("nack").await;
    let sub = h.subscription(&topic, "nack", |_| {}).await;
    h.publish(&topic, vec![msg("now"), msg("later")]).await;
    let got = h.pull_exact(&sub, 2).await;
    let (now, later) = if text(&got[0]) == "now" { (&got[0], &got[1]) } else { (&got[1], &got[0]) };

    h.nack(&sub, now, Duration::ZERO).await;
    let again = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(text(&again), "now");
    assert_eq!(again.delivery_attempt, 2);
    h.ack(&sub, &[&again]).await;

    h.nack(&sub, later, Duration::from_secs(30)).await;
    h.advance(Duration::from_secs(20)).await;
    h.pull_none(&sub).await;
    h.advance(PAST_DEADLINE).await;
    let again = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(text(&again), "later");
    assert_eq!(again.delivery_attempt, 2);
    h.ack(&sub, &[&again]).await;
}

pub async fn stale_ack_is_ignored_and_double_ack_is_harmless(h: &BusHarness) {
    let topic = h.topic("stale").await;
    let sub = h.subscription(&topic, "stale", |_| {}).await;
    let ids = h.publish(&topic, vec![msg("m")]).await;
    let first = h.pull_exact(&sub, 1).await.remove(0);
    h.advance(PAST_DEADLINE).await;
    let second = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(second.delivery_attempt, 2);

    // The first lease expired and the message went out again: its ack id no longer counts.
    h.ack(&sub, &[&first]).await;
    h.advance(PAST_DEADLINE).await;
    let third = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(third.message_id, ids[0], "a stale ack must not remove the message");
    assert_eq!(third.delivery_attempt, 3);

    h.ack(&sub, &[&third]).await;
    h.ack(&sub, &[&third]).await;
    h.ack(&sub, &[&second, &third]).await;
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
}

pub async fn modify_ack_deadline_extends_the_lease(h: &BusHarness) {
    let topic = h.topic("modack").await;
    let sub = h.subscription(&topic, "modack", |_| {}).await;
    h.publish(&topic, vec![msg("slow work")]).await;
    let first = h.pull_exact(&sub, 1).await.remove(0);
    h.advance(Duration::from_secs(6)).await;
    h.modify_ack_deadline(&sub, &first, Duration::from_secs(30)).await;
    h.advance(Duration::from_secs(6)).await;
    h.pull_none(&sub).await;
    h.advance(Duration::from_secs(25)).await;
    let second = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(second.delivery_attempt, 2);

    // A zero deadline hands the message back at once.
    h.modify_ack_deadline(&sub, &second, Duration::ZERO).await;
    let third = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(third.delivery_attempt, 3);
    h.ack(&sub, &[&third]).await;
}

pub async fn ordering_keys_hold_per_key_order_with_random_acks(h: &BusHarness) {
    const KEYS: usize = 3;
    const PER_KEY: usize = 20;
    const UNKEYED: usize = 5;
    let topic = h.topic("order").await;
    let sub = h.subscription(&topic, "order", |s| s.ordering = true).await;
    let mut batch = Vec::new();
    for i in 0..PER_KEY {
        for k in 0..KEYS {
            batch.push(msg(&format!("k{k}-{i}")).with_ordering_key(format!("key-{k}")).with_attr("seq", i.to_string()));
        }
    }
    for i in 0..UNKEYED {
        batch.push(msg(&format!("free-{i}")));
    }
    // Two publish calls: order must hold across batches too.
    let rest = batch.split_off(batch.len() / 2);
    h.publish(&topic, batch).await;
    h.publish(&topic, rest).await;

    let mut rng = StdRng::seed_from_u64(0x0bd3_2025);
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    let mut unkeyed = 0;
    let mut pending: Vec<ReceivedMessage> = Vec::new();
    let mut empty_pulls = 0;
    while seen.values().map(Vec::len).sum::<usize>() + unkeyed < KEYS * PER_KEY + UNKEYED {
        assert!(empty_pulls < 20, "stalled with {} pending", pending.len());
        let got = h.bus.pull(&sub, 10, Duration::from_millis(200)).await.expect("pull");
        if got.is_empty() {
            empty_pulls += 1;
            let all = std::mem::take(&mut pending);
            h.ack(&sub, &all.iter().collect::<Vec<_>>()).await;
            continue;
        }
        for m in got {
            assert_eq!(m.delivery_attempt, 1, "nothing expired, nothing is redelivered");
            let Some(key) = m.ordering_key.clone() else {
                unkeyed += 1;
                pending.push(m);
                continue;
            };
            assert!(
                pending.iter().all(|p| p.ordering_key.as_deref() != Some(&key)),
                "{} handed out while an earlier message of {key} is unacked",
                text(&m)
            );
            let seq: usize = m.attributes["seq"].parse().expect("seq");
            let order = seen.entry(key.clone()).or_default();
            assert_eq!(seq, order.len(), "key {key}: got seq {seq} after {order:?}");
            assert_eq!(text(&m), format!("k{}-{seq}", &key[4..]));
            order.push(seq);
            pending.push(m);
        }
        // Ack a random subset in random order; the rest stays leased into the next pull.
        pending.shuffle(&mut rng);
        let keep = rng.gen_range(0..=pending.len() / 2);
        for m in pending.split_off(keep) {
            h.ack(&sub, &[&m]).await;
        }
    }
    let all = std::mem::take(&mut pending);
    h.ack(&sub, &all.iter().collect::<Vec<_>>()).await;
    assert_eq!(seen.len(), KEYS);
    for (key, order) in &seen {
        assert_eq!(*order, (0..PER_KEY).collect::<Vec<_>>(), "key {key}");
    }
    assert_eq!(unkeyed, UNKEYED);
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
}

pub async fn nacked_head_blocks_only_its_own_key(h: &BusHarness) {
    let topic = h.topic("orderblk").await;
    let sub = h.subscription(&topic, "orderblk", |s| s.ordering = true).await;
    h.publish(
        &topic,
        vec![
            msg("a0").with_ordering_key("A"),
            msg("a1").with_ordering_key("A"),
            msg("b0").with_ordering_key("B"),
            msg("b1").with_ordering_key("B"),
            msg("free"),
        ],
    )
    .await;
    let got = h.pull_exact(&sub, 3).await;
    let mut heads = texts(&got);
    heads.sort();
    assert_eq!(heads, vec!["a0", "b0", "free"], "only the head of each key goes out");
    h.pull_none(&sub).await;
    let by_text = |t: &str| got.iter().find(|m| text(m) == t).expect("present");

    h.nack(&sub, by_text("a0"), Duration::from_secs(60)).await;
    h.ack(&sub, &[by_text("b0"), by_text("free")]).await;
    let b1 = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(text(&b1), "b1", "key B moves on while A's head waits");
    h.pull_none(&sub).await;
    h.ack(&sub, &[&b1]).await;

    h.advance(Duration::from_secs(61)).await;
    let a0 = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!((text(&a0).as_str(), a0.delivery_attempt), ("a0", 2));
    h.pull_none(&sub).await;
    h.ack(&sub, &[&a0]).await;
    let a1 = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!((text(&a1).as_str(), a1.delivery_attempt), ("a1", 1));
    h.ack(&sub, &[&a1]).await;
}

/// A topic with a dead-letter topic, a subscription on each, and `spec` tweaks for the source subscription.
async fn with_dead_letter(
    h: &BusHarness,
    tag: &str,
    f: impl FnOnce(&mut SubscriptionSpec),
) -> (String, String, String) {
    let topic = h.topic(tag).await;
    let dlq = h.topic(&format!("{tag}-dlq")).await;
    let dlq_sub = h.subscription(&dlq, &format!("{tag}-dlq"), |_| {}).await;
    let sub = h
        .subscription(&topic, tag, |s| {
            s.max_delivery_attempts = 5;
            s.dead_letter_topic = Some(dlq.clone());
            f(s);
        })
        .await;
    (topic, sub, dlq_sub)
}

pub async fn dead_letter_after_max_delivery_attempts(h: &BusHarness) {
    let (topic, sub, dlq_sub) = with_dead_letter(h, "dl", |_| {}).await;
    let sent = msg("poison").with_attr("game_date", "2025-01-15").with_ordering_key("k1");
    let ids = h.publish(&topic, vec![sent.clone(), msg("fine")]).await;
    let fine = h.pull_exact(&sub, 2).await.into_iter().find(|m| text(m) == "fine").expect("fine");
    h.ack(&sub, &[&fine]).await;
    h.advance(PAST_DEADLINE).await;
    for attempt in 2..=5 {
        let m = h.pull_exact(&sub, 1).await.remove(0);
        assert_eq!((text(&m).as_str(), m.delivery_attempt), ("poison", attempt));
        h.nack(&sub, &m, Duration::ZERO).await;
    }
    h.pull_none(&sub).await;

    let d = h.pull_exact(&dlq_sub, 1).await.remove(0);
    assert_eq!(d.data, sent.data);
    assert_eq!(d.ordering_key.as_deref(), Some("k1"));
    assert_ne!(d.message_id, ids[0], "the dead-lettered copy is a new message");
    assert_eq!(d.delivery_attempt, 1);
    let a = &d.attributes;
    assert_eq!(a.get("game_date").map(String::as_str), Some("2025-01-15"), "{a:?}");
    let reason = a.get("dead_letter_reason").expect("dead_letter_reason");
    assert!(reason.contains("max delivery attempts (5) exceeded"), "{reason}");
    assert_eq!(a.get("source_subscription"), Some(&sub));
    assert_eq!(a.get("source_topic"), Some(&topic));
    assert_eq!(a.get("original_message_id"), Some(&ids[0]));
    assert_eq!(a.get("delivery_attempts").map(String::as_str), Some("5"));
    h.ack(&dlq_sub, &[&d]).await;

    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 0);
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
    h.pull_none(&dlq_sub).await;
}

pub async fn without_dead_letter_topic_redelivery_continues(h: &BusHarness) {
    let topic = h.topic("nodl").await;
    let sub = h.subscription(&topic, "nodl", |s| s.max_delivery_attempts = 5).await;
    h.publish(&topic, vec![msg("stubborn")]).await;
    for attempt in 1..=7 {
        let m = h.pull_exact(&sub, 1).await.remove(0);
        assert_eq!(m.delivery_attempt, attempt);
        if attempt == 7 {
            h.ack(&sub, &[&m]).await;
        } else {
            h.nack(&sub, &m, Duration::ZERO).await;
        }
    }
    h.pull_none(&sub).await;
}

pub async fn explicit_dead_letter_with_reason(h: &BusHarness) {
    let (topic, sub, dlq_sub) = with_dead_letter(h, "xdl", |_| {}).await;
    let ids = h.publish(&topic, vec![msg("bad").with_attr("source", "bdl"), msg("good")]).await;
    let got = h.pull_exact(&sub, 2).await;
    let bad = got.iter().find(|m| text(m) == "bad").expect("bad");
    let good = got.iter().find(|m| text(m) == "good").expect("good");
    let reason = "missing required field game_date";
    h.bus.dead_letter(&sub, &bad.ack_id, reason).await.expect("dead_letter");
    h.ack(&sub, &[good]).await;

    let d = h.pull_exact(&dlq_sub, 1).await.remove(0);
    assert_eq!(text(&d), "bad");
    assert_eq!(d.attributes.get("dead_letter_reason").map(String::as_str), Some(reason));
    assert_eq!(d.attributes.get("source").map(String::as_str), Some("bdl"));
    assert_eq!(d.attributes.get("source_subscription"), Some(&sub));
    assert_eq!(d.attributes.get("source_topic"), Some(&topic));
    assert_eq!(d.attributes.get("original_message_id"), Some(&ids[0]));
    assert_eq!(d.attributes.get("delivery_attempts").map(String::as_str), Some("1"));

    // Repeating the request with the same (now spent) ack id neither fails nor duplicates.
    h.bus.dead_letter(&sub, &bad.ack_id, reason).await.expect("repeated dead_letter");
    h.ack(&dlq_sub, &[&d]).await;
    h.pull_none(&dlq_sub).await;
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
    h.pull_none(&dlq_sub).await;

    // Without a dead-letter topic the request is refused and the message stays.
    let plain = h.subscription(&topic, "xdl-plain", |_| {}).await;
    h.publish(&topic, vec![msg("kept")]).await;
    let m = h.pull_exact(&plain, 1).await.remove(0);
    let err = h.bus.dead_letter(&plain, &m.ack_id, reason).await.expect_err("no dead-letter topic");
    assert!(matches!(err, PortError::Invalid(_)), "{err:?}");
    h.advance(PAST_DEADLINE).await;
    let again = h.pull_exact(&plain, 1).await.remove(0);
    assert_eq!((text(&again).as_str(), again.delivery_attempt), ("kept", 2));
}

pub async fn dead_lettered_head_unblocks_its_key(h: &BusHarness) {
    let (topic, sub, dlq_sub) = with_dead_letter(h, "odl", |s| s.ordering = true).await;
    h.publish(&topic, vec![msg("k0").with_ordering_key("K"), msg("k1").with_ordering_key("K")]).await;
    let head = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(text(&head), "k0");
    h.pull_none(&sub).await;
    h.bus.dead_letter(&sub, &head.ack_id, "unparseable").await.expect("dead_letter");
    let next = h.pull_exact(&sub, 1).await.remove(0);
    assert_eq!(text(&next), "k1");
    h.ack(&sub, &[&next]).await;
    let d = h.pull_exact(&dlq_sub, 1).await.remove(0);
    assert_eq!((text(&d).as_str(), d.ordering_key.as_deref()), ("k0", Some("K")));
}

pub async fn fan_out_to_every_subscription_existing_at_publish_time(h: &BusHarness) {
    let topic = h.topic("fan").await;
    let one = h.subscription(&topic, "fan-one", |_| {}).await;
    let two = h.subscription(&topic, "fan-two", |_| {}).await;
    let ids = h.publish(&topic, vec![msg("x"), msg("y"), msg("z")]).await;
    let late = h.subscription(&topic, "fan-late", |_| {}).await;

    let got_one = h.pull_exact(&one, 3).await;
    h.ack(&one, &got_one.iter().collect::<Vec<_>>()).await;
    let got_two = h.pull_exact(&two, 3).await;
    let set = |ms: &[ReceivedMessage]| ms.iter().map(|m| m.message_id.clone()).collect::<HashSet<_>>();
    assert_eq!(set(&got_one), ids.iter().cloned().collect());
    assert_eq!(set(&got_two), set(&got_one), "each subscription gets every message, same ids");
    assert!(got_two.iter().all(|m| m.delivery_attempt == 1), "acks on one subscription do not touch another");
    h.pull_none(&late).await;

    h.publish(&topic, vec![msg("after")]).await;
    let got_late = h.pull_exact(&late, 1).await;
    assert_eq!(texts(&got_late), vec!["after"]);
    h.pull_none(&late).await;
    h.ack(&two, &got_two.iter().collect::<Vec<_>>()).await;
    h.ack(&late, &got_late.iter().collect::<Vec<_>>()).await;
}

pub async fn peek_and_backlog(h: &BusHarness) {
    let topic = h.topic("peek").await;
    let sub = h.subscription(&topic, "peek", |_| {}).await;
    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 0);
    assert!(h.bus.peek(&sub, 10).await.expect("peek").is_empty());
    let ids = h.publish(&topic, vec![msg("p1").with_attr("a", "1"), msg("p2"), msg("p3")]).await;
    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 3);

    let peeked = h.bus.peek(&sub, 10).await.expect("peek");
    assert_eq!(texts(&peeked), vec!["p1", "p2", "p3"]);
    assert_eq!(peeked.iter().map(|m| m.message_id.clone()).collect::<Vec<_>>(), ids);
    assert_eq!(peeked[0].attributes.get("a").map(String::as_str), Some("1"));
    assert_eq!(h.bus.peek(&sub, 2).await.expect("peek").len(), 2);

    // Peeking leases nothing and counts as no delivery.
    let got = h.pull_exact(&sub, 3).await;
    assert!(got.iter().all(|m| m.delivery_attempt == 1));
    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 3, "leased but unacked messages still count");
    h.ack(&sub, &[&got[0]]).await;
    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 2);
    assert_eq!(h.bus.peek(&sub, 10).await.expect("peek").len(), 2);
    h.ack(&sub, &got[1..].iter().collect::<Vec<_>>()).await;
    assert_eq!(h.bus.backlog(&sub).await.expect("backlog"), 0);
}

pub async fn ensure_is_idempotent_and_updates_the_spec(h: &BusHarness) {
    let topic = h.topic("ens").await;
    h.bus.ensure_topic(&topic).await.expect("second ensure_topic");
    let topics = h.bus.list_topics().await.expect("list_topics");
    assert_eq!(topics.iter().filter(|t| **t == topic).count(), 1);

    let mut spec = SubscriptionSpec::new(unique("ens"), &topic);
    spec.ack_deadline = ACK_DEADLINE;
    h.bus.ensure_subscription(&spec).await.expect("ensure_subscription");
    h.bus.ensure_subscription(&spec).await.expect("second ensure_subscription");
    let listed = |subs: Vec<SubscriptionSpec>| subs.into_iter().filter(|s| s.name == spec.name).collect::<Vec<_>>();
    assert_eq!(listed(h.bus.list_subscriptions().await.expect("list")), vec![spec.clone()]);

    let dlq = h.topic("ens-dlq").await;
    let mut updated = spec.clone();
    updated.ack_deadline = Duration::from_secs(20);
    updated.max_delivery_attempts = 7;
    updated.dead_letter_topic = Some(dlq);
    h.bus.ensure_subscription(&updated).await.expect("update");
    assert_eq!(listed(h.bus.list_subscriptions().await.expect("list")), vec![updated.clone()]);

    // The new deadline applies to the next lease.
    h.publish(&topic, vec![msg("d")]).await;
    h.pull_exact(&spec.name, 1).await;
    h.advance(Duration::from_secs(15)).await;
    h.pull_none(&spec.name).await;
    h.advance(Duration::from_secs(6)).await;
    assert_eq!(h.pull_exact(&spec.name, 1).await[0].delivery_attempt, 2);

    // Deleting drops the subscription and its messages; a new one of the same name starts empty.
    h.bus.delete_subscription(&spec.name).await.expect("delete_subscription");
    assert!(listed(h.bus.list_subscriptions().await.expect("list")).is_empty());
    let err = h.bus.pull(&spec.name, 1, Duration::ZERO).await.expect_err("pull on deleted subscription");
    assert!(matches!(err, PortError::NotFound(_)), "{err:?}");
    h.bus.ensure_subscription(&spec).await.expect("recreate");
    h.advance(PAST_DEADLINE + Duration::from_secs(10)).await;
    h.pull_none(&spec.name).await;
}

pub async fn unknown_names_and_bad_input_are_errors(h: &BusHarness) {
    let missing_topic = unique("nothere");
    let missing_sub = unique("nothere");
    let not_found = |r: Result<(), PortError>, what: &str| match r {
        Err(PortError::NotFound(_)) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    };
    not_found(h.bus.publish(&missing_topic, vec![msg("x")]).await.map(|_| ()), "publish");
    not_found(h.bus.ensure_subscription(&SubscriptionSpec::new(unique("s"), &missing_topic)).await, "subscribe");
    not_found(h.bus.pull(&missing_sub, 1, Duration::ZERO).await.map(|_| ()), "pull");
    not_found(h.bus.peek(&missing_sub, 1).await.map(|_| ()), "peek");
    not_found(h.bus.backlog(&missing_sub).await.map(|_| ()), "backlog");
    not_found(h.bus.delete_subscription(&missing_sub).await, "delete");

    let topic = h.topic("bad").await;
    let sub = h.subscription(&topic, "bad", |_| {}).await;
    h.publish(&topic, vec![msg("m")]).await;
    let m = h.pull_exact(&sub, 1).await.remove(0);
    let ids = vec![m.ack_id.clone()];
    not_found(h.bus.ack(&missing_sub, &ids).await, "ack");
    not_found(h.bus.nack(&missing_sub, &ids, Duration::ZERO).await, "nack");
    not_found(h.bus.modify_ack_deadline(&missing_sub, &ids, Duration::ZERO).await, "modack");

    let invalid = |r: Result<(), PortError>, what: &str| match r {
        Err(PortError::Invalid(_)) => {}
        other => panic!("{what}: expected Invalid, got {other:?}"),
    };
    invalid(h.bus.ensure_topic("").await, "empty topic name");
    invalid(h.bus.ensure_topic("ab").await, "two-letter topic name");
    invalid(h.bus.ack(&sub, &["not an ack id".to_string()]).await, "garbage ack id");
    invalid(h.bus.pull(&sub, 0, Duration::ZERO).await.map(|_| ()), "pull of 0");

    // None of it touched the real message.
    h.ack(&sub, &[&m]).await;
    h.advance(PAST_DEADLINE).await;
    h.pull_none(&sub).await;
}

pub async fn batch_of_1000_is_neither_lost_nor_duplicated(h: &BusHarness) {
    const N: usize = 1000;
    let topic = h.topic("thousand").await;
    let sub = h.subscription(&topic, "thousand", |s| s.max_delivery_attempts = 100).await;
    let mut ids = Vec::new();
    for chunk in (0..N).collect::<Vec<_>>().chunks(250) {
        ids.extend(h.publish(&topic, chunk.iter().map(|i| msg(&format!("m{i}"))).collect()).await);
    }
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), N, "publish ids are unique");

    let mut acked: HashSet<String> = HashSet::new();
    let mut deliveries: BTreeMap<String, u32> = BTreeMap::new();
    for round in 0..10 {
        if acked.len() == N {
            break;
        }
        let acked_before = acked.clone();
        let mut this_round: HashSet<String> = HashSet::new();
        loop {
            let got = h.bus.pull(&sub, 100, Duration::from_millis(200)).await.expect("pull");
            if got.is_empty() {
                break;
            }
            let mut to_ack = Vec::new();
            for m in &got {
                assert!(!acked.contains(&m.message_id), "{} redelivered after its ack", m.message_id);
                assert!(this_round.insert(m.message_id.clone()), "{} delivered twice in one lease", m.message_id);
                let n = deliveries.entry(m.message_id.clone()).or_default();
                *n += 1;
                assert_eq!(m.delivery_attempt, *n, "delivery_attempt counts deliveries");
                let seq: usize = text(m)[1..].parse().expect("seq");
                // Leave about a third unacked each round so they come back.
                if (seq + round) % 3 != 0 || round >= 4 {
                    to_ack.push(m.ack_id.clone());
                    acked.insert(m.message_id.clone());
                }
            }
            h.bus.ack(&sub, &to_ack).await.expect("ack");
        }
        let expected: HashSet<String> = ids.iter().filter(|id| !acked_before.contains(*id)).cloned().collect();
        assert_eq!(this_round, expected, "round {round}: exactly the unacked messages come back");
        h.advance(PAST_DEADLINE).await;
    }
    assert_eq!(acked.len(), N);
    assert_eq!(acked, ids.iter().cloned().collect::<HashSet<_>>());
    assert!(deliveries.values().any(|&n| n > 1), "some messages were redelivered");
    h.pull_none(&sub).await;
}
