//! `hoopflow coverage --date D`: every scheduled player of a slate, predicted or excluded with the reason,
//! read from `nba_predictions.prediction_coverage` (written by the prediction batch).
//!
//! Invariant: read-only; players with a sportsbook line come first, since the coverage targets are about them.

use std::collections::BTreeMap;
use std::path::Path;

use super::home;
use crate::backends::TableRef;
use crate::domain::{RowExt, SlateDate};

pub async fn coverage(home_dir: &Path, date: SlateDate, json: bool) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let rows = match b.warehouse.read_date(&TableRef::new("nba_predictions", "prediction_coverage"), date).await {
        Ok(rows) => rows,
        // No batch has ever run in this home: the table does not exist yet.
        Err(crate::backends::PortError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("no prediction batch has run for {date} (see `hoopflow status --date {date}`)");
        return Ok(());
    }
    let lined: Vec<_> = rows.iter().filter(|r| r.bool_of("has_prop_line") == Some(true)).collect();
    let predicted = |v: &[&crate::domain::Row]| v.iter().filter(|r| r.str_of("status") == Some("predicted")).count();
    let all: Vec<_> = rows.iter().collect();
    println!("coverage — slate {date}");
    println!("  scheduled players   {:>5}   predicted {:>5}", all.len(), predicted(&all));
    let pct = if lined.is_empty() { 0.0 } else { 100.0 * predicted(&lined) as f64 / lined.len() as f64 };
    println!("  with a line         {:>5}   predicted {:>5}  ({pct:.1} %)", lined.len(), predicted(&lined));
    let mut reasons: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.str_of("status") == Some("excluded")) {
        *reasons.entry((r.bool_of("has_prop_line") != Some(true), r.str_of("reason").unwrap_or("?"))).or_default() += 1;
    }
    println!("\n  {:<32} {:>8} {:>8}", "excluded because", "lined", "unlined");
    let mut by_reason: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for ((unlined, reason), n) in reasons {
        let e = by_reason.entry(reason).or_default();
        if unlined {
            e.1 += n;
        } else {
            e.0 += n;
        }
    }
    for (reason, (l, u)) in by_reason {
        println!("  {reason:<32} {l:>8} {u:>8}");
    }
    println!("\n  lined players excluded:");
    for r in lined.iter().filter(|r| r.str_of("status") == Some("excluded")) {
        println!("    {:<28} {}", r.str_of("player_lookup").unwrap_or("?"), r.str_of("reason").unwrap_or("?"));
    }
    Ok(())
}
