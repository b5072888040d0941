//! Game histories before an analysis date, built from the Phase 3 tables a precompute processor is given.
//!
//! Invariants (no look-ahead): only games dated strictly before the analysis date and in its season are kept,
//! whatever rows the caller passes (the host's lookback read already ends the day before; this module checks
//! again). A player's history holds only games he played (`is_active`, minutes > 0). Histories are sorted
//! oldest first by (date, game id), so "the last n" is a deterministic tail.

use std::collections::BTreeMap;

use crate::domain::{Row, RowExt, SlateDate};

/// One game a player played (from `nba_analytics.player_game_summary`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlayerGame {
    pub date: Option<SlateDate>,
    pub game_id: String,
    pub team: String,
    pub points: f64,
    pub minutes: f64,
    pub fgm: f64,
    pub fga: f64,
    pub three_made: f64,
    pub three_att: f64,
    pub ftm: f64,
    pub fta: f64,
    pub usage_rate: Option<f64>,
    pub ts_pct: Option<f64>,
    /// Shot zones from play-by-play, when the game had any.
    pub zones: Option<Zones>,
}

/// A player's shots by zone in one game (or summed over games).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Zones {
    pub paint_att: f64,
    pub paint_made: f64,
    pub mid_att: f64,
    pub mid_made: f64,
    pub three_att: f64,
    pub three_made: f64,
    pub assisted: f64,
    pub unassisted: f64,
}

impl Zones {
    pub fn add(&mut self, o: &Zones) {
        self.paint_att += o.paint_att;
        self.paint_made += o.paint_made;
        self.mid_att += o.mid_att;
        self.mid_made += o.mid_made;
        self.three_att += o.three_att;
        self.three_made += o.three_made;
        self.assisted += o.assisted;
        self.unassisted += o.unassisted;
    }
    pub fn total_att(&self) -> f64 {
        self.paint_att + self.mid_att + self.three_att
    }
}

/// One team-game from the team's side (offence from `team_offense_game_summary`, defence from
/// `team_defense_game_summary`; each table fills its own fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamGame {
    pub date: Option<SlateDate>,
    pub game_id: String,
    pub points: Option<f64>,
    pub pace: Option<f64>,
    pub offensive_rating: Option<f64>,
    pub win: Option<bool>,
    pub points_allowed: Option<f64>,
    pub opp_possessions: Option<f64>,
    pub opp_pace: Option<f64>,
    pub defensive_rating: Option<f64>,
    pub blocks: Option<f64>,
    pub opp_fga: Option<f64>,
    pub opp_fgm: Option<f64>,
    pub opp_three_att: Option<f64>,
    pub opp_three_made: Option<f64>,
    /// Opponent shots by zone (paint/mid/three filled), when the game had play-by-play.
    pub opp_zones: Option<Zones>,
    pub paint_points_allowed: Option<f64>,
}

/// The `player_game_summary` columns read by Phase 4.
pub const PGS_COLUMNS: &[&str] = &[
    "game_date",
    "game_id",
    "player_lookup",
    "team_abbr",
    "points",
    "minutes_played",
    "field_goals_made",
    "field_goals_attempted",
    "three_pt_made",
    "three_pt_attempted",
    "ft_made",
    "ft_attempted",
    "usage_rate",
    "ts_pct",
    "is_active",
    "paint_attempts",
    "paint_makes",
    "mid_range_attempts",
    "mid_range_makes",
    "assisted_fg_makes",
    "unassisted_fg_makes",
];

/// The `player_game_summary` columns of the readers that need no shot detail.
pub const PGS_SCORING_COLUMNS: &[&str] = &[
    "game_date",
    "game_id",
    "player_lookup",
    "team_abbr",
    "points",
    "minutes_played",
    "ft_made",
    "usage_rate",
    "ts_pct",
    "is_active",
];

/// The `team_offense_game_summary` columns read by Phase 4.
pub const TOGS_COLUMNS: &[&str] =
    &["game_date", "game_id", "team_abbr", "points_scored", "pace", "offensive_rating", "win_flag"];

