//! `bdl_boxscores`: balldontlie `box_scores?date=` → `nba_raw.bdl_player_boxscores`.
//!
//! Input: `ball-dont-lie/boxscores/{date}/{ts}.json`, `{"data": [game, ...]}` where a game carries `date`,
//! `season`, `status`, `postseason`, both scores and `home_team` / `visitor_team`, each with its `players`
//! (`{"min": "37", "pts": 25, ..., "player": {"id", "first_name", "last_name", ...}}`). Older responses have
//! no game `id`; `bdl_game_id` is then null.
//!
//! Invariants:
//! - one row per (game, team, player); `game_id` is the standard `YYYYMMDD_AWAY_HOME` from the game's own
//!   `date` (the path date when absent) and the two canonical tricodes;
//! - writes are one `ReplaceSlice` per game on `game_id`: the file is authoritative for every game it
//!   contains, but not for games it lacks (a live or partial response of the same date must not delete the
//!   final box scores of games it does not list), so a file never wipes a whole date;
//! - a player listed twice in one game keeps the first entry (counted in `metadata.duplicates`);
//! - `{"data": []}` (no games that date) is no data, not an error; a missing field, an unknown team or a
//!   malformed player fails the whole file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, canonical_lookup, non_blank, opt, parse_minutes, raw_schema, raw_table, round, row_of, stamp, Obj,
    RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bdl_player_boxscores";
const HASH_FIELDS: [&str; 7] =
    ["game_id", "player_lookup", "points", "rebounds", "assists", "field_goals_made", "field_goals_attempted"];

/// (balldontlie field, column) of the integer box stats.
const STATS: [(&str, &str); 15] = [
    ("ast", "assists"),
    ("reb", "rebounds"),
    ("oreb", "offensive_rebounds"),
    ("dreb", "defensive_rebounds"),
    ("stl", "steals"),
    ("blk", "blocks"),
    ("turnover", "turnovers"),
    ("pf", "personal_fouls"),
    ("fgm", "field_goals_made"),
    ("fga", "field_goals_attempted"),
    ("fg3m", "three_pointers_made"),
    ("fg3a", "three_pointers_attempted"),
    ("ftm", "free_throws_made"),
    ("fta", "free_throws_attempted"),
    ("plus_minus", "plus_minus"),
];

pub struct BdlBoxscores;

pub fn schema() -> TableSchema {
    let s = raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .col("bdl_game_id", T::Int64)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("game_status", T::String)
            .col("period", T::Int64)
            .required("is_postseason", T::Bool)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .col("home_team_score", T::Int64)
            .col("away_team_score", T::Int64)
            .required("team_abbr", T::String)
            .required("opponent_team_abbr", T::String)
            .required("is_home", T::Bool)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .col("bdl_player_id", T::Int64)
            .col("position", T::String)
            .col("jersey_number", T::String)
            .col("minutes", T::String)
            .col("minutes_decimal", T::Float64)
            .required("points", T::Int64)
    });
    let s = STATS.iter().fold(s, |s, (_, c)| s.col(c, T::Int64));
    s.col("field_goal_pct", T::Float64)
        .col("three_point_pct", T::Float64)
        .col("free_throw_pct", T::Float64)
        .partitioned_by("game_date")
        .keyed_by(&["game_date", "game_id", "team_abbr", "player_lookup"])
}

/// One game's rows.
pub struct Game {
    pub date: SlateDate,
    pub game_id: String,
    pub rows: Vec<Row>,
}

/// Parse a box-scores response; `duplicates` counts dropped repeated players.
pub fn parse(file: &RawFile<'_>) -> Result<(Vec<Game>, usize), ProcessorError> {
    let v = file.json()?;
    let top = Obj::new(&v, file.path, "response")?;
    let data = top.arr("data")?;
    let mut games = Vec::new();
    let mut dups = 0;
    for (i, g) in data.iter().enumerate() {
        let (game, d) = parse_game(file, g).map_err(|e| match e {
            ProcessorError::BadInput { what, detail } => {
                ProcessorError::BadInput { what, detail: format!("game {i}: {detail}") }
            }
            other => other,
        })?;
        dups += d;
        games.push(game);
    }
    Ok((games, dups))
}

