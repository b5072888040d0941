//! Game history before a date, built from the raw box-score rows a context processor is given.
//!
//! Invariant (no look-ahead): only rows dated strictly before the target date and in the same season are
//! used; the host's `lookback` read already stops at the day before, and this module checks again, so a
//! caller that passes too much cannot leak a result into the past.

use std::collections::BTreeMap;

use crate::domain::{Row, RowExt, SlateDate};

/// One player-game.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGameLine {
    pub date: SlateDate,
    pub game_id: String,
    pub team: String,
    pub name: String,
    pub minutes: f64,
    pub points: i64,
}

/// One team-game (from the sum of its players).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamGameLine {
    pub date: SlateDate,
    pub game_id: String,
    pub opponent: String,
    pub points: i64,
    pub opp_points: i64,
}

/// Histories of every player and team, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub players: BTreeMap<String, Vec<PlayerGameLine>>,
    pub teams: BTreeMap<String, Vec<TeamGameLine>>,
}

impl History {
    /// From `nbac_player_boxscores`-shaped rows: only dates before `target` in `target`'s season.
    pub fn build(rows: &[Row], target: SlateDate) -> Self {
        let season = target.season_year();
        let mut h = History::default();
        let mut team_pts: BTreeMap<(SlateDate, String, String), (String, i64)> = BTreeMap::new();
        for r in rows {
            let Some(date) = r.str_of("game_date").and_then(|d| d.parse::<SlateDate>().ok()) else { continue };
            if date >= target || date.season_year() != season {
                continue;
            }
            let (Some(lookup), Some(team), Some(game)) =
                (r.str_of("player_lookup"), r.str_of("team_abbr"), r.str_of("game_id"))
            else {
                continue;
            };
            let points = r.i64_of("points").unwrap_or(0);
            h.players.entry(lookup.to_string()).or_default().push(PlayerGameLine {
                date,
                game_id: game.to_string(),
                team: team.to_string(),
                name: r.str_of("player_full_name").unwrap_or(lookup).to_string(),
                minutes: r.f64_of("minutes").unwrap_or(0.0),
                points,
            });
            let opp = r.str_of("opponent_team_abbr").unwrap_or_default().to_string();
            team_pts.entry((date, game.to_string(), team.to_string())).or_insert((opp, 0)).1 += points;
        }
        for ((date, game, team), (opp, pts)) in &team_pts {
            let opp_points = team_pts.get(&(*date, game.clone(), opp.clone())).map_or(0, |(_, p)| *p);
            h.teams.entry(team.clone()).or_default().push(TeamGameLine {
                date: *date,
                game_id: game.clone(),
                opponent: opp.clone(),
                points: *pts,
                opp_points,
            });
        }
        for v in h.players.values_mut() {
            v.sort_by(|a, b| (a.date, &a.game_id).cmp(&(b.date, &b.game_id)));
        }
        for v in h.teams.values_mut() {
            v.sort_by(|a, b| (a.date, &a.game_id).cmp(&(b.date, &b.game_id)));
        }
        h
    }

    /// Each player's current team: the team of his most recent game.
    pub fn current_team(&self, lookup: &str) -> Option<&str> {
        self.players.get(lookup).and_then(|g| g.last()).map(|g| g.team.as_str())
    }
}

/// The box-score columns [`History::build`] reads (the host reads only these of the wide raw table).
pub const HISTORY_COLUMNS: [&str; 8] = [
    "game_date",
    "game_id",
    "player_lookup",
    "player_full_name",
    "team_abbr",
    "opponent_team_abbr",
    "minutes",
    "points",
];

/// `Processor::input_columns` of the context processors.
pub fn input_columns(table: &str) -> Option<Vec<String>> {
    (table == "nba_raw.nbac_player_boxscores").then(|| HISTORY_COLUMNS.iter().map(|c| c.to_string()).collect())
}

/// Mean of the last `n` values (fewer if there are fewer); `None` when empty.
pub fn mean_last(values: &[f64], n: usize) -> Option<f64> {
    let tail = &values[values.len().saturating_sub(n)..];
    (!tail.is_empty()).then(|| tail.iter().sum::<f64>() / tail.len() as f64)
}

/// Days from `a` to `b`.
pub fn days_between(a: SlateDate, b: SlateDate) -> i64 {
    (b.date() - a.date()).num_days()
}

/// Early / mid / late season by month (October–November early, December–February mid, March–April late).
pub fn season_phase(d: SlateDate) -> &'static str {
    use chrono::Datelike;
    match d.date().month() {
        10 | 11 => "early",
        12 | 1 | 2 => "mid",
        3 | 4 => "late",
        _ => "postseason",
    }
}

/// Round to 2 decimals.
pub fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(date: &str, lookup: &str, team: &str, opp: &str, pts: i64) -> Row {
        json!({"game_date": date, "player_lookup": lookup, "team_abbr": team, "opponent_team_abbr": opp,
               "game_id": format!("{}_{}_{}", date, opp, team), "points": pts, "minutes": 30.0})
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn history_never_includes_the_target_date_or_another_season() {
        let d: SlateDate = "2025-01-15".parse().unwrap();
        let rows = [
            row("2025-01-15", "a", "BOS", "NYK", 40),
            row("2025-01-14", "a", "BOS", "NYK", 10),
            row("2024-04-10", "a", "BOS", "NYK", 99),
            row("2025-01-14", "b", "NYK", "BOS", 7),
        ];
        let h = History::build(&rows, d);
        assert_eq!(h.players["a"].len(), 1);
        assert_eq!(h.players["a"][0].points, 10);
        assert_eq!(h.teams["BOS"][0].opp_points, 0, "different game ids: no opponent match in this toy data");
        assert_eq!(mean_last(&[1.0, 2.0, 3.0, 4.0], 2), Some(3.5));
        assert_eq!(mean_last(&[], 5), None);
        assert_eq!(days_between("2025-01-14".parse().unwrap(), d), 1);
    }
}
