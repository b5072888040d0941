//! `nbac_play_by_play`: NBA.com live-data play-by-play of one game → `nba_raw.nbac_play_by_play`.
//!
//! Input: `nba-com/play-by-play/{date}/game_{id}/{ts}.json`, `{"meta", "game": {"gameId", "actions": [...]}}`
//! (the original scraper's wrapper `{"metadata", "playByPlay": {...}}` is read too).
//!
//! Invariants:
//! - one row per action, keyed by `event_id` (`actionNumber`); the game date is the path's date, and a path
//!   naming another game (`game_{id}`) than the file holds is `BadInput`;
//! - the feed does not say which team is home. It is read from the score: the team whose made shots raise
//!   `scoreHome` is home (every made shot votes; both teams leaning to one side is `BadInput`). Until the
//!   first basket nothing is written (`no_data_reason`): the standard `game_id` (`YYYYMMDD_AWAY_HOME`) cannot
//!   be built yet. (The original assigned home/away arbitrarily.)
//! - a game whose teams are not two NBA teams (All-Star) writes nothing (`no_data_reason`);
//! - the write replaces the game's slice of the date (`ReplaceSlice` on `game_id`): a later, longer capture of
//!   the same game supersedes the earlier one and other games of the date are untouched;
//! - players: `player_N_id` is NBA.com's person id (the reliable join key); the feed only carries abbreviated
//!   names (`J. Brunson`), so `player_N_name` is that and `player_N_lookup` its `player_lookup`. Player 2 is
//!   the assist, fouled, stealing or jump-ball-winning player, player 3 the blocker or jump-ball loser
//!   (`player_2_role` / `player_3_role`); their teams come from the team of their own actions;
//! - shots: `shot_made` for field goals and free throws, `shot_type` `2PT`/`3PT` (`FT` for free throws),
//!   `shot_x`/`shot_y` NBA.com's court coordinates, `points_scored` of a made shot;
//! - clock: `game_clock_seconds` left in the period, `time_elapsed_seconds` since tip (12-min quarters,
//!   5-min overtimes);
//! - an action without `actionNumber`, `period` or `actionType`, a duplicate action number or a third team is
//!   `BadInput` for the whole file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, nba_team, opt, parse_minutes, path_nba_game_id, raw_schema, raw_table, round, season_of_nba_game_id,
    stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{player_lookup, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_play_by_play";
const HASH_FIELDS: [&str; 8] =
    ["game_id", "event_id", "period", "game_clock", "event_type", "event_description", "score_home", "score_away"];

pub struct NbacPlayByPlay;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        let mut s = s
            .required("game_id", T::String)
            .required("nba_game_id", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .required("event_id", T::Int64)
            .col("event_sequence", T::Int64)
            .required("period", T::Int64)
            .col("period_type", T::String)
            .col("game_clock", T::String)
            .col("game_clock_seconds", T::Float64)
            .col("time_elapsed_seconds", T::Float64)
            .required("event_type", T::String)
            .col("event_action_type", T::String)
            .col("event_descriptor", T::String)
            .col("event_description", T::String)
            .col("team_abbr", T::String)
            .col("score_home", T::Int64)
            .col("score_away", T::Int64);
        for n in 1..=3 {
            s = s
                .col(&format!("player_{n}_id"), T::Int64)
                .col(&format!("player_{n}_name"), T::String)
                .col(&format!("player_{n}_lookup"), T::String)
                .col(&format!("player_{n}_team_abbr"), T::String);
            if n > 1 {
                s = s.col(&format!("player_{n}_role"), T::String);
            }
        }
        s.col("shot_made", T::Bool)
            .col("shot_type", T::String)
            .col("shot_x", T::Float64)
            .col("shot_y", T::Float64)
            .col("shot_distance", T::Float64)
            .col("shot_area", T::String)
            .col("points_scored", T::Int64)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id", "event_id"])
    })
}

/// What a play-by-play file holds.
#[derive(Debug)]
pub enum Parsed {
    Rows { date: SlateDate, game_id: String, rows: Vec<Row> },
    Nothing(String),
}

/// Players of the other roles: (id field, name field, role, slot).
const OTHERS: [(&str, &str, &str, u8); 6] = [
    ("assistPersonId", "assistPlayerNameInitial", "assist", 2),
    ("foulDrawnPersonId", "foulDrawnPlayerName", "foul_drawn", 2),
    ("stealPersonId", "stealPlayerName", "steal", 2),
    ("jumpBallWonPersonId", "jumpBallWonPlayerName", "jumpball_won", 2),
    ("blockPersonId", "blockPlayerName", "block", 3),
    ("jumpBallLostPersonId", "jumpBallLostPlayerName", "jumpball_lost", 3),
];

