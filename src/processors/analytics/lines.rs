//! The box-score lines the three game summaries share: player lines from whichever source covers a game,
//! and team lines from the NBA.com team box score or, failing that, the sum of the team's player lines.
//!
//! Invariants:
//! - the player source is chosen **per game** along the chain NBA.com league game log
//!   (`nbac_player_boxscores`) → gamebook (`nbac_gamebook_player_stats`, `player_status = 'active'` only) →
//!   balldontlie (`bdl_player_boxscores`); a game is never mixed from two sources;
//! - only rows of the run's slate date are used (a host reading a wider range cannot leak other dates);
//! - a team's minutes are player-minutes (240 = regulation, +25 per overtime). Summed player minutes are
//!   rounded per player in some sources (±3 minutes on real data), so they are snapped to the nearest
//!   `240 + 25·k`: a team's total is always five players on the floor for the whole game;
//! - a row missing a key column (`game_id`, `team_abbr`, `player_lookup`, `points`) is `BadInput`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::{Row, SlateDate};
use crate::processors::raw::common::{as_f64, as_i64};
use crate::processors::{ProcessorError, ProcessorInput};

pub const NBAC_BOX: &str = "nba_raw.nbac_player_boxscores";
pub const GAMEBOOK: &str = "nba_raw.nbac_gamebook_player_stats";
pub const BDL: &str = "nba_raw.bdl_player_boxscores";
pub const TEAM_BOX: &str = "nba_raw.nbac_team_boxscore";
pub const ODDS: &str = "nba_raw.odds_api_player_points_props";

/// Regulation team player-minutes, and what one overtime adds.
pub const REGULATION_MINUTES: f64 = 240.0;
pub const OVERTIME_MINUTES: f64 = 25.0;

/// Where a game's player lines came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlayerSource {
    NbacBoxscore,
    Gamebook,
    Bdl,
}

impl PlayerSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PlayerSource::NbacBoxscore => "nbac_player_boxscores",
            PlayerSource::Gamebook => "nbac_gamebook_player_stats",
            PlayerSource::Bdl => "bdl_player_boxscores",
        }
    }
    /// The NBA.com sources are official (gold); balldontlie is a backup (silver).
    pub fn tier(self) -> (&'static str, i64) {
        match self {
            PlayerSource::NbacBoxscore | PlayerSource::Gamebook => ("gold", 100),
            PlayerSource::Bdl => ("silver", 85),
        }
    }
}

/// Counting stats of one box-score line; `None` where the source lacks the column.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub pts: i64,
    pub fgm: Option<i64>,
    pub fga: Option<i64>,
    pub fg3m: Option<i64>,
    pub fg3a: Option<i64>,
    pub ftm: Option<i64>,
    pub fta: Option<i64>,
    pub oreb: Option<i64>,
    pub dreb: Option<i64>,
    pub reb: Option<i64>,
    pub ast: Option<i64>,
    pub stl: Option<i64>,
    pub blk: Option<i64>,
    pub tov: Option<i64>,
    pub pf: Option<i64>,
}

fn add(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    Some(a? + b?)
}

impl Stats {
    /// The sum of two lines; a column missing on either side is missing in the sum.
    pub fn plus(&self, o: &Stats) -> Stats {
        Stats {
            pts: self.pts + o.pts,
            fgm: add(self.fgm, o.fgm),
            fga: add(self.fga, o.fga),
            fg3m: add(self.fg3m, o.fg3m),
            fg3a: add(self.fg3a, o.fg3a),
            ftm: add(self.ftm, o.ftm),
            fta: add(self.fta, o.fta),
            oreb: add(self.oreb, o.oreb),
            dreb: add(self.dreb, o.dreb),
            reb: add(self.reb, o.reb),
            ast: add(self.ast, o.ast),
            stl: add(self.stl, o.stl),
            blk: add(self.blk, o.blk),
            tov: add(self.tov, o.tov),
            pf: add(self.pf, o.pf),
        }
    }

    /// The spec's possession estimate: `FGA + 0.44·FTA − OREB + TOV` (§2.4).
    pub fn possessions(&self) -> Option<f64> {
        Some(self.fga? as f64 + 0.44 * self.fta? as f64 - self.oreb? as f64 + self.tov? as f64)
    }

