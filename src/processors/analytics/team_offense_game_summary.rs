//! `team_offense_game_summary` → `nba_analytics.team_offense_game_summary` (spec §2.4): two rows per game,
//! one per team, with the team's box totals, possessions, pace and offensive rating.
//!
//! Invariants:
//! - source per game: `nbac_team_boxscore` when it holds both teams of the game (gold, 100), else the sum of
//!   the team's player lines from the best player source (silver, 85; see [`super::lines`]); recorded in
//!   `primary_source_used`;
//! - `possessions = FGA + 0.44·FTA − OREB + TOV` (the spec's formula), `offensive_rating = 100·PTS/poss`,
//!   `pace = poss·48 / (team minutes / 5)` with team minutes = player-minutes (240 regulation, snapped to
//!   `240 + 25·k` when summed from player lines), `overtime_periods = (minutes − 240) / 25`;
//! - `win_flag` / `margin_of_victory` compare with the opponent's points (NULL if the opponent is unknown);
//! - shot zones (`team_paint_*`, `team_mid_range_*`, `points_in_paint_scored` = 2 · paint makes) count every
//!   field goal of the team in the game's play-by-play ([`super::zones`]: BigDataBall, else NBA.com);
//!   `shot_zones_available` says whether the game has play-by-play (NULL zone columns otherwise) and
//!   `shot_zones_source` which; a play-by-play not accounting for the team's FGA adds `pbp_fga_mismatch`. The
//!   tier follows the box-score source only;
//! - the whole date is replaced; a date without games writes nothing and says why.

use serde_json::{json, Value};

use super::lines::{self, TeamLine};
use super::zones::{self, GameShots};
use super::{int, num, source_values, with_source_columns, SourceSpec};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::Row;
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "team_offense_game_summary";

const SOURCES: [SourceSpec; 2] =
    [("source_team_boxscore", lines::TEAM_BOX, 2), ("source_player_boxscore", lines::NBAC_BOX, 20)];

pub struct TeamOffenseGameSummary;

pub fn schema() -> TableSchema {
    let s = TableSchema::new("nba_analytics", TABLE)
        .required("game_id", T::String)
        .col("nba_game_id", T::String)
        .required("game_date", T::Date)
        .col("season_year", T::Int64)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("home_game", T::Bool)
        .required("points_scored", T::Int64)
        .col("opponent_points", T::Int64)
        .col("fg_made", T::Int64)
        .col("fg_attempted", T::Int64)
        .col("three_pt_made", T::Int64)
        .col("three_pt_attempted", T::Int64)
        .col("ft_made", T::Int64)
        .col("ft_attempted", T::Int64)
        .col("offensive_rebounds", T::Int64)
        .col("defensive_rebounds", T::Int64)
        .col("total_rebounds", T::Int64)
        .col("assists", T::Int64)
        .col("steals", T::Int64)
        .col("blocks", T::Int64)
        .col("turnovers", T::Int64)
        .col("personal_fouls", T::Int64)
        .required("team_minutes", T::Float64)
        .col("possessions", T::Float64)
        .col("pace", T::Float64)
        .col("offensive_rating", T::Float64)
        .col("ts_pct", T::Float64)
        .col("efg_pct", T::Float64)
        .col("win_flag", T::Bool)
        .col("margin_of_victory", T::Int64)
        .required("overtime_periods", T::Int64)
        .required("shot_zones_available", T::Bool);
    let s = zones::offense_schema(s)
        .required("primary_source_used", T::String)
        .required("data_quality_tier", T::String)
        .required("quality_score", T::Int64)
        .col("data_quality_issues", T::Json);
    with_source_columns(s, &SOURCES).partitioned_by("game_date").keyed_by(&["game_date", "game_id", "team_abbr"])
}

