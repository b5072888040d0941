//! `nbac_injury_report`: the official NBA injury report PDF → `nba_raw.nbac_injury_report`.
//!
//! Input: `nba-com/injury-report-data/{date}/{hour}/{ts}.{pdf|json}`, either the PDF NBA.com publishes
//! several times a day — a title `Injury Report: MM/DD/YY hh:mm AM|PM` on every page, a header row on the
//! first page (`Game Date`, `Game Time`, `Matchup`, `Team`, `Player Name`, `Current Status`, `Reason`), then one
//! row per player — or the original scraper's JSON made from it (`{"metadata", "records": [...]}` or a bare
//! record array). Without a title / metadata the report date and hour come from the path.
//!
//! Invariants:
//! - cells are read by column position (the header's x positions, reused on later pages), not by content
//!   order; a row with an empty Game Date / Game Time / Matchup / Team cell continues the previous row's game
//!   and team (the PDF prints them once per group, also across page breaks);
//! - a reason that wraps is printed as reason-only lines around the player's line: each such fragment joins
//!   the nearest player line on the page, in top-to-bottom order;
//! - `NOT YET SUBMITTED` team rows carry no player and write nothing (counted in the metadata);
//! - `injury_status` is lower-case (out/questionable/doubtful/probable/available; input case ignored); any other
//!   status, an unknown team, a bad date or a missing header fails the whole file (`BadInput`); a repeated
//!   (game, player) keeps its first entry (counted in the metadata);
//! - `player_name_original` keeps the PDF's `Last, First`; `player_full_name` is `First Last`; `player_lookup`
//!   goes through the alias resolver; `game_id` is the standard `YYYYMMDD_AWAY_HOME` of the game date;
//! - the report is a time series (hourly snapshots): the write replaces the slice of the report date's
//!   partition loaded from this very object (`source_file_path`), so every snapshot is kept and a reload is
//!   idempotent.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{bad, raw_schema, raw_table, stamp, Obj, RawFile};
use super::pdf_text::{pdf_lines, Line};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Aliases, NameResolver, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_injury_report";
const HASH_FIELDS: [&str; 7] =
    ["player_lookup", "team", "game_date", "game_id", "injury_status", "reason", "reason_category"];
const STATUSES: [&str; 5] = ["out", "questionable", "doubtful", "probable", "available"];
const NOT_SUBMITTED: &str = "NOT YET SUBMITTED";

pub struct NbacInjuryReport;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("report_date", T::Date)
            .col("report_hour", T::Int64)
            .col("report_time", T::String)
            .required("season", T::String)
            .required("game_date", T::Date)
            .col("game_time", T::String)
            .required("game_id", T::String)
            .required("matchup", T::String)
            .required("away_team", T::String)
            .required("home_team", T::String)
            .required("team", T::String)
            .required("player_name_original", T::String)
            .required("player_full_name", T::String)
            .required("player_lookup", T::String)
            .col("name_resolution_method", T::String)
            .required("injury_status", T::String)
            .col("reason", T::String)
            .col("reason_category", T::String)
            .partitioned_by("report_date")
            .keyed_by(&["report_date", "source_file_path", "game_id", "player_lookup"])
    })
}

/// Column starts, from the header row.
#[derive(Debug, Clone, Copy)]
struct Columns {
    time: f64,
    matchup: f64,
    team: f64,
    player: f64,
    status: f64,
    reason: f64,
}

impl Columns {
    fn from_header(l: &Line) -> Option<Self> {
        let at = |word: &str, nth: usize| l.words.iter().filter(|w| w.text == word).nth(nth).map(|w| w.x - 2.0);
        Some(Columns {
            time: at("Game", 1)?,
            matchup: at("Matchup", 0)?,
            team: at("Team", 0)?,
            player: at("Player", 0)?,
            status: at("Current", 0)?,
            reason: at("Reason", 0)?,
        })
    }
}

/// One table line split into its cells.
struct Cells {
    y: f64,
    page: u32,
    date: String,
    time: String,
    matchup: String,
    team: String,
    player: String,
    status: String,
    reason: String,
}

impl Cells {
    fn of(l: &Line, c: &Columns) -> Self {
        Cells {
            y: l.y,
            page: l.page,
            date: l.text_between(f64::MIN, c.time),
            time: l.text_between(c.time, c.matchup),
            matchup: l.text_between(c.matchup, c.team),
            team: l.text_between(c.team, c.player),
            player: l.text_between(c.player, c.status),
            status: l.text_between(c.status, c.reason),
            reason: l.text_between(c.reason, f64::MAX),
        }
    }
    fn is_reason_fragment(&self) -> bool {
        !self.reason.is_empty()
            && [&self.date, &self.time, &self.matchup, &self.team, &self.player, &self.status]
                .iter()
                .all(|s| s.is_empty())
    }
}

