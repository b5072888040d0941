//! `big_data_ball_pbp`: BigDataBall enhanced play-by-play CSV → `nba_raw.bigdataball_play_by_play`.
//!
//! Input: `big-data-ball/{season}/{date}/game_{id}/{file}.csv`, one game per file, with a header row:
//! `game_id,data_set,date,a1..a5,h1..h5,period,away_score,home_score,remaining_time,elapsed,play_length,
//! play_id,team,event_type,assist,away,home,block,entered,left,num,opponent,outof,player,points,possession,
//! reason,result,steal,type,shot_distance,original_x,original_y,converted_x,converted_y,description`
//! (`a1..a5` / `h1..h5` are the five players on court for each side). Fields may be quoted (RFC 4180:
//! `"a, b"`, `""` for a quote, newlines inside quotes).
//!
//! Invariants:
//! - one row per event, `event_sequence` = position in the file (1-based), `csv_row_number` = its line;
//! - the file names no teams: home and away are the `team` of events whose `player` is in the `h*` / `a*`
//!   lineup (majority), else the `AWAY@HOME` part of the file name; `game_id` is the standard
//!   `YYYYMMDD_AWAY_HOME` from the CSV `date` (else the path date), `bdb_game_id` the CSV's own id;
//! - the write is one `ReplaceSlice` on `game_id` (the file is authoritative for its game only);
//! - players are `player_lookup`s of the names as written; `player_2`/`player_3` are the secondary players in
//!   the order assist, block, steal, entered (substitution), opponent (fouled), other jumper, each with
//!   its `role`; a player's team comes from the lineups (the event team for a player entering the game);
//! - a file not ending in a line break or with a ragged row (truncation), an unterminated quote, a missing column, a second game id or unknown teams
//!   fail the whole file; a header-only file is no data.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::common::{bad, canonical_lookup, non_blank, opt, raw_schema, raw_table, round, row_of, stamp, RawFile};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bigdataball_play_by_play";
const HASH_FIELDS: [&str; 14] = [
    "game_id",
    "event_sequence",
    "period",
    "game_clock",
    "event_type",
    "event_subtype",
    "score_home",
    "score_away",
    "player_1_name",
    "player_2_name",
    "player_3_name",
    "shot_made",
    "shot_type",
    "points_scored",
];
const REQUIRED: [&str; 20] = [
    "game_id",
    "a1",
    "a2",
    "a3",
    "a4",
    "a5",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "period",
    "away_score",
    "home_score",
    "remaining_time",
    "elapsed",
    "team",
    "event_type",
    "player",
    "type",
];
/// (CSV column, role) of the secondary players, in order of precedence.
const ROLES: [(&str, &str); 5] =
    [("assist", "assist"), ("block", "block"), ("steal", "steal"), ("entered", "entered"), ("opponent", "fouled")];

pub struct BigDataBallPbp;

pub fn schema() -> TableSchema {
    let mut s = raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("bdb_game_id", T::String)
            .col("data_set", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .col("event_id", T::Int64)
            .required("event_sequence", T::Int64)
            .required("csv_row_number", T::Int64)
            .required("period", T::Int64)
            .col("game_clock", T::String)
            .col("game_clock_seconds", T::Int64)
            .col("elapsed_seconds", T::Int64)
            .col("play_length_seconds", T::Int64)
            .col("event_type", T::String)
            .col("event_subtype", T::String)
            .col("event_team_abbr", T::String)
            .col("score_away", T::Int64)
            .col("score_home", T::Int64)
    });
    for n in 1..=3 {
        s = s.col(&format!("player_{n}_name"), T::String).col(&format!("player_{n}_lookup"), T::String);
        s = s.col(&format!("player_{n}_team_abbr"), T::String);
        if n > 1 {
            s = s.col(&format!("player_{n}_role"), T::String);
        }
    }
    s = s
        .col("possession_player_lookup", T::String)
        .col("shot_made", T::Bool)
        .col("shot_type", T::String)
        .col("shot_distance", T::Float64)
        .col("points_scored", T::Int64)
        .col("original_x", T::Float64)
        .col("original_y", T::Float64)
        .col("converted_x", T::Float64)
        .col("converted_y", T::Float64)
        .col("reason", T::String)
        .col("description", T::String);
    for side in ["away", "home"] {
        for n in 1..=5 {
            s = s.col(&format!("{side}_player_{n}_lookup"), T::String);
        }
    }
    s.partitioned_by("game_date").keyed_by(&["game_date", "game_id", "event_sequence"])
}