/// The `team_defense_game_summary` columns read by Phase 4.
pub const TDGS_COLUMNS: &[&str] = &[
    "game_date",
    "game_id",
    "defending_team_abbr",
    "points_allowed",
    "opponent_possessions",
    "opponent_pace",
    "defensive_rating",
    "blocks",
    "opp_fg_made",
    "opp_fg_attempted",
    "opp_three_pt_made",
    "opp_three_pt_attempted",
    "opp_paint_attempts",
    "opp_paint_makes",
    "opp_mid_range_attempts",
    "opp_mid_range_makes",
    "points_in_paint_allowed",
];

fn keep(r: &Row, target: SlateDate) -> Option<SlateDate> {
    let d: SlateDate = r.str_of("game_date")?.parse().ok()?;
    (d < target && d.season_year() == target.season_year()).then_some(d)
}

fn sort_games<T>(m: &mut BTreeMap<String, Vec<T>>, key: impl Fn(&T) -> (Option<SlateDate>, String)) {
    for v in m.values_mut() {
        v.sort_by_key(|g| key(g));
    }
}

/// Player histories (oldest first) from `player_game_summary` rows.
pub fn player_games(rows: &[Row], target: SlateDate) -> BTreeMap<String, Vec<PlayerGame>> {
    let mut out: BTreeMap<String, Vec<PlayerGame>> = BTreeMap::new();
    for r in rows {
        let Some(date) = keep(r, target) else { continue };
        let minutes = r.f64_of("minutes_played").unwrap_or(0.0);
        if r.bool_of("is_active") == Some(false) || minutes <= 0.0 {
            continue;
        }
        let (Some(lookup), Some(game)) = (r.str_of("player_lookup"), r.str_of("game_id")) else { continue };
        let f = |c: &str| r.f64_of(c).unwrap_or(0.0);
        let zones = r.f64_of("paint_attempts").map(|paint_att| Zones {
            paint_att,
            paint_made: f("paint_makes"),
            mid_att: f("mid_range_attempts"),
            mid_made: f("mid_range_makes"),
            three_att: f("three_pt_attempted"),
            three_made: f("three_pt_made"),
            assisted: f("assisted_fg_makes"),
            unassisted: f("unassisted_fg_makes"),
        });
        out.entry(lookup.to_string()).or_default().push(PlayerGame {
            date: Some(date),
            game_id: game.to_string(),
            team: r.str_of("team_abbr").unwrap_or_default().to_string(),
            points: f("points"),
            minutes,
            fgm: f("field_goals_made"),
            fga: f("field_goals_attempted"),
            three_made: f("three_pt_made"),
            three_att: f("three_pt_attempted"),
            ftm: f("ft_made"),
            fta: f("ft_attempted"),
            usage_rate: r.f64_of("usage_rate"),
            ts_pct: r.f64_of("ts_pct"),
            zones,
        });
    }
    sort_games(&mut out, |g| (g.date, g.game_id.clone()));
    out
}

/// Team histories (oldest first) from `team_offense_game_summary` rows.
pub fn team_offense(rows: &[Row], target: SlateDate) -> BTreeMap<String, Vec<TeamGame>> {
    let mut out: BTreeMap<String, Vec<TeamGame>> = BTreeMap::new();
    for r in rows {
        let Some(date) = keep(r, target) else { continue };
        let (Some(team), Some(game)) = (r.str_of("team_abbr"), r.str_of("game_id")) else { continue };
        out.entry(team.to_string()).or_default().push(TeamGame {
            date: Some(date),
            game_id: game.to_string(),
            points: r.f64_of("points_scored"),
            pace: r.f64_of("pace"),
            offensive_rating: r.f64_of("offensive_rating"),
            win: r.bool_of("win_flag"),
            ..Default::default()
        });
    }
    sort_games(&mut out, |g| (g.date, g.game_id.clone()));
    out
}

