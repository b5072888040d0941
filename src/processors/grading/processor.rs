//! `prediction_grading`: grades one date's predictions and writes `prediction_results` (one row per prediction
//! of a player who played) and `system_daily_performance` (per system, base lines only).
//!
//! Invariants:
//! - the actual points of a prediction are those of the player's `player_game_summary` row that date (the
//!   prediction's `game_id` when the player has several rows, e.g. two players sharing a lookup); the player
//!   played when `minutes_played > 0` (NULL counts as 0): otherwise no result row, counted in `did_not_play`;
//! - a prediction row without its key columns or `predicted_points`, or a played box-score row without
//!   `points`, is `BadInput` naming the table — never a panic;
//! - no predictions for the date is `no_data`, not an error; predictions with nobody played replace the date's
//!   results with none (a re-grade after a box-score correction must not leave stale rows).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::grade::{self, round, Bet, Outcome};
use super::schema::{self, DATASET};
use crate::backends::{TableRef, TableSchema};
use crate::domain::{Row, RowExt, SlateDate};
use crate::processors::{Processor, ProcessorError, ProcessorInput, ProcessorOutput, TableWrite};

pub const NAME: &str = "prediction_grading";
pub const PREDICTIONS: &str = "nba_predictions.player_prop_predictions";
pub const PGS: &str = "nba_analytics.player_game_summary";

pub struct PredictionGrading;

fn bad(table: &str, detail: String) -> ProcessorError {
    ProcessorError::BadInput { what: table.to_string(), detail }
}

/// Whether a line offset is the base line.
pub fn is_base(offset: f64) -> bool {
    offset.abs() < 1e-9
}

/// One box-score line: (game_id, minutes, points).
type Played = (String, f64, Option<f64>);

fn box_scores(rows: &[Row]) -> Result<BTreeMap<&str, Vec<Played>>, ProcessorError> {
    let mut out: BTreeMap<&str, Vec<Played>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let lookup = r.str_of("player_lookup").ok_or_else(|| bad(PGS, format!("row {i}: no player_lookup")))?;
        let minutes = r.f64_of("minutes_played").unwrap_or(0.0);
        let game = r.str_of("game_id").unwrap_or_default().to_string();
        out.entry(lookup).or_default().push((game, minutes, r.f64_of("points")));
    }
    Ok(out)
}

/// The actual points of `lookup` in `game`, `None` when he did not play.
fn actual(boxes: &BTreeMap<&str, Vec<Played>>, lookup: &str, game: &str) -> Result<Option<f64>, ProcessorError> {
    let Some(lines) = boxes.get(lookup) else { return Ok(None) };
    let line = lines.iter().find(|l| l.0 == game).or_else(|| lines.first());
    match line {
        Some((_, m, pts)) if *m > 0.0 => {
            pts.map(Some).ok_or_else(|| bad(PGS, format!("{lookup} played {m} minutes without points")))
        }
        _ => Ok(None),
    }
}

/// Per-system daily accumulator (base lines only).
#[derive(Default)]
struct Daily {
    predictions: i64,
    errors: Vec<f64>,
    wins: i64,
    losses: i64,
    pushes: i64,
    profit: f64,
}

fn result_row(p: &Row, date: SlateDate, actual_pts: f64) -> Result<(Row, grade::Grade), ProcessorError> {
    let need = |c: &str| p.str_of(c).ok_or_else(|| bad(PREDICTIONS, format!("prediction without {c}")));
    let predicted = p.f64_of("predicted_points").ok_or_else(|| bad(PREDICTIONS, "no predicted_points".into()))?;
    let recommendation = p.str_of("recommendation").unwrap_or("PASS");
    let line = p.f64_of("current_points_line");
    let bet = Bet {
        predicted,
        recommendation,
        line,
        over_price: p.i64_of("over_price"),
        under_price: p.i64_of("under_price"),
        confidence: p.f64_of("confidence_score").unwrap_or(0.0),
    };
    let g = grade::grade(&bet, actual_pts);
    let row = json!({
        "prediction_id": need("prediction_id")?,
        "system_id": need("system_id")?,
        "player_lookup": need("player_lookup")?,
        "game_date": date.to_string(),
        "game_id": p.str_of("game_id").unwrap_or_default(),
        "line_offset": p.f64_of("line_offset").unwrap_or(0.0),
        "predicted_points": predicted,
        "actual_points": actual_pts,
        "absolute_error": g.absolute_error,
        "signed_error": g.signed_error,
        "recommendation": recommendation,
        "current_points_line": line,
        "outcome": g.outcome.as_str(),
        "within_3": g.within_3,
        "within_5": g.within_5,
        "confidence_tier": g.tier,
        "profit_units": g.profit_units,
    });
    let mut row = row.as_object().cloned().unwrap_or_default();
    row.retain(|_, v| !v.is_null());
    Ok((row, g))
}

