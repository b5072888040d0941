//! `hoopflow names`: resolve every player name the other sources wrote against NBA.com's players, update the
//! unresolved-name queue (`nba_reference.unresolved_player_names`) and show it.

use std::path::Path;

use super::home;
use crate::domain::Aliases;

pub async fn names(home_dir: &Path, json: bool) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let s = crate::identity::scan(b.warehouse.as_ref(), Aliases::builtin()).await?;
    if json {
        let out = serde_json::json!({
            "known_players": s.known,
            "observed": s.observed,
            "by_method": s.by_method,
            "unresolved": s.unresolved.iter().map(|o| serde_json::json!({
                "source_table": o.table, "player_lookup": o.lookup, "example_name": o.name,
                "occurrences": o.count, "first_date": o.first, "last_date": o.last,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{} NBA.com players known; {} (source, name) pairs observed", s.known, s.observed);
    for (method, n) in &s.by_method {
        println!("  {method:<11} {n:>6}");
    }
    if s.unresolved.is_empty() {
        println!("\nevery name resolves; the queue has nothing pending");
        return Ok(());
    }
    println!(
        "\nunresolved (queued in nba_reference.unresolved_player_names; add aliases to config/player_aliases.csv):"
    );
    println!("  {:<40} {:<26} {:<24} {:>6}  dates", "source", "lookup", "name", "rows");
    for o in &s.unresolved {
        println!(
            "  {:<40} {:<26} {:<24} {:>6}  {} → {}",
            o.table,
            o.lookup,
            o.name,
            o.count,
            o.first.as_deref().unwrap_or("?"),
            o.last.as_deref().unwrap_or("?")
        );
    }
    Ok(())
}
