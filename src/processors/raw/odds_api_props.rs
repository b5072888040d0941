//! `odds_api_props`: The Odds API event odds, market `player_points` → `nba_raw.odds_api_player_points_props`.
//!
//! Input: `odds-api/player-props/{date}/{event_id}-{AWAYHOME}/{YYYYMMDD_HHMMSS}-snap-{HHMM}.json` holding the
//! event-odds response `{id, commence_time, home_team, away_team, bookmakers: [{key, last_update, markets:
//! [{key: "player_points", outcomes: [{name: "Over"|"Under", description: <player>, price, point}]}]}]}`, or
//! the historical endpoint's wrapper `{timestamp, previous_timestamp, next_timestamp, data: {…}}`.
//!
//! Invariants:
//! - one row per (snapshot, bookmaker, player, line): the Over and Under outcomes at the same point fold into
//!   one row; prices are kept in both decimal and American form whatever format the file used (American
//!   prices are ≤ -100 or ≥ +100, decimal ones lie in (1, 100));
//! - `is_main_line`: per (snapshot, bookmaker, player) exactly one line is main — the one whose over and under
//!   prices are closest (books such as Bovada and BetRivers also list alternates); a one-sided line counts
//!   as main only when it is the player's only line at that book;
//! - `game_date` is the America/New_York date of tip-off; `game_id` is `YYYYMMDD_AWAY_HOME`;
//!   `minutes_before_tipoff` < 0 marks an in-game snapshot, kept but flagged `is_pregame = false`;
//! - the snapshot time is the file's `timestamp` (historical) or the path's `YYYYMMDD_HHMMSS`;
//! - every snapshot is kept (a time series): the rows of this object replace only this object's earlier
//!   rows (`ReplaceSlice` on `source_file_path`), so reloading is idempotent and later snapshots add rows;
//! - player names resolve through the alias table (`name_resolution` says how).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};

use super::common::{
    american_from_decimal, bad, decimal_from_american, raw_schema, raw_table, round, stamp, Obj, RawFile,
};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Aliases, NameResolver, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "odds_api_player_points_props";
const HASH_FIELDS: [&str; 6] =
    ["player_lookup", "game_date", "game_id", "bookmaker", "points_line", "snapshot_timestamp"];

pub struct OddsApiProps {
    names: NameResolver,
}

impl Default for OddsApiProps {
    fn default() -> Self {
        OddsApiProps { names: NameResolver::aliases_only(Aliases::builtin()) }
    }
}

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_id", T::String)
            .required("odds_api_event_id", T::String)
            .required("game_date", T::Date)
            .required("game_start_time", T::Timestamp)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .required("snapshot_timestamp", T::Timestamp)
            .col("snapshot_tag", T::String)
            .col("minutes_before_tipoff", T::Int64)
            .required("is_pregame", T::Bool)
            .required("bookmaker", T::String)
            .required("player_name", T::String)
            .required("player_lookup", T::String)
            .col("name_resolution", T::String)
            .required("points_line", T::Float64)
            .col("over_price", T::Float64)
            .col("under_price", T::Float64)
            .col("over_price_american", T::Int64)
            .col("under_price_american", T::Int64)
            .required("is_main_line", T::Bool)
            .col("bookmaker_last_update", T::Timestamp)
            .col("data_source", T::String)
            .partitioned_by("game_date")
    })
}

