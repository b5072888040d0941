//! `player_game_summary` → `nba_analytics.player_game_summary` (spec §2.3): one row per (game_date,
//! game_id, player_lookup) with the box score, shooting efficiency, usage, and the pre-game prop line.
//!
//! Invariants:
//! - the box score of a game comes from one source, chosen per game along NBA.com league game log →
//!   gamebook (active players) → balldontlie ([`super::lines`]); `primary_source_used` names it; NBA.com
//!   sources are gold/100, balldontlie silver/85 with issue `backup_source_used`;
//! - `ts_pct = PTS / (2·(FGA + 0.44·FTA))`, `efg_pct = (FGM + 0.5·3PM) / FGA` (3 decimals, NULL without
//!   attempts); `usage_rate = 100·plays·(team minutes / 5) / (min·team plays)` with plays =
//!   `FGA + 0.44·FTA + TOV` and the team's plays from the team line of the same game (the spec's `·48` is
//!   `team minutes / 5` in regulation; this form stays right in overtime), NULL when not computable or
//!   above 100;
//! - `win_flag` compares the two team lines' points (v1.0 always wrote FALSE); `starter_flag` is the spec's
//!   heuristic `minutes > 20` (no source here lists starters);
//! - prop line: the odds rows of the date with `is_pregame ∧ is_main_line`, matched on `player_lookup` and
//!   the game's two teams. Per bookmaker the line of its latest pre-game snapshot is taken; `points_line` is
//!   the median across bookmakers (the consensus; v1.0 took one book by priority, ignoring snapshot time);
//!   `opening_line` is the median of the books' lines at the player's earliest snapshot; `line_movement =
//!   points_line − opening_line`; `over_under_result` is OVER / UNDER / PUSH (v1.0 counted a push as OVER);
//!   `margin = points − points_line`; `points_line_source` = `consensus_median:<books>`; all NULL without a
//!   line. The books' names are resolved against the box-score players of the same game with the project's
//!   `NameResolver` (exact → alias table → unique suffix variant: `Isaiah Stewart II` at the books is
//!   `Isaiah Stewart` at NBA.com); an unresolved name keeps its own lookup and simply matches nobody;
//! - shot zones (`paint_*`, `mid_range_*`, `assisted_fg_makes`, `unassisted_fg_makes`, `shot_zones_source`)
//!   come from the game's play-by-play ([`super::zones`]); NULL without play-by-play, zeros for a player who
//!   took no shot; `paint + mid-range + threes` of the play-by-play ≠ box FGA adds the issue `pbp_fga_mismatch`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::lines::{self, get_bool, get_f64, get_str, PlayerLine, PlayerSource, TeamLine};
use super::zones::{self, PlayerTallies, ZoneSource};
use super::{int, num, source_values, with_source_columns, SourceSpec};
use crate::backends::schema::parse_timestamp;
use crate::backends::ColumnType as T;
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Aliases, NameResolver, Row};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "player_game_summary";

const SOURCES: [SourceSpec; 4] = [
    ("source_nbac_boxscore", lines::NBAC_BOX, 20),
    ("source_gamebook", lines::GAMEBOOK, 20),
    ("source_bdl", lines::BDL, 20),
    ("source_odds", lines::ODDS, 10),
];

pub struct PlayerGameSummary;

pub fn schema() -> TableSchema {
    let mut s = TableSchema::new("nba_analytics", TABLE)
        .required("player_lookup", T::String)
        .col("player_full_name", T::String)
        .col("nba_player_id", T::Int64)
        .required("game_id", T::String)
        .col("nba_game_id", T::String)
        .required("game_date", T::Date)
        .col("season_year", T::Int64)
        .required("team_abbr", T::String)
        .required("opponent_team_abbr", T::String)
        .required("home_game", T::Bool)
        .required("points", T::Int64)
        .col("minutes_played", T::Float64);
    for c in STAT_COLUMNS {
        s = s.col(c, T::Int64);
    }
    let s = s
        .col("plus_minus", T::Int64)
        .col("ts_pct", T::Float64)
        .col("efg_pct", T::Float64)
        .col("usage_rate", T::Float64)
        .col("starter_flag", T::Bool)
        .col("win_flag", T::Bool)
        .required("is_active", T::Bool)
        .required("player_status", T::String)
        .col("points_line", T::Float64)
        .col("opening_line", T::Float64)
        .col("line_movement", T::Float64)
        .col("over_under_result", T::String)
        .col("margin", T::Float64)
        .col("points_line_source", T::String)
        .col("points_line_books", T::Int64);
    let s = zones::player_schema(s)
        .required("primary_source_used", T::String)
        .required("data_quality_tier", T::String)
        .required("quality_score", T::Int64)
        .col("data_quality_issues", T::Json);
    with_source_columns(s, &SOURCES).partitioned_by("game_date").keyed_by(&["game_date", "game_id", "player_lookup"])
}

