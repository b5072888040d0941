//! `nbac_scoreboard_v2`: NBA.com `scoreboardv2` → `nba_raw.nbac_scoreboard_v2`.
//!
//! Input: `nba-com/scoreboard-v2/{date}/{ts}.json`, the stats API response with the `GameHeader` (one row per
//! game) and `LineScore` (one row per team) result sets, or the original scraper's output of it
//! (`{"scoreboard": {"games": [...]}}`, where scores may be absent). Deprecated by NBA.com in Oct 2025.
//!
//! Invariants:
//! - one row per NBA game; `game_id` is the standard `YYYYMMDD_AWAY_HOME` from `GAME_DATE_EST` (the ET date)
//!   and the teams of `HOME_TEAM_ID` / `VISITOR_TEAM_ID`, `nba_game_id` NBA.com's id; games not between two
//!   NBA teams are skipped and counted in `metadata.skipped_non_nba_games`;
//! - write: the original MERGEd on (`game_id`, `game_date`). A scoreboard lists every game of its date, so the
//!   file is authoritative for that date and the date's partition is replaced (`ReplacePartition`): a later
//!   snapshot supersedes an earlier one (scores, status), a game dropped from the slate disappears, and
//!   re-loading changes nothing. A response without games writes nothing (an empty reply must not wipe a
//!   loaded date);
//! - scores come from `LineScore.PTS` (or the scraper's `points`) and are null until the game starts; the
//!   winner only for final games;
//! - a missing result set or column, an unparseable date or a game without both line scores once it has
//!   started is `BadInput` for the whole file.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::common::{
    as_i64, bad, cell, date_prefix, nba_team, opt, raw_schema, raw_table, season_of_nba_game_id, stamp, text_of, Obj,
    RawFile, ResultSet,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::teams::team_id;
use crate::domain::{Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_scoreboard_v2";
const HASH_FIELDS: [&str; 10] = [
    "game_id",
    "game_date",
    "season_year",
    "game_status_id",
    "game_state",
    "home_team_abbr",
    "away_team_abbr",
    "home_score",
    "away_score",
    "winning_team_abbr",
];

pub struct NbacScoreboardV2;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("nba_game_id", T::String)
            .col("game_code", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .col("start_time", T::String)
            .required("game_status_id", T::Int64)
            .col("game_status_text", T::String)
            .required("game_state", T::String)
            .col("live_period", T::Int64)
            .col("home_team_id", T::Int64)
            .required("home_team_abbr", T::String)
            .col("home_team_abbr_raw", T::String)
            .col("away_team_id", T::Int64)
            .required("away_team_abbr", T::String)
            .col("away_team_abbr_raw", T::String)
            .col("home_score", T::Int64)
            .col("away_score", T::Int64)
            .col("winning_team_abbr", T::String)
            .col("winning_team_side", T::String)
            .col("arena_name", T::String)
            .col("national_tv", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "game_id"])
    })
}

/// One game, whichever format it came from.
#[derive(Debug, Default)]
struct Game {
    nba_id: String,
    date: Option<SlateDate>,
    status: Option<i64>,
    status_text: Option<String>,
    code: Option<String>,
    season: Option<i64>,
    live_period: Option<i64>,
    arena: Option<String>,
    tv: Option<String>,
    /// (team id, tricode as sent, points) of home and away.
    home: (Option<i64>, Option<String>, Option<i64>),
    away: (Option<i64>, Option<String>, Option<i64>),
    /// Whether a started game must carry both scores (the stats response always does).
    scores_required: bool,
}

