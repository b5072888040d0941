//! `betting_props`: BettingPros player points props → `nba_raw.bettingpros_player_points_props`.
//!
//! Input: `bettingpros/player-props/{market}/{date}/{ts}.json`, in either of the two shapes BettingPros data
//! lands in:
//! - the offers API response: `{"offers": [{"id", "event_id", "participants": [{"id", "name", "player":
//!   {"team", "position"}}], "selections": [{"selection": "over"|"under", "opening_line": {"line", "cost",
//!   "book_id", "created"}, "books": [{"id", "lines": [{"id", "line", "cost", "updated", "active",
//!   "best"}]}]}]}]}`;
//! - the original scraper's flattening of it: `{"date", "market_type", "market_id", "props": [{"offer_id",
//!   "event_id", "player_id", "player_name", "player_team", "player_position", "over": {"opening_line",
//!   "sportsbooks": [{"book_id", "book_name", "line_id", "line", "odds", "updated", "active", "best"}]},
//!   "under": {...}}]}`.
//!
//! There is no BettingPros props capture among the fixtures: the tests use a documented sample in the offers
//! shape built from the real `bp_events` capture (event ids, players, BettingPros teams).
//!
//! Invariants:
//! - one row per (offer, side, book line); `game_date` is the file's `date` or the path's date; `market_type`
//!   the file's or the path's `{market}` segment; prices are American (`odds_american`), lines are points;
//! - `player_lookup` goes through the alias resolver (books spell names their own way); `player_team` keeps
//!   what BettingPros says, `validated_team` is its canonical tricode and `has_team_issues` is set when it has
//!   none (BettingPros teams can be stale: a roster check is Phase 3's job, a raw processor reads one file);
//! - a book line without a points line is skipped and counted; anything else malformed fails the file
//!   (`BadInput`); BettingPros' own timestamps are kept as the text it sends (its zone is not stated);
//! - the file is one snapshot of a time series: the write replaces the slice of the date's partition loaded
//!   from this very object (`ReplaceSlice` on `source_file_path`), so snapshots are kept and reloads idempotent.

use serde_json::{json, Map, Value};

use super::common::{as_f64, as_i64, bad, raw_schema, raw_table, stamp, Obj, RawFile, BUCKET};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{team_abbr, Aliases, NameResolver, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "bettingpros_player_points_props";
const HASH_FIELDS: [&str; 7] =
    ["player_lookup", "game_date", "market_type", "bookmaker", "bet_side", "points_line", "is_best_line"];

/// BettingPros book ids.
const BOOKS: [(i64, &str); 24] = [
    (0, "BettingPros Consensus"),
    (2, "SuperBook"),
    (10, "FanDuel"),
    (12, "DraftKings"),
    (13, "Caesars"),
    (14, "PointsBet"),
    (15, "SugarHouse"),
    (18, "BetRivers"),
    (19, "BetMGM"),
    (20, "FOX Bet"),
    (21, "BetAmerica"),
    (22, "Oregon Lottery"),
    (24, "bet365"),
    (25, "WynnBET"),
    (26, "Tipico"),
    (27, "PartyCasino"),
    (28, "UniBet"),
    (29, "TwinSpires"),
    (30, "Betway"),
    (31, "Fubo"),
    (33, "Fanatics"),
    (36, "ESPN Bet"),
    (37, "Hard Rock"),
    (49, "Fliff"),
];

pub fn book_name(id: i64) -> String {
    BOOKS.iter().find(|(i, _)| *i == id).map_or_else(|| format!("Unknown Book {id}"), |(_, n)| n.to_string())
}

pub struct BettingProps;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("game_date", T::Date)
            .required("market_type", T::String)
            .col("market_id", T::Int64)
            .col("bp_event_id", T::Int64)
            .required("offer_id", T::String)
            .required("bet_side", T::String)
            .col("bp_player_id", T::Int64)
            .required("player_name", T::String)
            .required("player_lookup", T::String)
            .col("name_resolution_method", T::String)
            .col("player_team", T::String)
            .col("player_position", T::String)
            .col("validated_team", T::String)
            .required("has_team_issues", T::Bool)
            .col("book_id", T::Int64)
            .required("bookmaker", T::String)
            .col("line_id", T::String)
            .required("points_line", T::Float64)
            .col("odds_american", T::Int64)
            .col("is_active", T::Bool)
            .col("is_best_line", T::Bool)
            .col("bookmaker_last_update", T::String)
            .col("opening_line", T::Float64)
            .col("opening_odds", T::Int64)
            .col("opening_book_id", T::Int64)
            .col("opening_timestamp", T::String)
            .partitioned_by("game_date")
            .keyed_by(&["game_date", "source_file_path", "offer_id", "bet_side", "book_id", "line_id"])
    })
}