fn parse_game(file: &RawFile<'_>, g: &Value) -> Result<(Game, usize), ProcessorError> {
    let p = file.path;
    let game = Obj::new(g, p, "game")?;
    let date: SlateDate = match game.opt_str("date") {
        Some(d) => d.get(..10).unwrap_or(d).parse().map_err(|_| bad(p, format!("bad game date {d:?}")))?,
        None => file.require_path_date()?,
    };
    let home_t = game.obj("home_team")?;
    let away_t = game.obj("visitor_team")?;
    let tri = |t: &Obj<'_>| -> Result<&'static str, ProcessorError> {
        let a = t.str("abbreviation")?;
        team_abbr(a).ok_or_else(|| bad(p, format!("unknown team {a:?}")))
    };
    let (home, away) = (tri(&home_t)?, tri(&away_t)?);
    if home == away {
        return Err(bad(p, format!("{home} plays itself")));
    }
    let game_id = standard_game_id(date, away, home);
    let season = game.opt_i64("season").unwrap_or_else(|| i64::from(date.season_year()));
    let common = row_of(json!({
        "game_id": game_id,
        "bdl_game_id": opt(game.opt_i64("id")),
        "game_date": date.to_string(),
        "season_year": season,
        "game_status": opt(game.opt_str("status")),
        "period": opt(game.opt_i64("period")),
        "is_postseason": game.get("postseason").and_then(Value::as_bool).unwrap_or(false),
        "home_team_abbr": home,
        "away_team_abbr": away,
        "home_team_score": opt(game.opt_i64("home_team_score")),
        "away_team_score": opt(game.opt_i64("visitor_team_score")),
    }));
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    let mut dups = 0;
    for (team_obj, team, opp, is_home) in [(&home_t, home, away, true), (&away_t, away, home, false)] {
        for (j, pl) in team_obj.arr("players")?.iter().enumerate() {
            let mut row = common.clone();
            parse_player(file, pl, &mut row).map_err(|d| bad(p, format!("{team} player {j}: {d}")))?;
            let lookup = row.get("player_lookup").and_then(Value::as_str).unwrap_or_default().to_string();
            if !seen.insert((team, lookup)) {
                dups += 1;
                continue;
            }
            row.insert("team_abbr".into(), json!(team));
            row.insert("opponent_team_abbr".into(), json!(opp));
            row.insert("is_home".into(), json!(is_home));
            stamp(&mut row, file, &HASH_FIELDS);
            rows.push(row);
        }
    }
    Ok((Game { date, game_id, rows }, dups))
}

fn parse_player(file: &RawFile<'_>, pl: &Value, row: &mut Row) -> Result<(), String> {
    let stat = Obj::new(pl, file.path, "player").map_err(|e| e.to_string())?;
    let who = stat.obj("player").map_err(|e| e.to_string())?;
    let first = non_blank(who.opt_str("first_name")).unwrap_or("");
    let last = non_blank(who.opt_str("last_name")).unwrap_or("");
    let name = format!("{first} {last}").trim().to_string();
    let lookup = canonical_lookup(&name);
    if lookup.is_empty() {
        return Err(format!("player name {name:?} has no letters"));
    }
    let points = stat.opt_i64("pts").ok_or("pts is not an integer")?;
    if !(0..=150).contains(&points) {
        return Err(format!("pts {points} out of range"));
    }
    row.insert("player_full_name".into(), json!(name));
    row.insert("player_lookup".into(), json!(lookup));
    row.insert("bdl_player_id".into(), opt(who.opt_i64("id")));
    row.insert("position".into(), opt(non_blank(who.opt_str("position"))));
    row.insert("jersey_number".into(), opt(non_blank(who.opt_str("jersey_number"))));
    let min = stat.get("min");
    row.insert("minutes".into(), opt(min.and_then(|m| m.as_str().map(str::to_string).or_else(|| Some(m.to_string())))));
    row.insert("minutes_decimal".into(), opt(min.and_then(parse_minutes).map(|m| round(m, 2))));
    row.insert("points".into(), json!(points));
    for (field, col) in STATS {
        let v = match stat.get(field) {
            None => Value::Null,
            Some(x) => Value::from(as_i64(x).ok_or_else(|| format!("{field} is not an integer"))?),
        };
        row.insert(col.into(), v);
    }
    for (field, col) in [("fg_pct", "field_goal_pct"), ("fg3_pct", "three_point_pct"), ("ft_pct", "free_throw_pct")] {
        row.insert(col.into(), opt(stat.opt_f64(field).map(|x| round(x, 3))));
    }
    Ok(())
}

/// Per-game `ReplaceSlice` writes (shared with the tests' warehouse round-trip).
pub fn writes(games: Vec<Game>) -> Vec<TableWrite> {
    games
        .into_iter()
        .map(|g| TableWrite::ReplaceSlice {
            table: raw_table(TABLE),
            date: g.date,
            scope: vec![("game_id".into(), json!(g.game_id))],
            rows: g.rows,
        })
        .collect()
}

impl Processor for BdlBoxscores {
    fn name(&self) -> &str {
        "bdl_boxscores"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (games, dups) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some("the box-scores response lists no games".into());
            return Ok(out);
        }
        let dates: BTreeMap<String, usize> = games.iter().fold(BTreeMap::new(), |mut m, g| {
            *m.entry(g.date.to_string()).or_default() += 1;
            m
        });
        out.metadata.insert("games".into(), json!(games.len()));
        out.metadata.insert("games_by_date".into(), json!(dates));
        out.metadata.insert("duplicates".into(), json!(dups));
        out.writes = writes(games);
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