pub fn parse(file: &RawFile<'_>) -> Result<Parsed, ProcessorError> {
    let path = file.path;
    let date = file.require_path_date()?;
    let root = file.json()?;
    let body = root.get("playByPlay").unwrap_or(&root);
    let game = Obj::new(body, path, "playByPlay")?.obj("game")?;
    let nba_id = game.str("gameId")?.trim().to_string();
    let season = season_of_nba_game_id(&nba_id).ok_or_else(|| bad(path, format!("bad gameId {nba_id:?}")))?;
    if let Some(named) = path_nba_game_id(path).filter(|p| *p != nba_id) {
        return Err(bad(path, format!("the path names game {named}, the file holds {nba_id}")));
    }
    let mut actions = Vec::new();
    for (i, a) in game.arr("actions")?.iter().enumerate() {
        let a = Obj::new(a, path, "action")?;
        let num = a.i64("actionNumber").map_err(|e| bad(path, format!("action {i}: {e}")))?;
        let period = a.i64("period").map_err(|e| bad(path, format!("action {i}: {e}")))?;
        a.str("actionType").map_err(|e| bad(path, format!("action {i}: {e}")))?;
        if period < 1 {
            return Err(bad(path, format!("action {num}: period {period}")));
        }
        actions.push((num, a));
    }
    let mut nums = BTreeSet::new();
    if let Some((n, _)) = actions.iter().find(|(n, _)| !nums.insert(*n)) {
        return Err(bad(path, format!("duplicate actionNumber {n}")));
    }
    // Teams, and who plays for whom.
    let mut teams: BTreeSet<Option<&'static str>> = BTreeSet::new();
    let mut team_of: BTreeMap<i64, &'static str> = BTreeMap::new();
    let mut name_of: BTreeMap<i64, &str> = BTreeMap::new();
    for (_, a) in &actions {
        if a.opt_str("teamTricode").is_none() && a.opt_i64("teamId").is_none_or(|t| t == 0) {
            continue;
        }
        let t = nba_team(a.opt_str("teamTricode"), a.opt_i64("teamId"));
        teams.insert(t);
        if let (Some(t), Some(p)) = (t, a.opt_i64("personId").filter(|p| *p > 0)) {
            team_of.entry(p).or_insert(t);
            if let Some(n) = a.opt_str("playerNameI") {
                name_of.entry(p).or_insert(n);
            }
        }
    }
    if teams.contains(&None) {
        return Ok(Parsed::Nothing("not an NBA game (a team is not an NBA team)".into()));
    }
    let teams: Vec<&'static str> = teams.into_iter().flatten().collect();
    if teams.len() > 2 {
        return Err(bad(path, format!("actions of {} teams: {teams:?}", teams.len())));
    }
    let Some((home, away)) = home_away(&actions, &teams).map_err(|d| bad(path, d))? else {
        return Ok(Parsed::Nothing("no basket yet: the home team is unknown".into()));
    };
    let game_id = standard_game_id(date, away, home);
    let mut rows = Vec::with_capacity(actions.len());
    for (num, a) in &actions {
        let mut row = Row::new();
        row.insert("game_id".into(), json!(game_id));
        row.insert("nba_game_id".into(), json!(nba_id));
        row.insert("game_date".into(), json!(date.to_string()));
        row.insert("season_year".into(), json!(season));
        row.insert("home_team_abbr".into(), json!(home));
        row.insert("away_team_abbr".into(), json!(away));
        row.insert("event_id".into(), json!(num));
        row.insert("event_sequence".into(), opt(a.opt_i64("orderNumber")));
        let period = a.opt_i64("period").unwrap_or(1);
        row.insert("period".into(), json!(period));
        row.insert("period_type".into(), opt(a.opt_str("periodType")));
        let left = a.get("clock").and_then(parse_minutes).map(|m| round(m * 60.0, 1));
        row.insert("game_clock".into(), opt(left.map(|s| format!("{}:{:02}", (s / 60.0) as i64, (s % 60.0) as i64))));
        row.insert("game_clock_seconds".into(), opt(left));
        let elapsed = left.map(|l| {
            let (start, len) = if period <= 4 { ((period - 1) * 720, 720) } else { (2880 + (period - 5) * 300, 300) };
            round(start as f64 + (len as f64 - l).max(0.0), 1)
        });
        row.insert("time_elapsed_seconds".into(), opt(elapsed));
        let kind = a.opt_str("actionType").unwrap_or_default();
        row.insert("event_type".into(), json!(kind));
        row.insert("event_action_type".into(), opt(a.opt_str("subType").filter(|s| !s.is_empty())));
        row.insert("event_descriptor".into(), opt(a.opt_str("descriptor").filter(|s| !s.is_empty())));
        row.insert("event_description".into(), opt(a.opt_str("description")));
        let team = nba_team(a.opt_str("teamTricode"), a.opt_i64("teamId"));
        row.insert("team_abbr".into(), opt(team));
        row.insert("score_home".into(), opt(a.get("scoreHome").and_then(as_i64)));
        row.insert("score_away".into(), opt(a.get("scoreAway").and_then(as_i64)));
        let p1 = a.opt_i64("personId").filter(|p| *p > 0);
        let p1_name = p1.and_then(|p| name_of.get(&p).copied()).or_else(|| a.opt_str("playerNameI"));
        put_player(&mut row, 1, p1, p1_name, p1.and_then(|p| team_of.get(&p).copied()).or(team), None);
        for slot in [2u8, 3] {
            let other = OTHERS
                .iter()
                .filter(|o| o.3 == slot)
                .find_map(|(id, name, role, _)| a.opt_i64(id).filter(|p| *p > 0).map(|p| (p, *name, *role)));
            match other {
                Some((p, name, role)) => {
                    let n = name_of.get(&p).copied().or_else(|| a.opt_str(name));
                    put_player(&mut row, slot, Some(p), n, team_of.get(&p).copied(), Some(role));
                }
                None => put_player(&mut row, slot, None, None, None, None),
            }
        }
        shot(&mut row, a, kind);
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok(Parsed::Rows { date, game_id, rows })
}

/// (home, away) from who scores on which side of the score: every made shot votes for the side of the score
/// it raised. Each team leans to the side most of its baskets raised; the two must lean apart (a team with a
/// tied vote takes the side the other leaves). `None` before the first basket.
fn home_away(
    actions: &[(i64, Obj<'_>)],
    teams: &[&'static str],
) -> Result<Option<(&'static str, &'static str)>, String> {
    let mut votes: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let (mut ph, mut pa) = (0, 0);
    for (_, a) in actions {
        let (Some(h), Some(aw)) = (a.get("scoreHome").and_then(as_i64), a.get("scoreAway").and_then(as_i64)) else {
            continue;
        };
        let made = a.opt_str("shotResult").is_some_and(|r| r.eq_ignore_ascii_case("made"));
        if let (true, Some(t)) = (made, nba_team(a.opt_str("teamTricode"), a.opt_i64("teamId"))) {
            let v = votes.entry(t).or_default();
            v.0 += i64::from(h > ph);
            v.1 += i64::from(aw > pa);
        }
        (ph, pa) = (h, aw);
    }
    // +1 leans home, -1 away, 0 undecided.
    let lean = |t: &str| votes.get(t).map_or(0, |(h, a)| (h - a).signum());
    let [x, y] = teams else { return Ok(None) };
    match (lean(x), lean(y)) {
        (1, -1) | (1, 0) | (0, -1) => Ok(Some((x, y))),
        (-1, 1) | (0, 1) | (-1, 0) => Ok(Some((y, x))),
        (0, 0) => Ok(None),
        _ => Err(format!("{x} and {y} both score on the same side of the score: {votes:?}")),
    }
}

fn put_player(row: &mut Row, n: u8, id: Option<i64>, name: Option<&str>, team: Option<&str>, role: Option<&str>) {
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    row.insert(format!("player_{n}_id"), opt(id));
    row.insert(format!("player_{n}_name"), opt(name));
    row.insert(format!("player_{n}_lookup"), opt(name.map(player_lookup).filter(|l| !l.is_empty())));
    row.insert(format!("player_{n}_team_abbr"), opt(team));
    if n > 1 {
        row.insert(format!("player_{n}_role"), opt(role));
    }
}

fn shot(row: &mut Row, a: &Obj<'_>, kind: &str) {
    let result = a.opt_str("shotResult");
    let made = result.map(|r| r.eq_ignore_ascii_case("made"));
    let (is_shot, shot_type, value) = match kind {
        "2pt" => (true, Some("2PT"), 2),
        "3pt" => (true, Some("3PT"), 3),
        "freethrow" => (true, Some("FT"), 1),
        _ => (false, None, 0),
    };
    let fg = kind == "2pt" || kind == "3pt";
    row.insert("shot_made".into(), opt(made.filter(|_| is_shot)));
    row.insert("shot_type".into(), opt(shot_type));
    row.insert("shot_x".into(), opt(a.opt_f64("x").filter(|_| fg)));
    row.insert("shot_y".into(), opt(a.opt_f64("y").filter(|_| fg)));
    row.insert("shot_distance".into(), opt(a.opt_f64("shotDistance").filter(|_| fg)));
    row.insert("shot_area".into(), opt(a.opt_str("area").filter(|_| fg)));
    row.insert("points_scored".into(), opt(is_shot.then_some(if made == Some(true) { value } else { 0 })));
}

impl Processor for NbacPlayByPlay {
    fn name(&self) -> &str {
        "nbac_play_by_play"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let mut out = ProcessorOutput::default();
        match parse(&file)? {
            Parsed::Nothing(reason) => out.no_data_reason = Some(reason),
            Parsed::Rows { date, game_id, rows } => {
                out.metadata.insert("game_id".into(), json!(game_id));
                out.metadata.insert("events".into(), json!(rows.len()));
                let scope = vec![("game_id".to_string(), Value::String(game_id))];
                out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date, scope, rows });
            }
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
