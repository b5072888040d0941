//! Player identity across sources: the unresolved-name queue.
//!
//! Raw processors fold names with `player_lookup` and the alias table (they see one file). This module sees
//! every source at once: it resolves each lookup another source wrote against the players NBA.com knows
//! (`nbac_player_boxscores`, `nbac_player_list_current`), with the alias and suffix steps of
//! [`NameResolver`], and keeps what does not resolve in `nba_reference.unresolved_player_names`, a queue a
//! person works through by adding lines to `config/player_aliases.csv`.
//!
//! Invariants: one queue row per (source table, lookup); a name that later resolves (an alias added, the player
//! appears in NBA.com's data) is marked `resolved` with what it resolved to, never deleted, so the queue is an
//! audit trail; the scan is read-only on every table except the queue.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::backends::ColumnType as T;
use crate::backends::{PortError, TableRef, TableSchema, Warehouse};
use crate::domain::{Aliases, NameResolver, Resolution, Row};

pub const QUEUE: &str = "unresolved_player_names";

/// Tables whose names are checked: (table, display-name column, date column).
pub const SOURCES: [(&str, &str, &str); 7] = [
    ("nba_raw.odds_api_player_points_props", "player_name", "game_date"),
    ("nba_raw.bettingpros_player_points_props", "player_name", "game_date"),
    ("nba_raw.bdl_player_boxscores", "player_full_name", "game_date"),
    ("nba_raw.espn_boxscores", "player_full_name", "game_date"),
    ("nba_raw.bdl_injuries", "player_full_name", "scrape_date"),
    ("nba_raw.nbac_injury_report", "player_full_name", "game_date"),
    ("nba_raw.espn_team_rosters", "player_full_name", "roster_date"),
];

/// Where NBA.com's own players are.
pub const KNOWN: [&str; 2] = ["nba_raw.nbac_player_boxscores", "nba_raw.nbac_player_list_current"];

pub fn queue_schema() -> TableSchema {
    TableSchema::new("nba_reference", QUEUE)
        .required("source_table", T::String)
        .required("player_lookup", T::String)
        .col("example_name", T::String)
        .col("occurrences", T::Int64)
        .col("first_date", T::Date)
        .col("last_date", T::Date)
        .required("status", T::String)
        .col("resolved_to", T::String)
        .col("method", T::String)
        .keyed_by(&["source_table", "player_lookup"])
}

/// One lookup a source wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub table: String,
    pub lookup: String,
    pub name: String,
    pub count: i64,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub known: usize,
    pub observed: usize,
    pub by_method: BTreeMap<String, usize>,
    pub unresolved: Vec<Observed>,
    /// Queue rows to upsert (new pending names, and pending names that now resolve).
    pub queue_rows: Vec<Row>,
}

/// Resolve every observed lookup; `pending` are the queue's current pending lookups per table.
pub fn resolve_all(resolver: &NameResolver, observed: &[Observed], pending: &BTreeSet<(String, String)>) -> Scan {
    let mut scan = Scan { observed: observed.len(), ..Default::default() };
    for o in observed {
        let r = resolver.resolve_lookup(&o.lookup);
        *scan.by_method.entry(r.method().to_string()).or_default() += 1;
        let was_pending = pending.contains(&(o.table.clone(), o.lookup.clone()));
        let (status, to) = match &r {
            Resolution::Unresolved(_) => ("pending", Value::Null),
            _ if was_pending => ("resolved", json!(r.lookup())),
            _ => continue,
        };
        if !r.is_resolved() {
            scan.unresolved.push(o.clone());
        }
        let row = json!({
            "source_table": o.table, "player_lookup": o.lookup, "example_name": o.name, "occurrences": o.count,
            "first_date": o.first, "last_date": o.last, "status": status, "resolved_to": to, "method": r.method(),
        });
        scan.queue_rows.push(row.as_object().cloned().unwrap_or_default());
    }
    scan
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Whether `dataset.table` exists (a table no processor has written yet is skipped, not an error).
async fn exists(w: &dyn Warehouse, t: &str) -> Result<bool, PortError> {
    match TableRef::parse(t) {
        Some(r) => Ok(w.table_schema(&r).await?.is_some()),
        None => Ok(false),
    }
}

/// Scan the warehouse and update the queue. Tables that do not exist yet are skipped; any other error fails
/// the scan.
pub async fn scan(w: &dyn Warehouse, aliases: Aliases) -> Result<Scan, PortError> {
    let mut known = BTreeSet::new();
    for t in KNOWN {
        if !exists(w, t).await? {
            continue;
        }
        let r = w.query(&format!("SELECT DISTINCT player_lookup FROM {t}")).await?;
        known.extend(r.rows.iter().filter_map(|row| row.first().and_then(text)));
    }
    let mut observed = Vec::new();
    for (t, name, date) in SOURCES {
        let sql = format!(
            "SELECT player_lookup, MIN({name}), COUNT(*), MIN({date}), MAX({date}) FROM {t} GROUP BY player_lookup"
        );
        if !exists(w, t).await? {
            continue;
        }
        let r = w.query(&sql).await?;
        for row in &r.rows {
            let get = |i: usize| row.get(i).and_then(text);
            let Some(lookup) = get(0) else { continue };
            observed.push(Observed {
                table: t.to_string(),
                lookup,
                name: get(1).unwrap_or_default(),
                count: get(2).and_then(|c| c.parse().ok()).unwrap_or(0),
                first: get(3),
                last: get(4),
            });
        }
    }
    let queue = TableRef::new("nba_reference", QUEUE);
    w.ensure_table(&queue_schema()).await?;
    let pending: BTreeSet<(String, String)> = w
        .query(&format!("SELECT source_table, player_lookup FROM nba_reference.{QUEUE} WHERE status = 'pending'"))
        .await?
        .rows
        .iter()
        .filter_map(|r| Some((r.first().and_then(text)?, r.get(1).and_then(text)?)))
        .collect();
    let resolver = NameResolver::new(aliases, known.iter().cloned());
    let mut s = resolve_all(&resolver, &observed, &pending);
    s.known = known.len();
    if !s.queue_rows.is_empty() {
        w.upsert(&queue, s.queue_rows.clone()).await?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(lookup: &str) -> Observed {
        Observed {
            table: "nba_raw.x".into(),
            lookup: lookup.into(),
            name: lookup.into(),
            count: 1,
            first: None,
            last: None,
        }
    }

    #[test]
    fn unresolved_names_are_queued_and_later_marked_resolved() {
        let known = ["nicclaxton".to_string(), "paulreed".to_string()];
        let without = NameResolver::new(Aliases::default(), known.clone());
        let seen = [obs("nicclaxton"), obs("paulreedjr"), obs("nicolasclaxton")];
        let s = resolve_all(&without, &seen, &BTreeSet::new());
        assert_eq!(s.unresolved.iter().map(|o| o.lookup.as_str()).collect::<Vec<_>>(), ["nicolasclaxton"]);
        assert_eq!(s.queue_rows.len(), 1);
        assert_eq!(s.queue_rows[0]["status"], json!("pending"));
        assert_eq!(s.by_method["suffix"], 1);
        // The alias is added: the pending name is marked resolved.
        let with = NameResolver::new(Aliases::builtin(), known);
        let pending = BTreeSet::from([("nba_raw.x".to_string(), "nicolasclaxton".to_string())]);
        let s = resolve_all(&with, &seen, &pending);
        assert!(s.unresolved.is_empty());
        assert_eq!(s.queue_rows[0]["status"], json!("resolved"));
        assert_eq!(s.queue_rows[0]["resolved_to"], json!("nicclaxton"));
    }
}
