//! The lined part of the report: on a season's player-games with a consensus line (`points_line` of
//! `player_game_summary`), the line as a predictor against each system on the same player-games, and each
//! system's betting record.
//!
//! Invariants:
//! - the lined player-games are the season's scored player-games ([`super::report::player_games`]) with a line;
//! - a system's `mae` and `line_mae` are over the same player-games: lined ones it graded on its base line;
//!   `coverage` = those player-games / all lined player-games (a player-game with a line but 0 minutes is never
//!   graded, so coverage can stay under 1 with every player predicted);
//! - picks are its OVER/UNDER bets among them (WIN, LOSS, PUSH); `hit_rate` = wins / (wins + losses), NULL
//!   without a decided pick; `profit_per_unit` = profit / picks (a push is a returned stake), NULL without picks.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::grade::{round, Outcome};
use super::report::{baseline_stats, Matched, PlayerGame, Stat, BASELINES};

/// A system's betting record.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Record {
    pub wins: usize,
    pub losses: usize,
    pub pushes: usize,
    pub profit: f64,
}

impl Record {
    pub fn add(&mut self, outcome: Outcome, profit: f64) {
        match outcome {
            Outcome::Win => self.wins += 1,
            Outcome::Loss => self.losses += 1,
            Outcome::Push => self.pushes += 1,
            Outcome::NoBet => return,
        }
        self.profit += profit;
    }
    pub fn picks(&self) -> usize {
        self.wins + self.losses + self.pushes
    }
    pub fn hit_rate(&self) -> Option<f64> {
        let decided = self.wins + self.losses;
        (decided > 0).then(|| self.wins as f64 / decided as f64)
    }
    pub fn profit_per_unit(&self) -> Option<f64> {
        (self.picks() > 0).then(|| self.profit / self.picks() as f64)
    }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!(round(v, 4)))
}

/// The `lined` object of a season.
pub fn lined_json(games: &[PlayerGame], matched: &BTreeMap<String, (Matched<'_>, usize)>) -> Value {
    let lined: Vec<usize> = (0..games.len()).filter(|&i| games[i].line.is_some()).collect();
    let line_err = |i: usize| games[i].line.map(|l| l - games[i].actual);
    let line = Stat::of(lined.iter().filter_map(|&i| line_err(i)));
    let base = baseline_stats(games, lined.iter().copied());
    let mut systems = Map::new();
    for (system, (m, _)) in matched {
        let on: Vec<_> = m.iter().filter(|(i, _)| games[*i].line.is_some()).collect();
        let sys = Stat::of(on.iter().map(|(_, g)| g.predicted - g.actual));
        let line_same = Stat::of(on.iter().filter_map(|(i, _)| line_err(*i)));
        let mut rec = Record::default();
        for (_, g) in &on {
            rec.add(g.outcome, g.profit);
        }
        let coverage = (!lined.is_empty()).then(|| on.len() as f64 / lined.len() as f64);
        systems.insert(
            system.clone(),
            json!({
                "player_games": on.len(),
                "coverage": opt(coverage),
                "mae": sys.json()["mae"],
                "line_mae": line_same.json()["mae"],
                "picks": rec.picks(),
                "wins": rec.wins,
                "losses": rec.losses,
                "pushes": rec.pushes,
                "hit_rate": opt(rec.hit_rate()),
                "profit_units": round(rec.profit, 4),
                "profit_per_unit": opt(rec.profit_per_unit()),
            }),
        );
    }
    let baselines: Map<String, Value> = BASELINES.iter().zip(&base).map(|(n, s)| (n.to_string(), s.json())).collect();
    json!({
        "player_games": lined.len(),
        "line": line.json(),
        "baselines": baselines,
        "systems": systems,
    })
}
