//! `nbac_player_movement`: NBA.com transactions → `nba_raw.nbac_player_movement`.
//!
//! Input: `nba-com/player-movement/{date}/{ts}.json`, `{"NBA_Player_Movement": {"rows": [{"Transaction_Type",
//! "TRANSACTION_DATE", "TRANSACTION_DESCRIPTION", "TEAM_ID", "TEAM_SLUG", "PLAYER_ID", "PLAYER_SLUG",
//! "Additional_Sort", "GroupSort"}]}}` — the whole transaction history (ten seasons), newest first — or the
//! original scraper's output of it (`{"metadata", "rows": [...]}`).
//!
//! Invariants:
//! - insert-new-only in the original; here an `Upsert` keyed on (`player_id`, `team_id`, `transaction_date`,
//!   `transaction_type`, `group_sort`) into an unpartitioned table: a transaction already loaded is rewritten
//!   with identical content, a new one is added, so every re-scrape of the history is idempotent and nothing
//!   is ever deleted;
//! - non-player transactions (draft picks, cash: `PLAYER_ID` 0, `is_player_transaction` false) are kept. Several
//!   of them can share one key (a team receiving two picks in one trade); they are folded into one row whose
//!   `transaction_description` joins theirs with ` | ` in file order (`metadata.folded_rows`), so no key is
//!   written twice and nothing is silently dropped;
//! - `player_lookup` from the player slug (NBA.com's slugs are the name, so `luka-doncic` → `lukadoncic`);
//!   teams are canonical tricodes; a trade's `Additional_Sort` is the other team (`counterparty_team_abbr`);
//! - `season_year` is the league year of the transaction date (July–June: 2025-07-16 → 2025);
//! - a row without a type, a parseable date or a team id is `BadInput`; a team id that is not an NBA team is
//!   skipped and counted (`metadata.skipped_non_nba_rows`).

use std::collections::BTreeMap;

use chrono::Datelike;
use serde_json::{json, Value};

use super::common::{as_i64, bad, date_prefix, nba_team, opt, raw_schema, raw_table, stamp, text_of, RawFile};
use crate::backends::ColumnType as T;
use crate::backends::TableSchema;
use crate::domain::{player_lookup, Row};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const TABLE: &str = "nbac_player_movement";
const HASH_FIELDS: [&str; 5] =
    ["player_lookup", "transaction_date", "transaction_type", "team_abbr", "transaction_description"];

pub struct NbacPlayerMovement;

pub fn schema() -> TableSchema {
    raw_schema(TABLE, |s| {
        s.required("player_id", T::Int64)
            .required("team_id", T::Int64)
            .required("transaction_date", T::Date)
            .required("transaction_type", T::String)
            .required("group_sort", T::String)
            .required("season_year", T::Int64)
            .col("player_slug", T::String)
            .col("player_lookup", T::String)
            .required("is_player_transaction", T::Bool)
            .required("team_abbr", T::String)
            .col("team_slug", T::String)
            .col("transaction_description", T::String)
            .col("additional_sort", T::Int64)
            .col("counterparty_team_abbr", T::String)
            .keyed_by(&["player_id", "team_id", "transaction_date", "transaction_type", "group_sort"])
    })
}

/// Rows (one per key), rows folded into another, rows skipped for a non-NBA team.
pub fn parse(file: &RawFile<'_>) -> Result<(Vec<Row>, usize, usize), ProcessorError> {
    let path = file.path;
    let v = file.json()?;
    // The original scraper's output lifts `rows` to the top level (beside its `metadata`).
    let rows = v
        .get("NBA_Player_Movement")
        .and_then(|m| m.get("rows"))
        .or_else(|| v.get("metadata").and(v.get("rows")))
        .and_then(Value::as_array)
        .ok_or_else(|| bad(path, "no NBA_Player_Movement.rows array"))?;
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    let mut index: BTreeMap<(i64, i64, String, String, String), usize> = BTreeMap::new();
    let (mut folded, mut skipped) = (0, 0);
    for (i, r) in rows.iter().enumerate() {
        let err = |d: &str| bad(path, format!("row {i}: {d}"));
        if !r.is_object() {
            return Err(err("not an object"));
        }
        let s = |k: &str| r.get(k).and_then(text_of);
        let kind = s("Transaction_Type").ok_or_else(|| err("no Transaction_Type"))?;
        let date = s("TRANSACTION_DATE").and_then(date_prefix).ok_or_else(|| err("bad TRANSACTION_DATE"))?;
        let team_id = r.get("TEAM_ID").and_then(as_i64).ok_or_else(|| err("no TEAM_ID"))?;
        let player_id = r.get("PLAYER_ID").and_then(as_i64).unwrap_or(0).max(0);
        let group = s("GroupSort").unwrap_or_default().to_string();
        let Some(team) = nba_team(None, Some(team_id)) else {
            skipped += 1;
            continue;
        };
        let description = s("TRANSACTION_DESCRIPTION");
        let key = (player_id, team_id, date.to_string(), kind.to_string(), group.clone());
        if let Some(&at) = index.get(&key) {
            folded += 1;
            if let (Some(row), Some(d)) = (out.get_mut(at), description) {
                let joined = match row.get("transaction_description").and_then(Value::as_str) {
                    Some(prev) => format!("{prev} | {d}"),
                    None => d.to_string(),
                };
                row.insert("transaction_description".into(), json!(joined));
            }
            continue;
        }
        let slug = s("PLAYER_SLUG").filter(|_| player_id > 0);
        let other = r.get("Additional_Sort").and_then(as_i64).filter(|x| *x > 0);
        let league_year = if date.0.month() >= 7 { date.0.year() } else { date.0.year() - 1 };
        let mut row = Row::new();
        row.insert("player_id".into(), json!(player_id));
        row.insert("team_id".into(), json!(team_id));
        row.insert("transaction_date".into(), json!(date.to_string()));
        row.insert("transaction_type".into(), json!(kind));
        row.insert("group_sort".into(), json!(group));
        row.insert("season_year".into(), json!(league_year));
        row.insert("player_slug".into(), opt(slug));
        row.insert("player_lookup".into(), opt(slug.map(player_lookup).filter(|l| !l.is_empty())));
        row.insert("is_player_transaction".into(), json!(player_id > 0));
        row.insert("team_abbr".into(), json!(team));
        row.insert("team_slug".into(), opt(s("TEAM_SLUG")));
        row.insert("transaction_description".into(), opt(description));
        row.insert("additional_sort".into(), opt(other));
        row.insert("counterparty_team_abbr".into(), opt(other.and_then(|o| nba_team(None, Some(o)))));
        index.insert(key, out.len());
        out.push(row);
    }
    for row in &mut out {
        stamp(row, file, &HASH_FIELDS);
    }
    Ok((out, folded, skipped))
}

impl Processor for NbacPlayerMovement {
    fn name(&self) -> &str {
        "nbac_player_movement"
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let file = RawFile::of(input)?;
        let (rows, folded, skipped) = parse(&file)?;
        let mut out = ProcessorOutput::default();
        out.metadata.insert("folded_rows".into(), json!(folded));
        out.metadata.insert("skipped_non_nba_rows".into(), json!(skipped));
        if rows.is_empty() {
            out.no_data_reason = Some("no transactions".into());
            return Ok(out);
        }
        out.metadata.insert("transactions".into(), json!(rows.len()));
        out.writes.push(TableWrite::Upsert { table: raw_table(TABLE), rows });
        Ok(out)
    }

    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema()]
    }
}
