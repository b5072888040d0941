//! `odds_game_lines`: The Odds API game lines (spreads, totals, moneyline) → `nba_raw.odds_api_game_lines`.
//!
//! Input: `odds-api/game-lines-history/{date}/{event}-{teams}/{ts}-snap-{HHMM}.json` (historical endpoint:
//! `{"timestamp", "previous_timestamp", "next_timestamp", "data": event | [event, ...]}`) and, later,
//! `odds-api/game-lines/{date}/...` (live endpoint: a bare event or an array of events, no snapshot envelope).
//! An event is `{id, commence_time, home_team, away_team, bookmakers: [{key, title, last_update, markets:
//! [{key, last_update, outcomes: [{name, price, point?}]}]}]}` with decimal prices.
//!
//! Invariants:
//! - one row per (snapshot, event, bookmaker, market, outcome); `game_date` is the America/New_York date of
//!   `commence_time` and `game_id` the standard `YYYYMMDD_AWAY_HOME`; teams go through `team_abbr` and an
//!   unknown team fails the file;
//! - `snapshot_timestamp` is the envelope's `timestamp` (the live endpoint has none: null); prices are kept as
//!   sent (decimal) with the American equivalent beside them; `outcome_point` is null for moneyline;
//! - the file is one snapshot of a time series: each game date's write replaces only the rows loaded from this
//!   very object (`ReplaceSlice` on `source_file_path`), so every snapshot is kept and a reload is idempotent;
//! - a malformed event, bookmaker, market or outcome fails the whole file (`BadInput`, nothing written).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::common::{american_from_decimal, bad, raw_schema, raw_table, stamp, Obj, RawFile, BUCKET};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::identity::standard_game_id;
use crate::domain::{team_abbr, Row, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "odds_api_game_lines";
const HASH_FIELDS: [&str; 8] = [
    "game_id",
    "game_date",
    "bookmaker_key",
    "market_key",
    "outcome_name",
    "outcome_point",
    "outcome_price",
    "snapshot_timestamp",
];

pub struct OddsGameLines;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.col("snapshot_timestamp", T::Timestamp)
            .col("previous_snapshot_timestamp", T::Timestamp)
            .col("next_snapshot_timestamp", T::Timestamp)
            .required("game_id", T::String)
            .required("odds_api_event_id", T::String)
            .required("game_date", T::Date)
            .required("commence_time", T::Timestamp)
            .required("home_team", T::String)
            .required("away_team", T::String)
            .required("home_team_abbr", T::String)
            .required("away_team_abbr", T::String)
            .required("bookmaker_key", T::String)
            .col("bookmaker_title", T::String)
            .col("bookmaker_last_update", T::Timestamp)
            .required("market_key", T::String)
            .col("market_last_update", T::Timestamp)
            .required("outcome_name", T::String)
            .required("outcome_price", T::Float64)
            .col("outcome_price_american", T::Int64)
            .col("outcome_point", T::Float64)
            .partitioned_by("game_date")
            .keyed_by(&[
                "game_date",
                "game_id",
                "snapshot_timestamp",
                "bookmaker_key",
                "market_key",
                "outcome_name",
                "outcome_point",
                "source_file_path",
            ])
    })
}

fn instant(path: &str, what: &str, s: &str) -> Result<DateTime<Utc>, ProcessorError> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| bad(path, format!("{what}: bad timestamp {s:?}: {e}")))
}

