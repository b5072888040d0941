//! The season simulator: a deterministic, seeded NBA season (30 teams, 450 players with realistic minutes and
//! scoring, a full schedule, injuries and sportsbook lines) that lands the same wire formats as the real APIs.
//! It is what `hoopflow demo` runs on a fresh clone with no data, and it can generate several consecutive
//! seasons for load tests.
//!
//! What it lands, per slate date and in the order things happen: the morning injury list (balldontlie
//! `injuries` format), the sportsbook snapshot of each game (Odds API event odds, 17:00 UTC, three books with
//! prices around -110), and the next morning's NBA.com league game log; before a run, each season's schedule.
//!
//! Invariants: a pure function of (seed, seasons); lines are set from information before the date only
//! (the player's earlier games and his talent prior); injured players do not play and have no line.

mod game;
mod league;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::formats::{self, PlayerGame, PropLine, ScheduledGame};
use super::{LandItem, Source, SourceError};
use crate::domain::SlateDate;
pub use league::{season_window, SimGame, SimPlayer};

/// Simulator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub seed: u64,
    /// First season (the year it starts).
    pub first_season: i32,
    pub seasons: u32,
    pub games_per_team: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { seed: 2024, first_season: 2024, seasons: 1, games_per_team: 82 }
    }
}

/// One injured player on a date.
#[derive(Debug, Clone, PartialEq)]
struct Injury {
    player: usize,
    games_out: u32,
}

/// The simulated seasons, computed once.
pub struct Simulator {
    pub config: SimConfig,
    players: Vec<SimPlayer>,
    games: BTreeMap<SlateDate, Vec<SimGame>>,
    boxes: BTreeMap<SlateDate, Vec<PlayerGame>>,
    injuries: BTreeMap<SlateDate, Vec<Injury>>,
    lines: BTreeMap<SlateDate, Vec<(usize, Vec<PropLine>)>>,
    schedules: BTreeMap<i32, Vec<ScheduledGame>>,
}

