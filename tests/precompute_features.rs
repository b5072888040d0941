//! Phase 4 on real data: a backfill of the opening five weeks of 2024-25 through the feature store, through
//! the real actors and trackers. Values are checked against numbers recomputed independently, straight from
//! `data/nba/2024-25/player_gamelogs.csv.gz`; the bootstrap window; and no look-ahead — removing every row
//! dated on or after D and rebuilding D's features gives identical vectors.

mod shared;

use std::collections::BTreeMap;
use std::io::Read;

use hoopflow::backends::{Backends, TableRef};
use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::{player_lookup, Row, RowExt, SlateDate};
use hoopflow::processors::{builtin_registry, TableWrite};
use hoopflow::runtime::protocol::read_inputs;
use hoopflow::sources::replay::ReplaySource;
use hoopflow::topology::Topology;

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

/// One player-game of the CSV.
#[derive(Debug, Clone)]
struct G {
    date: String,
    game: String,
    team: String,
    min: f64,
    pts: f64,
    fga: f64,
    fta: f64,
    oreb: f64,
    tov: f64,
}

fn csv(dir: &std::path::Path) -> Vec<(String, G)> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join("2024-25/player_gamelogs.csv.gz")).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut lines = text.lines();
    let h: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |n: &str| h.iter().position(|x| *x == n).unwrap();
    let f = |c: &[&str], n: &str| c[at(n)].parse::<f64>().unwrap_or(0.0);
    lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let g = G {
                date: c[at("game_date")].to_string(),
                game: c[at("nba_game_id")].to_string(),
                team: c[at("team")].to_string(),
                min: f(&c, "min"),
                pts: f(&c, "pts"),
                fga: f(&c, "fga"),
                fta: f(&c, "fta"),
                oreb: f(&c, "oreb"),
                tov: f(&c, "tov"),
            };
            (c[at("player")].to_string(), g)
        })
        .collect()
}

/// (date, game, opponent possessions, opponent pace, defensive rating) of one team-game.
type DefGame = (String, String, f64, f64, f64);

