//! Access to the read-only real data beside the repository (`../shared/fixtures/nba`, `../shared/data/nba`).
//!
//! The directory is `$HOOPFLOW_SHARED` or `<crate>/../shared`. When it is absent a test that needs it is
//! skipped with a note, except under CI (`CI` set), where its absence is a failure.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HOOPFLOW_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("fixtures/nba").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI needs the shared data at {}", dir.display());
    }
    eprintln!("skipped: no shared data at {}", dir.display());
    None
}

/// Bytes of `fixtures/nba/<rel>`.
pub fn fixture(rel: &str) -> Option<Vec<u8>> {
    let p = shared_dir()?.join("fixtures/nba").join(rel);
    Some(std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display())))
}

/// The `data/nba` directory.
pub fn data_dir() -> Option<PathBuf> {
    Some(shared_dir()?.join("data/nba"))
}