/// A price in both forms from whatever the file holds.
fn prices(p: Option<f64>) -> (Option<f64>, Option<i64>) {
    match p {
        Some(a) if a <= -100.0 || a >= 100.0 => (decimal_from_american(a), Some(a.round() as i64)),
        Some(d) if d > 1.0 && d < 100.0 => (Some(round(d, 4)), american_from_decimal(d)),
        _ => (None, None),
    }
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

fn ts_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The snapshot instant from the path's `{YYYYMMDD_HHMMSS}-snap-{HHMM}.json` file name.
fn path_snapshot(path: &str) -> Option<(DateTime<Utc>, Option<String>)> {
    let file = path.rsplit('/').next()?;
    let stamp = file.get(..15)?;
    let t = NaiveDateTime::parse_from_str(stamp, "%Y%m%d_%H%M%S").ok()?.and_utc();
    let tag = file.find("snap-").and_then(|i| file.get(i..i + 9)).map(str::to_string);
    Some((t, tag))
}

/// One player's lines at one book: line (as text) → (line, prices).
type Ladder = BTreeMap<String, (f64, Sides)>;

#[derive(Default)]
struct Sides {
    over: Option<f64>,
    under: Option<f64>,
}

impl OddsApiProps {
    pub fn parse(&self, file: &RawFile<'_>) -> Result<(SlateDate, Vec<Row>), ProcessorError> {
        let root = file.json()?;
        let (event, snap_ts, source) = match root.get("data") {
            Some(d) if d.is_object() => {
                let ts = root.get("timestamp").and_then(Value::as_str).and_then(parse_ts);
                (d, ts, "historical")
            }
            _ => (&root, None, "current"),
        };
        let ev = Obj::new(event, file.path, "event")?;
        let event_id = ev.str("id")?;
        let commence_raw = ev.str("commence_time")?;
        let commence =
            parse_ts(commence_raw).ok_or_else(|| bad(file.path, format!("bad commence_time {commence_raw:?}")))?;
        let home_raw = ev.str("home_team")?;
        let away_raw = ev.str("away_team")?;
        let home = team_abbr(home_raw).ok_or_else(|| bad(file.path, format!("unknown home team {home_raw:?}")))?;
        let away = team_abbr(away_raw).ok_or_else(|| bad(file.path, format!("unknown away team {away_raw:?}")))?;
        let from_path = path_snapshot(file.path);
        let snapshot = snap_ts
            .or(from_path.as_ref().map(|(t, _)| *t))
            .ok_or_else(|| bad(file.path, "no snapshot time (no `timestamp` and no YYYYMMDD_HHMMSS in the path)"))?;
        let tag = from_path.and_then(|(_, tag)| tag).unwrap_or_else(|| format!("snap-{}", snapshot.format("%H%M")));
        let game_date = SlateDate::of_instant(commence);
        let game_id = standard_game_id(game_date, away, home);
        let minutes_before = (commence - snapshot).num_minutes();
        let mut rows = Vec::new();
        let empty = Vec::new();
        let books = match ev.get("bookmakers") {
            Some(b) => b.as_array().ok_or_else(|| bad(file.path, "event.bookmakers: expected an array"))?,
            None => &empty,
        };
        for b in books {
            let book = Obj::new(b, file.path, "bookmaker")?;
            let key = book.str("key")?;
            let last_update = book.opt_str("last_update").and_then(parse_ts).map(ts_text);
            // player → line (as text, exact) → sides
            let mut lines: BTreeMap<String, (String, Ladder)> = BTreeMap::new();
            for m in book.arr("markets")? {
                let market = Obj::new(m, file.path, "market")?;
                if market.opt_str("key") != Some("player_points") {
                    continue;
                }
                for o in market.arr("outcomes")? {
                    let out = Obj::new(o, file.path, "outcome")?;
                    let player = out.str("description")?.trim();
                    let point = out.f64("point")?;
                    if !(0.0..=100.0).contains(&point) {
                        return Err(bad(file.path, format!("line {point} for {player} out of range")));
                    }
                    let price = out.opt_f64("price");
                    let side = out.str("name")?;
                    let res = self.names.resolve(player);
                    let entry =
                        lines.entry(res.lookup().to_string()).or_insert_with(|| (player.to_string(), BTreeMap::new()));
                    let slot = &mut entry.1.entry(format!("{point:.1}")).or_insert((point, Sides::default())).1;
                    match side.to_ascii_lowercase().as_str() {
                        "over" => slot.over = price,
                        "under" => slot.under = price,
                        other => {
                            return Err(bad(file.path, format!("outcome name {other:?} is neither Over nor Under")))
                        }
                    }
                }
            }
            for (lookup, (name, by_line)) in lines {
                let main = main_line(&by_line);
                for (text, (point, sides)) in &by_line {
                    let (over_d, over_a) = prices(sides.over);
                    let (under_d, under_a) = prices(sides.under);
                    let mut row = Row::new();
                    row.insert("game_id".into(), json!(game_id));
                    row.insert("odds_api_event_id".into(), json!(event_id));
                    row.insert("game_date".into(), json!(game_date.to_string()));
                    row.insert("game_start_time".into(), json!(ts_text(commence)));
                    row.insert("home_team_abbr".into(), json!(home));
                    row.insert("away_team_abbr".into(), json!(away));
                    row.insert("snapshot_timestamp".into(), json!(ts_text(snapshot)));
                    row.insert("snapshot_tag".into(), json!(tag));
                    row.insert("minutes_before_tipoff".into(), json!(minutes_before));
                    row.insert("is_pregame".into(), json!(minutes_before >= 0));
                    row.insert("bookmaker".into(), json!(key));
                    row.insert("player_name".into(), json!(name));
                    row.insert("player_lookup".into(), json!(lookup));
                    row.insert("name_resolution".into(), json!(self.names.resolve(&name).method()));
                    row.insert("points_line".into(), json!(point));
                    row.insert("over_price".into(), over_d.map_or(Value::Null, |v| json!(v)));
                    row.insert("under_price".into(), under_d.map_or(Value::Null, |v| json!(v)));
                    row.insert("over_price_american".into(), over_a.map_or(Value::Null, |v| json!(v)));
                    row.insert("under_price_american".into(), under_a.map_or(Value::Null, |v| json!(v)));
                    row.insert("is_main_line".into(), json!(main.as_deref() == Some(text.as_str())));
                    row.insert("bookmaker_last_update".into(), last_update.clone().map_or(Value::Null, |v| json!(v)));
                    row.insert("data_source".into(), json!(source));
                    stamp(&mut row, file, &HASH_FIELDS);
                    rows.push(row);
                }
            }
        }
        Ok((game_date, rows))
    }
}

/// The main line of one player at one book: the two-sided line with the closest over and under prices
/// (ties: the lower line); a lone one-sided line is main; several one-sided lines have no main line.
fn main_line(by_line: &Ladder) -> Option<String> {
    let two_sided = by_line.iter().filter_map(|(k, (_, s))| {
        let (o, u) = (prices(s.over).0?, prices(s.under).0?);
        Some((k, (o - u).abs()))
    });
    let mut best: Option<(&String, f64)> = None;
    for (k, gap) in two_sided {
        let better = match best {
            None => true,
            Some((bk, bg)) => gap < bg - 1e-9 || ((gap - bg).abs() <= 1e-9 && by_line[k].0 < by_line[bk].0),
        };
        if better {
            best = Some((k, gap));
        }
    }
    match best {
        Some((k, _)) => Some(k.clone()),
        None if by_line.len() == 1 => by_line.keys().next().cloned(),
        None => None,
    }
}

impl Processor for OddsApiProps {
    fn name(&self) -> &str {
        "odds_api_props"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (date, rows) = self.parse(&file)?;
        let mut out = ProcessorOutput::default();
        if rows.is_empty() {
            out.no_data_reason = Some("no player_points lines in this snapshot".into());
        }
        let main = rows.iter().filter(|r| r.get("is_main_line") == Some(&json!(true))).count();
        out.metadata.insert("main_lines".into(), json!(main));
        out.writes.push(TableWrite::ReplaceSlice {
            table: raw_table(TABLE),
            date,
            scope: vec![("source_file_path".into(), json!(file.source(super::common::BUCKET)))],
            rows,
        });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sides(o: f64, u: f64) -> Sides {
        Sides { over: Some(o), under: Some(u) }
    }

    #[test]
    fn the_main_line_has_the_closest_prices() {
        let mut m = BTreeMap::new();
        m.insert("18.5".into(), (18.5, sides(-180.0, 140.0)));
        m.insert("20.5".into(), (20.5, sides(-112.0, -112.0)));
        m.insert("22.5".into(), (22.5, sides(150.0, -190.0)));
        assert_eq!(main_line(&m).as_deref(), Some("20.5"));
        let mut one = BTreeMap::new();
        one.insert("10.5".into(), (10.5, Sides { over: Some(1.87), under: None }));
        assert_eq!(main_line(&one).as_deref(), Some("10.5"));
        one.insert("11.5".into(), (11.5, Sides { over: Some(1.87), under: None }));
        assert_eq!(main_line(&one), None, "several one-sided lines: no main line");
    }

    #[test]
    fn prices_convert_both_ways() {
        assert_eq!(prices(Some(-110.0)), (Some(1.9091), Some(-110)));
        assert_eq!(prices(Some(1.8)), (Some(1.8), Some(-125)));
        assert_eq!(prices(Some(50.0)), (Some(50.0), Some(4900)));
        assert_eq!(prices(Some(0.5)), (None, None));
        assert_eq!(prices(None), (None, None));
    }
}