fn tipoff(g: &SimGame) -> DateTime<Utc> {
    let local = g.date.date().and_time(NaiveTime::from_hms_opt(g.tip_hour_et, 0, 0).unwrap_or_default());
    chrono_tz::America::New_York
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// A half-point line near `x`.
fn half_line(x: f64) -> f64 {
    (x.max(1.0)).floor() + 0.5
}

impl Simulator {
    pub fn new(config: SimConfig) -> Self {
        let players = league::players(config.seed);
        let mut sim = Simulator {
            config: config.clone(),
            players,
            games: BTreeMap::new(),
            boxes: BTreeMap::new(),
            injuries: BTreeMap::new(),
            lines: BTreeMap::new(),
            schedules: BTreeMap::new(),
        };
        for s in 0..config.seasons {
            sim.simulate_season(config.first_season + s as i32);
        }
        sim
    }

    fn simulate_season(&mut self, year: i32) {
        let cfg = &self.config;
        let schedule = league::schedule(cfg.seed, year, cfg.games_per_team);
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ ((year as u64) << 20) ^ 0x9a3e);
        // Team defence: multiplies the opponent's shot volume.
        let defence: Vec<f64> = (0..30).map(|_| rng.gen_range(0.94..1.06)).collect();
        let team_index = |abbr: &str| crate::domain::teams::TEAMS.iter().position(|t| t.0 == abbr).unwrap_or(0);
        let mut out_games: Vec<u32> = vec![0; self.players.len()];
        let mut history: Vec<Vec<i64>> = vec![Vec::new(); self.players.len()];
        let mut by_date: BTreeMap<SlateDate, Vec<SimGame>> = BTreeMap::new();
        for g in &schedule {
            by_date.entry(g.date).or_default().push(g.clone());
            self.schedules.entry(year).or_default().push(ScheduledGame {
                date: g.date,
                tipoff: tipoff(g),
                nba_game_id: Some(g.nba_game_id.clone()),
                home: g.home.to_string(),
                away: g.away.to_string(),
            });
        }
        for (date, games) in by_date {
            let mut injured = Vec::new();
            let mut day_lines = Vec::new();
            let mut day_boxes = Vec::new();
            for (gi, g) in games.iter().enumerate() {
                let mut sides = Vec::new();
                for (team, opp, home) in [(g.home, g.away, true), (g.away, g.home, false)] {
                    let roster: Vec<(usize, &SimPlayer)> =
                        self.players.iter().enumerate().filter(|(_, p)| p.team == team).collect();
                    // New injuries are known in the morning; the injured sit.
                    let mut active = Vec::new();
                    for (i, p) in roster {
                        if out_games[i] == 0 && rng.gen_bool(0.006) {
                            out_games[i] = 1 + rng.gen_range(0..12);
                        }
                        if out_games[i] > 0 {
                            injured.push(Injury { player: i, games_out: out_games[i] });
                            out_games[i] -= 1;
                        } else {
                            active.push((i, p));
                        }
                    }
                    // Lines from what was known before today.
                    let mut props = Vec::new();
                    for (i, p) in &active {
                        if p.minutes_mean < 14.0 {
                            continue;
                        }
                        let prior = p.minutes_mean
                            * (p.fga_per_min * (2.0 + 0.5 * p.three_share) * 0.5 + p.fta_per_min * p.ft_pct);
                        let h = &history[*i];
                        let recent: Vec<i64> = h.iter().rev().take(10).copied().collect();
                        let est = if recent.len() < 3 {
                            prior
                        } else {
                            let r = recent.iter().sum::<i64>() as f64 / recent.len() as f64;
                            let s = h.iter().sum::<i64>() as f64 / h.len() as f64;
                            0.5 * r + 0.3 * s + 0.2 * prior
                        };
                        for (k, book) in ["draftkings", "fanduel", "betmgm"].iter().enumerate() {
                            let shade = if k == 2 && rng.gen_bool(0.3) { 1.0 } else { 0.0 };
                            let line = half_line(est - 0.5 + shade);
                            let over = -110.0 + f64::from(rng.gen_range(-8i32..=8));
                            let under = -220.0 - over;
                            props.push(PropLine {
                                bookmaker: (*book).into(),
                                player: p.name.clone(),
                                line,
                                over: Some(over),
                                under: Some(under),
                            });
                        }
                    }
                    let pace = defence[team_index(opp)] * if home { 1.01 } else { 0.99 };
                    let box_ = game::team_box(&mut rng, &active, pace);
                    sides.push((team, opp, home, box_, props));
                }
                let (a, b) = (game::team_points(&sides[0].3), game::team_points(&sides[1].3));
                if a == b {
                    game::break_tie(&mut sides[0].3);
                }
                let home_won = game::team_points(&sides[0].3) > game::team_points(&sides[1].3);
                let mut props_all = Vec::new();
                for (team, opp, home, lines, props) in sides {
                    let won = home == home_won;
                    for l in lines {
                        history[l.player].push(l.points());
                        let p = &self.players[l.player];
                        day_boxes.push(PlayerGame {
                            date,
                            nba_game_id: Some(g.nba_game_id.clone()),
                            team: team.to_string(),
                            opp: opp.to_string(),
                            is_home: home,
                            player: p.name.clone(),
                            nba_player_id: Some(p.id),
                            min: l.min,
                            stats: l.stats,
                            wl: Some(if won { "W" } else { "L" }.to_string()),
                        });
                    }
                    props_all.extend(props);
                }
                day_lines.push((gi, props_all));
            }
            self.injuries.insert(date, injured);
            self.lines.insert(date, day_lines);
            self.boxes.insert(date, day_boxes);
            self.games.insert(date, games);
        }
    }

    /// The injury list of a date in balldontlie's `injuries` format.
    fn injury_json(&self, date: SlateDate) -> Vec<u8> {
        let data: Vec<serde_json::Value> = self
            .injuries
            .get(&date)
            .into_iter()
            .flatten()
            .map(|inj| {
                let p = &self.players[inj.player];
                let (first, last) = p.name.split_once(' ').unwrap_or((&p.name, ""));
                let team_id = crate::domain::teams::TEAMS.iter().position(|t| t.0 == p.team).map_or(0, |i| i + 1);
                let back = date.add_days(i64::from(inj.games_out) * 2);
                json!({
                    "player": { "id": p.id, "first_name": first, "last_name": last, "position": "F", "team_id": team_id },
                    "return_date": back.date().format("%b %-d").to_string(),
                    "description": format!("{}: {} is out with a lower-body injury.", date.date().format("%b %-d"), p.name),
                    "status": "Out"
                })
            })
            .collect();
        serde_json::to_vec(&json!({ "data": data, "meta": { "per_page": 100 } })).unwrap_or_default()
    }

    /// Player-games of a date.
    pub fn player_games(&self, date: SlateDate) -> &[PlayerGame] {
        self.boxes.get(&date).map_or(&[], Vec::as_slice)
    }

    /// Games of a date.
    pub fn games(&self, date: SlateDate) -> &[SimGame] {
        self.games.get(&date).map_or(&[], Vec::as_slice)
    }
}