/// Team histories (oldest first) from `team_defense_game_summary` rows.
pub fn team_defense(rows: &[Row], target: SlateDate) -> BTreeMap<String, Vec<TeamGame>> {
    let mut out: BTreeMap<String, Vec<TeamGame>> = BTreeMap::new();
    for r in rows {
        let Some(date) = keep(r, target) else { continue };
        let (Some(team), Some(game)) = (r.str_of("defending_team_abbr"), r.str_of("game_id")) else { continue };
        let f = |c: &str| r.f64_of(c).unwrap_or(0.0);
        let opp_zones = r.f64_of("opp_paint_attempts").map(|paint_att| Zones {
            paint_att,
            paint_made: f("opp_paint_makes"),
            mid_att: f("opp_mid_range_attempts"),
            mid_made: f("opp_mid_range_makes"),
            three_att: f("opp_three_pt_attempted"),
            three_made: f("opp_three_pt_made"),
            ..Default::default()
        });
        out.entry(team.to_string()).or_default().push(TeamGame {
            date: Some(date),
            game_id: game.to_string(),
            points_allowed: r.f64_of("points_allowed"),
            opp_possessions: r.f64_of("opponent_possessions"),
            opp_pace: r.f64_of("opponent_pace"),
            defensive_rating: r.f64_of("defensive_rating"),
            blocks: r.f64_of("blocks"),
            opp_fga: r.f64_of("opp_fg_attempted"),
            opp_fgm: r.f64_of("opp_fg_made"),
            opp_three_att: r.f64_of("opp_three_pt_attempted"),
            opp_three_made: r.f64_of("opp_three_pt_made"),
            opp_zones,
            paint_points_allowed: r.f64_of("points_in_paint_allowed"),
            ..Default::default()
        });
    }
    sort_games(&mut out, |g| (g.date, g.game_id.clone()));
    out
}

/// The last `n` items (fewer if there are fewer).
pub fn last<T>(v: &[T], n: usize) -> &[T] {
    &v[v.len().saturating_sub(n)..]
}

/// Mean of the values present; `None` when none is.
pub fn mean<I: IntoIterator<Item = Option<f64>>>(it: I) -> Option<f64> {
    let (s, n) = it.into_iter().flatten().fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / n as f64)
}

/// Sample standard deviation (n − 1); `None` for fewer than two values.
pub fn sample_std(v: &[f64]) -> Option<f64> {
    if v.len() < 2 {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    Some((v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
}

/// Round to `d` decimals.
pub fn round(x: f64, d: i32) -> f64 {
    let p = 10f64.powi(d);
    (x * p).round() / p
}

/// `a / b`, `None` when `b` is zero.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pgs(date: &str, game: &str, pts: i64, min: f64) -> Row {
        json!({"game_date": date, "game_id": game, "player_lookup": "p", "team_abbr": "BOS", "points": pts,
               "minutes_played": min, "is_active": true})
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn history_is_before_the_date_in_season_and_played() {
        let d: SlateDate = "2025-01-15".parse().unwrap();
        let rows = [
            pgs("2025-01-15", "g3", 40, 30.0),
            pgs("2025-01-13", "g2", 20, 30.0),
            pgs("2025-01-11", "g1", 10, 30.0),
            pgs("2025-01-12", "gx", 99, 0.0),
            pgs("2024-04-01", "g0", 99, 30.0),
        ];
        let h = player_games(&rows, d);
        let pts: Vec<f64> = h["p"].iter().map(|g| g.points).collect();
        assert_eq!(pts, vec![10.0, 20.0]);
        assert!(h["p"][0].zones.is_none());
        assert_eq!(last(&pts, 1), &[20.0]);
        assert_eq!(mean([Some(1.0), None, Some(3.0)]), Some(2.0));
        assert_eq!(sample_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).map(|s| round(s, 4)), Some(2.1381));
        assert_eq!(sample_std(&[1.0]), None);
        assert_eq!(ratio(1.0, 0.0), None);
    }
}
