//! The replay source: lands, per slate date, what the real APIs would have returned for the recorded data
//! in a `data/nba`-layout directory, so a whole season passes through the same parsers as live data.
//!
//! Layout read (see the data directory's README): `<season>/player_gamelogs.csv.gz` (every player-game),
//! `<season>/odds_api_player_points.csv.gz` (Odds API points lines, one pre-game snapshot per slate),
//! `<season>/dfs_player_points_lines.csv.gz` (pick'em lines, no prices). Seasons are the `YYYY-YY` folders.
//!
//! What it lands:
//! - before the first date of a run (`prelude`): each touched season's schedule as NBA.com published it
//!   before the season (`nba-com/schedule/{season}/…`, every game scheduled, no scores: no look-ahead);
//! - per date, in the order things happen: the sportsbook snapshots (`odds-api/player-props/{date}/…`,
//!   17:00 UTC, before tip-off), then the next morning's league game log (`nba-com/player-boxscores/{date}/…`).
//!
//! Invariants: items are a pure function of the files and the date (same bytes, same paths on every run, so a
//! re-run re-lands nothing new); a date without games yields no items; games key on date + teams, and a missing
//! `nba_game_id` stays missing (the parsers must cope, as with the real data). Tip-off times come from the
//! books' `commence_time` where a line exists, otherwise 19:00 ET is assumed (documented in `docs/decisions.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::csv::Csv;
use super::formats::{self, PlayerGame, PropLine, ScheduledGame};
use super::{LandItem, Source, SourceError};
use crate::domain::{team_abbr, SlateDate};

/// One sportsbook event snapshot.
#[derive(Debug, Clone)]
struct Event {
    id: String,
    commence: DateTime<Utc>,
    home: String,
    away: String,
    snapshot: DateTime<Utc>,
    lines: Vec<PropLine>,
}

/// The replay of a real-data directory.
pub struct ReplaySource {
    dir: PathBuf,
    games: BTreeMap<SlateDate, Vec<PlayerGame>>,
    events: BTreeMap<SlateDate, Vec<Event>>,
    /// season year → its games, as scheduled
    schedules: BTreeMap<i32, Vec<ScheduledGame>>,
}

fn malformed(path: &Path, line: usize, what: impl std::fmt::Display) -> SourceError {
    SourceError::Malformed(format!("{} line {}: {what}", path.display(), line + 2))
}

