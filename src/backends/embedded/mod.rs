//! Embedded adapters: the default backends, so the whole pipeline runs on one machine with no account.
//!
//! Layout under the pipeline home: `bus.db` (SQLite, durable bus), `state.db` (SQLite documents),
//! `warehouse/` (one SQLite file per dataset, `<dataset>.db`, holding its tables), `landing/` (a directory of raw
//! objects).

pub mod bus;
pub mod landing;
mod sqlite_util;
pub mod state;
pub mod warehouse;