/// The stats API response: `GameHeader` joined with `LineScore`.
fn from_result_sets(v: &Value, path: &str) -> Result<Vec<Game>, ProcessorError> {
    let gh = ResultSet::find(v, path, "GameHeader")?;
    let ls = ResultSet::find(v, path, "LineScore")?;
    let (c_date, c_id, c_status, c_home, c_away) = (
        gh.col("GAME_DATE_EST")?,
        gh.col("GAME_ID")?,
        gh.col("GAME_STATUS_ID")?,
        gh.col("HOME_TEAM_ID")?,
        gh.col("VISITOR_TEAM_ID")?,
    );
    let c = |h: &str| gh.opt_col(h);
    let (l_id, l_team, l_abbr, l_pts) =
        (ls.col("GAME_ID")?, ls.col("TEAM_ID")?, ls.opt_col("TEAM_ABBREVIATION"), ls.col("PTS")?);
    // (nba game id, team id) → (abbreviation as sent, points)
    let mut lines: BTreeMap<(String, i64), (Option<String>, Option<i64>)> = BTreeMap::new();
    for r in &ls.rows {
        let (Some(g), Some(t)) = (text_of(cell(r, Some(l_id))), as_i64(cell(r, Some(l_team)))) else {
            return Err(bad(path, "LineScore row without GAME_ID or TEAM_ID"));
        };
        let raw = text_of(cell(r, l_abbr)).map(str::to_string);
        lines.insert((g.to_string(), t), (raw, as_i64(cell(r, Some(l_pts)))));
    }
    let mut out = Vec::new();
    for (i, r) in gh.rows.iter().enumerate() {
        let nba_id =
            text_of(cell(r, Some(c_id))).ok_or_else(|| bad(path, format!("GameHeader row {i}: no GAME_ID")))?;
        let side = |col: usize| {
            let id = as_i64(cell(r, Some(col)));
            let (raw, pts) = id.and_then(|t| lines.get(&(nba_id.to_string(), t))).cloned().unwrap_or_default();
            (id, raw, pts)
        };
        let season = cell(r, c("SEASON"));
        out.push(Game {
            nba_id: nba_id.to_string(),
            date: text_of(cell(r, Some(c_date))).and_then(date_prefix),
            status: as_i64(cell(r, Some(c_status))),
            status_text: text_of(cell(r, c("GAME_STATUS_TEXT"))).map(str::to_string),
            code: text_of(cell(r, c("GAMECODE"))).map(str::to_string),
            season: as_i64(season),
            live_period: as_i64(cell(r, c("LIVE_PERIOD"))),
            arena: text_of(cell(r, c("ARENA_NAME"))).map(str::to_string),
            tv: text_of(cell(r, c("NATL_TV_BROADCASTER_ABBREVIATION"))).map(str::to_string),
            home: side(c_home),
            away: side(c_away),
            scores_required: true,
        });
    }
    Ok(out)
}

/// The original scraper's output: `{"scoreboard": {"games": [{"gameId", "homeTeam": {"teamTricode",
/// "points"}, ...}]}}` (older captures carry only ids, tricodes, status, `gameEt` and `gameCode`).
fn from_scraper_output(sb: &Value, path: &str) -> Result<Vec<Game>, ProcessorError> {
    let games = Obj::new(sb, path, "scoreboard")?.arr("games")?;
    let mut out = Vec::new();
    for g in games {
        let g = Obj::new(g, path, "scoreboard.games[]")?;
        let side = |k: &str| -> Result<_, ProcessorError> {
            let t = g.obj(k)?;
            let code = t.opt_str("teamTricode").map(str::trim);
            let id = t.opt_i64("teamId").or_else(|| code.and_then(crate::domain::team_abbr).and_then(team_id));
            Ok((id, code.map(str::to_string), t.opt_i64("points")))
        };
        out.push(Game {
            nba_id: g.str("gameId")?.trim().to_string(),
            date: g.opt_str("gameEt").and_then(date_prefix),
            status: g.opt_i64("gameStatus"),
            status_text: g.get("gameStatusText").and_then(text_of).map(str::to_string),
            code: g.opt_str("gameCode").map(str::to_string),
            season: g.opt_i64("season"),
            live_period: g.opt_i64("livePeriod"),
            arena: g.opt_str("arenaName").map(str::to_string),
            tv: g.get("broadcasts").and_then(|b| b.get("national")).and_then(text_of).map(str::to_string),
            home: side("homeTeam")?,
            away: side("awayTeam")?,
            scores_required: false,
        });
    }
    Ok(out)
}

