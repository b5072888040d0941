//! `nbac_schedule`: NBA.com `scheduleLeagueV2` (API and CDN backup) → `nba_raw.nbac_schedule`.
//!
//! Input: `nba-com/schedule/{season}/{ts}.json`, `{"leagueSchedule": {"seasonYear": "2024-25", "gameDates":
//! [{"gameDate", "games": [...]}]}}` (the CDN copy has the same shape; the original scraper's flattened
//! `{"seasonYear", "games": [...]}` is read too).
//!
//! Invariants:
//! - one row per NBA game; `game_id` is the standard `YYYYMMDD_AWAY_HOME` from the ET date (`gameDateEst`, or
//!   the ET date of `gameDateTimeUTC`) and the canonical tricodes, `nba_game_id` keeps NBA.com's 10-digit id;
//! - games whose teams are not two of the 30 NBA teams (All-Star, Rising Stars, international clubs, TBD
//!   playoff slots) are skipped and counted in `metadata.skipped_non_nba_games`;
//! - only `gameId`, `gameStatus`, a date and the two teams' tricodes are required: every other field is
//!   optional, so a replayed file carrying a subset (gameCode, gameStatusText, gameDateEst, gameDateTimeUTC,
//!   arenaName, teams with teamId/tricode/name/city/score, gameLabel) loads the same columns or nulls;
//! - the file is authoritative for the window of dates it covers: every date from its first to its last date
//!   (game dates and the `gameDates[].gameDate` it lists) is replaced (`ReplacePartition`), a date without an
//!   NBA game in the file is replaced with nothing, so a game moved to another date disappears from its old
//!   one and re-loading a file changes nothing;
//! - season type comes from the id prefix (001 preseason … 006 NBA Cup final); `season_year` from
//!   `seasonYear`, else the id, else the date;
//! - `nbac_schedule_source_history` (extra output) gets one row per (date, file): games, finals, skipped and
//!   the sorted game ids the file gave that date, `ReplaceSlice` on `source_file_path` — reloading a file
//!   rewrites its own rows, other files' rows stay (API vs CDN can be compared later);
//! - a file without a single NBA game writes nothing (`no_data_reason`): an empty response never wipes dates;
//! - a malformed game (no id, no date, no teams, bad status) fails the whole file (no partial write).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Weekday};
use serde_json::{json, Value};

use super::common::{
    bad, date_prefix, nba_team, opt, raw_schema, raw_table, season_of_nba_game_id, season_type_of_nba_game_id, stamp,
    us_or_iso_date, utc_instant, Obj, RawFile, BUCKET,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_schedule";
pub const HISTORY_TABLE: &str = "nbac_schedule_source_history";
const HASH_FIELDS: [&str; 6] =
    ["game_id", "game_date", "game_date_time_utc", "home_team_tricode", "away_team_tricode", "game_status"];

pub struct NbacSchedule;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("nba_game_id", T::String)
            .col("game_code", T::String)
            .col("season_nba_format", T::String)
            .required("season_year", T::Int64)
            .required("season_type", T::String)
            .required("game_date", T::Date)
            .col("game_date_time_utc", T::Timestamp)
            .col("game_time_et", T::String)
            .col("day_of_week", T::String)
            .required("is_weekend", T::Bool)
            .required("game_status", T::Int64)
            .col("game_status_text", T::String)
            .col("game_sequence", T::Int64)
            .col("home_team_id", T::Int64)
            .required("home_team_tricode", T::String)
            .col("home_team_name", T::String)
            .col("away_team_id", T::Int64)
            .required("away_team_tricode", T::String)
            .col("away_team_name", T::String)
            .col("home_team_score", T::Int64)
            .col("away_team_score", T::Int64)
            .col("winning_team_tricode", T::String)
            .col("arena_name", T::String)
            .col("arena_city", T::String)
            .col("arena_state", T::String)
            .col("is_neutral", T::Bool)
            .col("game_label", T::String)
            .col("game_sub_label", T::String)
            .col("game_subtype", T::String)
            .required("is_preseason", T::Bool)
            .required("is_regular_season", T::Bool)
            .required("is_playoffs", T::Bool)
            .required("is_play_in", T::Bool)
            .required("is_all_star", T::Bool)
            .required("is_emirates_cup", T::Bool)
            .col("playoff_round", T::Int64)
            .col("postponed_status", T::String)
            .col("primary_network", T::String)
            .col("has_national_tv", T::Bool)
            .required("data_source", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id"])
    })
}

