//! Phase 3 context on real data: `upcoming_player_game_context` and `upcoming_team_game_context` for a date,
//! built the real way (replayed files → raw parsers → context processors), checked against values recomputed
//! independently from `data/nba/2024-25/player_gamelogs.csv.gz`, and proven free of look-ahead.

mod shared;

use std::collections::BTreeMap;
use std::io::Read;

use hoopflow::backends::LandedObject;
use hoopflow::domain::{Row, RowExt, SlateDate};
use hoopflow::processors::{builtin_registry, ProcessorInput, ProcessorOutput, TableWrite};
use hoopflow::sources::replay::ReplaySource;
use hoopflow::sources::Source;

fn rows_of(out: ProcessorOutput) -> Vec<Row> {
    out.writes
        .into_iter()
        .flat_map(|w| match w {
            TableWrite::ReplacePartition { rows, .. }
            | TableWrite::ReplaceSlice { rows, .. }
            | TableWrite::Upsert { rows, .. } => rows,
        })
        .collect()
}

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

/// Raw tables for the season up to and including `last`, parsed from the replayed objects.
fn raw_tables(dir: &std::path::Path, first: SlateDate, last: SlateDate) -> BTreeMap<String, Vec<Row>> {
    let src = ReplaySource::open(dir).unwrap();
    let reg = builtin_registry();
    let mut items: Vec<_> = src.prelude(first, last).unwrap().into_iter().map(|(_, i)| i).collect();
    for d in SlateDate::range(first, last) {
        items.extend(src.items(d).unwrap());
    }
    let mut tables: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for it in items {
        let name = if it.path.starts_with("nba-com/schedule/") {
            "nbac_schedule"
        } else if it.path.starts_with("nba-com/player-boxscores/") {
            "nbac_player_boxscore"
        } else if it.path.starts_with("odds-api/player-props/") {
            "odds_api_props"
        } else {
            continue;
        };
        let input = ProcessorInput {
            object: Some(LandedObject { path: it.path.clone(), generation: 1, data: it.data }),
            ..Default::default()
        };
        let out = reg.get(name).unwrap().compute(&input).unwrap();
        for w in &out.writes {
            tables.entry(w.table().to_string()).or_default();
        }
        let table = out.writes.first().map(|w| w.table().to_string());
        if let Some(t) = table {
            tables.get_mut(&t).unwrap().extend(rows_of(out));
        }
    }
    tables
}

/// What the host would read for `date`: the schedule and props of the date, the box scores before it.
fn input_for(tables: &BTreeMap<String, Vec<Row>>, date: SlateDate, leak: bool) -> ProcessorInput {
    let on = |t: &str| -> Vec<Row> {
        tables
            .get(t)
            .into_iter()
            .flatten()
            .filter(|r| r.str_of("game_date") == Some(&date.to_string()))
            .cloned()
            .collect()
    };
    let before: Vec<Row> = tables
        .get("nba_raw.nbac_player_boxscores")
        .into_iter()
        .flatten()
        .filter(|r| leak || r.str_of("game_date").unwrap() < date.to_string().as_str())
        .cloned()
        .collect();
    let mut input = ProcessorInput { date: Some(date), ..Default::default() };
    input.set_rows("nba_raw.nbac_schedule", on("nba_raw.nbac_schedule"));
    input.set_rows("nba_raw.odds_api_player_points_props", on("nba_raw.odds_api_player_points_props"));
    input.set_rows("nba_raw.nbac_player_boxscores", before);
    input
}

/// player → [(date, team, minutes, points)] of 2024-25, straight from the CSV.
fn csv_logs(dir: &std::path::Path) -> BTreeMap<String, Vec<(String, String, f64, i64)>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("2024-25/player_gamelogs.csv.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let h: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |n: &str| h.iter().position(|x| *x == n).unwrap();
    let (d, team, player, min, pts) = (at("game_date"), at("team"), at("player"), at("min"), at("pts"));
    let mut out: BTreeMap<String, Vec<(String, String, f64, i64)>> = BTreeMap::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        out.entry(c[player].to_string()).or_default().push((
            c[d].to_string(),
            c[team].to_string(),
            c[min].parse().unwrap(),
            c[pts].parse().unwrap(),
        ));
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.0.cmp(&b.0));
    }
    out
}

