//! `nbac_gamebook`: NBA.com gamebooks → `nba_raw.nbac_gamebook_player_stats`, active players with their box
//! score and DNP / inactive players with the reason.
//!
//! Input: `nba-com/gamebooks-data/{date}/{YYYYMMDD-AWAYHOME}/{ts}.{pdf|json}`, either
//! - the gamebook PDF itself (`%PDF-`): its text lines are `VISITOR: Team Name (W-L)` / `HOME: Team Name (W-L)`
//!   section heads, player lines `45 GG Jackson F 35:42 7 21 2 10 6 6 0 2 2 2 2 2 1 1 -13 22` (jersey, name,
//!   starter position, minutes, then FG FGA 3P 3PA FT FTA OR DR TOT A PF ST TO BS +/- PTS; `7-21` pairs are
//!   accepted too), `24 Marcus Morris Sr. DNP - Coach's Decision` (also `NWT - …`, `DND - …`), and
//!   `Inactive: Grizzlies - Bane (Injury/Illness - …), Goodwin (G League - Two-Way)` lists, which may wrap onto
//!   the next lines and may hold both teams' lists on one line; or
//! - the original scraper's JSON made from that PDF (`active_players`, `dnp_players`, `inactive_players`).
//!
//! The line layout follows the original scraper's reading of the PDF text. Both real PDF captures among the
//! fixtures are damaged (their flate streams lost bytes) and are refused; the PDF path is tested on a PDF
//! rebuilt in that layout from the original's extraction of the same game.
//!
//! Invariants:
//! - one row per (game, team, player); `game_id` is the standard `YYYYMMDD_AWAY_HOME` of the path's date and
//!   game code (the PDF's VISITOR/HOME teams, or the JSON's teams, must agree with it); teams are tricodes;
//! - `player_status` is `active`, `dnp` (DNP / NWT / DND, `dnp_reason` keeps the prefix, e.g.
//!   `NWT - Injury/Illness - Right Foot; Strain`) or `inactive` (`dnp_reason` is the reason);
//! - inactive players are printed by last name only: their `player_lookup` is the folded last name,
//!   `name_resolution_status` is `last_name_only` and `requires_manual_review` is true (resolving them needs a
//!   roster, which a raw processor does not read); other names go through the alias resolver;
//! - a repeated (team, player) keeps its first row (the count is in the metadata);
//! - per game: the write replaces the game's slice (`ReplaceSlice` on `game_id`) of the date's partition, so a
//!   reload or a corrected gamebook replaces the game's rows and nothing else;
//! - an unreadable PDF, a stat line without its 16 numbers, an unknown team, a gamebook of another game or a
//!   gamebook without players fails the file (`BadInput`), never a panic.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{bad, parse_minutes, raw_schema, raw_table, round, stamp, Obj, RawFile};
use super::pdf_text::pdf_lines;
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{player_lookup, team_abbr, Aliases, NameResolver, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_gamebook_player_stats";
const HASH_FIELDS: [&str; 8] = [
    "game_id",
    "player_lookup",
    "minutes",
    "field_goals_made",
    "field_goals_attempted",
    "points",
    "total_rebounds",
    "assists",
];
/// The 16 numbers after the minutes, in the gamebook's column order.
const STATS: [&str; 16] = [
    "field_goals_made",
    "field_goals_attempted",
    "three_pointers_made",
    "three_pointers_attempted",
    "free_throws_made",
    "free_throws_attempted",
    "offensive_rebounds",
    "defensive_rebounds",
    "total_rebounds",
    "assists",
    "personal_fouls",
    "steals",
    "turnovers",
    "blocks",
    "plus_minus",
    "points",
];

pub struct NbacGamebook;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        let s = s
            .required("game_id", T::String)
            .required("game_code", T::String)
            .required("game_date", T::Date)
            .required("season_year", T::Int64)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .required("team_abbr", T::String)
            .required("player_name", T::String)
            .required("player_name_original", T::String)
            .required("player_lookup", T::String)
            .required("name_resolution_status", T::String)
            .col("name_resolution_method", T::String)
            .required("requires_manual_review", T::Bool)
            .required("player_status", T::String)
            .col("dnp_reason", T::String)
            .col("jersey_number", T::String)
            .col("position", T::String)
            .col("minutes", T::String)
            .col("minutes_decimal", T::Float64);
        STATS.iter().fold(s, |s, c| s.col(c, T::Int64)).partitioned_by("game_date").keyed_by(&[
            "game_date",
            "game_id",
            "team_abbr",
            "player_lookup",
        ])
    })
}

