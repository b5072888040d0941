//! `nbac_team_boxscore`: NBA.com traditional box score of one game → `nba_raw.nbac_team_boxscore`.
//!
//! Input: `nba-com/team-boxscore/{date}/{game_id}/{ts}.json`, either the stats API `boxscoretraditionalv2`
//! response (`resultSets` `TeamStats` + `PlayerStats`) or its V3 successor (`boxScoreTraditional` with
//! `homeTeam` / `awayTeam`, used since 2025-26).
//!
//! Invariants:
//! - exactly two rows per game, one per team, both among the 30 NBA teams; the game date is the path's date,
//!   and a path naming another game than the file holds is `BadInput`;
//! - home/away: V3 says it; V2 does not, and NBA.com lists the visitor's players first in `PlayerStats` (checked
//!   against the scoreboard's `HOME_TEAM_ID` for 0022400561), so the team of the first player row is away;
//! - `game_id` is the standard `YYYYMMDD_AWAY_HOME`, `nba_game_id` NBA.com's id; the write replaces the game's
//!   slice of the date (`ReplaceSlice` on `game_id`), so a re-scrape supersedes and other games are untouched;
//! - a box score that is internally inconsistent (made > attempted, points ≠ 2·FG2 + 3·FG3 + FT, a team
//!   missing) is `BadInput`; a game with no stats yet (null points) writes nothing (`no_data_reason`).

use serde_json::{json, Value};

