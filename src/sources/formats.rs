//! The wire formats the real APIs return, built from plain records: NBA.com `leaguegamelog` (players),
//! NBA.com `scheduleLeagueV2`, and The Odds API event odds (`player_points`). The replay of real data and
//! the season simulator both land these, so every slate passes through the same parsers as live data.
//!
//! Invariant: the output is byte-for-byte deterministic for the same records (keys in a fixed order,
//! records in the order given).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::domain::teams::{team_id, team_name};
use crate::domain::SlateDate;

/// One player-game as a box score line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGame {
    pub date: SlateDate,
    pub nba_game_id: Option<String>,
    pub team: String,
    pub opp: String,
    pub is_home: bool,
    pub player: String,
    pub nba_player_id: Option<i64>,
    pub min: f64,
    /// fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, pts
    pub stats: [i64; 15],
    pub wl: Option<String>,
}

pub const GAMELOG_HEADERS: [&str; 32] = [
    "SEASON_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PTS",
    "PLUS_MINUS",
    "FANTASY_PTS",
    "VIDEO_AVAILABLE",
];

fn pct(m: i64, a: i64) -> Value {
    if a > 0 {
        json!(((m as f64 / a as f64) * 1000.0).round() / 1000.0)
    } else {
        Value::Null
    }
}

/// An NBA.com `leaguegamelog` response for one date.
pub fn leaguegamelog(date: SlateDate, games: &[PlayerGame]) -> Vec<u8> {
    let rows: Vec<Value> = games
        .iter()
        .map(|g| {
            let [fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, pts] = g.stats;
            let matchup =
                if g.is_home { format!("{} vs. {}", g.team, g.opp) } else { format!("{} @ {}", g.team, g.opp) };
            let fantasy = pts as f64 + 1.2 * reb as f64 + 1.5 * ast as f64 + 3.0 * (stl + blk) as f64 - tov as f64;
            json!([
                format!("2{}", date.season_year()),
                g.nba_player_id,
                g.player,
                team_id(&g.team),
                g.team,
                team_name(&g.team),
                g.nba_game_id,
                date.to_string(),
                matchup,
                g.wl,
                g.min,
                fgm,
                fga,
                pct(fgm, fga),
                fg3m,
                fg3a,
                pct(fg3m, fg3a),
                ftm,
                fta,
                pct(ftm, fta),
                oreb,
                dreb,
                reb,
                ast,
                stl,
                blk,
                tov,
                pf,
                pts,
                Value::Null,
                (fantasy * 10.0).round() / 10.0,
                1
            ])
        })
        .collect();
    let body = json!({
        "resource": "leaguegamelog",
        "parameters": {
            "LeagueID": "00", "Season": date.season_label(), "SeasonType": "Regular Season", "PlayerOrTeam": "P",
            "Counter": 1000, "Sorter": "DATE", "Direction": "DESC", "DateFrom": date.to_string(), "DateTo": date.to_string()
        },
        "resultSets": [{ "name": "LeagueGameLog", "headers": GAMELOG_HEADERS, "rowSet": rows }]
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// One scheduled game.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledGame {
    pub date: SlateDate,
    pub tipoff: DateTime<Utc>,
    pub nba_game_id: Option<String>,
    pub home: String,
    pub away: String,
}

fn team_obj(abbr: &str) -> Value {
    let name = team_name(abbr).unwrap_or_default();
    let (city, nick) = crate::domain::teams::TEAMS
        .iter()
        .find(|t| t.0 == abbr)
        .map(|t| (t.1.to_string(), t.2.to_string()))
        .unwrap_or_else(|| (name.clone(), name));
    json!({ "teamId": team_id(abbr), "teamTricode": abbr, "teamName": nick, "teamCity": city, "score": 0 })
}

/// An NBA.com `scheduleLeagueV2` response as published before the season: every game scheduled
/// (`gameStatus` 1), no scores.
pub fn schedule(season_label: &str, games: &[ScheduledGame]) -> Vec<u8> {
    let mut by_date: std::collections::BTreeMap<SlateDate, Vec<Value>> = Default::default();
    for (i, g) in games.iter().enumerate() {
        let code = format!("{}/{}{}", g.date.compact(), g.away, g.home);
        let id = g.nba_game_id.clone().unwrap_or_else(|| format!("{}", 1_000_000 + i));
        by_date.entry(g.date).or_default().push(json!({
            "gameId": id,
            "gameCode": code,
            "gameStatus": 1,
            "gameStatusText": g.tipoff.format("%-I:%M %p ET").to_string(),
            "gameDateEst": format!("{}T00:00:00Z", g.date),
            "gameDateTimeUTC": g.tipoff.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "arenaName": "",
            "gameLabel": "",
            "homeTeam": team_obj(&g.home),
            "awayTeam": team_obj(&g.away),
        }));
    }
    let dates: Vec<Value> = by_date
        .into_iter()
        .map(|(d, games)| json!({ "gameDate": d.date().format("%m/%d/%Y 00:00:00").to_string(), "games": games }))
        .collect();
    let body = json!({
        "meta": { "version": 1, "request": "scheduleLeagueV2", "time": "" },
        "leagueSchedule": { "seasonYear": season_label, "leagueId": "00", "gameDates": dates }
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// One book's line for a player: the line and the American over / under prices (None for pick'em sites).
#[derive(Debug, Clone, PartialEq)]
pub struct PropLine {
    pub bookmaker: String,
    pub player: String,
    pub line: f64,
    pub over: Option<f64>,
    pub under: Option<f64>,
}

/// The Odds API event odds response for `player_points` (American prices).
pub fn event_odds(
    event_id: &str,
    commence: DateTime<Utc>,
    home: &str,
    away: &str,
    snapshot: DateTime<Utc>,
    lines: &[PropLine],
) -> Vec<u8> {
    let mut books: Vec<(&str, Vec<Value>)> = Vec::new();
    for l in lines {
        let outcomes = match books.iter_mut().find(|(b, _)| *b == l.bookmaker) {
            Some((_, o)) => o,
            None => {
                books.push((&l.bookmaker, Vec::new()));
                &mut books.last_mut().expect("just pushed").1
            }
        };
        let side = |name: &str, price: Option<f64>| {
            let mut o = json!({ "name": name, "description": l.player, "point": l.line });
            if let Some(p) = price {
                o["price"] = json!(p);
            }
            o
        };
        outcomes.push(side("Over", l.over));
        if l.under.is_some() || l.over.is_some() {
            outcomes.push(side("Under", l.under));
        }
    }
    let ts = snapshot.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let bookmakers: Vec<Value> = books
        .into_iter()
        .map(|(key, outcomes)| {
            json!({ "key": key, "title": key, "last_update": ts,
                    "markets": [{ "key": "player_points", "last_update": ts, "outcomes": outcomes }] })
        })
        .collect();
    let body = json!({
        "id": event_id,
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": commence.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "home_team": team_name(home).unwrap_or_else(|| home.to_string()),
        "away_team": team_name(away).unwrap_or_else(|| away.to_string()),
        "bookmakers": bookmakers
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The landing path of an event-odds snapshot.
pub fn event_odds_path(date: SlateDate, event_id: &str, away: &str, home: &str, snapshot: DateTime<Utc>) -> String {
    format!(
        "odds-api/player-props/{date}/{event_id}-{away}{home}/{}-snap-{}.json",
        snapshot.format("%Y%m%d_%H%M%S"),
        snapshot.format("%H%M")
    )
}
