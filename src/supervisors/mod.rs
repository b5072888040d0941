//! The supervision layer that actix lacks (DESIGN §4): panic capture around handlers, restart with
//! exponential backoff and a restart-intensity limit, heartbeat (progress) checks, per-actor counters with
//! mailbox depth, pool sizing, and the Prometheus rendering of all of it.
//!
//! Invariants: a panic inside a handler never takes the process down; it is counted, the actor is restarted
//! after a backoff (same `Addr`, queued messages kept), and past the intensity limit the actor is quarantined
//! (it refuses work with a retryable error for a cool-off period) instead of restarting in a tight loop.

pub mod metrics;
pub mod panic;
pub mod policy;
pub mod pool;
pub mod watchdog;

pub use metrics::{ActorMetrics, BusyGuard, MetricsRegistry};
pub use panic::{panic_message, PanicError};
pub use policy::{RestartDecision, RestartPolicy, RestartTracker};
pub use pool::Pool;
pub use watchdog::{Control, Supervision, Watch, Watchdog};
