//! `team_defense_game_summary` → `nba_analytics.team_defense_game_summary` (spec §2.5): the opponent's
//! offence seen as this team's defence, two rows per game.
//!
//! Invariants:
//! - built from the same team lines as the offence summary ([`super::lines::team_lines`]: NBA.com team box
//!   score, else the sum of player lines), so the two tables always agree: this team's `points_allowed` is
//!   the opponent's `points_scored`, and its `defensive_rating` is the opponent's `offensive_rating`;
//! - `opponent_possessions = opp FGA + 0.44·opp FTA − opp OREB + opp TOV`,
//!   `defensive_rating = 100·points allowed / opponent possessions`;
//! - `opponent_pace` is normalised to 48 minutes (the v1.0 column was the raw possession count, §2.5);
//! - `win_flag` / `margin_of_victory` come from the two teams' points (v1.0 used the sign of plus-minus),
//!   `overtime_periods` from the team minutes (v1.0 always wrote 0);
//! - own defensive actions (steals, blocks, defensive rebounds) come from the team's own line;
//! - a team whose opponent line is unknown gets no row (there is nothing to flip);
//! - zones ([`super::zones`]) are the opponent's shots in the game's play-by-play: `opp_paint_*`,
//!   `opp_mid_range_*`, `points_in_paint_allowed` equal the opponent's offence row; `blocks_<zone>` are this
//!   team's blocks by the zone of the blocked shot; NULL (and `shot_zones_available = false`) without
//!   play-by-play; a play-by-play not accounting for the opponent's FGA adds `pbp_fga_mismatch`.

use serde_json::{json, Value};

use super::lines::{self, TeamLine};
use super::zones::{self, GameShots};
use super::{int, num, source_values, with_source_columns, SourceSpec};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::Row;
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "team_defense_game_summary";

const SOURCES: [SourceSpec; 2] =
    [("source_team_boxscore", lines::TEAM_BOX, 2), ("source_player_boxscore", lines::NBAC_BOX, 20)];

pub struct TeamDefenseGameSummary;