/// What the title line says: report date and time.
fn parse_title(text: &str) -> Option<(SlateDate, u32, String)> {
    let rest = text.split_once("Injury Report:")?.1.trim();
    let mut parts = rest.split_whitespace();
    let date = parse_us_date(parts.next()?)?;
    let time = parts.next()?;
    let ampm = parts.next()?.to_ascii_uppercase();
    let hour: u32 = time.split(':').next()?.parse().ok().filter(|h| (1..=12).contains(h))?;
    let hour24 = match ampm.as_str() {
        "AM" => hour % 12,
        "PM" => hour % 12 + 12,
        _ => return None,
    };
    Some((date, hour24, format!("{time} {ampm}")))
}

/// `MM/DD/YYYY` or `MM/DD/YY`.
fn parse_us_date(s: &str) -> Option<SlateDate> {
    let mut it = s.split('/');
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    let y_text = it.next()?;
    let y: i32 = y_text.parse().ok()?;
    let y = if y_text.len() == 2 { 2000 + y } else { y };
    SlateDate::from_ymd(y, m, d)
}

/// "Duke Jr., David" → "David Duke Jr."; a name without a comma is kept.
pub fn first_last(name: &str) -> String {
    match name.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{} {}", first.trim(), last.trim()),
        _ => name.trim().to_string(),
    }
}

/// A coarse category of a reason text.
pub fn reason_category(reason: &str) -> &'static str {
    let r = reason.to_ascii_lowercase();
    if r.starts_with("injury/illness") || r.starts_with("injury") || r.starts_with("illness") {
        "injury"
    } else if r.starts_with("g league") {
        "g_league"
    } else if r.contains("suspension") {
        "suspension"
    } else if r.contains("health and safety") || r.contains("health & safety") {
        "health_safety_protocols"
    } else if r.starts_with("personal") {
        "personal"
    } else if r.starts_with("rest") || r.contains("load management") {
        "rest"
    } else if r.contains("not with team") {
        "not_with_team"
    } else if r.contains("trade") || r.contains("transaction") {
        "transaction"
    } else if r.is_empty() {
        "unknown"
    } else {
        "other"
    }
}

/// One player entry of a report, from either input form.
struct Entry {
    date: SlateDate,
    time: String,
    away: &'static str,
    home: &'static str,
    team: &'static str,
    player: String,
    status: String,
    reason: String,
}

/// Top-to-bottom order across pages.
fn sort_key(page: u32, y: f64) -> f64 {
    f64::from(page) * 1e5 + y
}

/// What a report says: its date, hour and time when it states them, the entries and the teams not submitted.
struct Extract {
    report: Option<(SlateDate, u32, Option<String>)>,
    entries: Vec<Entry>,
    not_submitted: usize,
}