async fn rows(b: &Backends, table: &str, d: SlateDate) -> Vec<Row> {
    b.warehouse.read_date(&TableRef::parse(table).unwrap(), d).await.unwrap_or_default()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

async fn backfill(dir: &std::path::Path, to: SlateDate) -> (tempfile::TempDir, Topology, Backends) {
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(dir).unwrap();
    let plan = Plan::backfill(day("2024-10-22"), to, 4, Some(dir.to_path_buf()), "phase 4 test".into());
    execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();
    let b = home::open(home_dir.path()).unwrap();
    (home_dir, t, b)
}

#[actix::test]
async fn phase4_values_match_the_csv_respect_bootstrap_and_never_look_ahead() {
    let Some(dir) = shared::data_dir() else { return };
    let d = day("2024-11-25");
    let (_home, t, b) = backfill(&dir, d.succ()).await;
    let log = csv(&dir);
    let before: Vec<&(String, G)> = log.iter().filter(|(_, g)| g.date.as_str() < "2024-11-25").collect();

    // player_daily_cache: points over the last 5 and 10 games before D, for every cached player.
    let mut by_player: BTreeMap<String, Vec<&G>> = BTreeMap::new();
    // Last game per player, minutes or not (a few seconds on the floor show as 0 in the CSV).
    let mut last_game: BTreeMap<String, &str> = BTreeMap::new();
    for (name, g) in &before {
        let e = last_game.entry(player_lookup(name)).or_default();
        *e = (*e).max(g.date.as_str());
        if g.min > 0.0 {
            by_player.entry(player_lookup(name)).or_default().push(g);
        }
    }
    let cache = rows(&b, "nba_precompute.player_daily_cache", d).await;
    assert!(cache.len() > 150, "{} cached players on a 10-game night", cache.len());
    let mut matched = 0;
    for r in &cache {
        let Some(games) = by_player.get(r.str_of("player_lookup").unwrap()) else { continue };
        let mut games = games.clone();
        games.sort_by(|a, b| (&a.date, &a.game).cmp(&(&b.date, &b.game)));
        let pts: Vec<f64> = games.iter().map(|g| g.pts).collect();
        let avg = |n: usize| {
            let t = &pts[pts.len().saturating_sub(n)..];
            t.iter().sum::<f64>() / t.len() as f64
        };
        let who = r.str_of("player_lookup").unwrap();
        assert!(close(r.f64_of("points_avg_last_5").unwrap(), avg(5), 0.006), "{who} last 5");
        assert!(close(r.f64_of("points_avg_last_10").unwrap(), avg(10), 0.006), "{who} last 10");
        assert!(close(r.f64_of("points_avg_season").unwrap(), avg(usize::MAX), 0.006), "{who} season");
        assert_eq!(r.i64_of("games_played_season"), Some(pts.len() as i64), "{who} games");
        matched += 1;
    }
    assert!(matched * 100 >= cache.len() * 95, "{matched} of {} cached players found in the CSV", cache.len());

    // The feature store: one vector per scheduled player, days of rest from the CSV, PDC values as features.
    let upgc = rows(&b, "nba_analytics.upcoming_player_game_context", d).await;
    let fs = rows(&b, "nba_predictions.ml_feature_store_v2", d).await;
    assert_eq!(fs.len(), upgc.len(), "one feature row per scheduled player");
    let cache_by: BTreeMap<&str, &Row> = cache.iter().map(|r| (r.str_of("player_lookup").unwrap(), r)).collect();
    let mut rested = 0;
    for r in &fs {
        let who = r.str_of("player_lookup").unwrap();
        let f: Vec<f64> = serde_json::from_value(r["features"].clone()).unwrap();
        assert_eq!(f.len(), 25, "{who}");
        let q = r.f64_of("feature_quality_score").unwrap();
        assert!((40.0..=100.0).contains(&q), "{who} quality {q}");
        if let Some(c) = cache_by.get(who) {
            assert_eq!(f[0], c.f64_of("points_avg_last_5").unwrap(), "{who}: feature 0 is PDC's last-5 average");
            assert_eq!(f[22], c.f64_of("team_pace_last_10").unwrap(), "{who}: feature 22 is PDC's team pace");
        }
        if let (Some(rest), Some(last)) = (r.i64_of("days_rest"), last_game.get(who)) {
            assert_eq!(rest, (d.date() - day(last).date()).num_days(), "{who} days of rest");
            rested += 1;
        }
    }
    assert!(rested > 150, "{rested} players with days of rest");

    // team_defense_zone_analysis: possessions, pace and defensive rating over each team's last 15 games.
    let mut team_games: BTreeMap<(String, String), BTreeMap<String, [f64; 6]>> = BTreeMap::new();
    for (_, g) in &before {
        let e = team_games.entry((g.date.clone(), g.game.clone())).or_default().entry(g.team.clone()).or_default();
        for (k, v) in [g.pts, g.fga, g.fta, g.oreb, g.tov, g.min].into_iter().enumerate() {
            e[k] += v;
        }
    }
    // team → [(date, game, opp possessions, opp pace, defensive rating)]
    let mut def: BTreeMap<String, Vec<DefGame>> = BTreeMap::new();
    for ((date, game), teams) in &team_games {
        let ids: Vec<&String> = teams.keys().collect();
        assert_eq!(ids.len(), 2, "{game}");
        for (me, opp) in [(ids[0], ids[1]), (ids[1], ids[0])] {
            let o = teams[opp];
            let poss = o[1] + 0.44 * o[2] - o[3] + o[4];
            let minutes = 240.0 + 25.0 * ((o[5] - 240.0) / 25.0).round();
            def.entry(me.clone()).or_default().push((
                date.clone(),
                game.clone(),
                poss,
                poss * 48.0 / (minutes / 5.0),
                100.0 * o[0] / poss,
            ));
        }
    }
    let tdza = rows(&b, "nba_precompute.team_defense_zone_analysis", d).await;
    assert_eq!(tdza.len(), 30, "every team five weeks in");
    assert!(tdza.iter().filter(|r| r.i64_of("games_in_sample") == Some(15)).count() >= 25);
    for r in &tdza {
        let team = r.str_of("team_abbr").unwrap();
        let mut g = def[team].clone();
        g.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let l15 = &g[g.len().saturating_sub(15)..];
        let mean = |k: usize| l15.iter().map(|x| [x.2, x.3, x.4][k]).sum::<f64>() / l15.len() as f64;
        assert_eq!(r.i64_of("games_in_sample"), Some(l15.len() as i64), "{team}");
        assert!(close(r.f64_of("possessions_per_game").unwrap(), mean(0), 0.011), "{team} possessions");
        assert!(close(r.f64_of("opponent_pace").unwrap(), mean(1), 0.011), "{team} pace");
        assert!(close(r.f64_of("defensive_rating_last_15").unwrap(), mean(2), 0.011), "{team} defensive rating");
    }

    // Bootstrap: days 0–13 write no analyses and only placeholder vectors.
    for early in [day("2024-10-25"), day("2024-11-04")] {
        for table in ["nba_precompute.team_defense_zone_analysis", "nba_precompute.player_daily_cache"] {
            assert!(rows(&b, table, early).await.is_empty(), "{table} on {early}");
        }
        let fs = rows(&b, "nba_predictions.ml_feature_store_v2", early).await;
        assert!(!fs.is_empty(), "placeholders on {early}");
        assert!(fs.iter().all(|r| r.str_of("data_source") == Some("early_season")
            && r.f64_of("feature_quality_score") == Some(0.0)
            && r["features"].as_array().is_some_and(|a| a.len() == 25 && a.iter().all(|v| v.is_null()))));
    }
    assert!(!rows(&b, "nba_precompute.player_shot_zone_analysis", day("2024-11-06")).await.is_empty(), "day 15");

    // No look-ahead: delete every game result dated D or later (and every derived row of those dates, keeping
    // only D's pre-game inputs: schedule, lines, injuries), rebuild D from scratch, compare.
    let before_vectors = fs.clone();
    let pregame = ["nba_raw.nbac_schedule", "nba_raw.odds_api_player_points_props", "nba_raw.bdl_injuries"];
    let reg = builtin_registry();
    for p in &t.processors {
        for table in std::iter::once(&p.output).chain(&p.extra_outputs) {
            let Some(tr) = TableRef::parse(table) else { continue };
            if b.warehouse.table_schema(&tr).await.unwrap().is_none_or(|s| s.partition_by.is_none()) {
                continue;
            }
            for x in SlateDate::range(d, d.add_days(3)) {
                if x == d && pregame.contains(&table.as_str()) {
                    continue;
                }
                b.warehouse.replace_partition(&tr, x, Vec::new()).await.unwrap();
            }
        }
    }
    assert!(rows(&b, "nba_analytics.player_game_summary", d).await.is_empty());
    assert!(rows(&b, "nba_predictions.ml_feature_store_v2", d).await.is_empty());
    for name in [
        "upcoming_player_game_context",
        "upcoming_team_game_context",
        "team_defense_zone_analysis",
        "player_shot_zone_analysis",
        "player_daily_cache",
        "player_composite_factors",
        "ml_feature_store",
    ] {
        let decl = t.processor(name).unwrap();
        let imp = reg.get(name).unwrap();
        let (input, _, _) = read_inputs(&b, decl, imp.as_ref(), d, None).await.unwrap();
        for w in imp.compute(&input).unwrap().writes {
            let TableWrite::ReplacePartition { table, date, rows } = w else { panic!("{name}: unexpected write") };
            b.warehouse.replace_partition(&table, date, rows).await.unwrap();
        }
    }
    let rebuilt = rows(&b, "nba_predictions.ml_feature_store_v2", d).await;
    assert_eq!(rebuilt.len(), before_vectors.len());
    assert_eq!(rebuilt, before_vectors, "D's features without any row dated D or later are the same");
}
