//! The declared topology of the pipeline (`config/pipeline.toml`): phases, processors, topics,
//! subscriptions, dependencies and tracker quorums.
//!
//! Invariants: loading is strict (unknown keys are errors) and reports every problem at once with its
//! location; a loaded [`Topology`] is internally consistent (every referenced topic, table and processor
//! exists; the processor graph is acyclic), so nothing downstream re-validates it.

pub mod load;
pub mod model;
pub mod render;

pub use load::{load_file, load_str, ConfigError, ConfigIssue};
pub use model::*;
