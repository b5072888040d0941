//! `hoopflow report`: prediction accuracy per season against naive baselines, read from the home's warehouse.
//! Reads `nba_analytics.player_game_summary` and `nba_predictions.prediction_results`, hands the rows to the pure
//! [`crate::processors::grading::report`] module, and prints its figures (tables, or `--json`); `--plot` writes
//! the rolling 7-day MAE figure ([`crate::processors::grading::plot`]).
//!
//! Invariant: read-only; a table that does not exist yet reads as empty (no predictions → baselines only).

use std::path::Path;

use serde_json::Value;

use super::home;
use crate::backends::{Backends, PortError, TableRef};
use crate::domain::{season, Row, SlateDate};
use crate::processors::grading::report::{self, BoxScore, Graded, BASELINES, SAME_GAMES_RULE};
use crate::processors::grading::{plot, schema};

/// What `report` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ReportArgs {
    pub range: Option<(SlateDate, SlateDate)>,
    pub json: bool,
    pub plot: Option<std::path::PathBuf>,
}

/// The `player_game_summary` columns the report reads.
const PGS_COLUMNS: [&str; 6] = ["game_date", "game_id", "player_lookup", "points", "points_line", "is_active"];

async fn read(
    b: &Backends,
    table: &TableRef,
    from: SlateDate,
    to: SlateDate,
    cols: Option<&[&str]>,
) -> anyhow::Result<Vec<Row>> {
    let r = match cols {
        Some(c) => {
            let c: Vec<String> = c.iter().map(|s| s.to_string()).collect();
            b.warehouse.read_range_columns(table, from, to, &c).await
        }
        None => b.warehouse.read_range(table, from, to).await,
    };
    match r {
        Ok(rows) => Ok(rows),
        Err(PortError::NotFound(_)) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// The rows the report needs: box scores from the first season's opening (histories) and graded predictions,
/// with the count of rows skipped for a missing field.
pub async fn load(
    b: &Backends,
    range: Option<(SlateDate, SlateDate)>,
) -> anyhow::Result<(Vec<BoxScore>, Vec<Graded>, usize)> {
    let (from, to) = match range {
        Some((a, z)) => {
            (SlateDate::from_ymd(a.season_year(), 7, 1).unwrap_or(season::season_start(a.season_year())), z)
        }
        None => (
            SlateDate::from_ymd(1900, 1, 1).unwrap_or(season::season_start(1900)),
            SlateDate::from_ymd(2999, 12, 31).unwrap_or(season::season_start(2999)),
        ),
    };
    let pgs = TableRef::new("nba_analytics", "player_game_summary");
    let (boxes, s1) = report::box_scores(&read(b, &pgs, from, to, Some(&PGS_COLUMNS)).await?);
    let results = TableRef::new(schema::DATASET, schema::RESULTS);
    let (graded, s2) = report::graded(&read(b, &results, from, to, None).await?);
    Ok((boxes, graded, s1 + s2))
}

pub async fn run(home_dir: &Path, args: ReportArgs) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let (boxes, graded, skipped) = load(&b, args.range).await?;
    let v = report::report_json(&boxes, &graded, args.range);
    if let Some(path) = &args.plot {
        let svg = plot::svg(&plot::series(&boxes, &graded, args.range), "Rolling 7-day MAE (points)");
        std::fs::write(path, svg)?;
        if !args.json {
            println!("plot written to {}", path.display());
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_text(&v, skipped);
    }
    Ok(())
}

fn f(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |x| format!("{x:.3}"))
}

fn stat_line(name: &str, s: &Value) -> String {
    format!("  {:<28} {:>8} {:>8} {:>8} {:>8}", name, s["n"], f(&s["mae"]), f(&s["rmse"]), f(&s["bias"]))
}

fn print_text(v: &Value, skipped: usize) {
    let Some(seasons) = v["seasons"].as_object().filter(|s| !s.is_empty()) else {
        println!("no player-games in the warehouse (run a backfill through phase 3 first)");
        return;
    };
    println!("hoopflow report — errors are predicted − actual points\nrule: {SAME_GAMES_RULE}");
    if skipped > 0 {
        println!("({skipped} rows skipped for a missing field)");
    }
    for (label, s) in seasons {
        println!("\nseason {label}: {} player-games scored", s["player_games"]);
        println!("  {:<28} {:>8} {:>8} {:>8} {:>8}", "predictor", "n", "MAE", "RMSE", "bias");
        for b in BASELINES {
            println!("{}", stat_line(&format!("baseline {b}"), &s["baselines"][b]));
        }
        let systems = s["systems"].as_object().cloned().unwrap_or_default();
        if systems.is_empty() {
            println!("  no system has predictions yet");
        }
        for (id, sys) in &systems {
            println!("{}", stat_line(&format!("system {id}"), sys));
            let same = &sys["baselines_same_games"];
            let bl: Vec<String> = BASELINES.iter().map(|b| format!("{b} {}", f(&same[*b]["mae"]))).collect();
            println!(
                "    same games, baselines MAE: {}; graded outside the baseline set: {}",
                bl.join(", "),
                sys["outside_baseline"]
            );
        }
        let l = &s["lined"];
        println!("  lined: {} player-games with a consensus line", l["player_games"]);
        println!("{}", stat_line("line", &l["line"]));
        for b in BASELINES {
            println!("{}", stat_line(&format!("baseline {b}"), &l["baselines"][b]));
        }
        for (id, x) in l["systems"].as_object().into_iter().flatten() {
            println!(
                "  system {id}: {} games (coverage {}), MAE {} vs line {}; picks {} ({}-{}-{}), hit rate {}, profit {} u ({} per unit)",
                x["player_games"],
                f(&x["coverage"]),
                f(&x["mae"]),
                f(&x["line_mae"]),
                x["picks"],
                x["wins"],
                x["losses"],
                x["pushes"],
                f(&x["hit_rate"]),
                f(&x["profit_units"]),
                f(&x["profit_per_unit"])
            );
        }
    }
}