/// One row per (date, schedule file): which file said what about a date, so API and CDN loads of the same
/// window can be compared after the fact (`nbac_schedule` itself only keeps the latest).
pub fn history_schema() -> TableSchema {
    raw_schema(HISTORY_TABLE, |s| {
        s.required("game_date", T::Date)
            .required("season_year", T::Int64)
            .required("data_source", T::String)
            .required("games", T::Int64)
            .required("final_games", T::Int64)
            .required("skipped_non_nba_games", T::Int64)
            .col("game_ids", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "source_file_path"])
    })
}

fn history_row(file: &RawFile<'_>, date: SlateDate, rows: &[Row], skipped: usize) -> Row {
    let mut ids: Vec<&str> = rows.iter().filter_map(|r| r.get("game_id").and_then(Value::as_str)).collect();
    ids.sort_unstable();
    let finals = rows.iter().filter(|r| r.get("game_status") == Some(&json!(3))).count();
    let season = rows.first().and_then(|r| r.get("season_year")).cloned().unwrap_or(json!(date.season_year()));
    let mut row = Row::new();
    row.insert("game_date".into(), json!(date.to_string()));
    row.insert("season_year".into(), season);
    row.insert("data_source".into(), json!(data_source(file.path)));
    row.insert("games".into(), json!(rows.len()));
    row.insert("final_games".into(), json!(finals));
    row.insert("skipped_non_nba_games".into(), json!(skipped));
    row.insert("game_ids".into(), opt((!ids.is_empty()).then(|| ids.join(","))));
    stamp(&mut row, file, &["game_date", "data_source", "games", "final_games", "game_ids"]);
    row
}

fn data_source(path: &str) -> &'static str {
    if path.contains("cdn") {
        "cdn"
    } else {
        "api"
    }
}

/// What a schedule file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Rows by game date, including empty dates inside the file's window.
    pub by_date: BTreeMap<SlateDate, Vec<Row>>,
    pub skipped_non_nba: usize,
    /// Skipped games per date (for the source history).
    pub skipped_by_date: BTreeMap<SlateDate, usize>,
    pub duplicates: usize,
}

/// The games of the file, in file order, and the dates it lists (with or without games).
fn games<'v>(v: &'v Value, path: &'v str) -> Result<(Vec<&'v Value>, Vec<SlateDate>), ProcessorError> {
    if let Some(ls) = v.get("leagueSchedule") {
        let dates = Obj::new(ls, path, "leagueSchedule")?.arr("gameDates")?;
        let mut out = Vec::new();
        let mut listed = Vec::new();
        for (i, d) in dates.iter().enumerate() {
            let d = Obj::new(d, path, "gameDates[]")?;
            listed.extend(d.opt_str("gameDate").and_then(us_or_iso_date));
            match d.get("games") {
                None => {}
                Some(Value::Array(g)) => out.extend(g.iter()),
                Some(_) => return Err(bad(path, format!("gameDates[{i}].games is not an array"))),
            }
        }
        return Ok((out, listed));
    }
    match v.get("games") {
        Some(Value::Array(g)) => Ok((g.iter().collect(), Vec::new())),
        _ => Err(bad(path, "neither leagueSchedule.gameDates nor games")),
    }
}