/// An id that BettingPros sends as a number or a string, as text.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn opt_bool(o: &Obj<'_>, field: &str) -> Result<Value, ProcessorError> {
    match o.get(field) {
        None => Ok(Value::Null),
        Some(Value::Bool(b)) => Ok(json!(b)),
        Some(_) => Err(bad(o.path, format!("{}.{field}: expected a boolean", o.what))),
    }
}

fn opt_num(o: &Obj<'_>, field: &str, int: bool) -> Result<Value, ProcessorError> {
    match o.get(field) {
        None => Ok(Value::Null),
        Some(v) if int => {
            as_i64(v).map(Value::from).ok_or_else(|| bad(o.path, format!("{}.{field}: expected an integer", o.what)))
        }
        Some(v) => {
            as_f64(v).map(Value::from).ok_or_else(|| bad(o.path, format!("{}.{field}: expected a number", o.what)))
        }
    }
}

/// The offers API shape rewritten into the scraper's `props` shape (one code path for rows).
fn offers_to_props(path: &str, offers: &[Value]) -> Result<Vec<Value>, ProcessorError> {
    let mut props = Vec::with_capacity(offers.len());
    for (i, ov) in offers.iter().enumerate() {
        let what = format!("offers[{i}]");
        let o = Obj::new(ov, path, &what)?;
        let parts = o.arr("participants")?;
        let part = Obj::new(parts.first().ok_or_else(|| bad(path, format!("{what}: no participants")))?, path, &what)?;
        let player = part.get("player").map(|p| Obj::new(p, path, &what)).transpose()?;
        let mut prop = Map::new();
        prop.insert("offer_id".into(), o.req("id")?.clone());
        prop.insert("event_id".into(), o.get("event_id").cloned().unwrap_or(Value::Null));
        prop.insert("player_id".into(), o.get("player_id").or_else(|| part.get("id")).cloned().unwrap_or(Value::Null));
        prop.insert("player_name".into(), json!(part.str("name")?));
        prop.insert("player_team".into(), player.as_ref().and_then(|p| p.get("team")).cloned().unwrap_or(Value::Null));
        let pos = player.as_ref().and_then(|p| p.get("position")).cloned().unwrap_or(Value::Null);
        prop.insert("player_position".into(), pos);
        for (si, sv) in o.arr("selections")?.iter().enumerate() {
            let swhat = format!("{what}.selections[{si}]");
            let s = Obj::new(sv, path, &swhat)?;
            let side = s.str("selection")?.to_ascii_lowercase();
            if side != "over" && side != "under" {
                continue;
            }
            let mut books = Vec::new();
            for (bi, bv) in s.arr("books")?.iter().enumerate() {
                let bwhat = format!("{swhat}.books[{bi}]");
                let b = Obj::new(bv, path, &bwhat)?;
                let book_id = b.i64("id")?;
                for lv in b.arr("lines")? {
                    let l = Obj::new(lv, path, &bwhat)?;
                    books.push(json!({
                        "book_id": book_id,
                        "book_name": book_name(book_id),
                        "line_id": l.get("id"),
                        "line": l.get("line"),
                        "odds": l.get("cost"),
                        "updated": l.get("updated"),
                        "active": l.get("active"),
                        "best": l.get("best"),
                    }));
                }
            }
            let opening = s.get("opening_line").cloned().unwrap_or(Value::Null);
            prop.insert(side, json!({"opening_line": opening, "sportsbooks": books}));
        }
        props.push(Value::Object(prop));
    }
    Ok(props)
}