fn ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// 19:00 America/New_York on `date`.
pub fn default_tipoff(date: SlateDate) -> DateTime<Utc> {
    let local = date.date().and_time(NaiveTime::from_hms_opt(19, 0, 0).unwrap_or_default());
    chrono_tz::America::New_York
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

impl ReplaySource {
    pub fn open(dir: &Path) -> Result<Self, SourceError> {
        let mut seasons: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| SourceError::Io(format!("{}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(is_season_dir))
            .collect();
        seasons.sort();
        let mut src = ReplaySource {
            dir: dir.to_path_buf(),
            games: BTreeMap::new(),
            events: BTreeMap::new(),
            schedules: BTreeMap::new(),
        };
        for s in &seasons {
            let logs = s.join("player_gamelogs.csv.gz");
            if logs.exists() {
                src.load_gamelogs(&logs)?;
            }
            let season = s.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let teams = dir.join("team_gamelogs").join(format!("{season}.csv.gz"));
            let designated = if teams.exists() { designated_homes(&teams)? } else { BTreeMap::new() };
            src.settle_neutral_sites(&designated);
            let odds = s.join("odds_api_player_points.csv.gz");
            if odds.exists() {
                src.load_odds(&odds)?;
            }
            let dfs = s.join("dfs_player_points_lines.csv.gz");
            if dfs.exists() {
                src.load_dfs(&dfs)?;
            }
        }
        if src.games.is_empty() && src.events.is_empty() {
            return Err(SourceError::Io(format!(
                "{} holds no <season>/player_gamelogs.csv.gz or odds files (expected the data/nba layout)",
                dir.display()
            )));
        }
        src.build_schedules();
        Ok(src)
    }

    fn load_gamelogs(&mut self, path: &Path) -> Result<(), SourceError> {
        let csv = Csv::read(path)?;
        let c = |n: &str| csv.col(n).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())));
        let (date, gid, team, opp, home, player, pid, min) = (
            c("game_date")?,
            c("nba_game_id")?,
            c("team")?,
            c("opp")?,
            c("is_home")?,
            c("player")?,
            c("nba_player_id")?,
            c("min")?,
        );
        let wl = c("wl")?;
        let stat_cols = [
            "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk", "tov", "pf", "pts",
        ];
        let stat_idx: Vec<usize> = stat_cols.iter().map(|n| c(n)).collect::<Result<_, _>>()?;
        for (i, r) in csv.rows.iter().enumerate() {
            let d: SlateDate =
                r[date].parse().map_err(|_| malformed(path, i, format!("bad game_date {:?}", r[date])))?;
            let t = team_abbr(&r[team]).ok_or_else(|| malformed(path, i, format!("unknown team {:?}", r[team])))?;
            let o = team_abbr(&r[opp]).ok_or_else(|| malformed(path, i, format!("unknown team {:?}", r[opp])))?;
            let mut stats = [0i64; 15];
            for (k, &j) in stat_idx.iter().enumerate() {
                stats[k] =
                    r[j].trim().parse().map_err(|_| malformed(path, i, format!("{} = {:?}", stat_cols[k], r[j])))?;
            }
            let min_v: f64 = r[min].trim().parse().map_err(|_| malformed(path, i, format!("min = {:?}", r[min])))?;
            self.games.entry(d).or_default().push(PlayerGame {
                date: d,
                nba_game_id: Some(r[gid].trim().to_string()).filter(|s| !s.is_empty()),
                team: t.to_string(),
                opp: o.to_string(),
                is_home: r[home].trim() == "1",
                player: r[player].trim().to_string(),
                nba_player_id: r[pid].trim().parse().ok(),
                min: min_v,
                stats,
                wl: Some(r[wl].trim().to_string()).filter(|s| !s.is_empty()),
            });
        }
        Ok(())
    }

    /// Neutral-site games (Mexico City, Paris, the Cup final four) list both teams as away. NBA.com still
    /// designates a home team: take it from the team game logs (`AAA @ BBB`), else the later tricode.
    fn settle_neutral_sites(&mut self, designated: &BTreeMap<String, String>) {
        for games in self.games.values_mut() {
            let mut sides: BTreeMap<(String, String), (bool, bool)> = BTreeMap::new();
            for g in games.iter() {
                let key = pair(&g.team, &g.opp);
                let e = sides.entry(key).or_default();
                if g.is_home {
                    e.0 = true
                } else {
                    e.1 = true
                }
            }
            for g in games.iter_mut() {
                let key = pair(&g.team, &g.opp);
                if sides.get(&key).is_some_and(|(home, _)| *home) {
                    continue;
                }
                let home =
                    g.nba_game_id.as_ref().and_then(|id| designated.get(id)).cloned().unwrap_or_else(|| key.1.clone());
                g.is_home = g.team == home;
            }
        }
    }

    fn push_line(
        &mut self,
        id: &str,
        commence: DateTime<Utc>,
        home: &str,
        away: &str,
        snapshot: DateTime<Utc>,
        line: PropLine,
    ) {
        let date = SlateDate::of_instant(commence);
        let events = self.events.entry(date).or_default();
        let ev = match events.iter_mut().position(|e| e.id == id && e.snapshot == snapshot) {
            Some(i) => &mut events[i],
            None => {
                events.push(Event {
                    id: id.to_string(),
                    commence,
                    home: home.to_string(),
                    away: away.to_string(),
                    snapshot,
                    lines: Vec::new(),
                });
                events.last_mut().expect("just pushed")
            }
        };
        ev.lines.push(line);
    }

    fn load_odds(&mut self, path: &Path) -> Result<(), SourceError> {
        let csv = Csv::read(path)?;
        let c = |n: &str| csv.col(n).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())));
        let (snap, ev, com, home, away, book, player, line, over, under) = (
            c("snapshot_utc")?,
            c("event_id")?,
            c("commence_time_utc")?,
            c("home_team")?,
            c("away_team")?,
            c("bookmaker")?,
            c("player")?,
            c("line")?,
            c("over_odds")?,
            c("under_odds")?,
        );
        for (i, r) in csv.rows.iter().enumerate() {
            let s = ts(&r[snap]).ok_or_else(|| malformed(path, i, "bad snapshot_utc"))?;
            let cm = ts(&r[com]).ok_or_else(|| malformed(path, i, "bad commence_time_utc"))?;
            let h = team_abbr(&r[home]).ok_or_else(|| malformed(path, i, "unknown home_team"))?;
            let a = team_abbr(&r[away]).ok_or_else(|| malformed(path, i, "unknown away_team"))?;
            let l: f64 = r[line].trim().parse().map_err(|_| malformed(path, i, "bad line"))?;
            let pl = PropLine {
                bookmaker: r[book].trim().to_string(),
                player: r[player].trim().to_string(),
                line: l,
                over: r[over].trim().parse().ok(),
                under: r[under].trim().parse().ok(),
            };
            self.push_line(&r[ev], cm, h, a, s, pl);
        }
        Ok(())
    }

    fn load_dfs(&mut self, path: &Path) -> Result<(), SourceError> {
        let csv = Csv::read(path)?;
        let c = |n: &str| csv.col(n).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())));
        let (ev, com, home, away, book, player, line) = (
            c("event_id")?,
            c("commence_time_utc")?,
            c("home_team")?,
            c("away_team")?,
            c("bookmaker")?,
            c("player")?,
            c("line")?,
        );
        for (i, r) in csv.rows.iter().enumerate() {
            let cm = ts(&r[com]).ok_or_else(|| malformed(path, i, "bad commence_time_utc"))?;
            let h = team_abbr(&r[home]).ok_or_else(|| malformed(path, i, "unknown home_team"))?;
            let a = team_abbr(&r[away]).ok_or_else(|| malformed(path, i, "unknown away_team"))?;
            let l: f64 = r[line].trim().parse().map_err(|_| malformed(path, i, "bad line"))?;
            // Pick'em boards carry no snapshot time: land them at 17:00 UTC of the slate, or an hour before
            // an early tip-off.
            let date = SlateDate::of_instant(cm);
            let five_pm = date.date().and_hms_opt(17, 0, 0).map(|t| t.and_utc()).unwrap_or(cm);
            let snapshot = five_pm.min(cm - Duration::hours(1));
            let book_key = r[book].trim().to_ascii_lowercase();
            let pl = PropLine {
                bookmaker: book_key,
                player: r[player].trim().to_string(),
                line: l,
                over: None,
                under: None,
            };
            self.push_line(&r[ev], cm, h, a, snapshot, pl);
        }
        Ok(())
    }

    fn build_schedules(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        for (date, games) in &self.games {
            for g in games.iter().filter(|g| g.is_home) {
                if !seen.insert((*date, g.team.clone(), g.opp.clone())) {
                    continue;
                }
                let tipoff = self
                    .events
                    .get(date)
                    .and_then(|evs| evs.iter().find(|e| e.home == g.team && e.away == g.opp))
                    .map(|e| e.commence)
                    .unwrap_or_else(|| default_tipoff(*date));
                let nba_game_id = games
                    .iter()
                    .filter(|x| (x.team == g.team && x.opp == g.opp) || (x.team == g.opp && x.opp == g.team))
                    .find_map(|x| x.nba_game_id.clone());
                self.schedules.entry(date.season_year()).or_default().push(ScheduledGame {
                    date: *date,
                    tipoff,
                    nba_game_id,
                    home: g.team.clone(),
                    away: g.opp.clone(),
                });
            }
        }
    }

    /// The directory replayed.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Player-games recorded for a date.
    pub fn player_games(&self, date: SlateDate) -> &[PlayerGame] {
        self.games.get(&date).map_or(&[], Vec::as_slice)
    }
}

