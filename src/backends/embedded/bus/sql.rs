//! The SQL of the delivery operations, in one place so the unit tests can check every query plan (no full
//! scans, no sorts on the hot path).
//!
//! Batch statements take their ids as one JSON array bound to one parameter (`json_each`), so a pull or ack
//! of N messages is one statement, not N.

/// Columns read into a delivery row (`delivery::Row`), in this order.
macro_rules! row_columns {
    () => {
        "id, msg_id, attempts, ordering_key, publish_ms, attributes, data"
    };
}

pub(super) const SUBSCRIBERS: &str = "SELECT id, name, ordering FROM subscriptions WHERE topic = ?1";

pub(super) const NEXT_MSG_IDS: &str = "UPDATE meta SET value = value + ?1 WHERE key = 'last_msg_id' RETURNING value";

/// Whether the (subscription, ordering key) already has an unacked delivery.
pub(super) const KEY_BUSY: &str =
    "SELECT 1 FROM deliveries WHERE sub_id = ?1 AND ordering_key = ?2 AND ordering_key IS NOT NULL LIMIT 1";

pub(super) const INSERT: &str = "INSERT INTO deliveries \
     (sub_id, msg_id, visible_at, attempts, ordering_key, publish_ms, attributes, data) \
     VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7)";

/// Unblock the oldest delivery of a key (`?4` is `BLOCKED`).
pub(super) const RELEASE_KEY: &str = "UPDATE deliveries SET visible_at = ?1 WHERE id = \
     (SELECT id FROM deliveries WHERE sub_id = ?2 AND ordering_key = ?3 ORDER BY msg_id LIMIT 1) \
     AND visible_at = ?4";

pub(super) const DELETE_ONE: &str = "DELETE FROM deliveries WHERE id = ?1";

pub(super) const ROW_BY_ID: &str = concat!("SELECT ", row_columns!(), " FROM deliveries WHERE id = ?1");

pub(super) const ROW_BY_ACK_ID: &str = concat!(
    "SELECT ",
    row_columns!(),
    " FROM deliveries WHERE id = ?1 AND sub_id = ?2 AND msg_id = ?3 AND attempts = ?4"
);

/// The next deliverable deliveries of a subscription, in delivery order (covered by `deliveries_ready`).
pub(super) const READY: &str = "SELECT id, attempts FROM deliveries WHERE sub_id = ?1 AND visible_at <= ?2 \
     ORDER BY visible_at, msg_id LIMIT ?3";

/// Lease the deliveries whose row ids are in the JSON array `?2` until `?1`.
pub(super) const LEASE: &str = concat!(
    "UPDATE deliveries SET visible_at = ?1, attempts = attempts + 1 \
     WHERE id IN (SELECT value FROM json_each(?2)) RETURNING ",
    row_columns!()
);

pub(super) const NEXT_VISIBLE: &str = "SELECT min(visible_at) FROM deliveries WHERE sub_id = ?1";

/// Delete the current deliveries named by the JSON array of `[delivery, msg, attempt]` in `?2`.
pub(super) const ACK: &str = "DELETE FROM deliveries WHERE id IN (SELECT d.id FROM json_each(?2) AS j \
     CROSS JOIN deliveries AS d ON d.id = j.value ->> 0 \
     WHERE d.sub_id = ?1 AND d.msg_id = j.value ->> 1 AND d.attempts = j.value ->> 2) \
     RETURNING ordering_key";

/// Move the current, unblocked deliveries named in `?2` (as in [`ACK`]) to `visible_at = ?1`.
pub(super) const SET_VISIBILITY: &str = "UPDATE deliveries SET visible_at = ?1 WHERE id IN \
     (SELECT d.id FROM json_each(?2) AS j CROSS JOIN deliveries AS d ON d.id = j.value ->> 0 \
     WHERE d.sub_id = ?3 AND d.msg_id = j.value ->> 1 AND d.attempts = j.value ->> 2 AND d.visible_at < ?4)";

pub(super) const PEEK: &str =
    concat!("SELECT ", row_columns!(), " FROM deliveries WHERE sub_id = ?1 ORDER BY visible_at, msg_id LIMIT ?2");

pub(super) const BACKLOG: &str = "SELECT count(*) FROM deliveries WHERE sub_id = ?1";

/// Every statement above, for the query-plan test.
#[cfg(test)]
pub(super) const ALL: &[(&str, &str)] = &[
    ("subscribers", SUBSCRIBERS),
    ("next_msg_ids", NEXT_MSG_IDS),
    ("key_busy", KEY_BUSY),
    ("insert", INSERT),
    ("release_key", RELEASE_KEY),
    ("delete_one", DELETE_ONE),
    ("row_by_id", ROW_BY_ID),
    ("row_by_ack_id", ROW_BY_ACK_ID),
    ("ready", READY),
    ("lease", LEASE),
    ("next_visible", NEXT_VISIBLE),
    ("ack", ACK),
    ("set_visibility", SET_VISIBILITY),
    ("peek", PEEK),
    ("backlog", BACKLOG),
];
