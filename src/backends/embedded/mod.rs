//! Embedded adapters: the default backends, so the whole pipeline runs on one machine with no account.
//!
//! Layout under the pipeline home: `bus.db` (SQLite, durable bus), `state.db` (SQLite documents),
//! `warehouse.db` (SQLite tables, one per `dataset.table`), `landing/` (a directory of raw objects).

pub mod bus;
pub mod landing;
pub mod state;
pub mod warehouse;
