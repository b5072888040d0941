//! `espn_boxscore`: ESPN game box-score page → `nba_raw.espn_boxscores`.
//!
//! Input: `espn/boxscores/{date}/game_{id}/{ts}.json` holding the page `espn.com/nba/boxscore/_/gameId/{id}`
//! as captured (HTML, often gzip). The page embeds its state as `window['__espnfitt__']={...};`; the
//! processor extracts that JSON by string search and reads `page.content.gamepackage`: `gmStrp` (game id,
//! UTC tip-off, status, both teams with `isHome` and `score`) and `bxscr` (per team: `tm` and `stats`
//! groups `starters` / `bench` / `totals`, each athlete with `stats` strings in the group's `keys` order).
//!
//! Invariants:
//! - one row per (game, team, player), DNP players included with null stats and their `dnp_reason`;
//! - `game_date` is the path date (the NBA's ET date), else the ET date of the UTC tip-off (`2025-06-09T00:00Z`
//!   is the 8 June game); `game_id` is the standard `YYYYMMDD_AWAY_HOME`, `espn_game_id` ESPN's id;
//! - the write is one `ReplaceSlice` on `game_id`: a page is authoritative for its one game only; a
//!   `game_{id}` path segment naming another ESPN game is a mislabelled file (bad input);
//! - a page without the embedded state, without both teams or with malformed stat cells fails the whole
//!   file; a page whose box score is not published yet (no `bxscr` players) is no data.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, canonical_lookup, eastern_date, embedded_json, non_blank, opt, parse_minutes, raw_schema, raw_table,
    round, row_of, stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "espn_boxscores";
pub const MARKER: &str = "window['__espnfitt__']=";
const HASH_FIELDS: [&str; 7] =
    ["game_id", "player_lookup", "points", "rebounds", "assists", "field_goals_made", "field_goals_attempted"];
/// (ESPN key, column) of single-integer cells.
const SINGLE: [(&str, &str); 10] = [
    ("offensiveRebounds", "offensive_rebounds"),
    ("defensiveRebounds", "defensive_rebounds"),
    ("rebounds", "rebounds"),
    ("assists", "assists"),
    ("steals", "steals"),
    ("blocks", "blocks"),
    ("turnovers", "turnovers"),
    ("fouls", "personal_fouls"),
    ("plusMinus", "plus_minus"),
    ("points", "points"),
];
/// (ESPN key, made column, attempted column) of `made-attempted` cells.
const PAIRS: [(&str, &str, &str); 3] = [
    ("fieldGoalsMade-fieldGoalsAttempted", "field_goals_made", "field_goals_attempted"),
    ("threePointFieldGoalsMade-threePointFieldGoalsAttempted", "three_pointers_made", "three_pointers_attempted"),
    ("freeThrowsMade-freeThrowsAttempted", "free_throws_made", "free_throws_attempted"),
];

pub struct EspnBoxscore;

pub fn schema() -> TableSchema {
    let s = raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("espn_game_id", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("season_type", T::Int64)
            .col("game_status", T::String)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .col("home_team_score", T::Int64)
            .col("away_team_score", T::Int64)
            .required("team_abbr", T::String)
            .required("opponent_team_abbr", T::String)
            .required("is_home", T::Bool)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .required("espn_player_id", T::String)
            .col("jersey_number", T::String)
            .required("starter", T::Bool)
            .required("did_not_play", T::Bool)
            .col("dnp_reason", T::String)
            .col("minutes", T::Float64)
    });
    let s = PAIRS.iter().fold(s, |s, (_, m, a)| s.col(m, T::Int64).col(a, T::Int64));
    SINGLE.iter().fold(s, |s, (_, c)| s.col(c, T::Int64)).partitioned_by("game_date").keyed_by(&[
        "game_date",
        "game_id",
        "team_abbr",
        "player_lookup",
    ])
}

/// One game's rows.
pub struct Game {
    pub date: SlateDate,
    pub game_id: String,
    pub espn_game_id: String,
    pub rows: Vec<Row>,
}