/// Parse the report into rows (all of one report date), the count of teams not yet submitted and the count of
/// repeated (game, player) entries dropped (the first is kept).
pub fn parse(file: &RawFile<'_>) -> Result<(SlateDate, Vec<Row>, usize, usize), ProcessorError> {
    let bytes = file.non_empty()?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let ex = if matches!(first, Some(b'{' | b'[')) { from_json(file)? } else { from_pdf(file)? };
    let (report_date, report_hour, report_time) = match ex.report {
        Some((d, h, t)) => (d, Some(h), t),
        None => (file.require_path_date()?, path_hour(file), None),
    };
    let resolver = NameResolver::aliases_only(Aliases::builtin());
    let mut rows = Vec::with_capacity(ex.entries.len());
    let (mut seen, mut dupes) = (BTreeSet::new(), 0usize);
    for p in ex.entries {
        let status = p.status.trim().to_ascii_lowercase();
        if !STATUSES.contains(&status.as_str()) {
            return Err(bad(file.path, format!("player {:?}: unknown status {:?}", p.player, p.status)));
        }
        let full = first_last(&p.player);
        let res = resolver.resolve(&full);
        if res.lookup().is_empty() {
            return Err(bad(file.path, format!("player name {:?} has no letters", p.player)));
        }
        let reason = p.reason.trim();
        let game_id = standard_game_id(p.date, p.away, p.home);
        if !seen.insert((game_id.clone(), res.lookup().to_string())) {
            dupes += 1;
            continue;
        }
        let mut row = Row::new();
        row.insert("report_date".into(), json!(report_date.to_string()));
        row.insert("report_hour".into(), report_hour.map_or(Value::Null, |h| json!(h)));
        row.insert("report_time".into(), report_time.as_ref().map_or(Value::Null, |t| json!(t)));
        row.insert("season".into(), json!(p.date.season_label()));
        row.insert("game_date".into(), json!(p.date.to_string()));
        row.insert("game_time".into(), if p.time.is_empty() { Value::Null } else { json!(p.time) });
        row.insert("game_id".into(), json!(game_id));
        row.insert("matchup".into(), json!(format!("{}@{}", p.away, p.home)));
        row.insert("away_team".into(), json!(p.away));
        row.insert("home_team".into(), json!(p.home));
        row.insert("team".into(), json!(p.team));
        row.insert("player_name_original".into(), json!(p.player));
        row.insert("player_full_name".into(), json!(full));
        row.insert("player_lookup".into(), json!(res.lookup()));
        row.insert("name_resolution_method".into(), json!(res.method()));
        row.insert("injury_status".into(), json!(status));
        row.insert("reason".into(), if reason.is_empty() { Value::Null } else { json!(reason) });
        row.insert("reason_category".into(), json!(reason_category(reason)));
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok((report_date, rows, ex.not_submitted, dupes))
}

/// The `{hour}` segment after the path's date (`.../2025-03-15/17/...`), if any.
fn path_hour(file: &RawFile<'_>) -> Option<u32> {
    let date = file.path_date()?.to_string();
    let mut segs = file.path.split('/').skip_while(|s| *s != date);
    let seg = segs.nth(1)?;
    let digits: String = seg.chars().take_while(char::is_ascii_digit).collect();
    let h: u32 = digits.parse().ok()?;
    let h = match seg[digits.len()..].to_ascii_uppercase().as_str() {
        "" => h,
        "AM" => h % 12,
        "PM" => h % 12 + 12,
        _ => return None,
    };
    (h < 24).then_some(h)
}

/// The original scraper's JSON: `{"metadata": {"gamedate", "hour24"}, "records": [...]}` or a bare record array,
/// a record being `{"date", "gametime", "matchup", "team", "player", "status", "reason"}`.
fn from_json(file: &RawFile<'_>) -> Result<Extract, ProcessorError> {
    let v = file.json()?;
    let p = file.path;
    let (meta, records) = match &v {
        Value::Array(a) => (None, a),
        Value::Object(_) => {
            let top = Obj::new(&v, p, "report")?;
            (top.get("metadata").map(|m| Obj::new(m, p, "metadata")).transpose()?, top.arr("records")?)
        }
        _ => return Err(bad(p, "expected a report object or an array of records")),
    };
    let report = meta.and_then(|m| {
        let d = m.opt_str("gamedate")?;
        let date =
            SlateDate::from_ymd(d.get(..4)?.parse().ok()?, d.get(4..6)?.parse().ok()?, d.get(6..8)?.parse().ok()?)?;
        let hour = m.opt_str("hour24").and_then(|h| h.parse::<u32>().ok()).filter(|h| *h < 24)?;
        Some((date, hour, None))
    });
    let mut entries = Vec::with_capacity(records.len());
    for (i, rv) in records.iter().enumerate() {
        let what = format!("records[{i}]");
        let r = Obj::new(rv, p, &what)?;
        let err = |d: String| bad(p, format!("{what}: {d}"));
        let date_text = r.str("date")?;
        let date = parse_us_date(date_text).ok_or_else(|| err(format!("bad date {date_text:?}")))?;
        let matchup = r.str("matchup")?;
        let (a, h) = matchup.split_once('@').ok_or_else(|| err(format!("bad matchup {matchup:?}")))?;
        let away = team_abbr(a).ok_or_else(|| err(format!("unknown team {a:?}")))?;
        let home = team_abbr(h).ok_or_else(|| err(format!("unknown team {h:?}")))?;
        let team_text = r.str("team")?;
        let team = team_abbr(team_text).ok_or_else(|| err(format!("unknown team {team_text:?}")))?;
        entries.push(Entry {
            date,
            time: r.opt_str("gametime").unwrap_or("").trim().to_string(),
            away,
            home,
            team,
            player: r.str("player")?.trim().to_string(),
            status: r.str("status")?.to_string(),
            reason: r.opt_str("reason").unwrap_or("").to_string(),
        });
    }
    Ok(Extract { report, entries, not_submitted: 0 })
}

/// The PDF: cells by column position, game/team context carried down, wrapped reasons joined.
fn from_pdf(file: &RawFile<'_>) -> Result<Extract, ProcessorError> {
    let lines = pdf_lines(file.path, file.non_empty()?)?;
    let report = lines.iter().find_map(|l| parse_title(&l.text())).map(|(d, h, t)| (d, h, Some(t)));
    let header_at = lines
        .iter()
        .position(|l| l.text().contains("Player Name") && l.text().contains("Current Status"))
        .ok_or_else(|| bad(file.path, "no injury report header row (not an injury report, or unreadable text)"))?;
    let cols = Columns::from_header(&lines[header_at])
        .ok_or_else(|| bad(file.path, "the header row lacks a column (Game Time/Matchup/Team/Player/Status/Reason)"))?;
    let cells: Vec<Cells> = lines[header_at + 1..]
        .iter()
        .filter(|l| {
            let t = l.text();
            !(t.starts_with("Injury Report:") || (t.starts_with("Page ") && t.contains(" of ")))
        })
        .map(|l| Cells::of(l, &cols))
        .collect();

    // Player lines, with the game/team context carried over from the lines above.
    struct Pending {
        idx: usize,
        date: SlateDate,
        time: String,
        away: &'static str,
        home: &'static str,
        team: &'static str,
        player: String,
        status: String,
        reason: Vec<(f64, String)>,
    }
    let mut date: Option<SlateDate> = None;
    let mut time = String::new();
    let mut game: Option<(&'static str, &'static str)> = None;
    let mut team: Option<&'static str> = None;
    let mut pending: Vec<Pending> = Vec::new();
    let mut fragments: Vec<usize> = Vec::new();
    let mut not_submitted = 0;
    for (i, c) in cells.iter().enumerate() {
        if c.is_reason_fragment() {
            fragments.push(i);
            continue;
        }
        let line_err = |d: String| bad(file.path, format!("page {} line at y={:.0}: {d}", c.page, c.y));
        if !c.date.is_empty() {
            date = Some(parse_us_date(&c.date).ok_or_else(|| line_err(format!("bad game date {:?}", c.date)))?);
        }
        if !c.time.is_empty() {
            time = c.time.clone();
        }
        if !c.matchup.is_empty() {
            let (a, h) = c.matchup.split_once('@').ok_or_else(|| line_err(format!("bad matchup {:?}", c.matchup)))?;
            let away = team_abbr(a).ok_or_else(|| line_err(format!("unknown team {a:?} in the matchup")))?;
            let home = team_abbr(h).ok_or_else(|| line_err(format!("unknown team {h:?} in the matchup")))?;
            game = Some((away, home));
        }
        if !c.team.is_empty() {
            team = Some(team_abbr(&c.team).ok_or_else(|| line_err(format!("unknown team {:?}", c.team)))?);
        }
        if c.player.is_empty() {
            if c.reason.eq_ignore_ascii_case(NOT_SUBMITTED) {
                not_submitted += 1;
            }
            continue;
        }
        let (Some(date), Some((away, home)), Some(team)) = (date, game, team) else {
            return Err(line_err(format!("player {:?} before any game date, matchup and team", c.player)));
        };
        let mut reason = Vec::new();
        if !c.reason.is_empty() {
            reason.push((sort_key(c.page, c.y), c.reason.clone()));
        }
        pending.push(Pending {
            idx: i,
            date,
            time: time.clone(),
            away,
            home,
            team,
            player: c.player.clone(),
            status: c.status.clone(),
            reason,
        });
    }
    // Wrapped reasons: each fragment joins the nearest player line of its page (a fragment at the top of a
    // page with no player on it continues the last player above). Sort keys order fragments across pages.
    for f in fragments {
        let frag = &cells[f];
        let on_page = pending
            .iter()
            .enumerate()
            .filter(|(_, p)| cells[p.idx].page == frag.page)
            .min_by(|(_, a), (_, b)| (cells[a.idx].y - frag.y).abs().total_cmp(&(cells[b.idx].y - frag.y).abs()))
            .map(|(i, _)| i);
        let target = on_page.or_else(|| pending.iter().rposition(|p| p.idx < f));
        match target.and_then(|i| pending.get_mut(i)) {
            Some(p) => p.reason.push((sort_key(frag.page, frag.y), frag.reason.clone())),
            None => return Err(bad(file.path, format!("reason text {:?} belongs to no player", frag.reason))),
        }
    }

    let entries = pending
        .into_iter()
        .map(|mut p| {
            p.reason.sort_by(|a, b| a.0.total_cmp(&b.0));
            let reason = p.reason.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>().join(" ");
            Entry {
                date: p.date,
                time: p.time,
                away: p.away,
                home: p.home,
                team: p.team,
                player: p.player,
                status: p.status,
                reason,
            }
        })
        .collect();
    Ok(Extract { report, entries, not_submitted })
}

impl Processor for NbacInjuryReport {
    fn name(&self) -> &str {
        "nbac_injury_report"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (date, rows, not_submitted, dupes) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        out.metadata.insert("teams_not_yet_submitted".into(), json!(not_submitted));
        out.metadata.insert("duplicate_players_dropped".into(), json!(dupes));
        if rows.is_empty() {
            out.no_data_reason = Some("the report lists no players".into());
            return Ok(out);
        }
        let games: BTreeSet<&str> = rows.iter().filter_map(|r| r.get("game_id").and_then(Value::as_str)).collect();
        out.metadata.insert("games".into(), json!(games.len()));
        let scope = vec![("source_file_path".to_string(), json!(file.source(super::common::BUCKET)))];
        out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date, scope, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