/// Rows by date and the number of non-NBA games skipped.
pub fn parse(file: &RawFile<'_>) -> Result<(BTreeMap<SlateDate, Vec<Row>>, usize), ProcessorError> {
    let path = file.path;
    let v = file.json()?;
    let games = match v.get("scoreboard") {
        Some(sb) => from_scraper_output(sb, path)?,
        None => from_result_sets(&v, path)?,
    };
    let mut out: BTreeMap<SlateDate, Vec<Row>> = BTreeMap::new();
    let mut skipped = 0;
    for g in games {
        let err = |d: &str| bad(path, format!("game {}: {d}", g.nba_id));
        let date = g.date.ok_or_else(|| err("no game date"))?;
        let status = g.status.filter(|s| (1..=3).contains(s)).ok_or_else(|| err("bad status"))?;
        let (Some(home), Some(away)) =
            (nba_team(g.home.1.as_deref(), g.home.0), nba_team(g.away.1.as_deref(), g.away.0))
        else {
            skipped += 1;
            continue;
        };
        let (hs, as_) = (g.home.2, g.away.2);
        if g.scores_required && status >= 2 && (hs.is_none() || as_.is_none()) {
            return Err(err("a started game without both line scores"));
        }
        let (hs, as_) = if status == 1 { (None, None) } else { (hs, as_) };
        let (winner, side) = match (status, hs, as_) {
            (3, Some(h), Some(a)) if h > a => (Some(home), Some("home")),
            (3, Some(h), Some(a)) if a > h => (Some(away), Some("away")),
            _ => (None, None),
        };
        let season = g
            .season
            .or_else(|| season_of_nba_game_id(&g.nba_id).map(i64::from))
            .unwrap_or_else(|| i64::from(date.season_year()));
        let mut row = Row::new();
        row.insert("game_id".into(), json!(standard_game_id(date, away, home)));
        row.insert("nba_game_id".into(), json!(g.nba_id));
        row.insert("game_code".into(), opt(g.code));
        row.insert("game_date".into(), json!(date.to_string()));
        row.insert("season_year".into(), json!(season));
        row.insert("start_time".into(), opt(g.status_text.clone().filter(|_| status == 1)));
        row.insert("game_status_id".into(), json!(status));
        row.insert("game_status_text".into(), opt(g.status_text));
        let state = match status {
            1 => "scheduled",
            2 => "in_progress",
            _ => "final",
        };
        row.insert("game_state".into(), json!(state));
        row.insert("live_period".into(), opt(g.live_period.filter(|_| status >= 2)));
        row.insert("home_team_id".into(), opt(g.home.0));
        row.insert("home_team_abbr".into(), json!(home));
        row.insert("home_team_abbr_raw".into(), opt(g.home.1));
        row.insert("away_team_id".into(), opt(g.away.0));
        row.insert("away_team_abbr".into(), json!(away));
        row.insert("away_team_abbr_raw".into(), opt(g.away.1));
        row.insert("home_score".into(), opt(hs));
        row.insert("away_score".into(), opt(as_));
        row.insert("winning_team_abbr".into(), opt(winner));
        row.insert("winning_team_side".into(), opt(side));
        row.insert("arena_name".into(), opt(g.arena));
        row.insert("national_tv".into(), opt(g.tv));
        stamp(&mut row, file, &HASH_FIELDS);
        out.entry(date).or_default().push(row);
    }
    Ok((out, skipped))
}

impl Processor for NbacScoreboardV2 {
    fn name(&self) -> &str {
        "nbac_scoreboard_v2"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (by_date, skipped) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        out.metadata.insert("skipped_non_nba_games".into(), json!(skipped));
        if by_date.is_empty() {
            out.no_data_reason = Some("the scoreboard has no NBA games".into());
            return Ok(out);
        }
        out.metadata.insert("games".into(), json!(by_date.values().map(Vec::len).sum::<usize>()));
        for (date, rows) in by_date {
            out.writes.push(TableWrite::ReplacePartition { table: raw_table(TABLE), date, rows });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
