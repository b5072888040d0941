use super::*;
use crate::processors::grading::plot;
use crate::processors::grading::report_lined::Record;

fn d(s: &str) -> SlateDate {
    s.parse().unwrap()
}

fn bx(date: &str, player: &str, points: f64, line: Option<f64>) -> BoxScore {
    BoxScore { date: d(date), game_id: format!("{date}_{player}"), player: player.into(), points, line }
}

fn gr(date: &str, player: &str, system: &str, predicted: f64, actual: f64, outcome: Outcome, profit: f64) -> Graded {
    Graded { date: d(date), player: player.into(), system: system.into(), predicted, actual, outcome, profit }
}

/// Player `a`: 10, 20, 30, 40 on four dates; player `b`: one game only (never scored); a new season resets.
fn boxes() -> Vec<BoxScore> {
    vec![
        bx("2024-11-04", "a", 40.0, Some(30.5)),
        bx("2024-11-01", "a", 10.0, None),
        bx("2024-11-02", "a", 20.0, Some(14.5)),
        bx("2024-11-03", "a", 30.0, None),
        bx("2024-11-02", "b", 12.0, Some(10.5)),
        bx("2025-10-25", "a", 5.0, None),
        bx("2025-10-27", "a", 7.0, Some(6.5)),
    ]
}

#[test]
fn baselines_use_earlier_games_of_the_season_only() {
    let pg = player_games(&boxes(), None);
    assert_eq!(pg.keys().collect::<Vec<_>>(), vec!["2024-25", "2025-26"]);
    let s = &pg["2024-25"];
    assert_eq!(s.len(), 3, "a's 2nd–4th games; b has no earlier game");
    assert_eq!(s[0].baselines, [10.0, 10.0, 10.0]);
    assert_eq!(s[2].baselines, [20.0, 20.0, 20.0]);
    assert_eq!(pg["2025-26"][0].baselines, [5.0, 5.0, 5.0], "history resets with the season");
    // Errors: 10−20, 15−30, 20−40 → MAE 15, bias −15, RMSE sqrt((100+225+400)/3).
    let st = baseline_stats(s, 0..s.len());
    assert_eq!((st[0].n, st[0].mae, st[0].bias), (3, 15.0, -15.0));
    assert!((st[0].rmse - (725.0f64 / 3.0).sqrt()).abs() < 1e-12);
    // last_5 differs from season_avg once the history is longer than 5.
    let long: Vec<BoxScore> = (1..=7).map(|i| bx(&format!("2024-11-0{i}"), "c", i as f64, None)).collect();
    let pg = player_games(&long, None);
    let last = pg["2024-25"].last().unwrap();
    assert_eq!(last.baselines, [4.0, 3.5, 3.5]);
    // --from/--to restrict the scored games, not the history.
    let pg = player_games(&long, Some((d("2024-11-07"), d("2024-11-07"))));
    assert_eq!(pg["2024-25"].len(), 1);
    assert_eq!(pg["2024-25"][0].baselines[2], 3.5);
}

#[test]
fn systems_are_scored_on_the_same_player_games_as_the_baselines() {
    let graded = vec![
        gr("2024-11-02", "a", "s1", 18.0, 20.0, Outcome::Win, 0.9091), // line 14.5: OVER
        gr("2024-11-04", "a", "s1", 36.0, 40.0, Outcome::Win, 1.5),
        gr("2024-11-02", "b", "s1", 11.0, 12.0, Outcome::Loss, -1.0), // b's first game: outside the baselines
        gr("2024-11-03", "a", "s2", 30.0, 30.0, Outcome::NoBet, 0.0),
    ];
    let v = report_json(&boxes(), &graded, None);
    let s = &v["seasons"]["2024-25"];
    assert_eq!(s["player_games"], json!(3));
    let s1 = &s["systems"]["s1"];
    assert_eq!((s1["player_games"].clone(), s1["outside_baseline"].clone()), (json!(2), json!(1)));
    assert_eq!((s1["mae"].clone(), s1["bias"].clone()), (json!(3.0), json!(-3.0)));
    // Baselines on the same two player-games: (10−20, 20−40) → 15.
    assert_eq!(s["systems"]["s1"]["baselines_same_games"]["season_avg"]["mae"], json!(15.0));
    assert_eq!(s["baselines"]["last_5"]["n"], json!(3));
    // Lined: a on 11-02 (14.5) and 11-04 (30.5); both graded by s1, none by s2.
    let l = &s["lined"];
    assert_eq!(l["player_games"], json!(2));
    assert_eq!(l["line"]["mae"], json!(7.5));
    assert_eq!(l["line"]["bias"], json!(-7.5));
    let l1 = &l["systems"]["s1"];
    assert_eq!(
        (l1["coverage"].clone(), l1["mae"].clone(), l1["line_mae"].clone()),
        (json!(1.0), json!(3.0), json!(7.5))
    );
    assert_eq!((l1["picks"].clone(), l1["wins"].clone(), l1["hit_rate"].clone()), (json!(2), json!(2), json!(1.0)));
    assert_eq!(l1["profit_units"], json!(2.4091));
    let l2 = &l["systems"]["s2"];
    assert_eq!(
        (l2["coverage"].clone(), l2["picks"].clone(), l2["hit_rate"].clone()),
        (json!(0.0), json!(0), Value::Null)
    );
}