const STAT_COLUMNS: [&str; 14] = [
    "field_goals_made",
    "field_goals_attempted",
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
];

/// The consensus prop line of one player in one game.
#[derive(Debug, Clone, PartialEq)]
pub struct PropLine {
    pub line: f64,
    pub opening: f64,
    pub books: Vec<String>,
}

/// The median of a non-empty list (mean of the middle two for an even count).
pub fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 })
}

/// Teams of a game as an unordered pair, the join key with the odds rows (robust to which side a
/// neutral-site game calls home).
fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

type PropKey = (String, (String, String));

/// The consensus lines of the date by (player_lookup, team pair), from pre-game main lines only. The books'
/// names are resolved against the players of the same game (`known`: team pair → box-score lookups) with the
/// project's resolver (exact → alias → unique suffix variant); an unresolved name keeps its own lookup.
pub fn prop_lines(
    input: &ProcessorInput,
    known: &BTreeMap<(String, String), Vec<String>>,
) -> BTreeMap<PropKey, PropLine> {
    let aliases = Aliases::builtin();
    let resolvers: BTreeMap<&(String, String), NameResolver> =
        known.iter().map(|(k, players)| (k, NameResolver::new(aliases.clone(), players.iter().cloned()))).collect();
    // key → book → [(snapshot, line)]
    let mut seen: BTreeMap<PropKey, BTreeMap<String, Vec<(i64, f64)>>> = BTreeMap::new();
    for r in lines::rows_of(input, lines::ODDS) {
        if get_bool(r, "is_pregame") != Some(true) || get_bool(r, "is_main_line") != Some(true) {
            continue;
        }
        let (Some(player), Some(home), Some(away), Some(book), Some(line), Some(ts)) = (
            get_str(r, "player_lookup"),
            get_str(r, "home_team_abbr"),
            get_str(r, "away_team_abbr"),
            get_str(r, "bookmaker"),
            get_f64(r, "points_line"),
            get_str(r, "snapshot_timestamp").and_then(parse_timestamp),
        ) else {
            continue;
        };
        let teams = pair(home, away);
        let player =
            resolvers.get(&teams).map_or_else(|| player.to_string(), |r| r.resolve_lookup(player).lookup().to_string());
        seen.entry((player, teams)).or_default().entry(book.to_string()).or_default().push((ts.timestamp(), line));
    }
    let mut out = BTreeMap::new();
    for (key, books) in seen {
        let latest: Vec<f64> = books
            .values()
            .filter_map(|snaps| {
                let last = snaps.iter().map(|(t, _)| *t).max()?;
                median(snaps.iter().filter(|(t, _)| *t == last).map(|(_, l)| *l).collect())
            })
            .collect();
        let first = books.values().flatten().map(|(t, _)| *t).min();
        let opening: Vec<f64> = books.values().flatten().filter(|(t, _)| Some(*t) == first).map(|(_, l)| *l).collect();
        if let (Some(line), Some(opening)) = (median(latest), median(opening)) {
            out.insert(key, PropLine { line, opening, books: books.keys().cloned().collect() });
        }
    }
    out
}

/// `OVER` / `UNDER` / `PUSH` of `points` against `line`.
pub fn over_under(points: i64, line: f64) -> &'static str {
    let p = points as f64;
    if (p - line).abs() < 1e-9 {
        "PUSH"
    } else if p > line {
        "OVER"
    } else {
        "UNDER"
    }
}

fn usage_rate(l: &PlayerLine, team: Option<&TeamLine>) -> Option<f64> {
    let (t, s, min) = (team?, &l.stats, l.minutes?);
    let own = s.fga? as f64 + 0.44 * s.fta? as f64 + s.tov? as f64;
    let team_plays = t.stats.fga? as f64 + 0.44 * t.stats.fta? as f64 + t.stats.tov? as f64;
    let denom = min * team_plays;
    let u = 100.0 * own * (t.minutes / 5.0) / denom;
    (denom > 0.0 && u.is_finite() && u <= 100.0).then_some(u)
}

struct Ctx<'a> {
    date: String,
    source: PlayerSource,
    teams: &'a [TeamLine],
    props: &'a BTreeMap<PropKey, PropLine>,
    sources: &'a Row,
    zones: Option<(ZoneSource, &'a PlayerTallies)>,
}