#[test]
fn player_context_matches_an_independent_computation_and_has_no_look_ahead() {
    let Some(dir) = shared::data_dir() else { return };
    let (first, date) = (day("2024-10-22"), day("2025-03-15"));
    let tables = raw_tables(&dir, first, date.add_days(3));
    let reg = builtin_registry();
    let upgc = reg.get("upcoming_player_game_context").unwrap();
    let rows = rows_of(upgc.compute(&input_for(&tables, date, false)).unwrap());
    assert!(rows.len() > 150, "{} players on 8 games", rows.len());
    let logs = csv_logs(&dir);
    let by: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.str_of("player_name").unwrap(), r)).collect();
    let mut checked = 0;
    for name in ["Stephen Curry", "Nikola Jokić", "Karl-Anthony Towns", "Alex Sarr", "Jalen Brunson", "Jayson Tatum"] {
        let Some(r) = by.get(name) else { continue };
        let before: Vec<&(String, String, f64, i64)> =
            logs[name].iter().filter(|g| g.0.as_str() < "2025-03-15").collect();
        let pts: Vec<f64> = before.iter().map(|g| g.3 as f64).collect();
        let avg = |n: usize| {
            let t = &pts[pts.len().saturating_sub(n)..];
            t.iter().sum::<f64>() / t.len() as f64
        };
        assert!((r.f64_of("points_avg_last_5").unwrap() - avg(5)).abs() < 0.006, "{name} last 5");
        assert!((r.f64_of("points_avg_last_10").unwrap() - avg(10)).abs() < 0.006, "{name} last 10");
        assert!((r.f64_of("points_avg_season").unwrap() - avg(usize::MAX)).abs() < 0.006, "{name} season");
        let last: SlateDate = before.last().unwrap().0.parse().unwrap();
        let rest = (date.date() - last.date()).num_days();
        assert_eq!(r.i64_of("days_rest"), Some(rest), "{name} days of rest");
        assert_eq!(r.bool_of("back_to_back"), Some(rest == 1));
        assert_eq!(r.i64_of("games_played_season"), Some(before.len() as i64));
        assert_eq!(r.str_of("team_abbr"), Some(before.last().unwrap().1.as_str()));
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} sample players were on the slate");
    // Look-ahead: handing the processor the date's and later box scores changes nothing.
    let leaked = rows_of(upgc.compute(&input_for(&tables, date, true)).unwrap());
    assert_eq!(leaked, rows);
    let utgc = reg.get("upcoming_team_game_context").unwrap();
    let teams = rows_of(utgc.compute(&input_for(&tables, date, false)).unwrap());
    assert_eq!(teams.len(), 16, "two rows per game");
    assert_eq!(rows_of(utgc.compute(&input_for(&tables, date, true)).unwrap()), teams);
    // A day without games: no rows, a reason.
    let out = upgc.compute(&input_for(&tables, day("2025-02-15"), false)).unwrap();
    assert!(out.writes.is_empty() && out.no_data_reason.is_some(), "All-Star break");
}

#[test]
fn team_context_rest_and_streaks_match_the_recorded_games() {
    let Some(dir) = shared::data_dir() else { return };
    let date = day("2025-01-15");
    let tables = raw_tables(&dir, day("2024-10-22"), date);
    let teams = rows_of(
        builtin_registry()
            .get("upcoming_team_game_context")
            .unwrap()
            .compute(&input_for(&tables, date, false))
            .unwrap(),
    );
    // Independent: each team's games before the date from the CSV (a team-game = distinct (date, team)).
    let logs = csv_logs(&dir);
    let mut team_games: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for games in logs.values() {
        for g in games.iter().filter(|g| g.0.as_str() < "2025-01-15") {
            *team_games.entry(g.1.clone()).or_default().entry(g.0.clone()).or_default() += g.3;
        }
    }
    for r in &teams {
        let team = r.str_of("team_abbr").unwrap();
        let dates = &team_games[team];
        assert_eq!(r.i64_of("game_number_in_season"), Some(dates.len() as i64 + 1), "{team}");
        let last: SlateDate = dates.keys().next_back().unwrap().parse().unwrap();
        assert_eq!(r.i64_of("days_since_last_game"), Some((date.date() - last.date()).num_days()), "{team}");
        let w = r.i64_of("team_win_streak_entering").unwrap();
        let l = r.i64_of("team_loss_streak_entering").unwrap();
        assert!((w == 0) != (l == 0), "{team}: exactly one streak is running");
    }
}