#[test]
fn no_predictions_still_gives_baselines_and_rows_are_read_safely() {
    let v = report_json(&boxes(), &[], None);
    assert_eq!(v["seasons"]["2024-25"]["systems"], json!({}));
    assert_eq!(v["seasons"]["2024-25"]["baselines"]["last_10"]["mae"], json!(15.0));
    let rows: Vec<Row> = vec![
        json!({"game_date": "2024-11-01", "game_id": "g", "player_lookup": "a", "points": 3, "is_active": true}),
        json!({"game_date": "bad", "game_id": "g", "player_lookup": "a", "points": 3}),
        json!({"game_date": "2024-11-01", "player_lookup": "a", "points": 3}),
    ]
    .into_iter()
    .map(|v| v.as_object().cloned().unwrap())
    .collect();
    let (b, skipped) = box_scores(&rows);
    assert_eq!((b.len(), skipped), (1, 2));
    let res: Vec<Row> = vec![
        json!({"game_date": "2024-11-01", "player_lookup": "a", "system_id": "s", "predicted_points": 3.0,
               "actual_points": 4, "outcome": "WIN", "profit_units": 1.0, "line_offset": 0.0}),
        json!({"game_date": "2024-11-01", "player_lookup": "a", "system_id": "s", "predicted_points": 3.0,
               "actual_points": 4, "outcome": "WIN", "line_offset": 1.0}),
        json!({"game_date": "2024-11-01", "player_lookup": "a", "line_offset": 0.0}),
    ]
    .into_iter()
    .map(|v| v.as_object().cloned().unwrap())
    .collect();
    let (g, skipped) = graded(&res);
    assert_eq!((g.len(), skipped, g[0].outcome), (1, 1, Outcome::Win));
    assert_eq!(Stat::of([]), Stat::default());
}

#[test]
fn rolling_mae_windows_seven_days_and_the_svg_draws_each_series() {
    let e = vec![(d("2024-11-01"), 2.0), (d("2024-11-01"), -4.0), (d("2024-11-07"), 6.0), (d("2024-11-08"), 1.0)];
    let r = plot::rolling_mae(e, 7);
    assert_eq!(r, vec![(d("2024-11-01"), 3.0), (d("2024-11-07"), 4.0), (d("2024-11-08"), 3.5)]);
    let graded = vec![gr("2024-11-02", "a", "s<1>", 18.0, 20.0, Outcome::Win, 0.9)];
    let series = plot::series(&boxes(), &graded, None);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["baseline last_5", "baseline last_10", "baseline season_avg", "s<1>"]);
    let svg = plot::svg(&series, "MAE");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // Two seasons: every baseline line is broken at the off-season.
    assert_eq!(svg.matches("<polyline").count(), 3 * 2 + 1);
    assert!(svg.contains("s&lt;1&gt;"));
    assert!(plot::svg(&[], "empty").contains("no player-games"));
    let mut rec = Record::default();
    rec.add(Outcome::Push, 0.0);
    rec.add(Outcome::NoBet, 5.0);
    assert_eq!((rec.picks(), rec.hit_rate(), rec.profit_per_unit()), (1, None, Some(0.0)));
}