/// Parse a box-score page; `None` when the page has no player lines yet.
pub fn parse(file: &RawFile<'_>) -> Result<Option<Game>, ProcessorError> {
    let p = file.path;
    let text = file.text()?;
    let state = embedded_json(&text, MARKER).ok_or_else(|| bad(p, "no embedded __espnfitt__ JSON in the page"))?;
    let gp = state
        .pointer("/page/content/gamepackage")
        .ok_or_else(|| bad(p, "the embedded state has no page.content.gamepackage"))?;
    let gp = Obj::new(gp, p, "gamepackage")?;
    let strip = gp.obj("gmStrp")?;
    let espn_id =
        strip.opt_str("gid").map(str::to_string).or_else(|| path_game_id(p)).ok_or_else(|| bad(p, "no game id"))?;
    if path_game_id(p).is_some_and(|g| g != espn_id) {
        return Err(bad(p, format!("the page is game {espn_id}, the path names another game")));
    }
    let date = match file.path_date() {
        Some(d) => d,
        None => strip.opt_str("dt").and_then(eastern_date).ok_or_else(|| bad(p, "no game date"))?,
    };
    let (mut home, mut away) = (None, None);
    for t in strip.arr("tms")? {
        let t = Obj::new(t, p, "team")?;
        let raw = t.str("abbrev")?;
        let abbr = team_abbr(raw).ok_or_else(|| bad(p, format!("unknown team {raw:?}")))?;
        let slot = if t.get("isHome").and_then(Value::as_bool).unwrap_or(false) { &mut home } else { &mut away };
        *slot = Some((abbr, t.opt_i64("score")));
    }
    let ((home, home_score), (away, away_score)) = match (home, away) {
        (Some(h), Some(a)) if h.0 != a.0 => (h, a),
        _ => return Err(bad(p, "the game strip does not name a home and an away team")),
    };
    let game_id = standard_game_id(date, away, home);
    let status = strip.get("status").and_then(|s| s.get("det")).and_then(Value::as_str);
    let common = row_of(json!({
        "game_id": game_id,
        "espn_game_id": espn_id,
        "game_date": date.to_string(),
        "season_year": date.season_year(),
        "season_type": opt(strip.opt_i64("seasonType")),
        "game_status": opt(status),
        "home_team_abbr": home,
        "away_team_abbr": away,
        "home_team_score": opt(home_score),
        "away_team_score": opt(away_score),
    }));
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for team in gp.get("bxscr").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        let team = Obj::new(team, p, "bxscr")?;
        let raw = team.obj("tm")?.str("abbrev")?;
        let abbr = team_abbr(raw).ok_or_else(|| bad(p, format!("unknown box-score team {raw:?}")))?;
        let (is_home, opp) = match abbr {
            a if a == home => (true, away),
            a if a == away => (false, home),
            other => return Err(bad(p, format!("box-score team {other} is not in the game"))),
        };
        for group in team.arr("stats")? {
            let group = Obj::new(group, p, "stats group")?;
            let Some(athletes) = group.get("athlts").and_then(Value::as_array) else { continue };
            let keys: Vec<&str> = group.arr("keys")?.iter().map(|k| k.as_str().unwrap_or("")).collect();
            let starter = group.opt_str("type") == Some("starters");
            for (i, a) in athletes.iter().enumerate() {
                let mut row = common.clone();
                parse_athlete(a, &keys, &mut row).map_err(|d| bad(p, format!("{abbr} athlete {i}: {d}")))?;
                let lookup = row.get("player_lookup").and_then(Value::as_str).unwrap_or_default().to_string();
                if !seen.insert((abbr, lookup)) {
                    continue;
                }
                row.insert("team_abbr".into(), json!(abbr));
                row.insert("opponent_team_abbr".into(), json!(opp));
                row.insert("is_home".into(), json!(is_home));
                row.insert("starter".into(), json!(starter));
                stamp(&mut row, file, &HASH_FIELDS);
                rows.push(row);
            }
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(Game { date, game_id, espn_game_id: espn_id, rows }))
}

/// `game_401585183` in the path.
fn path_game_id(path: &str) -> Option<String> {
    path.split('/')
        .find_map(|s| s.strip_prefix("game_"))
        .filter(|s| s.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

fn parse_athlete(a: &Value, keys: &[&str], row: &mut Row) -> Result<(), String> {
    let who = a.get("athlt").ok_or("no athlt")?;
    let name = non_blank(who.get("dspNm").and_then(Value::as_str)).ok_or("no dspNm")?;
    let lookup = canonical_lookup(name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    let id = who.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| as_i64(v).map(|n| n.to_string())));
    row.insert("player_full_name".into(), json!(name));
    row.insert("player_lookup".into(), json!(lookup));
    row.insert("espn_player_id".into(), json!(id.ok_or("no athlete id")?));
    row.insert("jersey_number".into(), opt(non_blank(who.get("jersey").and_then(Value::as_str))));
    let stats: Vec<&str> = a
        .get("stats")
        .and_then(Value::as_array)
        .map_or(Vec::new(), |s| s.iter().map(|c| c.as_str().unwrap_or("")).collect());
    let dnp = stats.is_empty();
    row.insert("did_not_play".into(), json!(dnp));
    row.insert("dnp_reason".into(), opt(non_blank(a.get("dnpRsn").and_then(Value::as_str))));
    if !dnp && stats.len() != keys.len() {
        return Err(format!("{} stat cells for {} keys", stats.len(), keys.len()));
    }
    let cell = |key: &str| keys.iter().position(|k| *k == key).and_then(|i| stats.get(i)).map(|s| s.trim());
    row.insert("minutes".into(), opt(cell("minutes").and_then(|m| parse_minutes(&json!(m))).map(|m| round(m, 2))));
    for (key, made, att) in PAIRS {
        let pair = match cell(key) {
            None | Some("") | Some("--") => None,
            Some(c) => {
                let (m, at) = c.split_once('-').ok_or_else(|| format!("{key} {c:?} is not made-attempted"))?;
                Some((
                    m.parse::<i64>().map_err(|_| format!("{key} {c:?}"))?,
                    at.parse::<i64>().map_err(|_| format!("{key} {c:?}"))?,
                ))
            }
        };
        row.insert(made.into(), opt(pair.map(|x| x.0)));
        row.insert(att.into(), opt(pair.map(|x| x.1)));
    }
    for (key, col) in SINGLE {
        let v = match cell(key) {
            None | Some("") | Some("--") => None,
            Some(c) => {
                Some(c.trim_start_matches('+').parse::<i64>().map_err(|_| format!("{key} {c:?} is not an integer"))?)
            }
        };
        row.insert(col.into(), opt(v));
    }
    if !dnp && row.get("points").is_none_or(Value::is_null) {
        return Err("no points cell".into());
    }
    Ok(())
}

impl Processor for EspnBoxscore {
    fn name(&self) -> &str {
        "espn_boxscore"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let mut out = ProcessorOutput::default();
        let Some(game) = parse(&file)? else {
            out.no_data_reason = Some("the box-score page has no player lines yet".into());
            return Ok(out);
        };
        out.metadata.insert("espn_game_id".into(), json!(game.espn_game_id));
        out.metadata.insert("players".into(), json!(game.rows.len()));
        out.writes.push(TableWrite::ReplaceSlice {
            table: raw_table(TABLE),
            date: game.date,
            scope: vec![("game_id".into(), json!(game.game_id))],
            rows: game.rows,
        });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