/// Parse a schedule file into rows grouped by game date.
pub fn parse(file: &RawFile<'_>) -> Result<Parsed, ProcessorError> {
    let v = file.json()?;
    let season_label = v
        .get("leagueSchedule")
        .and_then(|l| l.get("seasonYear"))
        .or_else(|| v.get("seasonYear"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let source = data_source(file.path);
    let mut out = Parsed::default();
    let mut seen = BTreeSet::new();
    let mut dates = BTreeSet::new();
    let (games, listed) = games(&v, file.path)?;
    dates.extend(listed);
    for (i, g) in games.into_iter().enumerate() {
        let g = Obj::new(g, file.path, "game")?;
        let parsed = parse_game(file, &g, season_label.as_deref(), source)
            .map_err(|e| bad(file.path, format!("game {i}: {e}")))?;
        let (date, row) = match parsed {
            Game::Nba(date, row) => (date, row),
            Game::NotNba(date) => {
                dates.insert(date);
                out.skipped_non_nba += 1;
                *out.skipped_by_date.entry(date).or_default() += 1;
                continue;
            }
        };
        dates.insert(date);
        let gid = row.get("game_id").and_then(Value::as_str).unwrap_or_default().to_string();
        if !seen.insert(gid) {
            out.duplicates += 1;
            continue;
        }
        out.by_date.entry(date).or_default().push(*row);
    }
    if let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) {
        for d in SlateDate::range(first, last) {
            out.by_date.entry(d).or_default();
        }
    }
    Ok(out)
}

enum Game {
    Nba(SlateDate, Box<Row>),
    NotNba(SlateDate),
}

fn parse_game(file: &RawFile<'_>, g: &Obj<'_>, season_label: Option<&str>, source: &str) -> Result<Game, String> {
    let nba_id = g.str("gameId").map_err(|e| e.to_string())?.trim();
    if nba_id.len() != 10 || !nba_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad gameId {nba_id:?}"));
    }
    let utc = g.opt_str("gameDateTimeUTC").and_then(utc_instant);
    let date = g
        .opt_str("gameDateEst")
        .and_then(date_prefix)
        .or_else(|| utc.map(SlateDate::of_instant))
        .ok_or("no gameDateEst or gameDateTimeUTC")?;
    let status = g.i64("gameStatus").map_err(|e| e.to_string())?;
    if !(1..=3).contains(&status) {
        return Err(format!("gameStatus {status} is not 1, 2 or 3"));
    }
    let home = g.obj("homeTeam").map_err(|e| e.to_string())?;
    let away = g.obj("awayTeam").map_err(|e| e.to_string())?;
    let (Some(h), Some(a)) = (
        nba_team(home.opt_str("teamTricode"), home.opt_i64("teamId")),
        nba_team(away.opt_str("teamTricode"), away.opt_i64("teamId")),
    ) else {
        return Ok(Game::NotNba(date));
    };
    if h == a {
        return Ok(Game::NotNba(date));
    }
    let season_type = season_type_of_nba_game_id(nba_id);
    let season_year = season_label
        .and_then(|s| s.get(..4))
        .and_then(|s| s.parse::<i32>().ok())
        .or_else(|| season_of_nba_game_id(nba_id))
        .unwrap_or_else(|| date.season_year());
    let label = g.opt_str("gameLabel").map(str::trim).filter(|s| !s.is_empty());
    let subtype = g.opt_str("gameSubtype").map(str::trim).filter(|s| !s.is_empty());
    let is_cup = season_type == "in_season_final"
        || label.is_some_and(|l| l.contains("Cup"))
        || subtype.is_some_and(|s| s.starts_with("in-season"));
    // Scores mean something once the game has started (a scheduled game carries 0-0).
    let (hs, as_) = if status >= 2 { (home.opt_i64("score"), away.opt_i64("score")) } else { (None, None) };
    let winner = match (status, hs, as_) {
        (3, Some(x), Some(y)) if x > y => Some(h),
        (3, Some(x), Some(y)) if y > x => Some(a),
        _ => None,
    };
    let weekday = date.0.weekday();
    let name = |t: &Obj<'_>| match (t.opt_str("teamCity"), t.opt_str("teamName")) {
        (Some(c), Some(n)) => Some(format!("{} {}", c.trim(), n.trim())),
        (None, Some(n)) => Some(n.trim().to_string()),
        _ => None,
    };
    let s = |k: &str| opt(g.opt_str(k).map(str::trim).filter(|s| !s.is_empty()));
    let mut row = Row::new();
    row.insert("game_id".into(), json!(standard_game_id(date, a, h)));
    row.insert("nba_game_id".into(), json!(nba_id));
    row.insert("game_code".into(), s("gameCode"));
    row.insert("season_nba_format".into(), opt(season_label));
    row.insert("season_year".into(), json!(season_year));
    row.insert("season_type".into(), json!(season_type));
    row.insert("game_date".into(), json!(date.to_string()));
    row.insert("game_date_time_utc".into(), opt(utc.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))));
    let et_time = g.opt_str("gameDateTimeEst").and_then(|t| t.get(11..16));
    row.insert("game_time_et".into(), opt(et_time));
    row.insert("day_of_week".into(), json!(weekday.to_string()));
    row.insert("is_weekend".into(), json!(matches!(weekday, Weekday::Sat | Weekday::Sun)));
    row.insert("game_status".into(), json!(status));
    row.insert("game_status_text".into(), s("gameStatusText"));
    row.insert("game_sequence".into(), opt(g.opt_i64("gameSequence")));
    row.insert("home_team_id".into(), opt(home.opt_i64("teamId")));
    row.insert("home_team_tricode".into(), json!(h));
    row.insert("home_team_name".into(), opt(name(&home)));
    row.insert("away_team_id".into(), opt(away.opt_i64("teamId")));
    row.insert("away_team_tricode".into(), json!(a));
    row.insert("away_team_name".into(), opt(name(&away)));
    row.insert("home_team_score".into(), opt(hs));
    row.insert("away_team_score".into(), opt(as_));
    row.insert("winning_team_tricode".into(), opt(winner));
    row.insert("arena_name".into(), s("arenaName"));
    row.insert("arena_city".into(), s("arenaCity"));
    row.insert("arena_state".into(), s("arenaState"));
    row.insert("is_neutral".into(), opt(g.get("isNeutral").and_then(Value::as_bool)));
    row.insert("game_label".into(), opt(label));
    row.insert("game_sub_label".into(), s("gameSubLabel"));
    row.insert("game_subtype".into(), opt(subtype));
    row.insert("is_preseason".into(), json!(season_type == "preseason"));
    row.insert("is_regular_season".into(), json!(season_type == "regular"));
    row.insert("is_playoffs".into(), json!(season_type == "playoffs"));
    row.insert("is_play_in".into(), json!(season_type == "play_in"));
    row.insert("is_all_star".into(), json!(season_type == "all_star"));
    row.insert("is_emirates_cup".into(), json!(is_cup));
    // Playoff ids are 004YY00RSG: R = round (1 first round … 4 finals).
    let round = (season_type == "playoffs").then(|| nba_id.get(7..8).and_then(|r| r.parse::<i64>().ok())).flatten();
    row.insert("playoff_round".into(), opt(round));
    row.insert("postponed_status".into(), s("postponedStatus"));
    // The scraper's enriched output has no broadcaster lists but its own pick (`primaryNetwork`).
    let (national, has_tv) = match g.get("broadcasters") {
        Some(_) => {
            let n = national_network(g);
            let has = n.is_some();
            (n, Some(has))
        }
        None => (g.opt_str("primaryNetwork").map(str::to_string), g.get("hasNationalTV").and_then(Value::as_bool)),
    };
    row.insert("has_national_tv".into(), opt(has_tv));
    row.insert("primary_network".into(), opt(national));
    row.insert("data_source".into(), json!(source));
    stamp(&mut row, file, &HASH_FIELDS);
    Ok(Game::Nba(date, Box::new(row)))
}

