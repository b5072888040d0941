//! The figures of `hoopflow report`, computed from rows (no I/O): per season, the naive baselines straight from
//! `player_game_summary`, each system's errors on the same player-games, and the lined comparison
//! ([`super::report_lined`]).
//!
//! Invariants:
//! - a season's player-games are its box-score rows (`player_game_summary`, any minutes — a few seconds on
//!   the floor show as 0 minutes, and the reference counts those games) of a player with at least one earlier
//!   row that season; histories run in (date, game id) order and reset each season;
//! - baselines predict the mean points of the player's previous 5 / 10 / all games that season; errors are
//!   predicted − actual: MAE, RMSE and bias (mean signed error);
//! - same games: a system's figures are over the player-games that are both baseline player-games and graded
//!   by it on its base line (`line_offset = 0`); next to them are the baselines on exactly those player-games
//!   (`baselines_same_games`), so every comparison is like for like. Graded games outside the baseline set (a
//!   player's first game of the season) are counted in `outside_baseline`, not scored;
//! - `--from/--to` restrict the scored player-games; histories still start at the season's first game;
//! - rows missing a field they need are skipped and counted, never a panic.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::grade::{round, Outcome};
use super::processor::is_base;
use crate::domain::{Row, RowExt, SlateDate};

/// The baselines, in output order.
pub const BASELINES: [&str; 3] = ["last_5", "last_10", "season_avg"];

/// One box-score row.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxScore {
    pub date: SlateDate,
    pub game_id: String,
    pub player: String,
    pub points: f64,
    /// The consensus pre-game line (`points_line`), if any.
    pub line: Option<f64>,
}

/// One graded base-line prediction (`prediction_results`, `line_offset = 0`).
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub date: SlateDate,
    pub player: String,
    pub system: String,
    pub predicted: f64,
    pub actual: f64,
    pub outcome: Outcome,
    pub profit: f64,
}

/// A scored player-game: the actual points, the line and the three baseline predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGame {
    pub date: SlateDate,
    pub player: String,
    pub actual: f64,
    pub line: Option<f64>,
    pub baselines: [f64; 3],
}

/// MAE, RMSE and bias of a set of errors (predicted − actual).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stat {
    pub n: usize,
    pub mae: f64,
    pub rmse: f64,
    pub bias: f64,
}

impl Stat {
    pub fn of<I: IntoIterator<Item = f64>>(errors: I) -> Stat {
        let (mut n, mut abs, mut sq, mut sum) = (0usize, 0.0, 0.0, 0.0);
        for e in errors {
            n += 1;
            abs += e.abs();
            sq += e * e;
            sum += e;
        }
        if n == 0 {
            return Stat::default();
        }
        let k = n as f64;
        Stat { n, mae: abs / k, rmse: (sq / k).sqrt(), bias: sum / k }
    }

    /// `{"n", "mae", "rmse", "bias"}`, the figures NULL without a player-game.
    pub fn json(&self) -> Value {
        let r = |x: f64| if self.n == 0 { Value::Null } else { json!(round(x, 4)) };
        json!({"n": self.n, "mae": r(self.mae), "rmse": r(self.rmse), "bias": r(self.bias)})
    }
}

/// Box-score rows from `player_game_summary` rows, and how many were skipped (a field missing).
pub fn box_scores(rows: &[Row]) -> (Vec<BoxScore>, usize) {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if r.bool_of("is_active") == Some(false) {
            continue;
        }
        let date = r.str_of("game_date").and_then(|d| d.parse().ok());
        let (Some(date), Some(game), Some(player), Some(points)) =
            (date, r.str_of("game_id"), r.str_of("player_lookup"), r.f64_of("points"))
        else {
            continue;
        };
        let line = r.f64_of("points_line");
        out.push(BoxScore { date, game_id: game.into(), player: player.into(), points, line });
    }
    let skipped = rows.len() - out.len();
    (out, skipped)
}

