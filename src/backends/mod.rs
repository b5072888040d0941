//! Ports (traits) and their adapters.
//!
//! Every cloud part of the pipeline sits behind one of five ports: [`Bus`], [`StateStore`], [`Warehouse`],
//! [`Landing`] and [`Clock`]. The `embedded` adapters (SQLite, an in-process durable bus, a directory) are the
//! default; the GCP adapters implement the same traits. One contract suite per port (`tests/contract_*.rs`)
//! runs against every adapter, so both provably behave alike.
//!
//! Invariants every adapter honours:
//! - `Bus`: at-least-once; a message stays until acked; an unacked message is redelivered after its ack
//!   deadline; messages with the same ordering key on an ordering subscription are delivered one at a time in
//!   publish order; after `max_delivery_attempts` a message moves to the dead-letter topic with a reason.
//! - `StateStore`: `update` is an atomic read-modify-write; `create` succeeds for exactly one caller.
//! - `Warehouse`: `replace_partition` is atomic (readers see the old or the new partition, never a mix);
//!   `upsert` is keyed by the schema's key; both return the row count read back from the sink.
//! - `Landing`: `put` returns a generation that increases on every overwrite of a path.

pub mod clock;
pub mod embedded;
pub mod schema;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

pub use clock::{Clock, SystemClock, VirtualClock};
pub use schema::{ColumnType, TableRef, TableSchema};

use crate::domain::{Row, SlateDate};

/// The one error enum of the backend layer. Each error knows whether a retry may help.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("schema mismatch on {table}: {detail}")]
    Schema { table: String, detail: String },
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Storage(String),
    #[error("contention on {0}, retry")]
    Contention(String),
}

impl PortError {
    /// Whether retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, PortError::Unavailable(_) | PortError::Storage(_) | PortError::Contention(_))
    }
}

impl From<rusqlite::Error> for PortError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
            {
                PortError::Contention(e.to_string())
            }
            _ => PortError::Storage(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for PortError {
    fn from(e: serde_json::Error) -> Self {
        PortError::Invalid(e.to_string())
    }
}

pub type PortResult<T> = Result<T, PortError>;

// ---------------------------------------------------------------------------------------------------------
// Bus
// ---------------------------------------------------------------------------------------------------------

/// A subscription's declared behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionSpec {
    pub name: String,
    pub topic: String,
    pub ack_deadline: Duration,
    pub max_delivery_attempts: u32,
    /// Topic that receives messages past `max_delivery_attempts` (or explicitly dead-lettered).
    pub dead_letter_topic: Option<String>,
    pub ordering: bool,
}

impl SubscriptionSpec {
    pub fn new(name: impl Into<String>, topic: impl Into<String>) -> Self {
        SubscriptionSpec {
            name: name.into(),
            topic: topic.into(),
            ack_deadline: Duration::from_secs(600),
            max_delivery_attempts: 5,
            dead_letter_topic: None,
            ordering: false,
        }
    }
}

/// A message to publish.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutboundMessage {
    pub data: Vec<u8>,
    pub attributes: BTreeMap<String, String>,
    pub ordering_key: Option<String>,
}

impl OutboundMessage {
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        OutboundMessage { data: data.into(), ..Default::default() }
    }
    pub fn with_attr(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.attributes.insert(k.into(), v.into());
        self
    }
    pub fn with_ordering_key(mut self, k: impl Into<String>) -> Self {
        self.ordering_key = Some(k.into());
        self
    }
}

/// A message handed out by `pull`. The `ack_id` is valid for this delivery attempt only.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMessage {
    pub ack_id: String,
    pub message_id: String,
    pub data: Vec<u8>,
    pub attributes: BTreeMap<String, String>,
    pub ordering_key: Option<String>,
    pub publish_time: DateTime<Utc>,
    /// 1 on first delivery.
    pub delivery_attempt: u32,
}

/// A topic + subscription bus with Pub/Sub semantics.
#[async_trait]
pub trait Bus: Send + Sync {
    async fn ensure_topic(&self, topic: &str) -> PortResult<()>;
    async fn ensure_subscription(&self, spec: &SubscriptionSpec) -> PortResult<()>;
    async fn delete_subscription(&self, name: &str) -> PortResult<()>;
    async fn list_topics(&self) -> PortResult<Vec<String>>;
    async fn list_subscriptions(&self) -> PortResult<Vec<SubscriptionSpec>>;
    /// Publish a batch; returns message ids in order.
    async fn publish(&self, topic: &str, messages: Vec<OutboundMessage>) -> PortResult<Vec<String>>;
    /// Pull up to `max` messages whose ack deadline has passed or which were never delivered. Waits up to
    /// `wait` for at least one message.
    async fn pull(&self, subscription: &str, max: usize, wait: Duration) -> PortResult<Vec<ReceivedMessage>>;
    async fn ack(&self, subscription: &str, ack_ids: &[String]) -> PortResult<()>;
    /// Make the messages available again after `delay`.
    async fn nack(&self, subscription: &str, ack_ids: &[String], delay: Duration) -> PortResult<()>;
    async fn modify_ack_deadline(&self, subscription: &str, ack_ids: &[String], deadline: Duration) -> PortResult<()>;
    /// Move one delivery to the subscription's dead-letter topic with `reason` (attribute `dead_letter_reason`).
    async fn dead_letter(&self, subscription: &str, ack_id: &str, reason: &str) -> PortResult<()>;
    /// Messages waiting on a subscription (for DLQ listing and metrics); does not lease them.
    async fn peek(&self, subscription: &str, max: usize) -> PortResult<Vec<ReceivedMessage>>;
    /// Number of unacked messages on a subscription.
    async fn backlog(&self, subscription: &str) -> PortResult<u64>;
}