/// An unordered team pair, sorted.
fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// nba_game_id → designated home team, from a team game log (`MATCHUP` `AAA @ BBB` or `AAA vs. BBB`).
fn designated_homes(path: &Path) -> Result<BTreeMap<String, String>, SourceError> {
    let csv = Csv::read(path)?;
    let c = |n: &str| csv.col(n).map_err(|e| SourceError::Malformed(format!("{}: {e}", path.display())));
    let (gid, matchup) = (c("GAME_ID")?, c("MATCHUP")?);
    let mut out = BTreeMap::new();
    for r in &csv.rows {
        let home = if let Some((_, h)) = r[matchup].split_once(" @ ") {
            team_abbr(h)
        } else {
            r[matchup].split_once(" vs. ").and_then(|(h, _)| team_abbr(h))
        };
        if let Some(h) = home {
            out.entry(r[gid].trim().to_string()).or_insert_with(|| h.to_string());
        }
    }
    Ok(out)
}

fn is_season_dir(name: &str) -> bool {
    let b = name.as_bytes();
    name.len() == 7 && b[4] == b'-' && name[..4].parse::<u32>().is_ok() && name[5..].parse::<u32>().is_ok()
}

impl Source for ReplaySource {
    fn name(&self) -> &str {
        "replay"
    }

    fn prelude(&self, from: SlateDate, to: SlateDate) -> Result<Vec<(SlateDate, LandItem)>, SourceError> {
        let mut out = Vec::new();
        for (year, games) in &self.schedules {
            let (Some(first), Some(last)) = (games.iter().map(|g| g.date).min(), games.iter().map(|g| g.date).max())
            else {
                continue;
            };
            if last < from || first > to {
                continue;
            }
            let label = first.season_label();
            let published = first.add_days(-14);
            out.push((
                from.max(first),
                LandItem {
                    scraper: "nbac_schedule_api".into(),
                    path: format!("nba-com/schedule/{label}/{}_120000.json", published.compact()),
                    data: formats::schedule(&label, games),
                },
            ));
            tracing::debug!(season = year, games = games.len(), "schedule prelude");
        }
        Ok(out)
    }

    fn items(&self, date: SlateDate) -> Result<Vec<LandItem>, SourceError> {
        let mut out = Vec::new();
        for e in self.events.get(&date).into_iter().flatten() {
            out.push(LandItem {
                scraper: "oddsa_player_props".into(),
                path: formats::event_odds_path(date, &e.id, &e.away, &e.home, e.snapshot),
                data: formats::event_odds(&e.id, e.commence, &e.home, &e.away, e.snapshot, &e.lines),
            });
        }
        if let Some(games) = self.games.get(&date) {
            let next_morning = date.succ().compact();
            out.push(LandItem {
                scraper: "nbac_player_boxscore".into(),
                path: format!("nba-com/player-boxscores/{date}/{next_morning}_080000.json"),
                data: formats::leaguegamelog(date, games),
            });
        }
        Ok(out)
    }

    fn span(&self) -> Option<(SlateDate, SlateDate)> {
        let first = self.games.keys().chain(self.events.keys()).min()?;
        let last = self.games.keys().chain(self.events.keys()).max()?;
        Some((*first, *last))
    }
}
