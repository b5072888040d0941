//! The simulated league: 30 real franchises, 15 generated players each, and a season schedule.
//!
//! Invariants: everything is a pure function of the seed and the season year; every team plays exactly
//! `games_per_team` games, never three days in a row, and about half of them at home.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::domain::teams::TEAMS;
use crate::domain::SlateDate;

const FIRST: [&str; 40] = [
    "Jalen", "Marcus", "Tyrese", "Darius", "Isaiah", "Caleb", "Miles", "Andre", "Jordan", "Malik", "Devin", "Trey",
    "Cole", "Xavier", "Amir", "Luka", "Nikola", "Bruno", "Theo", "Evan", "Quentin", "Rashad", "Terrence", "Omar",
    "Felix", "Kofi", "Mateo", "Dante", "Jaylen", "Cam", "Brandon", "Keon", "Zion", "Julian", "Aaron", "Derrick",
    "Myles", "Reggie", "Tobias", "Anfernee",
];
const LAST: [&str; 40] = [
    "Okafor",
    "Whitfield",
    "Marsh",
    "Delgado",
    "Brennan",
    "Achebe",
    "Castillo",
    "Holloway",
    "Pruitt",
    "Vasquez",
    "Kowalski",
    "Ibeh",
    "Sandoval",
    "Thornton",
    "Mbeki",
    "Lindqvist",
    "Duarte",
    "Fairbanks",
    "Greer",
    "Hargrove",
    "Iwundu",
    "Jankovic",
    "Kessler",
    "Lombardi",
    "Moreau",
    "Nwosu",
    "Ostrander",
    "Petrakis",
    "Quarles",
    "Rinaldi",
    "Sorensen",
    "Tavares",
    "Umeh",
    "Valente",
    "Wojcik",
    "Yeboah",
    "Zeller",
    "Abernathy",
    "Bellamy",
    "Cordero",
];
const SUFFIX: [&str; 6] = ["", "", "", " Jr.", " II", " III"];

/// A simulated player and his talent.
#[derive(Debug, Clone)]
pub struct SimPlayer {
    pub id: i64,
    pub name: String,
    pub team: &'static str,
    /// Rotation rank within the team (0 = star).
    pub rank: usize,
    pub minutes_mean: f64,
    pub minutes_sd: f64,
    /// Chance of getting into a game at all (deep bench: garbage time only).
    pub play_prob: f64,
    /// Field-goal attempts per minute, share of them from three, make rates, free throws per minute.
    pub fga_per_min: f64,
    pub three_share: f64,
    pub fg2_pct: f64,
    pub fg3_pct: f64,
    pub fta_per_min: f64,
    pub ft_pct: f64,
    pub reb_per_min: f64,
    pub ast_per_min: f64,
}

/// One scheduled game.
#[derive(Debug, Clone, PartialEq)]
pub struct SimGame {
    pub date: SlateDate,
    pub home: &'static str,
    pub away: &'static str,
    pub nba_game_id: String,
    /// Tip-off hour, America/New_York (19..=22).
    pub tip_hour_et: u32,
}

/// Generate the league's players.
pub fn players(seed: u64) -> Vec<SimPlayer> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_0001);
    let mut used = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(450);
    for (t, (abbr, ..)) in TEAMS.iter().enumerate() {
        for rank in 0..15 {
            let name = loop {
                let n = format!(
                    "{} {}{}",
                    FIRST[rng.gen_range(0..FIRST.len())],
                    LAST[rng.gen_range(0..LAST.len())],
                    SUFFIX[rng.gen_range(0..SUFFIX.len())]
                );
                if used.insert(crate::domain::player_lookup(&n)) {
                    break n;
                }
            };
            // Minutes fall with rotation rank; the stars shoot more per minute.
            let minutes_mean = match rank {
                0..=4 => rng.gen_range(29.0..36.0),
                5..=8 => rng.gen_range(16.0..26.0),
                9..=11 => rng.gen_range(7.0..14.0),
                _ => rng.gen_range(2.0..6.0),
            };
            let star = if rank == 0 {
                1.35
            } else if rank < 3 {
                1.15
            } else {
                1.0
            };
            out.push(SimPlayer {
                id: 1_700_000 + (t * 100 + rank) as i64,
                name,
                team: abbr,
                rank,
                minutes_mean,
                minutes_sd: minutes_mean * rng.gen_range(0.12..0.22),
                play_prob: match rank {
                    0..=8 => 0.98,
                    9..=10 => 0.7,
                    11..=12 => 0.35,
                    _ => 0.15,
                },
                fga_per_min: rng.gen_range(0.22..0.42) * star,
                three_share: rng.gen_range(0.1..0.55),
                fg2_pct: rng.gen_range(0.45..0.6),
                fg3_pct: rng.gen_range(0.3..0.41),
                fta_per_min: rng.gen_range(0.03..0.12) * star,
                ft_pct: rng.gen_range(0.65..0.9),
                reb_per_min: rng.gen_range(0.08..0.35),
                ast_per_min: rng.gen_range(0.04..0.25),
            });
        }
    }
    out
}