    /// `PTS / (2·(FGA + 0.44·FTA))`.
    pub fn ts_pct(&self) -> Option<f64> {
        let denom = 2.0 * (self.fga? as f64 + 0.44 * self.fta? as f64);
        (denom > 0.0).then(|| self.pts as f64 / denom)
    }

    /// `(FGM + 0.5·3PM) / FGA`.
    pub fn efg_pct(&self) -> Option<f64> {
        let (fga, fgm, fg3m) = (self.fga? as f64, self.fgm? as f64, self.fg3m? as f64);
        (fga > 0.0).then(|| (fgm + 0.5 * fg3m) / fga)
    }
}

/// One player's line in one game.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerLine {
    pub game_id: String,
    pub nba_game_id: Option<String>,
    pub season_year: Option<i64>,
    pub team: String,
    pub opponent: String,
    pub is_home: bool,
    pub player_lookup: String,
    pub player_name: String,
    pub nba_player_id: Option<i64>,
    pub minutes: Option<f64>,
    pub plus_minus: Option<i64>,
    pub stats: Stats,
}

/// One team's line in one game.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamLine {
    pub game_id: String,
    pub nba_game_id: Option<String>,
    pub season_year: Option<i64>,
    pub team: String,
    pub opponent: String,
    pub is_home: bool,
    /// Team player-minutes (240 = regulation).
    pub minutes: f64,
    pub plus_minus: Option<i64>,
    pub stats: Stats,
    /// `nbac_team_boxscore`, or `sum:<player source>`.
    pub source: String,
    /// Whether the line is from the official team box score (gold) or rebuilt from player lines (silver).
    pub official: bool,
}

impl TeamLine {
    pub fn overtime_periods(&self) -> i64 {
        overtime_periods(self.minutes)
    }
    /// Possessions per 48 minutes: `poss · 48 / (team minutes / 5)`.
    pub fn pace(&self) -> Option<f64> {
        let game_minutes = self.minutes / 5.0;
        (game_minutes > 0.0).then_some(self.stats.possessions()? * 48.0 / game_minutes)
    }
}

pub fn overtime_periods(team_minutes: f64) -> i64 {
    (((team_minutes - REGULATION_MINUTES) / OVERTIME_MINUTES).round() as i64).max(0)
}

/// Summed player minutes snapped to the nearest `240 + 25·k` (see the module invariants).
pub fn snap_team_minutes(sum: f64) -> f64 {
    REGULATION_MINUTES + OVERTIME_MINUTES * overtime_periods(sum) as f64
}

// ─── typed access to rows read back from the warehouse ──────────────────────────────────────────────────────

pub fn get_str<'a>(r: &'a Row, k: &str) -> Option<&'a str> {
    r.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}
pub fn get_i64(r: &Row, k: &str) -> Option<i64> {
    r.get(k).and_then(as_i64)
}
pub fn get_f64(r: &Row, k: &str) -> Option<f64> {
    r.get(k).and_then(as_f64)
}
pub fn get_bool(r: &Row, k: &str) -> Option<bool> {
    match r.get(k)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.as_str() {
            "true" | "TRUE" | "1" => Some(true),
            "false" | "FALSE" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn need<T>(table: &str, k: &str, v: Option<T>) -> Result<T, ProcessorError> {
    v.ok_or_else(|| ProcessorError::BadInput { what: table.into(), detail: format!("a row has no valid {k}") })
}

/// The rows of `table` whose `game_date` is `date` (all rows when the run has no date).
pub fn rows_of<'a>(input: &'a ProcessorInput, table: &str) -> Vec<&'a Row> {
    let date = input.date.map(|d| d.to_string());
    input.rows(table).iter().filter(|r| date.as_deref().is_none_or(|d| get_str(r, "game_date") == Some(d))).collect()
}

fn stats_of(table: &str, r: &Row, reb_col: &str) -> Result<Stats, ProcessorError> {
    let g = |k: &str| get_i64(r, k);
    Ok(Stats {
        pts: need(table, "points", g("points"))?,
        fgm: g("field_goals_made"),
        fga: g("field_goals_attempted"),
        fg3m: g("three_pointers_made"),
        fg3a: g("three_pointers_attempted"),
        ftm: g("free_throws_made"),
        fta: g("free_throws_attempted"),
        oreb: g("offensive_rebounds"),
        dreb: g("defensive_rebounds"),
        reb: g(reb_col),
        ast: g("assists"),
        stl: g("steals"),
        blk: g("blocks"),
        tov: g("turnovers"),
        pf: g("personal_fouls"),
    })
}

