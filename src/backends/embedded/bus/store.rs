//! The synchronous core of the embedded bus: one SQLite connection and the resource (topic, subscription)
//! operations. Delivery operations live in `delivery.rs`.
//!
//! Invariants: every method runs in at most one transaction (`BEGIN IMMEDIATE` for writes, so a second
//! process sharing the file waits instead of failing mid-transaction); a subscription's `topic` and
//! `ordering` never change once created (as on Pub/Sub), so the blocked/head invariant of `deliveries` only
//! depends on publish, ack and dead-letter.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::ids::validate_name;
use crate::backends::{PortError, PortResult, SubscriptionSpec};

/// A subscription row as the delivery operations need it.
#[derive(Debug, Clone)]
pub(super) struct SubRow {
    pub id: i64,
    pub name: String,
    pub topic: String,
    pub ack_deadline_ms: i64,
    pub max_attempts: i64,
    pub dead_letter_topic: Option<String>,
    pub ordering: bool,
}

/// The connection. Callers hold it behind a mutex; nothing here awaits.
pub(super) struct Store {
    pub(super) conn: Connection,
}

/// Milliseconds of a duration, saturating (never negative, never reaching [`super::schema::BLOCKED`]).
pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4).min(i64::MAX / 4)
}

/// `now + d` in clock milliseconds, kept strictly below [`super::schema::BLOCKED`].
pub(super) fn after(now: i64, d: Duration) -> i64 {
    now.saturating_add(millis(d)).min(super::schema::BLOCKED - 1)
}

impl Store {
    pub(super) fn write_tx(&mut self) -> PortResult<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    pub(super) fn ensure_topic(&mut self, name: &str, now: i64) -> PortResult<()> {
        validate_name("topic", name)?;
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO topics (name, created_ms) VALUES (?1, ?2)")?
            .execute(params![name, now])?;
        Ok(())
    }

    pub(super) fn list_topics(&mut self) -> PortResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT name FROM topics ORDER BY name")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    pub(super) fn ensure_subscription(&mut self, spec: &SubscriptionSpec) -> PortResult<()> {
        validate_name("subscription", &spec.name)?;
        validate_name("topic", &spec.topic)?;
        if let Some(dlq) = &spec.dead_letter_topic {
            validate_name("dead-letter topic", dlq)?;
        }
        let ack_deadline_ms = millis(spec.ack_deadline);
        if ack_deadline_ms < 1 {
            return Err(PortError::Invalid(format!("subscription {}: ack_deadline must be >= 1 ms", spec.name)));
        }
        if spec.max_delivery_attempts < 1 {
            return Err(PortError::Invalid(format!("subscription {}: max_delivery_attempts must be >= 1", spec.name)));
        }
        let tx = self.write_tx()?;
        require_topic(&tx, &spec.topic)?;
        if let Some(dlq) = &spec.dead_letter_topic {
            require_topic(&tx, dlq)?;
        }
        match find_subscription(&tx, &spec.name)? {
            Some(existing) => {
                if existing.topic != spec.topic || existing.ordering != spec.ordering {
                    return Err(PortError::Invalid(format!(
                        "subscription {} exists on topic {} with ordering={}; topic and ordering cannot change \
                         (delete the subscription first, which drops its messages)",
                        spec.name, existing.topic, existing.ordering
                    )));
                }
                tx.prepare_cached(
                    "UPDATE subscriptions SET ack_deadline_ms = ?1, max_delivery_attempts = ?2, \
                     dead_letter_topic = ?3 WHERE id = ?4",
                )?
                .execute(params![
                    ack_deadline_ms,
                    i64::from(spec.max_delivery_attempts),
                    spec.dead_letter_topic,
                    existing.id
                ])?;
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO subscriptions \
                     (name, topic, ack_deadline_ms, max_delivery_attempts, dead_letter_topic, ordering) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    spec.name,
                    spec.topic,
                    ack_deadline_ms,
                    i64::from(spec.max_delivery_attempts),
                    spec.dead_letter_topic,
                    spec.ordering
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub(super) fn delete_subscription(&mut self, name: &str) -> PortResult<u64> {
        let tx = self.write_tx()?;
        let sub = subscription(&tx, name)?;
        let dropped = tx.prepare_cached("DELETE FROM deliveries WHERE sub_id = ?1")?.execute([sub.id])?;
        tx.prepare_cached("DELETE FROM subscriptions WHERE id = ?1")?.execute([sub.id])?;
        tx.commit()?;
        Ok(dropped as u64)
    }

    pub(super) fn list_subscriptions(&mut self) -> PortResult<Vec<SubscriptionSpec>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, topic, ack_deadline_ms, max_delivery_attempts, dead_letter_topic, ordering \
             FROM subscriptions ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SubscriptionSpec {
                name: r.get(0)?,
                topic: r.get(1)?,
                ack_deadline: Duration::from_millis(r.get::<_, i64>(2)?.max(0) as u64),
                max_delivery_attempts: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(u32::MAX),
                dead_letter_topic: r.get(4)?,
                ordering: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The subscription named `name`, or `NotFound`.
pub(super) fn subscription(conn: &Connection, name: &str) -> PortResult<SubRow> {
    find_subscription(conn, name)?.ok_or_else(|| PortError::NotFound(format!("subscription {name}")))
}

fn find_subscription(conn: &Connection, name: &str) -> PortResult<Option<SubRow>> {
    let row = conn
        .prepare_cached(
            "SELECT id, name, topic, ack_deadline_ms, max_delivery_attempts, dead_letter_topic, ordering \
             FROM subscriptions WHERE name = ?1",
        )?
        .query_row([name], |r| {
            Ok(SubRow {
                id: r.get(0)?,
                name: r.get(1)?,
                topic: r.get(2)?,
                ack_deadline_ms: r.get(3)?,
                max_attempts: r.get(4)?,
                dead_letter_topic: r.get(5)?,
                ordering: r.get(6)?,
            })
        })
        .optional()?;
    Ok(row)
}

/// `NotFound` unless the topic exists.
pub(super) fn require_topic(conn: &Connection, topic: &str) -> PortResult<()> {
    let found =
        conn.prepare_cached("SELECT 1 FROM topics WHERE name = ?1")?.query_row([topic], |_| Ok(())).optional()?;
    found.ok_or_else(|| PortError::NotFound(format!("topic {topic}")))
}
