//! `player_shot_zone_analysis` (PSZA): per player and analysis date, where he shoots from and how well, over
//! his last 10 and 20 games (spec §3.4).
//!
//! Invariants:
//! - inputs are the player's games (active, minutes > 0) strictly before the date in its season; nothing is
//!   written during the bootstrap window;
//! - a player needs [`MIN_GAMES`] games for a row; `sample_quality_{10,20}` and `data_quality_tier` (high ≥
//!   10, medium ≥ 7, low) flag thin samples, `is_production_ready` needs 10 (decision in `docs/decisions.md`);
//! - paint and mid-range come only from games with play-by-play zones; the three-point share and efficiency
//!   come from the box score when no zone data exists (`shot_zones_source = 'box_score'`), and paint,
//!   mid-range, the assisted split and `primary_scoring_zone` stay NULL, so the feature store uses the
//!   documented defaults and says so;
//! - rates are percentages of zone attempts; `*_pct` are makes / attempts.

use serde_json::{json, Value};

use super::games::{last, player_games, ratio, round, PlayerGame, Zones};
use super::{bootstrap_skip, row_of};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::SlateDate;
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "player_shot_zone_analysis";
pub const PGS: &str = "nba_analytics.player_game_summary";
/// Fewest games for a row.
pub const MIN_GAMES: usize = 5;

pub struct PlayerShotZoneAnalysis;

pub fn schema() -> TableSchema {
    let mut s = TableSchema::new("nba_precompute", TABLE)
        .required("player_lookup", T::String)
        .required("analysis_date", T::Date)
        .col("team_abbr", T::String);
    for z in ["paint", "mid_range", "three_pt"] {
        s = s
            .col(&format!("{z}_rate_last_10"), T::Float64)
            .col(&format!("{z}_pct_last_10"), T::Float64)
            .col(&format!("{z}_attempts_per_game"), T::Float64);
    }
    s.col("paint_rate_last_20", T::Float64)
        .col("paint_pct_last_20", T::Float64)
        .col("three_pt_rate_last_20", T::Float64)
        .col("assisted_rate_last_10", T::Float64)
        .col("unassisted_rate_last_10", T::Float64)
        .required("total_shots_last_10", T::Int64)
        .required("games_in_sample_10", T::Int64)
        .required("games_in_sample_20", T::Int64)
        .required("zone_games_last_10", T::Int64)
        .required("sample_quality_10", T::String)
        .required("sample_quality_20", T::String)
        .col("primary_scoring_zone", T::String)
        .required("shot_zones_source", T::String)
        .required("data_quality_tier", T::String)
        .required("is_production_ready", T::Bool)
        .partitioned_by("analysis_date")
        .keyed_by(&["analysis_date", "player_lookup"])
}

/// `excellent` ≥ target, `good` ≥ 70 %, `limited` ≥ 50 %, else `insufficient`.
pub fn sample_quality(games: usize, target: usize) -> &'static str {
    let f = games as f64 / target as f64;
    if f >= 1.0 {
        "excellent"
    } else if f >= 0.7 {
        "good"
    } else if f >= 0.5 {
        "limited"
    } else {
        "insufficient"
    }
}

/// Paint if ≥ 40 % of attempts, else perimeter if threes ≥ 40 %, else mid-range if ≥ 35 %, else balanced.
pub fn primary_zone(paint: f64, mid: f64, three: f64) -> &'static str {
    if paint >= 40.0 {
        "paint"
    } else if three >= 40.0 {
        "perimeter"
    } else if mid >= 35.0 {
        "mid_range"
    } else {
        "balanced"
    }
}

/// Zone totals of games that have zones, and how many there were.
fn zone_sum(games: &[PlayerGame]) -> (Zones, usize) {
    let mut z = Zones::default();
    let mut n = 0;
    for g in games {
        if let Some(x) = &g.zones {
            z.add(x);
            n += 1;
        }
    }
    (z, n)
}