fn ts_value(path: &str, what: &str, v: Option<&str>) -> Result<Value, ProcessorError> {
    match v {
        None => Ok(Value::Null),
        Some(s) => Ok(json!(instant(path, what, s)?.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
    }
}

/// Parse a snapshot into rows grouped by game date.
pub fn parse(file: &RawFile<'_>) -> Result<BTreeMap<SlateDate, Vec<Row>>, ProcessorError> {
    let v = file.json()?;
    let p = file.path;
    let (snap, events): (Option<&Value>, Vec<&Value>) = match &v {
        Value::Object(m) if m.contains_key("data") => {
            let data = m.get("data").unwrap_or(&Value::Null);
            let events = match data {
                Value::Array(a) => a.iter().collect(),
                Value::Object(_) => vec![data],
                _ => return Err(bad(p, "data: expected an event or an array of events")),
            };
            (Some(&v), events)
        }
        Value::Object(_) => (None, vec![&v]),
        Value::Array(a) => (None, a.iter().collect()),
        _ => return Err(bad(p, "expected a snapshot envelope, an event or an array of events")),
    };
    let envelope = snap.map(|s| Obj::new(s, p, "snapshot")).transpose()?;
    let snap_ts = ts_value(p, "timestamp", envelope.as_ref().and_then(|e| e.opt_str("timestamp")))?;
    let prev_ts = ts_value(p, "previous_timestamp", envelope.as_ref().and_then(|e| e.opt_str("previous_timestamp")))?;
    let next_ts = ts_value(p, "next_timestamp", envelope.as_ref().and_then(|e| e.opt_str("next_timestamp")))?;
    if envelope.is_some() && snap_ts.is_null() {
        return Err(bad(p, "snapshot envelope without a timestamp"));
    }

    let mut out: BTreeMap<SlateDate, Vec<Row>> = BTreeMap::new();
    for (ei, ev) in events.into_iter().enumerate() {
        let what = format!("event[{ei}]");
        let e = Obj::new(ev, p, &what)?;
        let id = e.str("id")?;
        let commence = instant(p, &what, e.str("commence_time")?)?;
        let date = SlateDate::of_instant(commence);
        let home_name = e.str("home_team")?;
        let away_name = e.str("away_team")?;
        let home = team_abbr(home_name).ok_or_else(|| bad(p, format!("{what}: unknown home team {home_name:?}")))?;
        let away = team_abbr(away_name).ok_or_else(|| bad(p, format!("{what}: unknown away team {away_name:?}")))?;
        if home == away {
            return Err(bad(p, format!("{what}: home and away are both {home}")));
        }
        let game_id = standard_game_id(date, away, home);
        for (bi, bv) in e.arr("bookmakers")?.iter().enumerate() {
            let bwhat = format!("{what}.bookmakers[{bi}]");
            let b = Obj::new(bv, p, &bwhat)?;
            let book_key = b.str("key")?;
            let book_update = ts_value(p, &bwhat, b.opt_str("last_update"))?;
            for (mi, mv) in b.arr("markets")?.iter().enumerate() {
                let mwhat = format!("{bwhat}.markets[{mi}]");
                let m = Obj::new(mv, p, &mwhat)?;
                let market_key = m.str("key")?;
                let market_update = ts_value(p, &mwhat, m.opt_str("last_update"))?;
                for (oi, ov) in m.arr("outcomes")?.iter().enumerate() {
                    let owhat = format!("{mwhat}.outcomes[{oi}]");
                    let o = Obj::new(ov, p, &owhat)?;
                    let name = o.str("name")?;
                    let price = o.f64("price")?;
                    if price <= 1.0 {
                        return Err(bad(p, format!("{owhat}: decimal price {price} is not above 1")));
                    }
                    let point = match o.get("point") {
                        None => Value::Null,
                        Some(_) => json!(o.f64("point")?),
                    };
                    let mut row = Row::new();
                    row.insert("snapshot_timestamp".into(), snap_ts.clone());
                    row.insert("previous_snapshot_timestamp".into(), prev_ts.clone());
                    row.insert("next_snapshot_timestamp".into(), next_ts.clone());
                    row.insert("game_id".into(), json!(game_id));
                    row.insert("odds_api_event_id".into(), json!(id));
                    row.insert("game_date".into(), json!(date.to_string()));
                    row.insert(
                        "commence_time".into(),
                        json!(commence.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    );
                    row.insert("home_team".into(), json!(home_name));
                    row.insert("away_team".into(), json!(away_name));
                    row.insert("home_team_abbr".into(), json!(home));
                    row.insert("away_team_abbr".into(), json!(away));
                    row.insert("bookmaker_key".into(), json!(book_key));
                    row.insert("bookmaker_title".into(), b.opt_str("title").map_or(Value::Null, |t| json!(t)));
                    row.insert("bookmaker_last_update".into(), book_update.clone());
                    row.insert("market_key".into(), json!(market_key));
                    row.insert("market_last_update".into(), market_update.clone());
                    row.insert("outcome_name".into(), json!(name));
                    row.insert("outcome_price".into(), json!(price));
                    row.insert(
                        "outcome_price_american".into(),
                        american_from_decimal(price).map_or(Value::Null, |a| json!(a)),
                    );
                    row.insert("outcome_point".into(), point);
                    stamp(&mut row, file, &HASH_FIELDS);
                    out.entry(date).or_default().push(row);
                }
            }
        }
    }
    Ok(out)
}

impl Processor for OddsGameLines {
    fn name(&self) -> &str {
        "odds_game_lines"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let by_date = parse(&file)?;
        let mut out = ProcessorOutput::default();
        let rows = by_date.values().map(Vec::len).sum::<usize>();
        if rows == 0 {
            out.no_data_reason = Some("the snapshot has no lines".into());
            return Ok(out);
        }
        let games: BTreeSet<&str> =
            by_date.values().flatten().filter_map(|r| r.get("game_id").and_then(Value::as_str)).collect();
        out.metadata.insert("games".into(), json!(games.len()));
        let scope = vec![("source_file_path".to_string(), json!(file.source(BUCKET)))];
        for (date, rows) in by_date {
            out.writes.push(TableWrite::ReplaceSlice { table: raw_table(TABLE), date, scope: scope.clone(), rows });
        }
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
