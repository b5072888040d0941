//! Opening the pipeline home (the embedded backends) and the topology.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::backends::{Backends, SystemClock};
use crate::topology::{self, Topology};

/// The topology shipped with the binary (a copy of `config/pipeline.toml` at build time).
pub const BUILTIN_TOPOLOGY: &str = include_str!("../../config/pipeline.toml");

/// Load `path`, else `config/pipeline.toml` in the working directory, else the built-in copy.
pub fn load_topology(path: Option<&Path>) -> anyhow::Result<Topology> {
    if let Some(p) = path {
        return topology::load_file(p).map_err(|e| anyhow::anyhow!("{e}"));
    }
    let default = Path::new("config/pipeline.toml");
    if default.exists() {
        return topology::load_file(default).map_err(|e| anyhow::anyhow!("{e}"));
    }
    topology::load_str(BUILTIN_TOPOLOGY, "<built-in config/pipeline.toml>").map_err(|e| anyhow::anyhow!("{e}"))
}

/// Open the embedded backends under `home` with the system clock.
pub fn open(home: &Path) -> anyhow::Result<Backends> {
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    crate::backends::embedded::open_home(home, Arc::new(SystemClock))
        .with_context(|| format!("opening the embedded backends under {}", home.display()))
}