fn row(c: &Ctx<'_>, l: &PlayerLine) -> Row {
    let s = &l.stats;
    let team = c.teams.iter().find(|t| t.team == l.team);
    let opp = c.teams.iter().find(|t| t.team == l.opponent);
    let (tier, score) = c.source.tier();
    let mut issues: Vec<&str> = Vec::new();
    if c.source == PlayerSource::Bdl {
        issues.push("backup_source_used");
    }
    let mut r = Row::new();
    r.insert("player_lookup".into(), json!(l.player_lookup));
    r.insert("player_full_name".into(), json!(l.player_name));
    r.insert("nba_player_id".into(), int(l.nba_player_id));
    r.insert("game_id".into(), json!(l.game_id));
    r.insert("nba_game_id".into(), l.nba_game_id.clone().map_or(Value::Null, Value::from));
    r.insert("game_date".into(), json!(c.date));
    r.insert("season_year".into(), int(l.season_year));
    r.insert("team_abbr".into(), json!(l.team));
    r.insert("opponent_team_abbr".into(), json!(l.opponent));
    r.insert("home_game".into(), json!(l.is_home));
    r.insert("points".into(), json!(s.pts));
    r.insert("minutes_played".into(), num(l.minutes, 2));
    let stats = [s.fgm, s.fga, s.fg3m, s.fg3a, s.ftm, s.fta, s.oreb, s.dreb, s.reb, s.ast, s.stl, s.blk, s.tov, s.pf];
    for (k, v) in STAT_COLUMNS.iter().zip(stats) {
        r.insert((*k).into(), int(v));
    }
    r.insert("plus_minus".into(), int(l.plus_minus));
    r.insert("ts_pct".into(), num(s.ts_pct(), 3));
    r.insert("efg_pct".into(), num(s.efg_pct(), 3));
    r.insert("usage_rate".into(), num(usage_rate(l, team), 1));
    r.insert("starter_flag".into(), l.minutes.map_or(Value::Null, |m| json!(m > 20.0)));
    let win = match (team, opp) {
        (Some(t), Some(o)) => json!(t.stats.pts > o.stats.pts),
        _ => Value::Null,
    };
    r.insert("win_flag".into(), win);
    r.insert("is_active".into(), json!(true));
    r.insert("player_status".into(), json!("active"));
    let prop = c.props.get(&(l.player_lookup.clone(), pair(&l.team, &l.opponent)));
    r.insert("points_line".into(), num(prop.map(|p| p.line), 2));
    r.insert("opening_line".into(), num(prop.map(|p| p.opening), 2));
    r.insert("line_movement".into(), num(prop.map(|p| p.line - p.opening), 2));
    r.insert("over_under_result".into(), prop.map_or(Value::Null, |p| json!(over_under(s.pts, p.line))));
    r.insert("margin".into(), num(prop.map(|p| s.pts as f64 - p.line), 2));
    let src = prop.map(|p| format!("consensus_median:{}", p.books.join(",")));
    r.insert("points_line_source".into(), src.map_or(Value::Null, Value::from));
    r.insert("points_line_books".into(), int(prop.map(|p| p.books.len() as i64)));
    let key = (l.team.clone(), l.player_lookup.clone());
    let tally = c.zones.and_then(|(src, t)| Some((src, t.by_player.get(&key)?)));
    if zones::put_player(&mut r, tally, s.fga) {
        issues.push(zones::FGA_MISMATCH);
    }
    r.insert("primary_source_used".into(), json!(c.source.as_str()));
    r.insert("data_quality_tier".into(), json!(tier));
    r.insert("quality_score".into(), json!(score));
    r.insert("data_quality_issues".into(), json!(issues));
    r.extend(c.sources.clone());
    r
}