/// Season window: 22 October to 13 April, as in 2024-25.
pub fn season_window(season_year: i32) -> (SlateDate, SlateDate) {
    let from = SlateDate::from_ymd(season_year, 10, 22).unwrap_or_else(|| SlateDate::of_instant(chrono::Utc::now()));
    let to = SlateDate::from_ymd(season_year + 1, 4, 13).unwrap_or(from);
    (from, to)
}

/// A schedule where every team plays `games_per_team` games.
pub fn schedule(seed: u64, season_year: i32, games_per_team: usize) -> Vec<SimGame> {
    let mut rng = StdRng::seed_from_u64(seed ^ (season_year as u64) ^ 0x5c4e_d01e);
    let (from, to) = season_window(season_year);
    let days = (to.date() - from.date()).num_days() as usize + 1;
    let n = TEAMS.len();
    let mut left = vec![games_per_team; n];
    let mut homes = vec![0usize; n];
    let mut last_two: Vec<(Option<usize>, Option<usize>)> = vec![(None, None); n];
    let mut games = Vec::new();
    let mut seq = 1usize;
    let mut day = 0usize;
    while left.iter().any(|&l| l > 0) && day < days * 2 {
        let date = from.add_days(day as i64);
        let days_left = days.saturating_sub(day).max(1);
        // Teams that may play today: games left, and not on both of the last two days.
        let mut eligible: Vec<usize> = (0..n)
            .filter(|&t| {
                left[t] > 0
                    && !(last_two[t].0 == Some(day.wrapping_sub(1)) && last_two[t].1 == Some(day.wrapping_sub(2)))
            })
            .collect();
        eligible.shuffle(&mut rng);
        // Teams furthest behind their pace play first.
        eligible.sort_by(|a, b| left[*b].cmp(&left[*a]));
        let want =
            eligible.iter().filter(|&&t| rng.gen_bool((left[t] as f64 / days_left as f64 * 1.05).min(1.0))).count();
        let playing: Vec<usize> = eligible.into_iter().take(want & !1).collect();
        for pair in playing.chunks(2) {
            let (a, b) = (pair[0], pair[1]);
            let (home, away) = if homes[a] <= homes[b] { (a, b) } else { (b, a) };
            homes[home] += 1;
            for t in [a, b] {
                left[t] -= 1;
                last_two[t] = (Some(day), last_two[t].0);
            }
            games.push(SimGame {
                date,
                home: TEAMS[home].0,
                away: TEAMS[away].0,
                nba_game_id: format!("002{:02}{:05}", season_year % 100, seq),
                tip_hour_et: 19 + (rng.gen_range(0..4) as u32),
            });
            seq += 1;
        }
        day += 1;
    }
    games
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_complete_and_humane() {
        let g = schedule(7, 2024, 82);
        assert_eq!(g.len(), 30 * 82 / 2);
        let mut per = std::collections::BTreeMap::<&str, Vec<SlateDate>>::new();
        for x in &g {
            per.entry(x.home).or_default().push(x.date);
            per.entry(x.away).or_default().push(x.date);
        }
        for (t, dates) in &per {
            assert_eq!(dates.len(), 82, "{t}");
            let mut d = dates.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), 82, "{t} plays twice on one day");
            assert!(d.windows(3).all(|w| w[2] != w[0].add_days(2)), "{t} plays three days in a row");
        }
        assert_eq!(g, schedule(7, 2024, 82), "deterministic");
        assert_ne!(g, schedule(8, 2024, 82));
        assert_eq!(players(7).len(), 450);
    }
}
