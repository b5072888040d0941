//! `upcoming_team_game_context` (UTGC): two rows per game on the target date (spec §2.7): rest, recent load,
//! momentum and injuries entering the game.
//!
//! Invariants: no look-ahead — everything comes from games before the date (team results are the sums of the
//! players' points in `nba_raw.nbac_player_boxscores`) and from the date's injury lists; `team_days_rest` is
//! the days between games minus one, so 0 is a back-to-back (`is_back_to_back`); streaks count consecutive
//! results entering the game; injury statuses are compared case-insensitively.

use std::collections::BTreeMap;

use serde_json::json;

use super::history::{days_between, History};
use super::upcoming_player::{games_of, injuries, BOXSCORES, SCHEDULE};
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "upcoming_team_game_context";

pub struct UpcomingTeamGameContext;

pub fn schema() -> TableSchema {
    TableSchema::new("nba_analytics", TABLE)
        .required("team_abbr", T::String)
        .required("game_id", T::String)
        .col("nba_game_id", T::String)
        .required("game_date", T::Date)
        .required("season_year", T::Int64)
        .required("opponent_team_abbr", T::String)
        .required("home_game", T::Bool)
        .col("days_since_last_game", T::Int64)
        .col("team_days_rest", T::Int64)
        .required("is_back_to_back", T::Bool)
        .required("games_in_last_7_days", T::Int64)
        .required("games_in_last_14_days", T::Int64)
        .required("game_number_in_season", T::Int64)
        .required("team_win_streak_entering", T::Int64)
        .required("team_loss_streak_entering", T::Int64)
        .col("last_game_margin", T::Int64)
        .col("last_game_result", T::String)
        .required("starters_out_count", T::Int64)
        .required("questionable_players_count", T::Int64)
        .required("early_season_flag", T::Bool)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "game_id", "team_abbr"])
}

impl Processor for UpcomingTeamGameContext {
    fn name(&self) -> &str {
        TABLE
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no target date".into()))?;
        let games = games_of(input.rows(SCHEDULE), date);
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some(format!("no games scheduled on {date}"));
            return Ok(out);
        }
        let history = History::build(input.rows(BOXSCORES), date);
        // Injured players per team: a player's team is his most recent one.
        let mut hurt: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (p, (status, _)) in injuries(input) {
            let Some(team) = history.current_team(&p) else { continue };
            let e = hurt.entry(team.to_string()).or_default();
            match status.as_str() {
                "out" | "suspended" | "inactive" => e.0 += 1,
                "questionable" | "doubtful" | "day-to-day" => e.1 += 1,
                _ => {}
            }
        }
        let mut rows = Vec::new();
        for g in &games {
            for (team, opp, home) in [(&g.home, &g.away, true), (&g.away, &g.home, false)] {
                rows.push(team_row(
                    date,
                    &history,
                    g,
                    team,
                    opp,
                    home,
                    hurt.get(team.as_str()).copied().unwrap_or((0, 0)),
                ));
            }
        }
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_analytics", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        super::history::input_columns(table)
    }
}

fn team_row(
    date: SlateDate,
    h: &History,
    g: &super::upcoming_player::Game,
    team: &str,
    opp: &str,
    home: bool,
    (out_count, questionable): (i64, i64),
) -> Row {
    let log = h.teams.get(team).map_or(&[][..], Vec::as_slice);
    let last = log.last();
    let since = last.map(|x| days_between(x.date, date));
    let in_days = |n: i64| log.iter().filter(|x| days_between(x.date, date) <= n).count();
    let streak = |win: bool| log.iter().rev().take_while(|x| (x.points > x.opp_points) == win).count();
    let v = json!({
        "team_abbr": team,
        "game_id": g.game_id,
        "nba_game_id": g.nba_game_id,
        "game_date": date.to_string(),
        "season_year": date.season_year(),
        "opponent_team_abbr": opp,
        "home_game": home,
        "days_since_last_game": since,
        "team_days_rest": since.map(|d| d - 1),
        "is_back_to_back": since == Some(1),
        "games_in_last_7_days": in_days(7),
        "games_in_last_14_days": in_days(14),
        "game_number_in_season": log.len() + 1,
        "team_win_streak_entering": streak(true),
        "team_loss_streak_entering": streak(false),
        "last_game_margin": last.map(|x| x.points - x.opp_points),
        "last_game_result": last.map(|x| if x.points > x.opp_points { "W" } else { "L" }),
        "starters_out_count": out_count,
        "questionable_players_count": questionable,
        "early_season_flag": log.len() < 10,
    });
    let mut row = v.as_object().cloned().unwrap_or_default();
    row.retain(|_, v| !v.is_null());
    row
}