/// RFC 4180 records with the 1-based line each starts on. Blank lines between records are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut out = Vec::new();
    let (mut rec, mut field) = (Vec::new(), String::new());
    let (mut in_quotes, mut line, mut start, mut any) = (false, 1usize, 1usize, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                any = true;
            }
            ',' => {
                rec.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    rec.push(std::mem::take(&mut field));
                    out.push((start, std::mem::take(&mut rec)));
                }
                any = false;
                line += 1;
                start = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if in_quotes {
        return Err(format!("unterminated quoted field in the record of line {start}"));
    }
    if any || !field.is_empty() {
        rec.push(field);
        out.push((start, rec));
    }
    Ok(out)
}

/// `0:11:44` / `11:44` → seconds.
fn clock_seconds(s: &str) -> Option<i64> {
    // A game clock is at most hours:minutes:seconds of small numbers; anything else is not a clock.
    let secs = s.trim().split(':').try_fold(0i64, |acc, p| {
        let v = p.trim().parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..=3600.0).contains(v))?;
        acc.checked_mul(60)?.checked_add(v.floor() as i64)
    })?;
    (secs <= 6 * 3600).then_some(secs)
}

/// `0:11:44` → `11:44`.
fn clock_text(s: &str) -> Option<String> {
    let secs = clock_seconds(s)?;
    Some(format!("{}:{:02}", secs / 60, secs % 60))
}

fn period_start(period: i64) -> i64 {
    if period <= 4 {
        (period - 1) * 720
    } else {
        2880 + (period - 5) * 300
    }
}

/// A parsed game.
pub struct Game {
    pub date: SlateDate,
    pub game_id: String,
    pub rows: Vec<Row>,
}