use super::common::{
    as_f64, as_i64, bad, cell, nba_team, opt, path_nba_game_id, raw_schema, raw_table, round, season_of_nba_game_id,
    stamp, text_of, Obj, RawFile, ResultSet,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_team_boxscore";
const HASH_FIELDS: [&str; 19] = [
    "game_id",
    "team_abbr",
    "is_home",
    "fg_made",
    "fg_attempted",
    "three_pt_made",
    "three_pt_attempted",
    "ft_made",
    "ft_attempted",
    "offensive_rebounds",
    "defensive_rebounds",
    "total_rebounds",
    "assists",
    "steals",
    "blocks",
    "turnovers",
    "personal_fouls",
    "points",
    "plus_minus",
];

/// (V2 header, V3 statistics key, column)
const STATS: [(&str, &str, &str); 16] = [
    ("FGM", "fieldGoalsMade", "fg_made"),
    ("FGA", "fieldGoalsAttempted", "fg_attempted"),
    ("FG3M", "threePointersMade", "three_pt_made"),
    ("FG3A", "threePointersAttempted", "three_pt_attempted"),
    ("FTM", "freeThrowsMade", "ft_made"),
    ("FTA", "freeThrowsAttempted", "ft_attempted"),
    ("OREB", "reboundsOffensive", "offensive_rebounds"),
    ("DREB", "reboundsDefensive", "defensive_rebounds"),
    ("REB", "reboundsTotal", "total_rebounds"),
    ("AST", "assists", "assists"),
    ("STL", "steals", "steals"),
    ("BLK", "blocks", "blocks"),
    ("TO", "turnovers", "turnovers"),
    ("PF", "foulsPersonal", "personal_fouls"),
    ("PTS", "points", "points"),
    ("PLUS_MINUS", "plusMinusPoints", "plus_minus"),
];

pub struct NbacTeamBoxscore;

pub fn schema() -> TableSchema {
    let s = raw_schema(TABLE, |s| {
        let mut s = s
            .required("game_id", T::String)
            .required("nba_game_id", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("team_id", T::Int64)
            .required("team_abbr", T::String)
            .col("team_name", T::String)
            .col("team_city", T::String)
            .required("is_home", T::Bool)
            .required("opponent_team_abbr", T::String)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .col("minutes", T::String);
        for (_, _, c) in STATS.iter() {
            s = if *c == "points" { s.required(c, T::Int64) } else { s.col(c, T::Int64) };
        }
        s.col("fg_percentage", T::Float64).col("three_pt_percentage", T::Float64).col("ft_percentage", T::Float64)
    });
    s.partitioned_by("game_date").keyed_by(&["game_date", "game_id", "team_abbr"])
}

/// One team's line, whichever format it came from.
struct Line {
    team_id: Option<i64>,
    abbr: &'static str,
    name: Option<String>,
    city: Option<String>,
    minutes: Option<String>,
    /// Values of `STATS` in order (`Null` when absent).
    stats: Vec<Value>,
}

/// The game's NBA id and its (away, home) lines; `None` when the game has no stats yet.
type Game = (String, Option<(Line, Line)>);

fn v2(file: &RawFile<'_>, v: &Value) -> Result<Game, ProcessorError> {
    let path = file.path;
    let ts = ResultSet::find(v, path, "TeamStats")?;
    let (gid, tid, abbr) = (ts.col("GAME_ID")?, ts.col("TEAM_ID")?, ts.col("TEAM_ABBREVIATION")?);
    let (name, city, min) = (ts.opt_col("TEAM_NAME"), ts.opt_col("TEAM_CITY"), ts.opt_col("MIN"));
    let idx: Vec<Option<usize>> = STATS.iter().map(|(h, ..)| ts.opt_col(h)).collect();
    ts.col("PTS")?;
    let nba_id = ts
        .rows
        .iter()
        .find_map(|r| text_of(cell(r, Some(gid))))
        .or_else(|| v.get("parameters").and_then(|p| p.get("GameID")).and_then(text_of))
        .ok_or_else(|| bad(path, "no GAME_ID"))?
        .to_string();
    if ts.rows.is_empty() {
        return Ok((nba_id, None));
    }
    if ts.rows.len() != 2 {
        return Err(bad(path, format!("TeamStats has {} rows, expected 2", ts.rows.len())));
    }
    let mut lines = Vec::new();
    for r in &ts.rows {
        let team_id = as_i64(cell(r, Some(tid)));
        let code = text_of(cell(r, Some(abbr)));
        let a = nba_team(code, team_id).ok_or_else(|| bad(path, format!("not an NBA team: {code:?} {team_id:?}")))?;
        lines.push(Line {
            team_id,
            abbr: a,
            name: text_of(cell(r, name)).map(str::to_string),
            city: text_of(cell(r, city)).map(str::to_string),
            minutes: text_of(cell(r, min)).map(str::to_string),
            stats: idx.iter().map(|i| cell(r, *i).clone()).collect(),
        });
    }
    // Index 14 of STATS is PTS.
    if lines.iter().any(|l| l.stats.get(14).is_none_or(Value::is_null)) {
        return Ok((nba_id, None));
    }
    // Home/away from the player rows: the visitor's players come first.
    let ps = ResultSet::find(v, path, "PlayerStats")?;
    let (ptid, pabbr) = (ps.opt_col("TEAM_ID"), ps.opt_col("TEAM_ABBREVIATION"));
    let first = ps
        .rows
        .first()
        .and_then(|r| nba_team(text_of(cell(r, pabbr)), as_i64(cell(r, ptid))))
        .ok_or_else(|| bad(path, "no player rows to tell home from away"))?;
    let away_pos = lines.iter().position(|l| l.abbr == first).ok_or_else(|| bad(path, "players of a third team"))?;
    let home = lines.remove(1 - away_pos);
    let away = lines.remove(0);
    Ok((nba_id, Some((away, home))))
}

fn v3(file: &RawFile<'_>, b: &Value) -> Result<Game, ProcessorError> {
    let path = file.path;
    let b = Obj::new(b, path, "boxScoreTraditional")?;
    let nba_id = b.str("gameId")?.trim().to_string();
    let line = |side: &str| -> Result<Option<Line>, ProcessorError> {
        let t = b.obj(side)?;
        let code = t.opt_str("teamTricode");
        let team_id = t.opt_i64("teamId");
        let abbr = nba_team(code, team_id).ok_or_else(|| bad(path, format!("{side}: not an NBA team {code:?}")))?;
        let Some(st) = t.get("statistics") else { return Ok(None) };
        let st = Obj::new(st, path, "statistics")?;
        if st.get("points").is_none() {
            return Ok(None);
        }
        Ok(Some(Line {
            team_id,
            abbr,
            name: t.opt_str("teamName").map(str::to_string),
            city: t.opt_str("teamCity").map(str::to_string),
            minutes: st.opt_str("minutes").map(str::to_string),
            stats: STATS.iter().map(|(_, k, _)| st.get(k).cloned().unwrap_or(Value::Null)).collect(),
        }))
    };
    match (line("awayTeam")?, line("homeTeam")?) {
        (Some(a), Some(h)) => Ok((nba_id, Some((a, h)))),
        _ => Ok((nba_id, None)),
    }
}

/// Parse a box score into the date and its two rows (empty when the game has no stats yet).
pub fn parse(file: &RawFile<'_>) -> Result<(SlateDate, String, Vec<Row>), ProcessorError> {
    let date = file.require_path_date()?;
    let v = file.json()?;
    let (nba_id, lines) = match v.get("boxScoreTraditional") {
        Some(b) => v3(file, b)?,
        None => v2(file, &v)?,
    };
    let season = season_of_nba_game_id(&nba_id).ok_or_else(|| bad(file.path, format!("bad game id {nba_id:?}")))?;
    if let Some(named) = path_nba_game_id(file.path).filter(|p| *p != nba_id) {
        return Err(bad(file.path, format!("the path names game {named}, the file holds {nba_id}")));
    }
    let Some((away, home)) = lines else { return Ok((date, String::new(), Vec::new())) };
    if away.abbr == home.abbr {
        return Err(bad(file.path, format!("both teams are {}", away.abbr)));
    }
    let game_id = standard_game_id(date, away.abbr, home.abbr);
    let mut rows = Vec::new();
    for (line, is_home, opp) in [(&away, false, home.abbr), (&home, true, away.abbr)] {
        let mut row = Row::new();
        row.insert("game_id".into(), json!(game_id));
        row.insert("nba_game_id".into(), json!(nba_id));
        row.insert("game_date".into(), json!(date.to_string()));
        row.insert("season_year".into(), json!(season));
        row.insert("team_id".into(), opt(line.team_id));
        row.insert("team_abbr".into(), json!(line.abbr));
        row.insert("team_name".into(), opt(line.name.clone()));
        row.insert("team_city".into(), opt(line.city.clone()));
        row.insert("is_home".into(), json!(is_home));
        row.insert("opponent_team_abbr".into(), json!(opp));
        row.insert("home_team_abbr".into(), json!(home.abbr));
        row.insert("away_team_abbr".into(), json!(away.abbr));
        row.insert("minutes".into(), opt(line.minutes.clone()));
        for ((_, _, col), v) in STATS.iter().zip(&line.stats) {
            let n = if v.is_null() {
                Value::Null
            } else {
                Value::from(as_i64(v).ok_or_else(|| bad(file.path, format!("{}: {col} is not an integer", line.abbr)))?)
            };
            row.insert((*col).into(), n);
        }
        check(file, line.abbr, &mut row)?;
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok((date, game_id, rows))
}

/// Box-score arithmetic, and the three percentages.
fn check(file: &RawFile<'_>, team: &str, row: &mut Row) -> Result<(), ProcessorError> {
    let n = |row: &Row, c: &str| row.get(c).and_then(as_f64);
    let err = |d: String| bad(file.path, format!("{team}: {d}"));
    for (m, a, pct) in [
        ("fg_made", "fg_attempted", "fg_percentage"),
        ("three_pt_made", "three_pt_attempted", "three_pt_percentage"),
        ("ft_made", "ft_attempted", "ft_percentage"),
    ] {
        let v = match (n(row, m), n(row, a)) {
            (Some(x), Some(y)) if x > y || x < 0.0 => return Err(err(format!("{m} {x} > {a} {y}"))),
            (Some(x), Some(y)) if y > 0.0 => json!(round(x / y, 3)),
            _ => Value::Null,
        };
        row.insert(pct.into(), v);
    }
    let pts = n(row, "points").ok_or_else(|| err("no points".into()))?;
    if let (Some(fg), Some(fg3), Some(ft)) = (n(row, "fg_made"), n(row, "three_pt_made"), n(row, "ft_made")) {
        let want = 2.0 * (fg - fg3) + 3.0 * fg3 + ft;
        if want != pts {
            return Err(err(format!("points {pts} but 2·FG2 + 3·FG3 + FT = {want}")));
        }
    }
    if !(0.0..=300.0).contains(&pts) {
        return Err(err(format!("points {pts} out of range")));
    }
    Ok(())
}

impl Processor for NbacTeamBoxscore {
    fn name(&self) -> &str {
        "nbac_team_boxscore"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (date, game_id, rows) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("the box score has no team stats yet".into());
            return Ok(out);
        }
        out.metadata.insert("game_id".into(), json!(game_id));
        let scope = vec![("game_id".to_string(), json!(game_id))];
        out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date, scope, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
