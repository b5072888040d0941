//! Strict loading of the topology (placeholder until the full loader lands).
use super::Topology;
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigIssue { pub location: String, pub message: String }
#[derive(Debug, thiserror::Error)]
#[error("invalid topology: {} issue(s)", issues.len())]
pub struct ConfigError { pub issues: Vec<ConfigIssue> }
pub fn load_str(s: &str, _origin: &str) -> Result<Topology, ConfigError> {
    toml::from_str(s).map_err(|e| ConfigError { issues: vec![ConfigIssue { location: String::new(), message: e.to_string() }] })
}
pub fn load_file(p: &std::path::Path) -> Result<Topology, ConfigError> {
    let s = std::fs::read_to_string(p).map_err(|e| ConfigError { issues: vec![ConfigIssue { location: p.display().to_string(), message: e.to_string() }] })?;
    load_str(&s, &p.display().to_string())
}