/// Parse one game's CSV; `None` for a header-only file.
pub fn parse(file: &RawFile<'_>) -> Result<Option<Game>, ProcessorError> {
    let p = file.path;
    let text = file.text()?;
    if !text.ends_with('\n') {
        // Every export ends its last row with a line break; a file that stops mid-row was cut short.
        return Err(bad(p, "the file does not end with a line break (truncated?)"));
    }
    let records = parse_csv(&text).map_err(|e| bad(p, e))?;
    let ((_, header), body) = records.split_first().ok_or_else(|| bad(p, "no header row"))?;
    let idx: BTreeMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.trim(), i)).collect();
    if let Some(missing) = REQUIRED.iter().find(|c| !idx.contains_key(*c)) {
        return Err(bad(p, format!("no {missing} column: not a BigDataBall play-by-play file")));
    }
    for (line, rec) in body {
        if rec.len() != header.len() {
            return Err(bad(
                p,
                format!("line {line} has {} fields for {} columns (truncated?)", rec.len(), header.len()),
            ));
        }
    }
    let Some((_, first)) = body.first() else { return Ok(None) };
    let get = |rec: &'_ [String], col: &str| -> Option<String> {
        idx.get(col).and_then(|i| rec.get(*i)).and_then(|v| non_blank(Some(v.as_str()))).map(str::to_string)
    };
    let bdb_id = get(first, "game_id").ok_or_else(|| bad(p, "line 2 has no game_id"))?;
    if let Some((line, _)) = body.iter().find(|(_, r)| get(r, "game_id").as_deref() != Some(bdb_id.as_str())) {
        return Err(bad(p, format!("line {line}: a second game id in a one-game file")));
    }
    let date: SlateDate = match get(first, "date") {
        Some(d) => d.get(..10).unwrap_or(&d).parse().map_err(|_| bad(p, format!("bad date {d:?}")))?,
        None => file.require_path_date()?,
    };
    let lineup = |rec: &[String], side: char| -> Vec<String> {
        (1..=5).filter_map(|n| get(rec, &format!("{side}{n}"))).collect()
    };
    let (home, away) = teams(p, body, &get, &lineup)?;
    let game_id = standard_game_id(date, away, home);
    let mut rows = Vec::with_capacity(body.len());
    for (seq, (line, rec)) in body.iter().enumerate() {
        let g = |c: &str| get(rec, c);
        let num = |c: &str| -> Result<Option<f64>, ProcessorError> {
            g(c).map(|v| v.parse::<f64>().map_err(|_| bad(p, format!("line {line}: {c} {v:?} is not a number"))))
                .transpose()
        };
        let int = |c: &str| -> Result<Option<i64>, ProcessorError> { Ok(num(c)?.map(|x| x.round() as i64)) };
        let period = int("period")?
            .filter(|x| (1..=10).contains(x))
            .ok_or_else(|| bad(p, format!("line {line}: bad period")))?;
        let (h, a) = (lineup(rec, 'h'), lineup(rec, 'a'));
        let team_of = |name: &str| -> Option<&'static str> {
            if h.iter().any(|x| x == name) {
                Some(home)
            } else if a.iter().any(|x| x == name) {
                Some(away)
            } else {
                None
            }
        };
        let event_team = g("team").and_then(|t| team_abbr(&t));
        let event_type = g("event_type");
        let mut row = row_of(json!({
            "game_id": game_id,
            "bdb_game_id": bdb_id,
            "data_set": opt(g("data_set")),
            "game_date": date.to_string(),
            "season_year": date.season_year(),
            "home_team_abbr": home,
            "away_team_abbr": away,
            "event_id": opt(int("play_id")?),
            "event_sequence": seq + 1,
            "csv_row_number": line,
            "period": period,
            "game_clock": opt(g("remaining_time").and_then(|c| clock_text(&c))),
            "game_clock_seconds": opt(g("remaining_time").and_then(|c| clock_seconds(&c))),
            "elapsed_seconds": opt(g("elapsed").and_then(|c| clock_seconds(&c)).map(|e| period_start(period) + e)),
            "play_length_seconds": opt(g("play_length").and_then(|c| clock_seconds(&c))),
            "event_type": opt(event_type.clone()),
            "event_subtype": opt(g("type")),
            "event_team_abbr": opt(event_team),
            "score_away": opt(int("away_score")?),
            "score_home": opt(int("home_score")?),
            "possession_player_lookup": opt(g("possession").map(|n| canonical_lookup(&n))),
            "shot_distance": opt(num("shot_distance")?),
            "points_scored": opt(int("points")?),
            "original_x": opt(num("original_x")?),
            "original_y": opt(num("original_y")?),
            "converted_x": opt(num("converted_x")?.map(|x| round(x, 2))),
            "converted_y": opt(num("converted_y")?.map(|x| round(x, 2))),
            "reason": opt(g("reason")),
            "description": opt(g("description")),
        }));
        // Primary and secondary players.
        let p1 = g("player");
        let mut others: Vec<(String, &str)> = ROLES.iter().filter_map(|(c, role)| g(c).map(|n| (n, *role))).collect();
        if event_type.as_deref() == Some("jump ball") {
            let other = [g("home"), g("away")].into_iter().flatten().find(|n| Some(n) != p1.as_ref());
            others.extend(other.map(|n| (n, "jump_ball")));
        }
        let p1_team = p1.as_deref().map(|n| team_of(n).or(event_team)).unwrap_or_default();
        set_player(&mut row, 1, p1.as_deref(), p1_team, None);
        for n in 0..2 {
            let o = others.get(n);
            let name = o.map(|(n, _)| n.as_str());
            let team = name.and_then(team_of).or(if o.map(|x| x.1) == Some("entered") { event_team } else { None });
            set_player(&mut row, n + 2, name, team, o.map(|x| x.1));
        }
        let result = g("result");
        let is_shot = matches!(event_type.as_deref(), Some("shot") | Some("free throw"));
        let subtype = g("type").unwrap_or_default();
        let shot_type = match event_type.as_deref() {
            Some("free throw") => Some("FT"),
            Some("shot") if subtype.contains("3pt") => Some("3PT"),
            Some("shot") => Some("2PT"),
            _ => None,
        };
        row.insert("shot_made".into(), opt(result.filter(|_| is_shot).map(|r| r == "made")));
        row.insert("shot_type".into(), opt(shot_type));
        for (side, list) in [("away", &a), ("home", &h)] {
            for n in 0..5 {
                row.insert(format!("{side}_player_{}_lookup", n + 1), opt(list.get(n).map(|x| canonical_lookup(x))));
            }
        }
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok(Some(Game { date, game_id, rows }))
}