fn daily_row(date: SlateDate, system: &str, d: &Daily) -> Row {
    let n = d.errors.len() as f64;
    let stat = |f: &dyn Fn(f64) -> f64| (n > 0.0).then(|| round(d.errors.iter().map(|e| f(*e)).sum::<f64>() / n, 4));
    let decided = d.wins + d.losses;
    let mut r = json!({
        "game_date": date.to_string(),
        "system_id": system,
        "predictions": d.predictions,
        "graded": d.errors.len(),
        "mae": stat(&|e: f64| e.abs()),
        "rmse": stat(&|e: f64| e * e).map(|v| round(v.sqrt(), 4)),
        "bias": stat(&|e: f64| e),
        "picks": d.wins + d.losses + d.pushes,
        "wins": d.wins,
        "losses": d.losses,
        "pushes": d.pushes,
        "hit_rate": (decided > 0).then(|| round(d.wins as f64 / decided as f64, 4)),
        "profit_units": round(d.profit, 4),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    r.retain(|_, v| !v.is_null());
    r
}

impl Processor for PredictionGrading {
    fn name(&self) -> &str {
        NAME
    }

    fn compute(&self, input: &ProcessorInput) -> Result<ProcessorOutput, ProcessorError> {
        let date = input.date.ok_or_else(|| ProcessorError::Failed("no game date".into()))?;
        let predictions = input.rows(PREDICTIONS);
        let mut out = ProcessorOutput::default();
        if predictions.is_empty() {
            out.no_data_reason = Some(format!("no predictions for {date}"));
            return Ok(out);
        }
        let boxes = box_scores(input.rows(PGS))?;
        let mut results = Vec::new();
        let mut daily: BTreeMap<String, Daily> = BTreeMap::new();
        let (mut dnp, mut dnp_players) = (0usize, BTreeSet::new());
        for p in predictions {
            let lookup = p.str_of("player_lookup").ok_or_else(|| bad(PREDICTIONS, "no player_lookup".into()))?;
            let system = p.str_of("system_id").ok_or_else(|| bad(PREDICTIONS, "no system_id".into()))?;
            let base = is_base(p.f64_of("line_offset").unwrap_or(0.0));
            let acc = daily.entry(system.to_string()).or_default();
            if base {
                acc.predictions += 1;
            }
            let Some(pts) = actual(&boxes, lookup, p.str_of("game_id").unwrap_or_default())? else {
                dnp += 1;
                dnp_players.insert(lookup);
                continue;
            };
            let (row, g) = result_row(p, date, pts)?;
            if base {
                acc.errors.push(g.signed_error);
                match g.outcome {
                    Outcome::Win => acc.wins += 1,
                    Outcome::Loss => acc.losses += 1,
                    Outcome::Push => acc.pushes += 1,
                    Outcome::NoBet => {}
                }
                acc.profit += g.profit_units;
            }
            results.push(row);
        }
        let key = |r: &Row| {
            let off = r.f64_of("line_offset").unwrap_or(0.0);
            (r.str_of("player_lookup").map(String::from), r.str_of("system_id").map(String::from), (off * 1e6) as i64)
        };
        results.sort_by_key(key);
        let daily_rows: Vec<Row> = daily.iter().map(|(s, d)| daily_row(date, s, d)).collect();
        out.metadata.insert("predictions".into(), json!(predictions.len()));
        out.metadata.insert("graded".into(), json!(results.len()));
        out.metadata.insert("did_not_play".into(), json!(dnp));
        out.metadata.insert("players_did_not_play".into(), json!(dnp_players.len()));
        out.metadata.insert("systems".into(), json!(daily.keys().collect::<Vec<_>>()));
        out.writes.push(TableWrite::ReplacePartition {
            table: TableRef::new(DATASET, schema::RESULTS),
            date,
            rows: results,
        });
        out.writes.push(TableWrite::ReplacePartition {
            table: TableRef::new(DATASET, schema::DAILY),
            date,
            rows: daily_rows,
        });
        Ok(out)
    }

    /// The two tables it writes, and the predictions table it reads (so the table exists before the
    /// prediction workers first write it, and a date without predictions reads as empty).
    fn schemas(&self) -> Vec<TableSchema> {
        vec![schema::results_schema(), schema::daily_schema(), schema::predictions_schema()]
    }

    fn input_columns(&self, table: &str) -> Option<Vec<String>> {
        (table == PGS).then(|| {
            ["game_date", "game_id", "player_lookup", "minutes_played", "points"]
                .iter()
                .map(|c| c.to_string())
                .collect()
        })
    }
}

#[cfg(test)]
#[path = "processor_tests.rs"]
mod tests;