/// The first national TV broadcaster, if the file lists broadcasters.
fn national_network(g: &Obj<'_>) -> Option<String> {
    g.get("broadcasters")?
        .get("nationalTvBroadcasters")?
        .as_array()?
        .iter()
        .filter_map(|b| b.get("broadcasterDisplay").and_then(Value::as_str))
        .map(str::trim)
        .find(|s| !s.is_empty() && *s != "TBD")
        .map(str::to_string)
}

impl Processor for NbacSchedule {
    fn name(&self) -> &str {
        "nbac_schedule"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let parsed = parse(&file)?;
        let mut out = ProcessorOutput::default();
        out.metadata.insert("skipped_non_nba_games".into(), json!(parsed.skipped_non_nba));
        out.metadata.insert("duplicate_games".into(), json!(parsed.duplicates));
        let games: usize = parsed.by_date.values().map(Vec::len).sum();
        if games == 0 {
            // No NBA game at all: an empty or broken response must not wipe loaded dates.
            out.no_data_reason = Some("the schedule has no NBA games".into());
            return Ok(out);
        }
        out.metadata.insert("games".into(), json!(games));
        out.metadata.insert("dates".into(), json!(parsed.by_date.len()));
        let mut history = Vec::new();
        for (date, rows) in parsed.by_date {
            let skipped = parsed.skipped_by_date.get(&date).copied().unwrap_or(0);
            history.push((date, history_row(&file, date, &rows, skipped)));
            out.writes.push(TableWrite::ReplacePartition { table: raw_table(TABLE), date, rows });
        }
        let scope = vec![("source_file_path".to_string(), json!(file.source(BUCKET)))];
        for (date, row) in history {
            let (table, scope) = (raw_table(HISTORY_TABLE), scope.clone());
            out.writes.push(TableWrite::ReplaceSlice { table, date, scope, rows: vec![row] });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema(), history_schema()]
    }
}
