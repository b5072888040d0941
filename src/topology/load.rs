//! Strict loading of `config/pipeline.toml` into a [`Topology`].
//!
//! Loading runs three passes and reports every problem of all three at once, each with its location
//! (`origin:line` plus a path such as `processor[3] (name = "bdl_boxscores").pool_sise`), sorted by line:
//! 1. `load_tree.rs`: the text is parsed into a span-carrying tree (a syntax error stops here: one issue);
//! 2. `load_walk.rs`: the tree is walked against the key schema of the model (`load_schema.rs`): unknown keys,
//!    missing required keys, wrong types, unknown enum values and out-of-range integers are collected. Unknown
//!    keys are dropped and the walk goes on; a top-level entry (`[[processor]]`, …) with a missing key or a wrong
//!    type is dropped from the next pass, and references to its names are not reported again;
//! 3. `load_checks*.rs`: the cleaned tree is deserialised into the model and the semantic checks run.
//!
//! Invariants: no input panics; `Ok` is returned only when there is no issue at all, so a loaded [`Topology`] is
//! consistent (every referenced topic, table and processor exists; the processor graph is acyclic).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use toml::Value;

use super::Topology;

#[path = "load_checks.rs"]
mod checks;
#[path = "load_checks_processors.rs"]
mod checks_processors;
#[path = "load_checks_trackers.rs"]
mod checks_trackers;
#[path = "load_schema.rs"]
mod schema;
#[path = "load_tree.rs"]
mod tree;
#[path = "load_walk.rs"]
mod walk;

use tree::Root;
use walk::Walker;

/// One problem found in a topology file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// `origin:line path`, e.g. `config/pipeline.toml:42 processor[3] (name = "bdl_boxscores").pool_sise`.
    pub location: String,
    pub message: String,
    /// 1-based line of the offending key or table, when known.
    pub line: Option<usize>,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found in a topology file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub issues: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid topology: {} issue(s)", self.issues.len())?;
        for issue in &self.issues {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Load and validate a topology from its text; `origin` names it in locations (usually the file path).
pub fn load_str(text: &str, origin: &str) -> Result<Topology, ConfigError> {
    let root = match toml::from_str::<Root>(text) {
        Ok(Root(node)) => node,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            let location = match line {
                Some(l) => format!("{origin}:{l}"),
                None => origin.to_string(),
            };
            let message = format!("TOML syntax error: {}", e.message().trim());
            return Err(ConfigError { issues: vec![ConfigIssue { location, message, line }] });
        }
    };
    let mut walker = Walker { text, origin, issues: Vec::new(), index: Index::default() };
    let pruned = walker.walk_root(&root);
    let Walker { mut issues, index, .. } = walker;
    let topology = match Value::Table(pruned).try_into::<Topology>() {
        Ok(topology) => {
            issues.extend(checks::run(&topology, origin, &index));
            Some(topology)
        }
        Err(e) => {
            // Normally the structural issues already explain why the model cannot be built.
            if issues.is_empty() {
                issues.push(ConfigIssue {
                    location: origin.to_string(),
                    message: format!("cannot read the topology: {}", e.message().trim()),
                    line: None,
                });
            }
            None
        }
    };
    issues.sort_by_key(|i| i.line.unwrap_or(usize::MAX));
    match topology {
        Some(topology) if issues.is_empty() => Ok(topology),
        _ => Err(ConfigError { issues }),
    }
}

/// Load and validate a topology file.
pub fn load_file(path: &Path) -> Result<Topology, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        issues: vec![ConfigIssue { location: origin.clone(), message: format!("cannot read: {e}"), line: None }],
    })?;
    load_str(&text, &origin)
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Where things are in the text, for the semantic checks.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Canonical path (`processor[3].dependencies[1].table`, original indices) → (line, display path).
    paths: HashMap<String, (usize, String)>,
    /// Per top-level array (`processor`, …): the original index of every entry kept for the model.
    kept: HashMap<&'static str, Vec<usize>>,
    /// Names and tables declared by entries dropped for structural issues (not reported as unknown again).
    dropped: HashSet<String>,
}

impl Index {
    /// Line and display path of a canonical path, falling back to its closest recorded ancestor.
    fn resolve(&self, canonical: &str) -> (Option<usize>, String) {
        let mut cut = canonical.len();
        loop {
            if let Some((line, display)) = self.paths.get(&canonical[..cut]) {
                return (Some(*line), format!("{display}{}", &canonical[cut..]));
            }
            match canonical[..cut].rfind(['.', '[']) {
                Some(i) if i > 0 => cut = i,
                _ => return (None, canonical.to_string()),
            }
        }
    }

    /// The canonical path of entry `i` of the model's list `kind` (e.g. `processor`).
    fn entry(&self, kind: &str, i: usize) -> String {
        let orig = self.kept.get(kind).and_then(|v| v.get(i)).copied().unwrap_or(i);
        format!("{kind}[{orig}]")
    }

    fn was_dropped(&self, name: &str) -> bool {
        self.dropped.contains(name)
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