/// Tier, score and issues of a team line.
pub fn quality(l: &TeamLine, opponent_known: bool) -> (&'static str, i64, Vec<&'static str>) {
    let mut issues = Vec::new();
    let (mut tier, mut score) = if l.official { ("gold", 100) } else { ("silver", 85) };
    if !l.official {
        issues.push("team_boxscore_missing_summed_player_lines");
    }
    if l.stats.possessions().is_none() {
        issues.push("incomplete_boxscore");
        (tier, score) = ("bronze", 50);
    }
    if !opponent_known {
        issues.push("opponent_line_missing");
    }
    (tier, score, issues)
}

fn row(date: &str, l: &TeamLine, opp: Option<&TeamLine>, shots: Option<&GameShots>, sources: &Row) -> Row {
    let s = &l.stats;
    let poss = s.possessions();
    let (tier, score, mut issues) = quality(l, opp.is_some());
    let mut r = Row::new();
    r.insert("game_id".into(), json!(l.game_id));
    r.insert("nba_game_id".into(), l.nba_game_id.clone().map_or(Value::Null, Value::from));
    r.insert("game_date".into(), json!(date));
    r.insert("season_year".into(), int(l.season_year));
    r.insert("team_abbr".into(), json!(l.team));
    r.insert("opponent_team_abbr".into(), json!(l.opponent));
    r.insert("home_game".into(), json!(l.is_home));
    r.insert("points_scored".into(), json!(s.pts));
    r.insert("opponent_points".into(), int(opp.map(|o| o.stats.pts)));
    for (k, v) in [
        ("fg_made", s.fgm),
        ("fg_attempted", s.fga),
        ("three_pt_made", s.fg3m),
        ("three_pt_attempted", s.fg3a),
        ("ft_made", s.ftm),
        ("ft_attempted", s.fta),
        ("offensive_rebounds", s.oreb),
        ("defensive_rebounds", s.dreb),
        ("total_rebounds", s.reb),
        ("assists", s.ast),
        ("steals", s.stl),
        ("blocks", s.blk),
        ("turnovers", s.tov),
        ("personal_fouls", s.pf),
    ] {
        r.insert(k.into(), int(v));
    }
    r.insert("team_minutes".into(), json!(lines::round(l.minutes, 2)));
    r.insert("possessions".into(), num(poss, 2));
    r.insert("pace".into(), num(l.pace(), 2));
    r.insert("offensive_rating".into(), num(poss.filter(|p| *p > 0.0).map(|p| 100.0 * s.pts as f64 / p), 2));
    r.insert("ts_pct".into(), num(s.ts_pct(), 3));
    r.insert("efg_pct".into(), num(s.efg_pct(), 3));
    r.insert("win_flag".into(), opp.map_or(Value::Null, |o| json!(s.pts > o.stats.pts)));
    r.insert("margin_of_victory".into(), int(opp.map(|o| s.pts - o.stats.pts)));
    r.insert("overtime_periods".into(), json!(l.overtime_periods()));
    let tally = shots.map(|g| (g.source, g.team_tally(&l.team)));
    if zones::put_offense(&mut r, tally.as_ref().map(|(src, t)| (*src, t)), s.fga) {
        issues.push(zones::FGA_MISMATCH);
    }
    r.insert("primary_source_used".into(), json!(l.source));
    r.insert("data_quality_tier".into(), json!(tier));
    r.insert("quality_score".into(), json!(score));
    r.insert("data_quality_issues".into(), json!(issues));
    r.extend(sources.clone());
    r
}

impl Processor for TeamOffenseGameSummary {
    fn name(&self) -> &str {
        "team_offense_game_summary"
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
        let mut official = 0;
        for (game, teams) in &games {
            for l in teams {
                official += usize::from(l.official);
                rows.push(row(&day, l, lines::opponent_of(teams, l), shots.get(game), &sources));
            }
        }
        let zoned = games.keys().filter(|g| shots.contains_key(*g)).count();
        out.metadata.insert("games_with_shot_zones".into(), json!(zoned));
        out.metadata.insert("games".into(), json!(games.len()));
        out.metadata.insert("teams_from_team_boxscore".into(), json!(official));
        out.metadata.insert("teams_from_player_sums".into(), json!(rows.len() - official));
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
