//! Phase 3 analytics processors (`nba_raw` → `nba_analytics`), spec §2: the per-game summaries.
//!
//! Every processor here is pure: the host reads the declared dependency tables of the slate date into
//! `input.tables`, and the processor returns one `ReplacePartition` of its output table for that date.
//! Shared invariants (see `docs/decisions.md`, "Phase 3 game summaries"):
//! - the output is a deterministic function of the input rows: no clock, no `processed_at`; running twice on
//!   the same rows gives identical rows (row order included — rows are sorted by key);
//! - a date with no player rows in any box-score source is not an error: nothing is written and
//!   `no_data_reason` says why (an empty write would wipe a date loaded earlier);
//! - box-score sources are chosen **per game** along a fallback chain (NBA.com league game log → gamebook
//!   active players → balldontlie), and the choice is recorded in `primary_source_used`;
//! - shot zones come from play-by-play, chosen per game (BigDataBall → NBA.com → none, [`zones`]); a game
//!   without play-by-play has NULL zone columns, and a play-by-play that does not account for the box score's
//!   field-goal attempts is recorded as the issue `pbp_fga_mismatch`, never a failure;
//! - rows read back from the warehouse may hold any JSON shape of their column type; values that do not
//!   fit (a required key missing, an impossible number) are `BadInput` naming the table, never a panic;
//! - every processor runs behind [`super::raw::checked::Checked`], so rows are checked against the output
//!   schema and key before the host writes.

use std::sync::Arc;

use super::ProcessorRegistry;

pub mod lines;
pub mod player_game_summary;
pub mod team_defense_game_summary;
pub mod team_offense_game_summary;
pub mod zones;

/// Register the Phase 3 summaries of this build, each behind the output check of `Checked`.
pub fn register(reg: &mut ProcessorRegistry) {
    let all: [Arc<dyn super::Processor>; 3] = [
        Arc::new(player_game_summary::PlayerGameSummary),
        Arc::new(team_offense_game_summary::TeamOffenseGameSummary),
        Arc::new(team_defense_game_summary::TeamDefenseGameSummary),
    ];
    for p in all {
        reg.register(Arc::new(super::raw::checked::Checked::new(p)));
    }
}

/// One upstream table tracked in the `source_*` columns: (column prefix, table, expected minimum rows).
pub type SourceSpec = (&'static str, &'static str, u64);

/// Add the spec §0.3 source-tracking columns of each upstream: `P_rows_found`, `P_completeness_pct`,
/// `P_hash`. `P_last_updated` is left out: raw rows carry no `processed_at` (reloads must write identical
/// rows), so there is nothing deterministic to put there.
pub fn with_source_columns(s: crate::backends::TableSchema, sources: &[SourceSpec]) -> crate::backends::TableSchema {
    use crate::backends::ColumnType as T;
    sources.iter().fold(s, |s, (p, _, _)| {
        s.col(&format!("{p}_rows_found"), T::Int64)
            .col(&format!("{p}_completeness_pct"), T::Float64)
            .col(&format!("{p}_hash"), T::String)
    })
}

/// The values of the source-tracking columns for the run's input: rows of the date found, completeness
/// `min(100, found / expected · 100)`, and a digest of the sorted `data_hash` values of those rows (so a
/// changed upstream row changes the hash, whatever order the rows were read in).
pub fn source_values(input: &super::ProcessorInput, sources: &[SourceSpec]) -> crate::domain::Row {
    use serde_json::{json, Value};
    use sha2::{Digest, Sha256};
    let mut out = crate::domain::Row::new();
    for (p, table, expected) in sources {
        let rows = lines::rows_of(input, table);
        let pct = if *expected == 0 { 100.0 } else { (rows.len() as f64 / *expected as f64 * 100.0).min(100.0) };
        let mut hashes: Vec<&str> = rows.iter().filter_map(|r| lines::get_str(r, "data_hash")).collect();
        hashes.sort_unstable();
        let hash = if hashes.is_empty() {
            Value::Null
        } else {
            let d = Sha256::digest(hashes.join("|").as_bytes());
            json!(d.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>())
        };
        out.insert(format!("{p}_rows_found"), json!(rows.len()));
        out.insert(format!("{p}_completeness_pct"), json!(lines::round(pct, 1)));
        out.insert(format!("{p}_hash"), hash);
    }
    out
}

/// `Some(x)` rounded, or JSON null.
pub fn num(x: Option<f64>, places: i32) -> serde_json::Value {
    x.filter(|v| v.is_finite()).map_or(serde_json::Value::Null, |v| serde_json::json!(lines::round(v, places)))
}

/// `Some(i)` or JSON null.
pub fn int(x: Option<i64>) -> serde_json::Value {
    x.map_or(serde_json::Value::Null, serde_json::Value::from)
}