/// The game a file is about, from its path: `{date}/{YYYYMMDD-AWAYHOME}`.
#[derive(Debug, Clone, Copy)]
pub struct Game {
    pub date: SlateDate,
    pub away: &'static str,
    pub home: &'static str,
}

fn game_of_path(file: &RawFile<'_>) -> Result<Game, ProcessorError> {
    let date = file.require_path_date()?;
    let segs: Vec<&str> = file.path.split('/').collect();
    let code = segs
        .iter()
        .position(|s| *s == date.to_string())
        .and_then(|i| segs.get(i + 1))
        .ok_or_else(|| bad(file.path, "no game code after the date in the path"))?;
    let letters: String = code.chars().filter(char::is_ascii_alphabetic).collect();
    let (away, home) = (letters.get(..3), letters.get(3..6));
    match (away.and_then(team_abbr), home.and_then(team_abbr)) {
        (Some(a), Some(h)) if letters.len() == 6 && a != h => Ok(Game { date, away: a, home: h }),
        _ => Err(bad(file.path, format!("game code {code:?} is not YYYYMMDD-AWAYHOME"))),
    }
}

/// One player as read from either input form.
#[derive(Debug, Clone, Default)]
struct Player {
    team: &'static str,
    name: String,
    jersey: Option<String>,
    position: Option<String>,
    status: &'static str,
    reason: Option<String>,
    minutes: Option<String>,
    stats: Vec<i64>,
}

/// Parse a gamebook (PDF or the scraper's JSON) into the game's rows.
pub fn parse(file: &RawFile<'_>) -> Result<(Game, Vec<Row>, usize), ProcessorError> {
    let game = game_of_path(file)?;
    let bytes = file.non_empty()?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let players = if first == Some(b'{') { from_json(file, &game)? } else { from_pdf(file, &game)? };
    if !players.iter().any(|p| p.status == "active") {
        return Err(bad(file.path, "the gamebook lists no active player"));
    }
    let resolver = NameResolver::aliases_only(Aliases::builtin());
    let mut seen = BTreeSet::new();
    let mut dupes = 0;
    let mut rows = Vec::with_capacity(players.len());
    for p in players {
        let last_name_only = p.status == "inactive" && (!p.name.trim().contains(' ') || is_suffixed_last_name(&p.name));
        let (lookup, status, method) = if last_name_only {
            (player_lookup(&p.name), "last_name_only", None)
        } else {
            let r = resolver.resolve(&p.name);
            (r.lookup().to_string(), if r.is_resolved() { "resolved" } else { "original" }, Some(r.method()))
        };
        if lookup.is_empty() {
            return Err(bad(file.path, format!("player name {:?} has no letters", p.name)));
        }
        if !seen.insert((p.team, lookup.clone())) {
            dupes += 1;
            continue;
        }
        let mut row = Row::new();
        row.insert("game_id".into(), json!(standard_game_id(game.date, game.away, game.home)));
        row.insert("game_code".into(), json!(format!("{}/{}{}", game.date.compact(), game.away, game.home)));
        row.insert("game_date".into(), json!(game.date.to_string()));
        row.insert("season_year".into(), json!(game.date.season_year()));
        row.insert("home_team_abbr".into(), json!(game.home));
        row.insert("away_team_abbr".into(), json!(game.away));
        row.insert("team_abbr".into(), json!(p.team));
        row.insert("player_name".into(), json!(p.name.trim()));
        row.insert("player_name_original".into(), json!(p.name));
        row.insert("player_lookup".into(), json!(lookup));
        row.insert("name_resolution_status".into(), json!(status));
        row.insert("name_resolution_method".into(), method.map_or(Value::Null, |m| json!(m)));
        row.insert("requires_manual_review".into(), json!(last_name_only));
        row.insert("player_status".into(), json!(p.status));
        row.insert("dnp_reason".into(), p.reason.as_ref().map_or(Value::Null, |r| json!(r)));
        row.insert("jersey_number".into(), p.jersey.as_ref().map_or(Value::Null, |j| json!(j)));
        row.insert("position".into(), p.position.as_ref().map_or(Value::Null, |j| json!(j)));
        row.insert("minutes".into(), p.minutes.as_ref().map_or(Value::Null, |m| json!(m)));
        let dec = p.minutes.as_ref().and_then(|m| parse_minutes(&json!(m)));
        row.insert("minutes_decimal".into(), dec.map_or(Value::Null, |m| json!(round(m, 2))));
        for (i, c) in STATS.iter().enumerate() {
            row.insert((*c).into(), p.stats.get(i).map_or(Value::Null, |v| json!(v)));
        }
        stamp(&mut row, file, &HASH_FIELDS);
        rows.push(row);
    }
    Ok((game, rows, dupes))
}