fn player_row(lookup: &str, date: SlateDate, games: &[PlayerGame]) -> Value {
    let (l10, l20) = (last(games, 10), last(games, 20));
    let (z10, zn10) = zone_sum(l10);
    let (z20, zn20) = zone_sum(l20);
    let all_zones = zn10 == l10.len();
    let pct = |a: f64, b: f64| ratio(a, b).map(|x| round(x, 4));
    let rate = |a: f64, b: f64| ratio(a, b).map(|x| round(100.0 * x, 2));
    let per_game = |x: f64, n: usize| round(x / n as f64, 2);
    let fga10: f64 = l10.iter().map(|g| g.fga).sum();
    let (three_a10, three_m10): (f64, f64) =
        l10.iter().fold((0.0, 0.0), |a, g| (a.0 + g.three_att, a.1 + g.three_made));
    let fga20: f64 = l20.iter().map(|g| g.fga).sum();
    let three_a20: f64 = l20.iter().map(|g| g.three_att).sum();
    let zoned = zn10 > 0;
    let (paint_rate, mid_rate) =
        if zoned { (rate(z10.paint_att, z10.total_att()), rate(z10.mid_att, z10.total_att())) } else { (None, None) };
    // With zone data in every game, the three-point share is the zone one; otherwise the box score's.
    let three_rate = if all_zones && zoned { rate(z10.three_att, z10.total_att()) } else { rate(three_a10, fga10) };
    let primary = match (paint_rate, mid_rate, three_rate) {
        (Some(p), Some(m), Some(t)) => Some(primary_zone(p, m, t)),
        _ => None,
    };
    let n = l10.len();
    let tier = match n {
        10.. => "high",
        7..=9 => "medium",
        _ => "low",
    };
    let source = match (zn10, all_zones) {
        (0, _) => "box_score",
        (_, true) => "play_by_play",
        _ => "partial_play_by_play",
    };
    json!({
        "player_lookup": lookup,
        "analysis_date": date.to_string(),
        "team_abbr": games.last().map(|g| g.team.clone()),
        "paint_rate_last_10": paint_rate,
        "mid_range_rate_last_10": mid_rate,
        "three_pt_rate_last_10": three_rate,
        "paint_pct_last_10": zoned.then(|| pct(z10.paint_made, z10.paint_att)).flatten(),
        "mid_range_pct_last_10": zoned.then(|| pct(z10.mid_made, z10.mid_att)).flatten(),
        "three_pt_pct_last_10": pct(three_m10, three_a10),
        "paint_attempts_per_game": zoned.then(|| per_game(z10.paint_att, zn10)),
        "mid_range_attempts_per_game": zoned.then(|| per_game(z10.mid_att, zn10)),
        "three_pt_attempts_per_game": per_game(three_a10, n),
        "paint_rate_last_20": (zn20 > 0).then(|| rate(z20.paint_att, z20.total_att())).flatten(),
        "paint_pct_last_20": (zn20 > 0).then(|| pct(z20.paint_made, z20.paint_att)).flatten(),
        "three_pt_rate_last_20": rate(three_a20, fga20),
        "assisted_rate_last_10": zoned.then(|| rate(z10.assisted, z10.assisted + z10.unassisted)).flatten(),
        "unassisted_rate_last_10": zoned.then(|| rate(z10.unassisted, z10.assisted + z10.unassisted)).flatten(),
        "total_shots_last_10": fga10 as i64,
        "games_in_sample_10": n,
        "games_in_sample_20": l20.len(),
        "zone_games_last_10": zn10,
        "sample_quality_10": sample_quality(n, 10),
        "sample_quality_20": sample_quality(l20.len(), 20),
        "primary_scoring_zone": primary,
        "shot_zones_source": source,
        "data_quality_tier": tier,
        "is_production_ready": n >= 10,
    })
}

impl Processor for PlayerShotZoneAnalysis {
    fn name(&self) -> &str {
        TABLE
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no analysis date".into()))?;
        if let Some(out) = bootstrap_skip(date) {
            return Ok(out);
        }
        let players = player_games(input.rows(PGS), date);
        let rows: Vec<_> = players
            .iter()
            .filter(|(_, g)| g.len() >= MIN_GAMES)
            .filter_map(|(p, g)| row_of(player_row(p, date, g)))
            .collect();
        let mut out = ProcessorOutput::default();
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("players_below_minimum".into(), json!(players.len() - rows.len()));
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no player has {MIN_GAMES} games before {date}"));
            return Ok(out);
        }
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_precompute", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        super::columns_for(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_zone_and_sample_quality_follow_the_thresholds() {
        assert_eq!(primary_zone(40.0, 30.0, 30.0), "paint");
        assert_eq!(primary_zone(30.0, 25.0, 45.0), "perimeter");
        assert_eq!(primary_zone(30.0, 36.0, 34.0), "mid_range");
        assert_eq!(primary_zone(33.0, 33.0, 34.0), "balanced");
        assert_eq!(sample_quality(10, 10), "excellent");
        assert_eq!(sample_quality(7, 10), "good");
        assert_eq!(sample_quality(10, 20), "limited");
        assert_eq!(sample_quality(9, 20), "insufficient");
    }
}
