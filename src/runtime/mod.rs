//! Wiring: builds the actor system over a set of backends and a topology ([`pipeline::Pipeline`]), the run
//! protocol the processor hosts execute ([`protocol`]) and the declared infrastructure ([`infra`]).

pub mod infra;
pub mod inputs;
pub mod pipeline;
pub mod protocol;
pub mod read_cache;

pub use pipeline::{effective_topology, Pipeline, PipelineOptions};