/// "Jackson Jr." / "Williams III": a last name with a suffix, still one person's last name only.
fn is_suffixed_last_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split_whitespace().collect();
    parts.len() == 2 && ["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"].contains(&parts[1].to_ascii_lowercase().as_str())
}

fn team_of(file: &RawFile<'_>, game: &Game, name: &str) -> Result<&'static str, ProcessorError> {
    let t = team_abbr(name).ok_or_else(|| bad(file.path, format!("unknown team {name:?}")))?;
    if t != game.away && t != game.home {
        return Err(bad(file.path, format!("team {t} does not play in {}@{}", game.away, game.home)));
    }
    Ok(t)
}

fn from_json(file: &RawFile<'_>, game: &Game) -> Result<Vec<Player>, ProcessorError> {
    let v = file.json()?;
    let top = Obj::new(&v, file.path, "gamebook")?;
    for (field, want) in [("away_team", game.away), ("home_team", game.home)] {
        if let Some(t) = top.opt_str(field) {
            if team_abbr(t) != Some(want) {
                return Err(bad(file.path, format!("{field} {t:?} is not {want} of the path's game code")));
            }
        }
    }
    let mut out = Vec::new();
    for (list, status) in [("active_players", "active"), ("dnp_players", "dnp"), ("inactive_players", "inactive")] {
        let Some(arr) = top.get(list) else { continue };
        let arr = arr.as_array().ok_or_else(|| bad(file.path, format!("{list}: expected an array")))?;
        for (i, pv) in arr.iter().enumerate() {
            let what = format!("{list}[{i}]");
            let p = Obj::new(pv, file.path, &what)?;
            let team = team_of(file, game, p.str("team")?)?;
            let mut player = Player { team, name: p.str("name")?.to_string(), status, ..Default::default() };
            match status {
                "active" => {
                    let st = p.obj("stats")?;
                    player.minutes = st.opt_str("minutes").map(str::to_string);
                    player.stats = STATS.iter().map(|c| st.i64(c)).collect::<Result<_, _>>()?;
                }
                "dnp" => player.reason = p.opt_str("dnp_reason").map(str::to_string),
                _ => player.reason = p.opt_str("reason").map(str::to_string),
            }
            out.push(player);
        }
    }
    Ok(out)
}

fn is_minutes(t: &str) -> bool {
    t.split_once(':').is_some_and(|(m, s)| {
        (1..=3).contains(&m.len())
            && s.len() == 2
            && m.bytes().all(|b| b.is_ascii_digit())
            && s.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_jersey(t: &str) -> bool {
    (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
}

/// The numbers after the minutes: `7 21` or `7-21` pairs, signed plus/minus.
fn stat_numbers(tokens: &[&str]) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    for t in tokens {
        if let Ok(n) = t.trim_start_matches('+').parse::<i64>() {
            out.push(n);
        } else {
            let (a, b) = t.split_once('-')?;
            out.push(a.parse().ok()?);
            out.push(b.parse().ok()?);
        }
    }
    Some(out)
}

const DNP_MARKS: [&str; 3] = [" DNP - ", " NWT - ", " DND - "];

fn from_pdf(file: &RawFile<'_>, game: &Game) -> Result<Vec<Player>, ProcessorError> {
    let lines: Vec<String> = pdf_lines(file.path, file.non_empty()?)?.iter().map(|l| l.text()).collect();
    let mut team: Option<&'static str> = None;
    let mut teams_seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut inactive_text = String::new();
    for line in &lines {
        let line = line.trim();
        let head = ["VISITOR:", "HOME:"].iter().find_map(|h| line.strip_prefix(h));
        if let Some(rest) = head {
            let name = rest.split('(').next().unwrap_or(rest).trim();
            let t = team_of(file, game, name)?;
            let want = if line.starts_with("VISITOR:") { game.away } else { game.home };
            if t != want {
                return Err(bad(file.path, format!("{line:?} does not match {}@{}", game.away, game.home)));
            }
            team = Some(t);
            teams_seen.insert(t);
            continue;
        }
        if line.starts_with("Inactive:") || (!inactive_text.is_empty() && continues_inactive(line)) {
            inactive_text.push(' ');
            inactive_text.push_str(line);
            continue;
        }
        let Some(team) = team else { continue };
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.len() < 2 || !is_jersey(tokens[0]) || !tokens[1].starts_with(|c: char| c.is_alphabetic()) {
            continue;
        }
        if let Some((mark, at)) = DNP_MARKS.iter().find_map(|m| line.find(m).map(|at| (m, at))) {
            let name = line[..at].trim_start_matches(|c: char| c.is_ascii_digit()).trim().to_string();
            let reason = format!("{} - {}", mark.trim().trim_end_matches(" -"), line[at + mark.len()..].trim());
            let jersey = Some(tokens[0].to_string());
            out.push(Player { team, name, jersey, status: "dnp", reason: Some(reason), ..Default::default() });
            continue;
        }
        if let Some(mark) = ["DNP", "NWT", "DND"].iter().find(|m| tokens.last() == Some(*m)) {
            // A DNP mark without a reason.
            let name = tokens[1..tokens.len() - 1].join(" ");
            let (jersey, reason) = (Some(tokens[0].to_string()), Some(mark.to_string()));
            out.push(Player { team, name, jersey, status: "dnp", reason, ..Default::default() });
            continue;
        }
        let Some(m) = tokens.iter().position(|t| is_minutes(t)) else { continue };
        let err = |d: &str| bad(file.path, format!("stat line {line:?}: {d}"));
        let stats = stat_numbers(&tokens[m + 1..]).ok_or_else(|| err("a stat is not a number"))?;
        if stats.len() != STATS.len() {
            return Err(err(&format!("{} numbers after the minutes, expected {}", stats.len(), STATS.len())));
        }
        let mut name_end = m;
        let position = match tokens.get(m - 1) {
            Some(p) if m > 2 && ["F", "G", "C", "G-F", "F-C", "F-G", "C-F"].contains(p) => {
                name_end -= 1;
                Some(p.to_string())
            }
            _ => None,
        };
        let name = tokens[1..name_end].join(" ");
        let minutes = Some(tokens[m].to_string());
        let jersey = Some(tokens[0].to_string());
        out.push(Player { team, name, jersey, position, status: "active", minutes, stats, ..Default::default() });
    }
    if teams_seen.len() != 2 {
        return Err(bad(file.path, "no VISITOR/HOME sections (not a gamebook, or unreadable text)"));
    }
    out.extend(parse_inactive(file, game, &inactive_text)?);
    Ok(out)
}

fn continues_inactive(line: &str) -> bool {
    const STOPS: [&str; 7] = ["Points in the Paint", "SCORE BY", "Technical", "MEMO", "Copyright", "VISITOR:", "HOME:"];
    !STOPS.iter().any(|s| line.starts_with(s)) && !line.split_whitespace().next().is_some_and(is_jersey)
}

/// `Inactive: Grizzlies - Bane (Reason), Goodwin (Reason) Inactive: Cavaliers - Jerome (Reason)`.
fn parse_inactive(file: &RawFile<'_>, game: &Game, text: &str) -> Result<Vec<Player>, ProcessorError> {
    let mut out = Vec::new();
    for section in text.split("Inactive:").map(str::trim).filter(|s| !s.is_empty()) {
        let (team_name, list) = section
            .split_once(" - ")
            .ok_or_else(|| bad(file.path, format!("inactive list {section:?} names no team")))?;
        let team = team_of(file, game, team_name)?;
        // Split on commas outside parentheses.
        let (mut depth, mut cur, mut items) = (0i32, String::new(), Vec::new());
        for c in list.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        items.push(cur);
        for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let (name, reason) = match item.split_once('(') {
                Some((n, r)) => (n.trim(), Some(r.trim().trim_end_matches(')').trim())),
                None => (item, None),
            };
            let reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
            out.push(Player { team, name: name.to_string(), status: "inactive", reason, ..Default::default() });
        }
    }
    Ok(out)
}

impl Processor for NbacGamebook {
    fn name(&self) -> &str {
        "nbac_gamebook"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (game, rows, dupes) = parse(&file)?;
        let game_id = standard_game_id(game.date, game.away, game.home);
        let mut out = ProcessorOutput::default();
        for status in ["active", "dnp", "inactive"] {
            let n = rows.iter().filter(|r| r.get("player_status").and_then(Value::as_str) == Some(status)).count();
            out.metadata.insert(format!("{status}_players"), json!(n));
        }
        out.metadata.insert("duplicate_players_dropped".into(), json!(dupes));
        out.metadata.insert("game_id".into(), json!(game_id));
        let scope = vec![("game_id".to_string(), json!(game_id))];
        out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date: game.date, scope, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_tokens_and_minutes() {
        assert_eq!(stat_numbers(&["7-21", "2", "10", "-13", "+4"]), Some(vec![7, 21, 2, 10, -13, 4]));
        assert_eq!(stat_numbers(&["x"]), None);
        assert!(is_minutes("35:42") && is_minutes("240:00") && !is_minutes("2:1") && !is_minutes("a:bc"));
        assert!(is_suffixed_last_name("Jackson Jr.") && !is_suffixed_last_name("Scotty Pippen"));
    }
}
