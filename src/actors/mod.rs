//! The actix actors, one per file. Each is a thin shell: it decodes or receives a typed message, calls plain
//! logic (`runtime::protocol`, `tracker`, `ledger`), records counters and sends on.
//!
//! - [`bridge::Bridge`]: one per subscription; pulls, decodes, routes, and acks only after the handler
//!   reported a durable outcome.
//! - [`dispatcher::Dispatcher`]: maps a typed trigger onto the processors it starts.
//! - [`processor_host::ProcessorHost`]: a pool per processor kind; runs the run protocol.
//! - [`tracker_router::TrackerRouter`] and [`completion_tracker::CompletionTracker`]: one tracker per
//!   (phase, date), the only writer of its document.
//! - [`outbox_relay::OutboxRelay`]: republishes completions left in the outbox by a crash.
//! - [`monitor::Monitor`]: phase announcements for latency metrics.

pub mod bridge;
pub mod completion_tracker;
pub mod dispatcher;
pub mod monitor;
pub mod outbox_relay;
pub mod processor_host;
pub mod tracker_router;