impl Processor for PlayerGameSummary {
    fn name(&self) -> &str {
        "player_game_summary"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("a Phase 3 run needs a date".into()))?;
        let games = lines::player_lines(input)?;
        let mut out = ProcessorOutput::default();
        if games.is_empty() {
            out.no_data_reason = Some(lines::no_games_reason(Some(date)));
            return Ok(out);
        }
        let teams = lines::team_lines_with(input, &games)?;
        let mut known: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (_, players) in games.values() {
            for l in players {
                known.entry(pair(&l.team, &l.opponent)).or_default().push(l.player_lookup.clone());
            }
        }
        let props = prop_lines(input, &known);
        let sources = source_values(input, &SOURCES);
        let shots = zones::shots_by_game(input)?;
        let (mut zoned, mut unmatched, mut mismatched) = (0, 0, 0);
        let mut rows = Vec::new();
        let mut by_source: BTreeMap<&str, usize> = BTreeMap::new();
        let mut used: BTreeSet<PropKey> = BTreeSet::new();
        for (game, (source, players)) in &games {
            *by_source.entry(source.as_str()).or_default() += 1;
            let tallies = shots.get(game).map(|g| (g.source, g.player_tallies(players)));
            zoned += usize::from(tallies.is_some());
            unmatched += tallies.as_ref().map_or(0, |(_, t)| t.unmatched);
            let ctx = Ctx {
                date: date.to_string(),
                source: *source,
                teams: teams.get(game).map_or(&[], Vec::as_slice),
                props: &props,
                sources: &sources,
                zones: tallies.as_ref().map(|(src, t)| (*src, t)),
            };
            for l in players {
                let r = row(&ctx, l);
                mismatched += usize::from(
                    r.get("data_quality_issues")
                        .is_some_and(|v| v.as_array().is_some_and(|a| a.iter().any(|i| i == zones::FGA_MISMATCH))),
                );
                if r.get("points_line").is_some_and(|v| !v.is_null()) {
                    used.insert((l.player_lookup.clone(), pair(&l.team, &l.opponent)));
                }
                rows.push(r);
            }
        }
        out.metadata.insert("games".into(), json!(games.len()));
        out.metadata.insert("games_by_source".into(), json!(by_source));
        out.metadata.insert("players".into(), json!(rows.len()));
        out.metadata.insert("players_with_line".into(), json!(used.len()));
        out.metadata.insert("games_with_shot_zones".into(), json!(zoned));
        out.metadata.insert("pbp_shots_unmatched".into(), json!(unmatched));
        out.metadata.insert("players_pbp_fga_mismatch".into(), json!(mismatched));
        // Lines of players without a box-score row: did not play, or a name the resolver could not place.
        out.metadata.insert("prop_lines_unmatched".into(), json!(props.len().saturating_sub(used.len())));
        out.writes.push(TableWrite::ReplacePartition { table: TableRef::new("nba_analytics", TABLE), date, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        zones::input_columns(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SlateDate;

    fn odds(book: &str, player: &str, snap: &str, line: f64, main: bool, pregame: bool) -> Row {
        let v = json!({
            "game_date": "2025-11-05", "home_team_abbr": "CLE", "away_team_abbr": "PHI", "bookmaker": book,
            "player_lookup": player, "snapshot_timestamp": snap, "points_line": line,
            "is_main_line": main, "is_pregame": pregame,
        });
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn consensus_takes_each_books_latest_pregame_main_line() {
        let (early, late, live) = ("2025-11-05T15:00:00Z", "2025-11-05T22:00:00Z", "2025-11-06T01:00:00Z");
        let rows = vec![
            odds("draftkings", "isaiahstewartii", early, 10.5, true, true),
            odds("draftkings", "isaiahstewartii", late, 12.5, true, true),
            odds("draftkings", "isaiahstewartii", late, 14.5, false, true),
            odds("draftkings", "isaiahstewartii", live, 4.5, true, false),
            odds("fanduel", "isaiahstewartii", early, 11.5, true, true),
            odds("betmgm", "isaiahstewartii", late, 11.5, true, true),
            odds("betmgm", "someoneelse", late, 20.5, true, true),
        ];
        let date: SlateDate = "2025-11-05".parse().unwrap();
        let mut input = ProcessorInput { date: Some(date), ..Default::default() };
        input.set_rows(lines::ODDS, rows);
        let known = BTreeMap::from([(pair("CLE", "PHI"), vec!["isaiahstewart".to_string()])]);
        let props = prop_lines(&input, &known);
        let p = &props[&("isaiahstewart".to_string(), pair("PHI", "CLE"))];
        // Latest per book: draftkings 12.5 (not the alternate 14.5, not the in-game 4.5), fanduel 11.5, betmgm
        // 11.5 → median 11.5. Opening: the earliest snapshot's lines, 10.5 and 11.5 → 11.0.
        assert_eq!(p.line, 11.5);
        assert_eq!(p.opening, 11.0);
        assert_eq!(p.books, ["betmgm", "draftkings", "fanduel"]);
        assert!(props.contains_key(&("someoneelse".to_string(), pair("CLE", "PHI"))), "unresolved keeps its lookup");
    }

    #[test]
    fn median_and_push() {
        assert_eq!(median(vec![21.5, 20.5, 22.5]), Some(21.5));
        assert_eq!(median(vec![21.5, 20.5]), Some(21.0));
        assert_eq!(median(vec![]), None);
        assert_eq!(over_under(21, 21.0), "PUSH");
        assert_eq!(over_under(22, 21.5), "OVER");
        assert_eq!(over_under(21, 21.5), "UNDER");
    }
}
