//! Phase 4 precompute processors (`nba_analytics` → `nba_precompute`, and the feature store
//! `nba_predictions.ml_feature_store_v2`), spec §3, as a three-level cascade:
//! TDZA ∥ PSZA → PCF and PDC → MLFS (`config/pipeline.toml`).
//!
//! Shared invariants (decisions in `docs/decisions.md`, "Phase 4 precompute"):
//! - no look-ahead: every value for analysis date D comes from games strictly before D (see [`games`]) or
//!   from the pre-game context of D (`upcoming_*_game_context`: schedule, rest, injuries, lines);
//! - deterministic: no clock, rows sorted by key, numbers rounded, so two runs write identical tables;
//! - bootstrap: during the first [`BOOTSTRAP_DAYS`](crate::domain::season::BOOTSTRAP_DAYS) days of a season
//!   TDZA, PSZA, PDC and PCF write nothing (`no_data`, `skipped_early_season`) and the feature store writes
//!   NULL-feature placeholders, so Phase 5 sees every player and excludes him with a reason;
//! - same-date Phase 4 inputs are guaranteed by the cascade (a level fires only after the previous level), so
//!   their dependency checks are not critical; a processor falls back per entity (Phase 3 value, then the
//!   documented default) and records which source it used.

use std::sync::Arc;

use serde_json::{json, Value};

use super::raw::checked::Checked;
use super::{ProcessorOutput, ProcessorRegistry};
use crate::domain::{season, Row, SlateDate};

pub mod composite_factors;
pub mod daily_cache;
pub mod factors;
pub mod feature_store;
pub mod features;
pub mod games;
pub mod shot_zone;
pub mod team_defense_zone;

/// Register the five precompute processors, each behind the output check.
pub fn register(reg: &mut ProcessorRegistry) {
    let all: [Arc<dyn super::Processor>; 5] = [
        Arc::new(team_defense_zone::TeamDefenseZoneAnalysis),
        Arc::new(shot_zone::PlayerShotZoneAnalysis),
        Arc::new(daily_cache::PlayerDailyCache),
        Arc::new(composite_factors::PlayerCompositeFactors),
        Arc::new(feature_store::MlFeatureStore),
    ];
    for p in all {
        reg.register(Arc::new(Checked::new(p)));
    }
}

/// The output of an analysis processor on a bootstrap date: nothing written, with the reason.
pub fn bootstrap_skip(date: SlateDate) -> Option<ProcessorOutput> {
    season::is_early_season(date).then(|| {
        let mut out = ProcessorOutput {
            no_data_reason: Some(format!(
                "skipped_early_season: {date} is day {} of the season (bootstrap is {} days)",
                season::season_day(date),
                season::BOOTSTRAP_DAYS
            )),
            ..Default::default()
        };
        out.metadata.insert("processing_decision".into(), json!("skipped_early_season"));
        out
    })
}

/// The rows of `table` by the value of `key` (`player_lookup`, `team_abbr`); a later row wins.
pub fn rows_by<'a>(
    input: &'a super::ProcessorInput,
    table: &str,
    key: &str,
) -> std::collections::BTreeMap<&'a str, &'a Row> {
    input.rows(table).iter().filter_map(|r| Some((crate::domain::RowExt::str_of(r, key)?, r))).collect()
}

/// A JSON object as a row, without its NULL values.
pub fn row_of(v: Value) -> Option<Row> {
    let mut r = v.as_object().cloned()?;
    r.retain(|_, v| !v.is_null());
    Some(r)
}

/// The columns Phase 4 reads of each Phase 3 table (the host reads only these).
pub fn columns_for(table: &str) -> Option<Vec<String>> {
    let cols: &[&str] = match table {
        "nba_analytics.player_game_summary" => games::PGS_COLUMNS,
        "nba_analytics.team_offense_game_summary" => games::TOGS_COLUMNS,
        "nba_analytics.team_defense_game_summary" => games::TDGS_COLUMNS,
        _ => return None,
    };
    Some(cols.iter().map(|c| c.to_string()).collect())
}

/// The columns of the scoring-only readers (PDC, PCF, MLFS): `player_game_summary` without shot detail, which
/// halves the season-long read.
pub fn scoring_columns_for(table: &str) -> Option<Vec<String>> {
    if table == "nba_analytics.player_game_summary" {
        return Some(games::PGS_SCORING_COLUMNS.iter().map(|c| c.to_string()).collect());
    }
    columns_for(table)
}