/// Parse a props file into (game date, rows, book lines skipped for having no points line).
pub fn parse(file: &RawFile<'_>) -> Result<(SlateDate, Vec<Row>, usize), ProcessorError> {
    let v = file.json()?;
    let p = file.path;
    let top = Obj::new(&v, p, "props file")?;
    let date = match top.opt_str("date") {
        Some(d) => d.parse::<SlateDate>().map_err(|_| bad(p, format!("bad date {d:?}")))?,
        None => file.require_path_date()?,
    };
    let path_market =
        p.split('/').skip_while(|s| *s != "player-props").nth(1).filter(|s| s.parse::<SlateDate>().is_err());
    let market_type = top.opt_str("market_type").or(path_market).unwrap_or("points").to_string();
    let market_id = top
        .opt_i64("market_id")
        .or_else(|| top.get("markets").and_then(Value::as_array).and_then(|m| m.first()).and_then(as_i64));
    let props: Vec<Value> = if let Some(offers) = top.get("offers") {
        let offers = offers.as_array().ok_or_else(|| bad(p, "offers: expected an array"))?;
        offers_to_props(p, offers)?
    } else {
        top.arr("props")?.clone()
    };

    let resolver = NameResolver::aliases_only(Aliases::builtin());
    let mut rows = Vec::new();
    let mut skipped = 0;
    for (i, pv) in props.iter().enumerate() {
        let what = format!("props[{i}]");
        let pr = Obj::new(pv, p, &what)?;
        let offer_id = id_text(pr.get("offer_id")).ok_or_else(|| bad(p, format!("{what}: no offer_id")))?;
        let name = pr.str("player_name")?.trim();
        let res = resolver.resolve(name);
        if res.lookup().is_empty() {
            return Err(bad(p, format!("{what}: player name {name:?} has no letters")));
        }
        let team_raw = pr.opt_str("player_team").map(str::trim).filter(|t| !t.is_empty());
        let validated = team_raw.and_then(team_abbr);
        for side in ["over", "under"] {
            let Some(sv) = pr.get(side) else { continue };
            let swhat = format!("{what}.{side}");
            let s = Obj::new(sv, p, &swhat)?;
            let opening = s.get("opening_line").map(|o| Obj::new(o, p, &swhat)).transpose()?;
            let (op_line, op_odds, op_book, op_ts) = match &opening {
                Some(o) => (
                    opt_num(o, "line", false)?,
                    opt_num(o, "cost", true)?,
                    opt_num(o, "book_id", true)?,
                    o.opt_str("created").map_or(Value::Null, |t| json!(t)),
                ),
                None => (Value::Null, Value::Null, Value::Null, Value::Null),
            };
            for (bi, bv) in s.arr("sportsbooks")?.iter().enumerate() {
                let b = Obj::new(bv, p, &swhat)?;
                let Some(line) = b.get("line") else {
                    skipped += 1;
                    continue;
                };
                let line =
                    as_f64(line).ok_or_else(|| bad(p, format!("{swhat}.sportsbooks[{bi}].line: not a number")))?;
                let book_id = opt_num(&b, "book_id", true)?;
                let bookmaker = match (b.opt_str("book_name"), book_id.as_i64()) {
                    (Some(n), _) if !n.trim().is_empty() => n.trim().to_string(),
                    (_, Some(id)) => book_name(id),
                    _ => return Err(bad(p, format!("{swhat}.sportsbooks[{bi}]: no book"))),
                };
                let mut row = Row::new();
                row.insert("game_date".into(), json!(date.to_string()));
                row.insert("market_type".into(), json!(market_type));
                row.insert("market_id".into(), market_id.map_or(Value::Null, Value::from));
                row.insert("bp_event_id".into(), pr.opt_i64("event_id").map_or(Value::Null, Value::from));
                row.insert("offer_id".into(), json!(offer_id));
                row.insert("bet_side".into(), json!(side));
                row.insert("bp_player_id".into(), pr.opt_i64("player_id").map_or(Value::Null, Value::from));
                row.insert("player_name".into(), json!(name));
                row.insert("player_lookup".into(), json!(res.lookup()));
                row.insert("name_resolution_method".into(), json!(res.method()));
                row.insert("player_team".into(), team_raw.map_or(Value::Null, |t| json!(t)));
                row.insert("player_position".into(), pr.opt_str("player_position").map_or(Value::Null, |t| json!(t)));
                row.insert("validated_team".into(), validated.map_or(Value::Null, |t| json!(t)));
                row.insert("has_team_issues".into(), json!(validated.is_none()));
                row.insert("book_id".into(), book_id);
                row.insert("bookmaker".into(), json!(bookmaker));
                row.insert("line_id".into(), id_text(b.get("line_id")).map_or(Value::Null, |t| json!(t)));
                row.insert("points_line".into(), json!(line));
                row.insert("odds_american".into(), opt_num(&b, "odds", true)?);
                row.insert("is_active".into(), opt_bool(&b, "active")?);
                row.insert("is_best_line".into(), opt_bool(&b, "best")?);
                row.insert("bookmaker_last_update".into(), b.opt_str("updated").map_or(Value::Null, |t| json!(t)));
                row.insert("opening_line".into(), op_line.clone());
                row.insert("opening_odds".into(), op_odds.clone());
                row.insert("opening_book_id".into(), op_book.clone());
                row.insert("opening_timestamp".into(), op_ts.clone());
                stamp(&mut row, file, &HASH_FIELDS);
                rows.push(row);
            }
        }
    }
    Ok((date, rows, skipped))
}

impl Processor for BettingProps {
    fn name(&self) -> &str {
        "betting_props"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (date, rows, skipped) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        out.metadata.insert("lines_without_points".into(), json!(skipped));
        if rows.is_empty() {
            out.no_data_reason = Some("the file has no props".into());
            return Ok(out);
        }
        let players: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(|r| r.get("player_lookup").and_then(Value::as_str)).collect();
        out.metadata.insert("players".into(), json!(players.len()));
        let scope = vec![("source_file_path".to_string(), json!(file.source(BUCKET)))];
        out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date, scope, rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
