//! Delivery operations of the embedded bus: publish (fan-out), pull (lease), ack, visibility changes (nack,
//! ack-deadline changes), dead-lettering, peek and backlog. Each call is one SQLite transaction.
//!
//! Invariants:
//! - a delivery row exists exactly while its message is unacked on its subscription;
//! - `attempts` counts deliveries handed out by `pull`; an ack id is honoured only while `attempts` still
//!   equals the attempt it was issued for (stale acks after a redelivery are ignored);
//! - on an ordering subscription only the oldest delivery of each ordering key is ever visible; removing it
//!   (ack, dead-letter) unblocks the next one in the same transaction;
//! - dead-lettering republishes to the dead-letter topic and deletes the source delivery in one transaction,
//!   so the message is never lost nor duplicated; if the dead-letter topic has no subscription the message
//!   stays where it is (bus-driven: it keeps being redelivered, with a warning; explicit: an error).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{TimeZone, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::ids::AckId;
use super::schema::BLOCKED;
use super::sql;
use super::store::{require_topic, subscription, Store, SubRow};
use crate::backends::{OutboundMessage, PortError, PortResult, ReceivedMessage};

/// Subscriptions whose waiting pullers should re-check (a message became visible there).
pub(super) type Woken = Vec<String>;

/// What `pull` found.
pub(super) struct Pulled {
    pub messages: Vec<ReceivedMessage>,
    /// When nothing was deliverable: the earliest future `visible_at` on the subscription, if any.
    pub next_visible: Option<i64>,
    pub woken: Woken,
}

/// The outcome of an explicit dead-letter request.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum DeadLettered {
    Moved,
    /// The ack id is not the current attempt of an unacked delivery (stale or already acked).
    Stale,
}

/// A message about to be inserted, with attributes already encoded.
struct Insert<'a> {
    data: &'a [u8],
    attributes: Option<String>,
    ordering_key: Option<&'a str>,
}

/// One delivery row.
struct Row {
    id: i64,
    msg_id: i64,
    attempts: i64,
    ordering_key: Option<String>,
    publish_ms: i64,
    attributes: Option<String>,
    data: Vec<u8>,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        msg_id: r.get(1)?,
        attempts: r.get(2)?,
        ordering_key: r.get(3)?,
        publish_ms: r.get(4)?,
        attributes: r.get(5)?,
        data: r.get(6)?,
    })
}

fn encode_attributes(attrs: &BTreeMap<String, String>) -> PortResult<Option<String>> {
    if attrs.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(attrs)?))
}

fn decode_attributes(raw: Option<&str>) -> PortResult<BTreeMap<String, String>> {
    match raw {
        None => Ok(BTreeMap::new()),
        Some(s) => serde_json::from_str(s).map_err(|e| PortError::Storage(format!("corrupt attributes: {e}"))),
    }
}

impl Row {
    /// The message as handed out for `attempt` (its ack id is valid for that attempt only).
    fn received(self, attempt: i64) -> PortResult<ReceivedMessage> {
        Ok(ReceivedMessage {
            ack_id: AckId::encode(self.id, self.msg_id, attempt),
            message_id: self.msg_id.to_string(),
            attributes: decode_attributes(self.attributes.as_deref())?,
            data: self.data,
            ordering_key: self.ordering_key,
            publish_time: Utc.timestamp_millis_opt(self.publish_ms).single().unwrap_or_default(),
            delivery_attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
        })
    }
}

/// A subscription a message fans out to.
struct Subscriber {
    id: i64,
    name: String,
    ordering: bool,
}

