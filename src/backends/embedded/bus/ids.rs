//! Names and ack ids of the embedded bus.
//!
//! Invariants: topic and subscription names follow the Pub/Sub resource-id rule, so a topology that runs on
//! the embedded bus also deploys to Pub/Sub; an ack id names one delivery attempt of one message on one
//! subscription and is never reused (it carries the never-reused message id), so a stale or repeated ack can
//! never touch a later delivery.

use crate::backends::{PortError, PortResult};

/// One delivery attempt, as encoded in an ack id: `{delivery}-{message}-{attempt}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AckId {
    /// Row id of the delivery (a locator; row ids may be reused after deletes).
    pub delivery: i64,
    /// The message id (never reused).
    pub msg: i64,
    /// The delivery attempt the id was handed out for (0 for ids listed by `peek` before any delivery).
    pub attempt: i64,
}

impl AckId {
    pub(super) fn encode(delivery: i64, msg: i64, attempt: i64) -> String {
        format!("{delivery}-{msg}-{attempt}")
    }

    pub(super) fn parse(s: &str) -> PortResult<AckId> {
        let bad = || PortError::Invalid(format!("malformed ack id {s:?}"));
        let mut parts = s.split('-');
        let mut next = || -> PortResult<i64> {
            let p = parts.next().ok_or_else(bad)?;
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<i64>().map_err(|_| bad())
        };
        let id = AckId { delivery: next()?, msg: next()?, attempt: next()? };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(id)
    }

    /// Parse a batch; one malformed id rejects the whole batch before anything is touched.
    pub(super) fn parse_all(ids: &[String]) -> PortResult<Vec<AckId>> {
        ids.iter().map(|s| AckId::parse(s)).collect()
    }
}

/// Check a topic or subscription name against the Pub/Sub rule: 3 to 255 characters, starting with a letter,
/// made of letters, digits and `-_.~+%`, not starting with `goog`.
pub(super) fn validate_name(kind: &str, name: &str) -> PortResult<()> {
    let ok_len = (3..=255).contains(&name.len());
    let ok_first = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    let ok_chars = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~+%".contains(&b));
    let reserved = name.as_bytes().get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"goog"));
    if ok_len && ok_first && ok_chars && !reserved {
        Ok(())
    } else {
        Err(PortError::Invalid(format!(
            "invalid {kind} name {name:?}: 3-255 characters, starting with a letter, from [A-Za-z0-9-_.~+%], \
             not starting with goog"
        )))
    }
}
