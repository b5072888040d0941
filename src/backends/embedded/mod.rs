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

use std::path::Path;
use std::sync::Arc;

use super::{Backends, Clock, PortResult};

/// The bucket name embedded landing paths are announced under (`gs://nba-scraped-data/...`).
pub const BUCKET: &str = "nba-scraped-data";

/// Open every embedded backend under one home directory.
pub fn open_home(home: &Path, clock: Arc<dyn Clock>) -> PortResult<Backends> {
    let bus = bus::EmbeddedBus::open(&home.join("bus.db"), clock.clone())?;
    let state = state::EmbeddedState::open(home.join("state.db"))?;
    let warehouse = warehouse::EmbeddedWarehouse::open(home.join("warehouse"))?;
    let landing = landing::DirLanding::open(home.join("landing"), BUCKET)?;
    Ok(Backends {
        bus: Arc::new(bus),
        state: Arc::new(state),
        warehouse: Arc::new(warehouse),
        landing: Arc::new(landing),
        clock,
    })
}