pub fn schema() -> TableSchema {
    let s = TableSchema::new("nba_analytics", TABLE)
        .required("game_id", T::String)
        .col("nba_game_id", T::String)
        .required("game_date", T::Date)
        .col("season_year", T::Int64)
        .required("defending_team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("home_game", T::Bool)
        .required("points_allowed", T::Int64)
        .col("opp_fg_made", T::Int64)
        .col("opp_fg_attempted", T::Int64)
        .col("opp_three_pt_made", T::Int64)
        .col("opp_three_pt_attempted", T::Int64)
        .col("opp_ft_made", T::Int64)
        .col("opp_ft_attempted", T::Int64)
        .col("opp_offensive_rebounds", T::Int64)
        .col("opp_rebounds", T::Int64)
        .col("opp_assists", T::Int64)
        .col("turnovers_forced", T::Int64)
        .col("fouls_committed", T::Int64)
        .col("steals", T::Int64)
        .col("blocks", T::Int64)
        .col("defensive_rebounds", T::Int64)
        .col("three_pt_points_allowed", T::Int64)
        .col("opponent_possessions", T::Float64)
        .col("opponent_pace", T::Float64)
        .col("defensive_rating", T::Float64)
        .col("opponent_ts_pct", T::Float64)
        .col("opponent_efg_pct", T::Float64)
        .required("win_flag", T::Bool)
        .required("margin_of_victory", T::Int64)
        .required("overtime_periods", T::Int64);
    let s = zones::defense_schema(s)
        .required("primary_source_used", T::String)
        .required("data_quality_tier", T::String)
        .required("quality_score", T::Int64)
        .col("data_quality_issues", T::Json);
    with_source_columns(s, &SOURCES).partitioned_by("game_date").keyed_by(&[
        "game_date",
        "game_id",
        "defending_team_abbr",
    ])
}

fn row(date: &str, own: &TeamLine, opp: &TeamLine, shots: Option<&GameShots>, sources: &Row) -> Row {
    let o = &opp.stats;
    let poss = o.possessions();
    // The row is as good as the worse of the two lines it reads.
    let (t1, s1, mut issues) = super::team_offense_game_summary::quality(own, true);
    let (t2, s2, more) = super::team_offense_game_summary::quality(opp, true);
    issues.extend(more);
    let mut r = Row::new();
    let tally = shots.map(|g| (g.source, g.team_tally(&opp.team)));
    if zones::put_defense(&mut r, tally.as_ref().map(|(src, t)| (*src, t)), o.fga) {
        issues.push(zones::FGA_MISMATCH);
    }
    issues.sort_unstable();
    issues.dedup();
    let (tier, score) = if s1 <= s2 { (t1, s1) } else { (t2, s2) };
    r.insert("game_id".into(), json!(own.game_id));
    r.insert(
        "nba_game_id".into(),
        own.nba_game_id.clone().or(opp.nba_game_id.clone()).map_or(Value::Null, Value::from),
    );
    r.insert("game_date".into(), json!(date));
    r.insert("season_year".into(), int(own.season_year));
    r.insert("defending_team_abbr".into(), json!(own.team));
    r.insert("opponent_team_abbr".into(), json!(opp.team));
    r.insert("home_game".into(), json!(own.is_home));
    r.insert("points_allowed".into(), json!(o.pts));
    for (k, v) in [
        ("opp_fg_made", o.fgm),
        ("opp_fg_attempted", o.fga),
        ("opp_three_pt_made", o.fg3m),
        ("opp_three_pt_attempted", o.fg3a),
        ("opp_ft_made", o.ftm),
        ("opp_ft_attempted", o.fta),
        ("opp_offensive_rebounds", o.oreb),
        ("opp_rebounds", o.reb),
        ("opp_assists", o.ast),
        ("turnovers_forced", o.tov),
        ("fouls_committed", own.stats.pf),
        ("steals", own.stats.stl),
        ("blocks", own.stats.blk),
        ("defensive_rebounds", own.stats.dreb),
        ("three_pt_points_allowed", o.fg3m.map(|m| 3 * m)),
    ] {
        r.insert(k.into(), int(v));
    }
    r.insert("opponent_possessions".into(), num(poss, 2));
    r.insert("opponent_pace".into(), num(opp.pace(), 2));
    r.insert("defensive_rating".into(), num(poss.filter(|p| *p > 0.0).map(|p| 100.0 * o.pts as f64 / p), 2));
    r.insert("opponent_ts_pct".into(), num(o.ts_pct(), 3));
    r.insert("opponent_efg_pct".into(), num(o.efg_pct(), 3));
    r.insert("win_flag".into(), json!(own.stats.pts > o.pts));
    r.insert("margin_of_victory".into(), json!(own.stats.pts - o.pts));
    r.insert("overtime_periods".into(), json!(own.overtime_periods().max(opp.overtime_periods())));
    r.insert("primary_source_used".into(), json!(own.source));
    r.insert("data_quality_tier".into(), json!(tier));
    r.insert("quality_score".into(), json!(score));
    r.insert("data_quality_issues".into(), json!(issues));
    r.extend(sources.clone());
    r
}

impl Processor for TeamDefenseGameSummary {
    fn name(&self) -> &str {
        "team_defense_game_summary"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("a Phase 3 run needs a date".into()))?;
        let games = lines::team_lines(input)?;
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some(lines::no_games_reason(Some(date)));
            return Ok(out);
        }
        let sources = source_values(input, &SOURCES);
        let shots = zones::shots_by_game(input)?;
        let day = date.to_string();
        let mut rows = Vec::new();
        let mut unpaired = 0;
        for (game, teams) in &games {
            for own in teams {
                match lines::opponent_of(teams, own) {
                    Some(opp) => rows.push(row(&day, own, opp, shots.get(game), &sources)),
                    None => unpaired += 1,
                }
            }
        }
        out.metadata.insert("games".into(), json!(games.len()));
        out.metadata.insert("teams_without_opponent_line".into(), json!(unpaired));
        let zoned = games.keys().filter(|g| shots.contains_key(*g)).count();
        out.metadata.insert("games_with_shot_zones".into(), json!(zoned));
        if rows.is_empty() {
            out.no_data_reason = Some(format!("no game of {date} has both teams' lines"));
            return Ok(out);
        }
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_analytics", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        zones::input_columns(table)
    }
}