// ---------------------------------------------------------------------------------------------------------
// StateStore
// ---------------------------------------------------------------------------------------------------------

/// A read-modify-write step: given the current document (if any), return the new document, or `None` to
/// leave it unchanged. It may run more than once (adapters with optimistic transactions retry it).
pub type Mutator<'a> = &'a (dyn Fn(Option<&Value>) -> Option<Value> + Send + Sync);

/// Documents with atomic read-modify-write and create-if-absent.
#[async_trait]
pub trait StateStore: Send + Sync {
    async fn get(&self, collection: &str, id: &str) -> PortResult<Option<Value>>;
    /// Create only if absent; `Ok(false)` when the document already exists.
    async fn create(&self, collection: &str, id: &str, doc: &Value) -> PortResult<bool>;
    async fn set(&self, collection: &str, id: &str, doc: &Value) -> PortResult<()>;
    /// Atomic read-modify-write; returns the document as stored afterwards.
    async fn update(&self, collection: &str, id: &str, f: Mutator<'_>) -> PortResult<Option<Value>>;
    async fn delete(&self, collection: &str, id: &str) -> PortResult<()>;
    /// All documents of a collection whose id starts with `prefix`, ordered by id.
    async fn list(&self, collection: &str, prefix: &str) -> PortResult<Vec<(String, Value)>>;
    /// Documents whose top-level `field` equals `value`.
    async fn find_eq(&self, collection: &str, field: &str, value: &Value) -> PortResult<Vec<(String, Value)>>;
}

// ---------------------------------------------------------------------------------------------------------
// Warehouse
// ---------------------------------------------------------------------------------------------------------

/// The result of a read-only query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Tables with schemas, idempotent partition replace, keyed upsert and date reads.
#[async_trait]
pub trait Warehouse: Send + Sync {
    /// Create the dataset and table if absent; an existing table with another schema is an error.
    async fn ensure_table(&self, schema: &TableSchema) -> PortResult<()>;
    async fn table_schema(&self, table: &TableRef) -> PortResult<Option<TableSchema>>;
    /// Atomically replace every row of `table` whose partition column equals `date`; returns the row count
    /// read back after the write.
    async fn replace_partition(&self, table: &TableRef, date: SlateDate, rows: Vec<Row>) -> PortResult<u64>;
    /// Atomically replace the slice of `date`'s partition whose `scope` columns equal the given values (e.g.
    /// one game's rows, or every row loaded from one landing object); rows outside the slice are untouched.
    /// Every new row must lie in the slice. Returns the slice's row count read back after the write.
    async fn replace_slice(
        &self,
        table: &TableRef,
        date: SlateDate,
        scope: &[(String, Value)],
        rows: Vec<Row>,
    ) -> PortResult<u64>;
    /// Insert or replace rows by the schema's key; returns how many rows now exist for the given keys.
    async fn upsert(&self, table: &TableRef, rows: Vec<Row>) -> PortResult<u64>;
    async fn read_date(&self, table: &TableRef, date: SlateDate) -> PortResult<Vec<Row>>;
    /// Rows with partition date in `from..=to`.
    async fn read_range(&self, table: &TableRef, from: SlateDate, to: SlateDate) -> PortResult<Vec<Row>>;
    /// [`Warehouse::read_range`] returning only `columns` of each row (what a processor reads of a wide table).
    async fn read_range_columns(
        &self,
        table: &TableRef,
        from: SlateDate,
        to: SlateDate,
        columns: &[String],
    ) -> PortResult<Vec<Row>> {
        let rows = self.read_range(table, from, to).await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.retain(|k, _| columns.contains(k));
                r
            })
            .collect())
    }
    async fn count_date(&self, table: &TableRef, date: SlateDate) -> PortResult<u64>;
    async fn count(&self, table: &TableRef) -> PortResult<u64>;
    /// Read-only SQL (the adapter's dialect); writes are refused.
    async fn query(&self, sql: &str) -> PortResult<QueryResult>;
    /// Order-independent content hash of a table (for reproducibility checks).
    async fn content_hash(&self, table: &TableRef) -> PortResult<String>;
}

// ---------------------------------------------------------------------------------------------------------
// Landing
// ---------------------------------------------------------------------------------------------------------

/// A landed raw object.
#[derive(Debug, Clone, PartialEq)]
pub struct LandedObject {
    pub path: String,
    pub generation: i64,
    pub data: Vec<u8>,
}

/// Raw objects by path (what scrapers write and Phase 2 reads).
#[async_trait]
pub trait Landing: Send + Sync {
    /// Store `data` at `path`; returns the new generation (strictly increasing per path).
    async fn put(&self, path: &str, data: &[u8]) -> PortResult<i64>;
    async fn get(&self, path: &str) -> PortResult<LandedObject>;
    async fn list(&self, prefix: &str) -> PortResult<Vec<String>>;
    /// The bucket name used in `gs://` style paths.
    fn bucket(&self) -> &str;
}

/// The set of ports a pipeline runs on.
#[derive(Clone)]
pub struct Backends {
    pub bus: Arc<dyn Bus>,
    pub state: Arc<dyn StateStore>,
    pub warehouse: Arc<dyn Warehouse>,
    pub landing: Arc<dyn Landing>,
    pub clock: Arc<dyn Clock>,
}