fn player_line(table: &str, source: PlayerSource, r: &Row) -> Result<PlayerLine, ProcessorError> {
    let s = |k: &str| need(table, k, get_str(r, k).map(str::to_string));
    let team = s("team_abbr")?;
    let home = s("home_team_abbr")?;
    let away = s("away_team_abbr")?;
    let is_home = match source {
        PlayerSource::Gamebook => team == home,
        _ => get_bool(r, "is_home").unwrap_or(team == home),
    };
    let opponent = get_str(r, "opponent_team_abbr").map(str::to_string).unwrap_or_else(|| {
        if team == home {
            away.clone()
        } else {
            home.clone()
        }
    });
    let (name_col, minutes_col, reb_col) = match source {
        PlayerSource::NbacBoxscore => ("player_full_name", "minutes", "total_rebounds"),
        PlayerSource::Gamebook => ("player_name", "minutes_decimal", "total_rebounds"),
        PlayerSource::Bdl => ("player_full_name", "minutes_decimal", "rebounds"),
    };
    Ok(PlayerLine {
        game_id: s("game_id")?,
        nba_game_id: get_str(r, "nba_game_id").map(str::to_string),
        season_year: get_i64(r, "season_year"),
        team,
        opponent,
        is_home,
        player_lookup: s("player_lookup")?,
        player_name: get_str(r, name_col).unwrap_or_default().to_string(),
        nba_player_id: get_i64(r, "nba_player_id"),
        minutes: get_f64(r, minutes_col).filter(|m| *m >= 0.0),
        plus_minus: get_i64(r, "plus_minus"),
        stats: stats_of(table, r, reb_col)?,
    })
}

/// A game's player lines and the source they came from.
pub type GameLines = BTreeMap<String, (PlayerSource, Vec<PlayerLine>)>;

/// Every game of the date with the player lines of its best source (see the module invariants).
pub fn player_lines(input: &ProcessorInput) -> Result<GameLines, ProcessorError> {
    let chain = [(NBAC_BOX, PlayerSource::NbacBoxscore), (GAMEBOOK, PlayerSource::Gamebook), (BDL, PlayerSource::Bdl)];
    let mut games: GameLines = BTreeMap::new();
    for (table, source) in chain {
        let mut found: BTreeMap<String, Vec<PlayerLine>> = BTreeMap::new();
        for r in rows_of(input, table) {
            if source == PlayerSource::Gamebook && get_str(r, "player_status") != Some("active") {
                continue;
            }
            let line = player_line(table, source, r)?;
            found.entry(line.game_id.clone()).or_default().push(line);
        }
        for (game, lines) in found {
            games.entry(game).or_insert((source, lines));
        }
    }
    for (_, lines) in games.values_mut() {
        lines.sort_by(|a, b| (&a.team, &a.player_lookup).cmp(&(&b.team, &b.player_lookup)));
    }
    Ok(games)
}

/// Team minutes from a `"240:00"` / `"240"` text.
fn team_minutes_text(s: &str) -> Option<f64> {
    let (m, sec) = s.split_once(':').unwrap_or((s, "0"));
    Some(m.trim().parse::<f64>().ok()? + sec.trim().parse::<f64>().ok()? / 60.0)
}

fn team_line_from_box(r: &Row) -> Result<TeamLine, ProcessorError> {
    let t = TEAM_BOX;
    let s = |k: &str| need(t, k, get_str(r, k).map(str::to_string));
    let g = |k: &str| get_i64(r, k);
    let stats = Stats {
        pts: need(t, "points", g("points"))?,
        fgm: g("fg_made"),
        fga: g("fg_attempted"),
        fg3m: g("three_pt_made"),
        fg3a: g("three_pt_attempted"),
        ftm: g("ft_made"),
        fta: g("ft_attempted"),
        oreb: g("offensive_rebounds"),
        dreb: g("defensive_rebounds"),
        reb: g("total_rebounds"),
        ast: g("assists"),
        stl: g("steals"),
        blk: g("blocks"),
        tov: g("turnovers"),
        pf: g("personal_fouls"),
    };
    let team = s("team_abbr")?;
    let is_home = get_bool(r, "is_home").unwrap_or_else(|| get_str(r, "home_team_abbr") == Some(team.as_str()));
    Ok(TeamLine {
        game_id: s("game_id")?,
        nba_game_id: get_str(r, "nba_game_id").map(str::to_string),
        season_year: g("season_year"),
        opponent: s("opponent_team_abbr")?,
        team,
        is_home,
        minutes: get_str(r, "minutes").and_then(team_minutes_text).unwrap_or(REGULATION_MINUTES),
        plus_minus: g("plus_minus"),
        stats,
        source: "nbac_team_boxscore".into(),
        official: true,
    })
}