/// Graded base-line predictions from `prediction_results` rows, and how many rows were skipped.
pub fn graded(rows: &[Row]) -> (Vec<Graded>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    for r in rows {
        if !is_base(r.f64_of("line_offset").unwrap_or(0.0)) {
            continue;
        }
        let date = r.str_of("game_date").and_then(|d| d.parse().ok());
        let g = (|| {
            Some(Graded {
                date: date?,
                player: r.str_of("player_lookup")?.into(),
                system: r.str_of("system_id")?.into(),
                predicted: r.f64_of("predicted_points")?,
                actual: r.f64_of("actual_points")?,
                outcome: r.str_of("outcome").and_then(Outcome::parse).unwrap_or(Outcome::NoBet),
                profit: r.f64_of("profit_units").unwrap_or(0.0),
            })
        })();
        match g {
            Some(g) => out.push(g),
            None => skipped += 1,
        }
    }
    (out, skipped)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The scored player-games by season label, each season sorted by (date, player), within `range` if given.
pub fn player_games(boxes: &[BoxScore], range: Option<(SlateDate, SlateDate)>) -> BTreeMap<String, Vec<PlayerGame>> {
    let mut by: BTreeMap<(i32, &str), Vec<&BoxScore>> = BTreeMap::new();
    for b in boxes {
        by.entry((b.date.season_year(), b.player.as_str())).or_default().push(b);
    }
    let mut out: BTreeMap<String, Vec<PlayerGame>> = BTreeMap::new();
    for games in by.values_mut() {
        games.sort_by(|a, b| (a.date, &a.game_id).cmp(&(b.date, &b.game_id)));
        let mut history: Vec<f64> = Vec::with_capacity(games.len());
        for g in games.iter() {
            let inside = range.is_none_or(|(a, b)| (a..=b).contains(&g.date));
            if !history.is_empty() && inside {
                let tail = |n: usize| mean(&history[history.len().saturating_sub(n)..]);
                out.entry(g.date.season_label()).or_default().push(PlayerGame {
                    date: g.date,
                    player: g.player.clone(),
                    actual: g.points,
                    line: g.line,
                    baselines: [tail(5), tail(10), mean(&history)],
                });
            }
            history.push(g.points);
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| (a.date, &a.player).cmp(&(b.date, &b.player)));
    }
    out
}

/// A system's graded predictions matched to a season's player-games: (index of the player-game, graded).
pub type Matched<'a> = Vec<(usize, &'a Graded)>;

/// Each system's graded predictions on `games` (by date and player), and how many graded predictions of the
/// season fell outside them.
pub fn match_systems<'a>(
    games: &[PlayerGame],
    graded: &'a [Graded],
    season: &str,
) -> BTreeMap<String, (Matched<'a>, usize)> {
    let index: BTreeMap<(SlateDate, &str), usize> =
        games.iter().enumerate().map(|(i, g)| ((g.date, g.player.as_str()), i)).collect();
    let mut out: BTreeMap<String, (Matched<'a>, usize)> = BTreeMap::new();
    for g in graded.iter().filter(|g| g.date.season_label() == season) {
        let e = out.entry(g.system.clone()).or_default();
        match index.get(&(g.date, g.player.as_str())) {
            Some(&i) => e.0.push((i, g)),
            None => e.1 += 1,
        }
    }
    out
}

/// The baselines' figures over the player-games `idx` picks out.
pub fn baseline_stats<'a>(games: &[PlayerGame], idx: impl Iterator<Item = usize> + Clone + 'a) -> [Stat; 3] {
    std::array::from_fn(|k| Stat::of(idx.clone().filter_map(|i| games.get(i)).map(|g| g.baselines[k] - g.actual)))
}

fn named(stats: &[Stat; 3], f: impl Fn(&Stat) -> Value) -> Value {
    Value::Object(BASELINES.iter().zip(stats).map(|(n, s)| (n.to_string(), f(s))).collect())
}

/// Everything about one season.
pub fn season_json(games: &[PlayerGame], graded: &[Graded], season: &str) -> Value {
    let matched = match_systems(games, graded, season);
    let mut systems = Map::new();
    for (system, (m, outside)) in &matched {
        let s = Stat::of(m.iter().map(|(_, g)| g.predicted - g.actual));
        let same = baseline_stats(games, m.iter().map(|(i, _)| *i));
        let mut v = s.json();
        if let Some(o) = v.as_object_mut() {
            o.insert("player_games".into(), json!(s.n));
            o.insert("outside_baseline".into(), json!(outside));
            o.insert("baselines_same_games".into(), named(&same, Stat::json));
        }
        systems.insert(system.clone(), v);
    }
    let all = baseline_stats(games, 0..games.len());
    json!({
        "player_games": games.len(),
        "systems": systems,
        "baselines": named(&all, Stat::json),
        "lined": super::report_lined::lined_json(games, &matched),
    })
}

/// The whole report: `{"seasons": {label: season}}`.
pub fn report_json(boxes: &[BoxScore], graded: &[Graded], range: Option<(SlateDate, SlateDate)>) -> Value {
    let seasons: Map<String, Value> = player_games(boxes, range)
        .iter()
        .map(|(label, games)| (label.clone(), season_json(games, graded, label)))
        .collect();
    json!({"seasons": seasons})
}

/// The rule that makes system and baseline figures comparable (printed with the report).
pub const SAME_GAMES_RULE: &str = "player-games: every box-score row of a player with an earlier game that season \
(any minutes); a system is scored on the player-games it graded (base line) among them, next to the baselines on \
exactly those player-games";

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