fn subscribers(tx: &Transaction<'_>, topic: &str) -> PortResult<Vec<Subscriber>> {
    let mut stmt = tx.prepare_cached(sql::SUBSCRIBERS)?;
    let subs = stmt
        .query_map([topic], |r| Ok(Subscriber { id: r.get(0)?, name: r.get(1)?, ordering: r.get(2)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(subs)
}

/// Allocate message ids and insert one delivery per (message, subscriber). Returns the message ids.
fn insert_messages(
    tx: &Transaction<'_>,
    subs: &[Subscriber],
    msgs: &[Insert<'_>],
    now: i64,
    woken: &mut Woken,
) -> PortResult<Vec<i64>> {
    let n = i64::try_from(msgs.len()).map_err(|_| PortError::Invalid("batch too large".into()))?;
    let last: i64 = tx.prepare_cached(sql::NEXT_MSG_IDS)?.query_row([n], |r| r.get(0))?;
    let first = last - n + 1;
    let mut key_busy = tx.prepare_cached(sql::KEY_BUSY)?;
    let mut insert = tx.prepare_cached(sql::INSERT)?;
    for sub in subs {
        let mut visible_any = false;
        for (msg_id, m) in (first..).zip(msgs) {
            let blocked = match (sub.ordering, m.ordering_key) {
                (true, Some(key)) => key_busy.exists(params![sub.id, key])?,
                _ => false,
            };
            let visible_at = if blocked { BLOCKED } else { now };
            visible_any |= !blocked;
            insert.execute(params![sub.id, msg_id, visible_at, m.ordering_key, now, m.attributes, m.data])?;
        }
        if visible_any {
            woken.push(sub.name.clone());
        }
    }
    Ok((first..=last).collect())
}

/// After the head of `key` left `sub`, make the next delivery of that key visible.
fn release_key(tx: &Transaction<'_>, sub: &SubRow, key: &str, now: i64, woken: &mut Woken) -> PortResult<()> {
    let changed = tx.prepare_cached(sql::RELEASE_KEY)?.execute(params![now, sub.id, key, BLOCKED])?;
    if changed > 0 {
        woken.push(sub.name.clone());
    }
    Ok(())
}

/// Republish `row` to the subscription's dead-letter topic and delete it from `sub`, in the caller's
/// transaction. Returns `false` (and changes nothing) when there is no dead-letter topic or it has no
/// subscription, so the message cannot be lost.
fn move_to_dead_letter(
    tx: &Transaction<'_>,
    sub: &SubRow,
    row: &Row,
    reason: &str,
    now: i64,
    woken: &mut Woken,
) -> PortResult<bool> {
    let Some(dlq) = sub.dead_letter_topic.as_deref() else {
        return Ok(false);
    };
    let targets = subscribers(tx, dlq)?;
    if targets.is_empty() {
        return Ok(false);
    }
    let mut attrs = decode_attributes(row.attributes.as_deref())?;
    attrs.insert("dead_letter_reason".into(), reason.to_string());
    attrs.insert("source_subscription".into(), sub.name.clone());
    attrs.insert("source_topic".into(), sub.topic.clone());
    attrs.insert("original_message_id".into(), row.msg_id.to_string());
    attrs.insert("delivery_attempts".into(), row.attempts.to_string());
    let msg =
        Insert { data: &row.data, attributes: encode_attributes(&attrs)?, ordering_key: row.ordering_key.as_deref() };
    insert_messages(tx, &targets, &[msg], now, woken)?;
    tx.prepare_cached(sql::DELETE_ONE)?.execute([row.id])?;
    if let (true, Some(key)) = (sub.ordering, row.ordering_key.as_deref()) {
        release_key(tx, sub, key, now, woken)?;
    }
    Ok(true)
}

/// `[1,2,3]`: row ids for `json_each`.
fn json_ids(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{id}");
    }
    s.push(']');
    s
}

/// `[[delivery,msg,attempt],...]`: ack ids for `json_each`.
fn json_ack_ids(ids: &[AckId]) -> String {
    let mut s = String::with_capacity(ids.len() * 24 + 2);
    s.push('[');
    for (i, a) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "[{},{},{}]", a.delivery, a.msg, a.attempt);
    }
    s.push(']');
    s
}

/// Bus-driven dead-lettering of delivery `id`, which has used up its attempts. `false` when it could not
/// move (no subscription on the dead-letter topic): it is then delivered again rather than lost.
fn dead_letter_exhausted(tx: &Transaction<'_>, sub: &SubRow, id: i64, now: i64, woken: &mut Woken) -> PortResult<bool> {
    let row = tx.prepare_cached(sql::ROW_BY_ID)?.query_row([id], read_row)?;
    let reason = format!("max delivery attempts ({}) exceeded", sub.max_attempts);
    let moved = move_to_dead_letter(tx, sub, &row, &reason, now, woken)?;
    if moved {
        tracing::warn!(
            subscription = %sub.name, message_id = row.msg_id, attempts = row.attempts,
            dead_letter_topic = ?sub.dead_letter_topic, "message dead-lettered after max delivery attempts"
        );
    } else {
        tracing::warn!(
            subscription = %sub.name, message_id = row.msg_id, attempts = row.attempts,
            dead_letter_topic = ?sub.dead_letter_topic, "dead-letter topic has no subscription, redelivering instead"
        );
    }
    Ok(moved)
}

impl Store {
    pub(super) fn publish(
        &mut self,
        topic: &str,
        messages: &[OutboundMessage],
        now: i64,
    ) -> PortResult<(Vec<String>, Woken)> {
        let mut batch = Vec::with_capacity(messages.len());
        for m in messages {
            if m.data.is_empty() && m.attributes.is_empty() {
                return Err(PortError::Invalid("a message needs data or attributes".into()));
            }
            if m.ordering_key.as_deref() == Some("") {
                return Err(PortError::Invalid("ordering key must not be empty".into()));
            }
            batch.push(Insert {
                data: &m.data,
                attributes: encode_attributes(&m.attributes)?,
                ordering_key: m.ordering_key.as_deref(),
            });
        }
        let tx = self.write_tx()?;
        require_topic(&tx, topic)?;
        if batch.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let subs = subscribers(&tx, topic)?;
        let mut woken = Vec::with_capacity(subs.len());
        let ids = insert_messages(&tx, &subs, &batch, now, &mut woken)?;
        tx.commit()?;
        Ok((ids.into_iter().map(|id| id.to_string()).collect(), woken))
    }

    pub(super) fn pull(&mut self, sub_name: &str, max: usize, now: i64) -> PortResult<Pulled> {
        let tx = self.write_tx()?;
        let sub = subscription(&tx, sub_name)?;
        let lease_until = now.saturating_add(sub.ack_deadline_ms).min(BLOCKED - 1);
        let mut messages = Vec::with_capacity(max.min(1024));
        let mut woken = Vec::new();
        loop {
            let want = i64::try_from(max - messages.len()).unwrap_or(i64::MAX);
            let candidates = tx
                .prepare_cached(sql::READY)?
                .query_map(params![sub.id, now, want], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut lease = Vec::with_capacity(candidates.len());
            let mut moved = 0;
            for (id, attempts) in candidates {
                let exhausted = attempts >= sub.max_attempts && sub.dead_letter_topic.is_some();
                if exhausted && dead_letter_exhausted(&tx, &sub, id, now, &mut woken)? {
                    moved += 1;
                } else {
                    lease.push(id);
                }
            }
            if !lease.is_empty() {
                let mut stmt = tx.prepare_cached(sql::LEASE)?;
                let mut rows =
                    stmt.query_map(params![lease_until, json_ids(&lease)], read_row)?.collect::<Result<Vec<_>, _>>()?;
                // RETURNING order is unspecified: hand the batch out in publish order.
                rows.sort_unstable_by_key(|r| r.msg_id);
                for row in rows {
                    let attempt = row.attempts;
                    messages.push(row.received(attempt)?);
                }
            }
            // A dead-lettered head may have unblocked the next message of its key: look again.
            if moved == 0 || messages.len() >= max {
                break;
            }
        }
        let next_visible = if messages.is_empty() {
            tx.prepare_cached(sql::NEXT_VISIBLE)?
                .query_row([sub.id], |r| r.get::<_, Option<i64>>(0))?
                .filter(|&t| t != BLOCKED)
        } else {
            None
        };
        tx.commit()?;
        Ok(Pulled { messages, next_visible, woken })
    }

    /// Delete the deliveries whose ack ids are current. Returns how many were stale or unknown.
    pub(super) fn ack(&mut self, sub_name: &str, ids: &[AckId], now: i64) -> PortResult<(usize, Woken)> {
        let tx = self.write_tx()?;
        let sub = subscription(&tx, sub_name)?;
        let keys = tx
            .prepare_cached(sql::ACK)?
            .query_map(params![sub.id, json_ack_ids(ids)], |r| r.get::<_, Option<String>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let stale = ids.len().saturating_sub(keys.len());
        let mut woken = Vec::new();
        if sub.ordering {
            for key in keys.iter().flatten() {
                release_key(&tx, &sub, key, now, &mut woken)?;
            }
        }
        tx.commit()?;
        Ok((stale, woken))
    }

    /// Make current deliveries visible at `visible_at` (nack, or an ack-deadline change). Deliveries held
    /// behind their ordering key are left alone. Returns how many ids were stale or unknown.
    pub(super) fn set_visibility(&mut self, sub_name: &str, ids: &[AckId], visible_at: i64) -> PortResult<usize> {
        let tx = self.write_tx()?;
        let sub = subscription(&tx, sub_name)?;
        let changed =
            tx.prepare_cached(sql::SET_VISIBILITY)?.execute(params![visible_at, json_ack_ids(ids), sub.id, BLOCKED])?;
        tx.commit()?;
        Ok(ids.len().saturating_sub(changed))
    }

    pub(super) fn dead_letter(
        &mut self,
        sub_name: &str,
        ack: AckId,
        reason: &str,
        now: i64,
    ) -> PortResult<(DeadLettered, Woken)> {
        let tx = self.write_tx()?;
        let sub = subscription(&tx, sub_name)?;
        let Some(dlq) = sub.dead_letter_topic.clone() else {
            return Err(PortError::Invalid(format!("subscription {sub_name} has no dead-letter topic")));
        };
        let row = tx
            .prepare_cached(sql::ROW_BY_ACK_ID)?
            .query_row(params![ack.delivery, sub.id, ack.msg, ack.attempt], read_row)
            .optional()?;
        let Some(row) = row else {
            return Ok((DeadLettered::Stale, Vec::new()));
        };
        let mut woken = Vec::new();
        if !move_to_dead_letter(&tx, &sub, &row, reason, now, &mut woken)? {
            return Err(PortError::Invalid(format!(
                "dead-letter topic {dlq} of subscription {sub_name} has no subscription; message kept"
            )));
        }
        tx.commit()?;
        Ok((DeadLettered::Moved, woken))
    }

    /// Unacked deliveries in the order they would be handed out; `delivery_attempt` is the number of
    /// deliveries so far (0 if never delivered) and `ack_id` is that of the current attempt.
    pub(super) fn peek(&mut self, sub_name: &str, max: usize) -> PortResult<Vec<ReceivedMessage>> {
        let sub = subscription(&self.conn, sub_name)?;
        let rows = self
            .conn
            .prepare_cached(sql::PEEK)?
            .query_map(params![sub.id, i64::try_from(max).unwrap_or(i64::MAX)], read_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|r| {
                let attempts = r.attempts;
                r.received(attempts)
            })
            .collect()
    }

    pub(super) fn backlog(&mut self, sub_name: &str) -> PortResult<u64> {
        let sub = subscription(&self.conn, sub_name)?;
        let n: i64 = self.conn.prepare_cached(sql::BACKLOG)?.query_row([sub.id], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}
