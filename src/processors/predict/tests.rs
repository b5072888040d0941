//! Unit tests of the systems and `run_all`, with expected values computed by hand in the comments.

use super::*;

fn day(d: u32) -> SlateDate {
    SlateDate::from_ymd(2025, 1, d).unwrap()
}

/// L5 20, L10 18, season 16, std 5, 3 games in 7 days, rested (fatigue 90), zone mismatch 2, pace 1, usage
/// spike 0.5, at home; the other features at their defaults.
fn ctx() -> PlayerContext {
    let mut c = PlayerContext::with_defaults(day(20));
    let x = &mut c.features;
    (x[f::PTS_L5], x[f::PTS_L10], x[f::PTS_SEASON], x[f::PTS_STD_L10], x[f::GAMES_L7]) = (20.0, 18.0, 16.0, 5.0, 3.0);
    (x[f::FATIGUE], x[f::SHOT_ZONE_MISMATCH], x[f::PACE], x[f::USAGE_SPIKE]) = (90.0, 2.0, 1.0, 0.5);
    c.feature_quality_score = 85.0;
    c.is_home = true;
    c
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn moving_average_by_hand() {
    // 0.5·20 + 0.3·18 + 0.2·16 = 18.6; + 0.3·2 + 0.3·1 + 0.5 (home) + 0.4·0.5 = 20.2; rested: no fatigue penalty.
    let p = moving_average::predict(&ctx(), Some(17.5)).unwrap();
    assert_eq!(p.predicted_points, 20.2);
    // 50 − 8 (std 5 > 4) + 10 (3 games in 7 days).
    assert_eq!(p.confidence, 52.0);
    assert_eq!(p.recommendation, Recommendation::Over, "edge 2.7 > 2, confidence 52 > 45");
    let at = |line| moving_average::predict(&ctx(), line).unwrap().recommendation;
    assert_eq!(at(Some(18.2)), Recommendation::Pass, "edge exactly 2.0 passes");
    assert_eq!(at(Some(22.5)), Recommendation::Under);
    assert_eq!(at(None), Recommendation::NoLine);
    let mut volatile = ctx();
    (volatile.features[f::PTS_STD_L10], volatile.features[f::GAMES_L7]) = (7.0, 1.0);
    let p = moving_average::predict(&volatile, Some(10.5)).unwrap();
    assert_eq!((p.confidence, p.recommendation), (25.0, Recommendation::Pass), "50 − 15 − 10");
}

#[test]
fn fatigue_polarity_penalises_tired_not_rested_players() {
    let with = |score: f64| {
        let mut c = ctx();
        c.features[f::FATIGUE] = score;
        (moving_average::predict(&c, None).unwrap().predicted_points, zone_matchup::predict(&c, None).unwrap())
    };
    let (ma_rested, zm_rested) = with(100.0);
    assert_eq!(ma_rested, 20.2, "fully rested: no penalty (the original took −2.5 here)");
    assert_eq!(with(90.0).0, 20.2);
    assert_eq!(with(50.0).0, 20.2);
    assert_eq!(with(45.0).0, 19.2, "−1.0 below 50");
    assert_eq!(with(20.0).0, 17.7, "−2.5 below 30");
    assert!(close(with(45.0).1.predicted_points, zm_rested.predicted_points - 0.8));
    assert!(close(with(20.0).1.predicted_points, zm_rested.predicted_points - 1.5));
}

#[test]
fn zone_matchup_by_hand() {
    let mut c = ctx();
    c.is_home = false;
    c.opponent_def_rating = 118.0;
    c.features[f::OPP_DEF_RATING] = 118.0;
    c.features[f::FATIGUE] = 45.0;
    (c.features[f::PCT_PAINT], c.features[f::PCT_MID], c.features[f::PCT_THREE], c.features[f::PCT_FT]) =
        (0.45, 0.20, 0.25, 0.10);
    // (118 − 112)·0.3 = 1.8: paint 1.8·1.2·1.0 = 2.16, mid 1.8·1.0·0.7 = 1.26, three 1.8·1.1·0.7 = 1.386,
    // FT 1.8·0.8·0.4 = 0.576; sum 5.382.
    assert!(close(zone_matchup::zone_adjustment(&c), 5.382));
    // 16 + 5.382 + 0.4·1 (pace) − 0.8 (away) − 0.8 (fatigue 45) = 20.182.
    let p = zone_matchup::predict(&c, Some(18.0)).unwrap();
    assert_eq!((p.predicted_points, p.confidence, p.recommendation), (20.2, 52.0, Recommendation::Over));
    // A strong defence (106) costs points: the zone sum flips sign; the default rating (112) is neutral.
    c.opponent_def_rating = 106.0;
    assert!(close(zone_matchup::zone_adjustment(&c), -5.382));
    assert_eq!(zone_matchup::predict(&c, None).unwrap().predicted_points, 9.4);
    c.opponent_def_rating = 112.0;
    assert_eq!(zone_matchup::zone_adjustment(&c), 0.0);
    // Each zone is clamped at ±3 before its usage weight: (140 − 112)·0.3·mult ≥ 3 everywhere.
    c.opponent_def_rating = 140.0;
    assert!(close(zone_matchup::zone_adjustment(&c), 3.0 * (1.0 + 0.7 + 0.7 + 0.4)));
}

fn game(d: u32, opp: Option<f64>, rest: Option<i64>, home: bool, pts: f64) -> PastGame {
    PastGame { date: day(d), points: pts, minutes: 30.0, opponent_def_rating: opp, days_rest: rest, is_home: home }
}

/// Predicted game: average opponent (112), one day off (days_rest 2), at home, normal form (L5 = season).
fn similarity_ctx() -> PlayerContext {
    let mut c = ctx();
    (c.features[f::PTS_L5], c.features[f::PTS_SEASON]) = (20.0, 20.0);
    (c.features[f::SHOT_ZONE_MISMATCH], c.features[f::PACE], c.features[f::USAGE_SPIKE]) = (1.0, 0.5, 0.0);
    c.opponent_def_rating = 112.0;
    c.days_rest = Some(2);
    c.history = vec![
        game(1, Some(112.0), Some(2), true, 20.0),   // 40 + 30 + 15 + 15 = 100
        game(3, Some(108.0), Some(2), true, 18.0),   // elite, adjacent: 20 + 30 + 15 + 15 = 80
        game(5, Some(120.0), Some(2), false, 22.0),  // weak, away: 20 + 30 + 0 + 15 = 65, dropped
        game(6, Some(112.0), Some(1), true, 24.0),   // back-to-back, adjacent: 40 + 15 + 15 + 15 = 85
        game(8, None, None, false, 16.0),            // unknowns → average, one day off; away: 85
        game(13, Some(112.0), Some(5), true, 20.0),  // rest 3+, two buckets away: 40 + 0 + 15 + 15 = 70
        game(15, Some(113.0), Some(2), true, 22.0),  // 100
        game(18, Some(100.0), Some(3), false, 18.0), // 20 + 15 + 0 + 15 = 50, dropped
    ];
    c
}

#[test]
fn similarity_by_hand() {
    let c = similarity_ctx();
    let a = similarity::analyse(&c).unwrap();
    assert_eq!(a.similar, vec![(6, 100.0), (0, 100.0), (4, 85.0), (3, 85.0), (1, 80.0), (5, 70.0)]);
    // Σs = 520, Σs·p = 2200 + 2000 + 1360 + 2040 + 1440 + 1400 = 10440.
    assert!(close(a.baseline, 10440.0 / 520.0));
    // Points 22, 20, 16, 24, 18, 20: mean 20, population variance 40/6.
    assert!(close(a.points_std, (40.0f64 / 6.0).sqrt()));
    // 20.0769 + (90 − 70)·0.015 + 1·0.4 + 0.5·0.8 + 0 + 0.8 (home) = 21.977.
    let p = similarity::predict(&c, Some(19.5)).unwrap();
    assert_eq!(p.predicted_points, 22.0);
    // 50 − 15 (6 games) + 20 (mean score 86.7) + 15 (std 2.58).
    assert_eq!(p.confidence, 70.0);
    assert_eq!(p.recommendation, Recommendation::Over);
    let at = |l| similarity::predict(&c, Some(l)).unwrap().recommendation;
    assert_eq!(at(20.0), Recommendation::Over, "edge exactly 2.0 is enough here");
    assert_eq!(at(20.5), Recommendation::Pass);
    assert_eq!(at(24.5), Recommendation::Under);
}

#[test]
fn similarity_reads_the_context_and_needs_five_games() {
    let mut away = similarity_ctx();
    away.is_home = false;
    // Away: game 0 → 85, 1 → 65 (dropped), 2 → 80, 3 → 70, 4 → 100, 5 → 55, 6 → 85, 7 → 65.
    let a = similarity::analyse(&away).unwrap();
    assert_eq!(a.similar, vec![(4, 100.0), (6, 85.0), (0, 85.0), (2, 80.0), (3, 70.0)]);
    let mut short = similarity_ctx();
    short.history.truncate(4);
    assert_eq!(
        similarity::predict(&short, None),
        Err(PredictError::InsufficientHistory { system: similarity::SYSTEM_ID, needed: 5, found: 3 })
    );
}

fn model() -> learned::Model {
    // 15 + 3·(x0 − 10)/2.
    let mut scales = [0.0; 25];
    scales[0] = 2.0;
    let mut means = [0.0; 25];
    means[0] = 10.0;
    let mut coefficients = [0.0; 25];
    coefficients[0] = 3.0;
    learned::Model { lambda: 0.0, n_samples: 1, means, scales, coefficients, intercept: 15.0, trained_before: None }
}

#[test]
fn ridge_by_hand() {
    let mut c = ctx();
    c.features[f::PTS_L5] = 14.0;
    // 15 + 3·(14 − 10)/2 = 21; confidence 70 + 7 (quality 85) + 7 (std 5) = 84.
    let p = ridge::predict(&model(), &c, Some(19.5)).unwrap();
    assert_eq!((p.predicted_points, p.confidence, p.recommendation), (21.0, 84.0, Recommendation::Over));
    assert_eq!(ridge::predict(&model(), &c, Some(20.0)).unwrap().recommendation, Recommendation::Pass);
    let mut late = model();
    late.trained_before = Some(day(21));
    assert_eq!(
        ridge::predict(&late, &c, None),
        Err(PredictError::LookAhead { trained_before: day(21), date: day(20) })
    );
    late.trained_before = Some(day(20));
    assert!(ridge::predict(&late, &c, None).is_ok(), "trained on games before the date itself");
    let mut broken = model();
    broken.intercept = f64::NAN;
    assert_eq!(ridge::predict(&broken, &c, None), Err(PredictError::Numerical { system: ridge::SYSTEM_ID }));
}

fn part(system_id: &'static str, pts: f64, conf: f64, rec: Recommendation) -> Prediction {
    Prediction { system_id, predicted_points: pts, confidence: conf, recommendation: rec }
}

#[test]
fn ensemble_weights_by_confidence() {
    use Recommendation::*;
    let parts = [
        part(moving_average::SYSTEM_ID, 20.0, 52.0, Over),
        part(zone_matchup::SYSTEM_ID, 18.0, 52.0, Pass),
        part(similarity::SYSTEM_ID, 22.0, 70.0, Over),
        part(ridge::SYSTEM_ID, 21.0, 84.0, Over),
    ];
    // (52·20 + 52·18 + 70·22 + 84·21) / 258 = 5280 / 258 = 20.465 (the plain mean would be 20.25).
    let p = ensemble::combine(&parts, Some(18.5)).unwrap();
    assert_eq!(p.predicted_points, 20.5);
    // Mean confidence 64.5; std of the predictions 1.48 < 2: +10; all four systems: +5.
    assert_eq!(p.confidence, 79.5);
    assert_eq!(p.recommendation, Over, "3 of 4 components say OVER");
    assert_eq!(ensemble::combine(&parts, Some(19.5)).unwrap().recommendation, Pass, "edge 1.0 < 1.5");
    // Three components, two of them UNDER: no longer +5, and the majority decides.
    let three =
        [parts[0].clone(), part(zone_matchup::SYSTEM_ID, 18.0, 52.0, Under), part(ridge::SYSTEM_ID, 21.0, 84.0, Under)];
    // (1040 + 936 + 1764) / 188 = 19.89; conf 62.67 + 10 (std 1.25 < 2) = 72.67.
    let p = ensemble::combine(&three, Some(17.5)).unwrap();
    assert_eq!((p.predicted_points, p.confidence, p.recommendation), (19.9, 72.67, Under));
    // No majority: by the sign of the edge.
    let two = [part(moving_average::SYSTEM_ID, 24.0, 80.0, Over), part(zone_matchup::SYSTEM_ID, 24.0, 80.0, Under)];
    assert_eq!(ensemble::combine(&two, Some(20.5)).unwrap().recommendation, Over);
    assert_eq!(ensemble::combine(&parts[..1], Some(20.5)), Err(PredictError::InsufficientComponents { found: 1 }));
    assert_eq!(ensemble::combine(&parts, None).unwrap().recommendation, NoLine);
}

#[test]
fn run_all_runs_every_system_ensemble_last() {
    let mut b = CircuitBreaker::default();
    let c = similarity_ctx();
    let ps = run_all(&c, Some(18.5), Some(&model()), &mut b);
    let ids: Vec<_> = ps.iter().map(|p| p.system_id).collect();
    assert_eq!(ids, [COMPONENT_IDS.as_slice(), &[ensemble::SYSTEM_ID]].concat());
    assert!(ps.iter().all(|p| (0.0..=100.0).contains(&p.confidence)));
    let expected = ensemble::combine(&ps[..4], Some(18.5)).unwrap();
    assert_eq!(ps[4], expected);
    // Without a model and with too little history, the ensemble still runs on the two left.
    let mut short = c.clone();
    short.history.truncate(2);
    let r = run_all_detailed(&short, None, None, &mut b);
    let ids: Vec<_> = r.predictions.iter().map(|p| p.system_id).collect();
    assert_eq!(ids, [moving_average::SYSTEM_ID, zone_matchup::SYSTEM_ID, ensemble::SYSTEM_ID]);
    assert_eq!(r.skipped.len(), 2);
    assert!(r.predictions.iter().all(|p| p.recommendation == Recommendation::NoLine));
}

#[test]
fn a_failing_system_is_skipped_and_opens_its_circuit() {
    let mut b = CircuitBreaker::new(5, CoolDown::Calls(2));
    let c = similarity_ctx();
    let mut future = model();
    future.trained_before = Some(day(25));
    for _ in 0..5 {
        let ps = run_all(&c, Some(18.5), Some(&future), &mut b);
        assert_eq!(ps.len(), 4, "ridge fails, the others (and the ensemble) do not");
    }
    assert!(matches!(b.state(ridge::SYSTEM_ID), circuit::CircuitState::Open { .. }));
    for _ in 0..2 {
        let r = run_all_detailed(&c, Some(18.5), Some(&model()), &mut b);
        assert!(r.skipped.contains(&(ridge::SYSTEM_ID, PredictError::CircuitOpen { system: ridge::SYSTEM_ID })));
    }
    // Half-open: the trial succeeds with a sound model and closes the circuit.
    assert_eq!(run_all(&c, Some(18.5), Some(&model()), &mut b).len(), 5);
    assert_eq!(b.state(ridge::SYSTEM_ID), circuit::CircuitState::Closed { consecutive_failures: 0 });
    assert_eq!(b.state(moving_average::SYSTEM_ID), circuit::CircuitState::Closed { consecutive_failures: 0 });
}

#[test]
fn bad_input_is_a_typed_error_and_spares_the_breaker() {
    let mut c = ctx();
    c.features[f::PACE] = f64::NAN;
    let err = PredictError::InvalidFeature { index: 7, name: "pace_score", value: f64::NAN };
    assert!(matches!(moving_average::predict(&c, None), Err(PredictError::InvalidFeature { index: 7, .. })));
    assert!(matches!(zone_matchup::predict(&c, None), Err(PredictError::InvalidFeature { index: 7, .. })));
    assert!(matches!(similarity::predict(&c, None), Err(PredictError::InvalidFeature { index: 7, .. })));
    assert!(matches!(ridge::predict(&model(), &c, None), Err(PredictError::InvalidFeature { index: 7, .. })));
    let mut b = CircuitBreaker::new(1, CoolDown::Calls(1));
    let r = run_all_detailed(&c, None, Some(&model()), &mut b);
    assert!(r.predictions.is_empty() && r.skipped.len() == 5);
    assert!(err.to_string().contains("pace_score"));
    assert!(run_all(&ctx(), Some(f64::NAN), None, &mut b).is_empty(), "a NaN line");
    assert_eq!(b, CircuitBreaker::new(1, CoolDown::Calls(1)), "untouched");
    let mut later = ctx();
    later.history = vec![game(25, None, None, true, 10.0)];
    assert!(matches!(later.validate(), Err(PredictError::InvalidInput(_))), "a game on or after the date");
    later.history = vec![game(5, None, None, true, 10.0), game(3, None, None, true, 10.0)];
    assert!(matches!(later.validate(), Err(PredictError::InvalidInput(_))), "not oldest first");
    later.history = vec![game(5, None, None, true, f64::INFINITY)];
    assert!(matches!(moving_average::predict(&later, None), Err(PredictError::InvalidInput(_))));
    let mut q = ctx();
    q.feature_quality_score = f64::NAN;
    assert!(matches!(q.validate(), Err(PredictError::InvalidInput(_))));
    assert_eq!(Recommendation::NoLine.as_str(), "NO_LINE");
    assert_eq!(Recommendation::Over.as_str(), "OVER");
}