/// The sum of one team's player lines in one game.
fn team_line_from_players(source: PlayerSource, lines: &[&PlayerLine]) -> Option<TeamLine> {
    let first = lines.first()?;
    let stats = lines.iter().skip(1).fold(first.stats, |acc, l| acc.plus(&l.stats));
    let minutes: f64 = lines.iter().filter_map(|l| l.minutes).sum();
    Some(TeamLine {
        game_id: first.game_id.clone(),
        nba_game_id: lines.iter().find_map(|l| l.nba_game_id.clone()),
        season_year: first.season_year,
        team: first.team.clone(),
        opponent: first.opponent.clone(),
        is_home: first.is_home,
        minutes: snap_team_minutes(minutes),
        plus_minus: None,
        stats,
        source: format!("sum:{}", source.as_str()),
        official: false,
    })
}

/// Every game of the date with its team lines (two when both teams are known), by game id. The official
/// team box score is used for a game when it has both teams; otherwise the player lines are summed.
pub fn team_lines(input: &ProcessorInput) -> Result<BTreeMap<String, Vec<TeamLine>>, ProcessorError> {
    team_lines_with(input, &player_lines(input)?)
}

/// [`team_lines`] with the player lines already chosen.
pub fn team_lines_with(
    input: &ProcessorInput,
    players: &GameLines,
) -> Result<BTreeMap<String, Vec<TeamLine>>, ProcessorError> {
    let mut official: BTreeMap<String, Vec<TeamLine>> = BTreeMap::new();
    for r in rows_of(input, TEAM_BOX) {
        let l = team_line_from_box(r)?;
        official.entry(l.game_id.clone()).or_default().push(l);
    }
    let mut out: BTreeMap<String, Vec<TeamLine>> = BTreeMap::new();
    for (game, lines) in official {
        let two_teams = lines.len() == 2 && lines[0].team != lines[1].team;
        if two_teams {
            out.insert(game, lines);
        }
    }
    for (game, (source, lines)) in players {
        if out.contains_key(game) {
            continue;
        }
        let mut by_team: BTreeMap<&str, Vec<&PlayerLine>> = BTreeMap::new();
        for l in lines {
            by_team.entry(l.team.as_str()).or_default().push(l);
        }
        let teams: Vec<TeamLine> = by_team.values().filter_map(|ls| team_line_from_players(*source, ls)).collect();
        out.insert(game.clone(), teams);
    }
    for lines in out.values_mut() {
        lines.sort_by(|a, b| a.team.cmp(&b.team));
    }
    Ok(out)
}

/// The opponent's line of `line` in the same game, if known.
pub fn opponent_of<'a>(game: &'a [TeamLine], line: &TeamLine) -> Option<&'a TeamLine> {
    game.iter().find(|o| o.team == line.opponent && o.team != line.team)
}

/// The no-data reason of a date without any box-score rows.
pub fn no_games_reason(date: Option<SlateDate>) -> String {
    match date {
        Some(d) => format!("no box-score rows for {d} (no games that date)"),
        None => "no box-score rows (no games)".into(),
    }
}

/// Round to `places` decimals.
pub fn round(x: f64, places: i32) -> f64 {
    crate::processors::raw::common::round(x, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_snap_to_regulation_and_overtimes() {
        assert_eq!(snap_team_minutes(237.0), 240.0);
        assert_eq!(snap_team_minutes(243.0), 240.0);
        assert_eq!(snap_team_minutes(266.0), 265.0);
        assert_eq!(snap_team_minutes(0.0), 240.0);
        assert_eq!(overtime_periods(290.0), 2);
        assert_eq!(team_minutes_text("265:00"), Some(265.0));
    }

    #[test]
    fn possessions_follow_the_spec() {
        let s = Stats { pts: 110, fga: Some(88), fta: Some(20), oreb: Some(10), tov: Some(14), ..Default::default() };
        assert!((s.possessions().unwrap() - 100.8).abs() < 1e-9);
        assert!(Stats::default().possessions().is_none());
    }
}