fn set_player(row: &mut Row, n: usize, name: Option<&str>, team: Option<&str>, role: Option<&str>) {
    row.insert(format!("player_{n}_name"), opt(name));
    row.insert(format!("player_{n}_lookup"), opt(name.map(canonical_lookup)));
    row.insert(format!("player_{n}_team_abbr"), opt(team));
    if n > 1 {
        row.insert(format!("player_{n}_role"), opt(role));
    }
}

type Getter<'a> = dyn Fn(&[String], &str) -> Option<String> + 'a;
type Lineup<'a> = dyn Fn(&[String], char) -> Vec<String> + 'a;

/// (home, away) by majority of the event teams of on-court players, else `AWAY@HOME` in the file name.
fn teams(
    p: &str,
    body: &[(usize, Vec<String>)],
    get: &Getter<'_>,
    lineup: &Lineup<'_>,
) -> Result<(&'static str, &'static str), ProcessorError> {
    let mut votes: [BTreeMap<&'static str, usize>; 2] = [BTreeMap::new(), BTreeMap::new()];
    for (_, rec) in body {
        let (Some(player), Some(team)) = (get(rec, "player"), get(rec, "team").and_then(|t| team_abbr(&t))) else {
            continue;
        };
        for (i, side) in ['h', 'a'].into_iter().enumerate() {
            if lineup(rec, side).contains(&player) {
                *votes[i].entry(team).or_default() += 1;
            }
        }
    }
    let top = |m: &BTreeMap<&'static str, usize>| m.iter().max_by_key(|(_, n)| **n).map(|(t, _)| *t);
    let from_name = || -> Option<(&'static str, &'static str)> {
        let name = p.rsplit('/').next()?;
        let (l, r) = name.split_once('@')?;
        let away = team_abbr(l.rsplit(|c: char| !c.is_ascii_alphabetic()).next()?)?;
        let home = team_abbr(r.split(|c: char| !c.is_ascii_alphabetic()).next()?)?;
        Some((home, away))
    };
    match (top(&votes[0]), top(&votes[1])) {
        (Some(h), Some(a)) if h != a => Ok((h, a)),
        _ => from_name().ok_or_else(|| bad(p, "cannot tell the home and away teams from the events or the file name")),
    }
}

impl Processor for BigDataBallPbp {
    fn name(&self) -> &str {
        "big_data_ball_pbp"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let mut out = ProcessorOutput::default();
        let Some(game) = parse(&file)? else {
            out.no_data_reason = Some("the play-by-play file has a header and no events".into());
            return Ok(out);
        };
        let last = game.rows.last();
        let score = |k: &str| last.and_then(|r| r.get(k)).cloned().unwrap_or(Value::Null);
        out.metadata.insert("game_id".into(), json!(game.game_id));
        out.metadata.insert("events".into(), json!(game.rows.len()));
        out.metadata.insert("final_score".into(), json!({"away": score("score_away"), "home": score("score_home")}));
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