impl Source for Simulator {
    fn name(&self) -> &str {
        "simulator"
    }

    fn prelude(&self, from: SlateDate, to: SlateDate) -> Result<Vec<(SlateDate, LandItem)>, SourceError> {
        let mut out = Vec::new();
        for (year, games) in &self.schedules {
            let (first, last) = season_window(*year);
            if last < from || first > to {
                continue;
            }
            let label = first.season_label();
            out.push((
                from.max(first),
                LandItem {
                    scraper: "nbac_schedule_api".into(),
                    path: format!("nba-com/schedule/{label}/{}_120000.json", first.add_days(-14).compact()),
                    data: formats::schedule(&label, games),
                },
            ));
        }
        Ok(out)
    }

    fn items(&self, date: SlateDate) -> Result<Vec<LandItem>, SourceError> {
        let games = self.games(date);
        if games.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = vec![LandItem {
            scraper: "bdl_injuries".into(),
            path: format!("ball-dont-lie/injuries/{date}/{}_150000.json", date.compact()),
            data: self.injury_json(date),
        }];
        for (gi, props) in self.lines.get(&date).into_iter().flatten() {
            let g = &games[*gi];
            let commence = tipoff(g);
            let snapshot = commence.min(date.date().and_hms_opt(17, 0, 0).map_or(commence, |t| t.and_utc()));
            let event_id = format!("sim{}{}{}", date.compact(), g.away, g.home).to_ascii_lowercase();
            out.push(LandItem {
                scraper: "oddsa_player_props".into(),
                path: formats::event_odds_path(date, &event_id, g.away, g.home, snapshot),
                data: formats::event_odds(&event_id, commence, g.home, g.away, snapshot, props),
            });
        }
        out.push(LandItem {
            scraper: "nbac_player_boxscore".into(),
            path: format!("nba-com/player-boxscores/{date}/{}_080000.json", date.succ().compact()),
            data: formats::leaguegamelog(date, self.player_games(date)),
        });
        Ok(out)
    }

    fn span(&self) -> Option<(SlateDate, SlateDate)> {
        Some((*self.games.keys().next()?, *self.games.keys().next_back()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_season_is_realistic_and_deterministic() {
        let sim = Simulator::new(SimConfig::default());
        let all: Vec<&PlayerGame> = sim.boxes.values().flatten().collect();
        let games: usize = sim.games.values().map(Vec::len).sum();
        assert_eq!(games, 1230);
        let per_game = all.len() as f64 / (2 * games) as f64;
        assert!((9.0..=14.0).contains(&per_game), "{per_game} players per team-game");
        let pts: f64 = all.iter().map(|g| g.stats[14] as f64).sum::<f64>() / (2 * games) as f64;
        assert!((95.0..=130.0).contains(&pts), "{pts} points per team-game");
        for g in &all {
            let s = g.stats;
            assert_eq!(s[14], 2 * (s[0] - s[2]) + 3 * s[2] + s[4], "points add up");
            assert!(s[0] <= s[1] && s[2] <= s[3] && s[4] <= s[5] && s[2] <= s[0]);
            assert_eq!(s[8], s[6] + s[7]);
        }
        let d = "2025-01-15".parse().unwrap();
        assert_eq!(sim.items(d).unwrap(), Simulator::new(SimConfig::default()).items(d).unwrap());
        assert!(sim.injuries.values().map(Vec::len).sum::<usize>() > 100, "injuries happen");
    }
}
