//! A date whose Phase 3 inputs never all arrive, with the real processors on real data: three weeks of 2025-26
//! are backfilled, then the next date's sportsbook snapshots land live and its box scores never do. The
//! pre-game contexts complete, the game summaries never can; at the stage deadline the Phase 3 → 4 tracker
//! fires `degraded`, naming exactly the three missing summaries, and the Phase 4 cascade still builds the
//! date's feature vectors from the games before it.

mod shared;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use hoopflow::backends::{TableRef, VirtualClock};
use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::{RowExt, SlateDate};
use hoopflow::processors::builtin_registry;
use hoopflow::runtime::{Pipeline, PipelineOptions};
use hoopflow::sources::replay::ReplaySource;
use hoopflow::sources::{Announcer, LandMode, Source};
use serde_json::Value;

fn day(s: &str) -> SlateDate {
    s.parse().unwrap()
}

async fn poll<F, Fut>(what: &str, f: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    for _ in 0..1000 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[actix::test]
async fn missing_box_scores_fire_phase4_degraded_at_the_deadline_naming_them() {
    let Some(dir) = shared::data_dir() else { return };
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let source = ReplaySource::open(&dir).unwrap();
    let plan = Plan::backfill(day("2025-10-21"), day("2025-11-10"), 4, Some(dir.clone()), "history".into());
    execute(home_dir.path(), &t, &plan, &source, false).await.unwrap();

    let d = day("2025-11-11");
    let clock = Arc::new(VirtualClock::new(chrono::Utc.with_ymd_and_hms(2025, 11, 11, 17, 0, 0).unwrap()));
    let b = hoopflow::backends::embedded::open_home(home_dir.path(), clock.clone()).unwrap();
    let p = Pipeline::start(b.clone(), &t, builtin_registry(), PipelineOptions::default()).await.unwrap();
    let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let how = LandMode { correlation_id: Some("corr-degraded".into()), ..Default::default() };
    let items = source.items(d).unwrap();
    let pregame: Vec<_> = items.iter().filter(|i| i.path.starts_with("odds-api/")).collect();
    assert!(!pregame.is_empty() && pregame.len() < items.len(), "snapshots land, box scores are withheld");
    for it in pregame {
        ann.land(&it.scraper, &it.path, &it.data, d, &how).await.unwrap();
    }
    assert!(p.wait_idle(Duration::from_millis(200), Duration::from_secs(120)).await);
    let doc = b.state.get("phase3_completion", &d.to_string()).await.unwrap().expect("tracker document");
    let done: Vec<&String> = doc["processors"].as_object().unwrap().keys().collect();
    assert_eq!(done, ["upcoming_player_game_context", "upcoming_team_game_context"]);
    let marker_id = format!("{d}__phase3_to_phase4");
    assert!(b.state.get("phase3_triggers", &marker_id).await.unwrap().is_none(), "fired before its deadline");

    clock.advance(Duration::from_secs(121 * 60));
    let m = poll("the degraded trigger", || async { b.state.get("phase3_triggers", &marker_id).await.unwrap() }).await;
    assert_eq!(m["degraded"], true);
    assert_eq!(
        m["missing"],
        serde_json::json!(["player_game_summary", "team_offense_game_summary", "team_defense_game_summary"])
    );
    assert!(p.wait_idle(Duration::from_millis(300), Duration::from_secs(120)).await);
    let fs = b.warehouse.read_date(&TableRef::new("nba_predictions", "ml_feature_store_v2"), d).await.unwrap();
    let upgc = b.warehouse.read_date(&TableRef::new("nba_analytics", "upcoming_player_game_context"), d).await.unwrap();
    assert!(!upgc.is_empty());
    assert_eq!(fs.len(), upgc.len(), "a feature vector per scheduled player");
    let phase4 = fs.iter().filter(|r| r.str_of("data_source").is_some_and(|s| s.starts_with("phase4"))).count();
    assert!(phase4 * 2 > fs.len(), "{phase4} of {} vectors mostly from Phase 4", fs.len());
    let p4 = b.state.get("phase4_completion", &d.to_string()).await.unwrap().expect("cascade document");
    assert_eq!(p4["processors"].as_object().unwrap().len(), 5, "all five precompute processors ran: {p4}");
    let level3 = b.state.get("phase4_triggers", &format!("{d}__level3")).await.unwrap().expect("level 3 fired");
    assert_eq!(level3["degraded"], false);
    p.shutdown().await;
}
