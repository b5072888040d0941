//! SIGKILL in the middle of a multi-date run on the embedded backends, with a real child process: starting
//! it again finishes the run with no lost message and no (processor, date, scope) succeeding twice.
//!
//! The child is this test binary re-invoked on the ignored test `child_process_entry`.

mod support;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoopflow::backends::embedded::warehouse::EmbeddedWarehouse;
use hoopflow::backends::{SubscriptionSpec, SystemClock, TableRef, Warehouse};
use hoopflow::domain::{RowExt, SlateDate};
use hoopflow::runtime::{Pipeline, PipelineOptions};
use hoopflow::sources::{Announcer, LandMode};
use serde_json::Value;
use support::*;

const DATES: i64 = 20;
const CHILD_ENV: &str = "HOOPFLOW_CHILD_HOME";

fn first() -> SlateDate {
    "2025-02-01".parse().unwrap()
}

#[actix::test]
#[ignore = "entry point of the child process spawned by the SIGKILL test"]
async fn child_process_entry() {
    let Some(home) = std::env::var_os(CHILD_ENV) else { return };
    let b = backends(std::path::Path::new(&home), Arc::new(SystemClock));
    let c = Counters::default();
    let opts = PipelineOptions { pull_wait: Duration::from_millis(20), ..PipelineOptions::default() };
    let p = Pipeline::start(b, &topology(), registry(&c, Duration::from_millis(25)), opts).await.unwrap();
    assert!(p.wait_idle(Duration::from_millis(800), Duration::from_secs(120)).await, "child did not finish");
}

async fn succeeded(home: &std::path::Path) -> i64 {
    let Ok(w) = EmbeddedWarehouse::open(home.join("warehouse")) else { return 0 };
    w.query("SELECT COUNT(*) FROM nba_reference.processor_run_history WHERE status = 'succeeded'")
        .await
        .ok()
        .and_then(|r| r.rows.first().and_then(|row| row[0].as_i64()))
        .unwrap_or(0)
}

fn spawn_child(home: &std::path::Path) -> std::process::Child {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args(["child_process_entry", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

#[test]
fn sigkill_mid_run_then_restart_loses_nothing_and_succeeds_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_path_buf();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let total = DATES * 5;
    rt.block_on(async {
        let b = backends(&home, Arc::new(SystemClock));
        hoopflow::runtime::infra::apply(&b, &topology(), &registry(&Counters::default(), Duration::ZERO))
            .await
            .unwrap();
        b.bus.ensure_subscription(&SubscriptionSpec::new("watch-p5", "nba-predictions-trigger")).await.unwrap();
        let ann = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
        for i in 0..DATES {
            let d = first().add_days(i);
            let how = LandMode { correlation_id: Some(format!("corr-{d}")), ..Default::default() };
            for (s, path, data) in files_for(d) {
                ann.land(&s, &path, &data, d, &how).await.unwrap();
            }
        }
    });

    let mut child = spawn_child(&home);
    let t0 = Instant::now();
    let at_kill = loop {
        let n = rt.block_on(succeeded(&home));
        if n >= total / 4 {
            break n;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "child made no progress");
        assert!(child.try_wait().unwrap().is_none(), "child exited before it could be killed");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(at_kill < total, "the kill must land mid-run ({at_kill} of {total} done)");

    let status = spawn_child(&home).wait().unwrap();
    assert!(status.success(), "restarted child failed");

    rt.block_on(async {
        let b = backends(&home, Arc::new(SystemClock));
        let dupes = b
            .warehouse
            .query(
                "SELECT processor_name, data_date, scope, COUNT(*) FROM nba_reference.processor_run_history \
                 WHERE status = 'succeeded' GROUP BY processor_name, data_date, scope HAVING COUNT(*) > 1",
            )
            .await
            .unwrap();
        assert!(dupes.rows.is_empty(), "succeeded twice: {:?}", dupes.rows);
        assert_eq!(succeeded(&home).await, total, "every (processor, date) succeeds exactly once");
        for i in 0..DATES {
            let d = first().add_days(i);
            let combo = b.warehouse.read_date(&TableRef::new("nba_precompute", "combo"), d).await.unwrap();
            assert_eq!(combo.len(), 1, "{d}");
            assert_eq!(combo[0].i64_of("total"), Some(expected_total(d)), "{d}");
            let m =
                b.state.get("phase4_triggers", &format!("{d}__level1")).await.unwrap().expect("phase 5 trigger fired");
            assert_eq!(m["published"], true);
        }
        let p5 = b.bus.peek("watch-p5", 1000).await.unwrap();
        let ids: BTreeSet<String> = p5
            .iter()
            .map(|m| {
                serde_json::from_slice::<Value>(&m.data).unwrap()["execution_id"].as_str().unwrap_or("").to_string()
            })
            .collect();
        assert_eq!(ids.len() as i64, DATES, "one Phase 5 trigger per date");
        for t in ["nba-phase1-scrapers-complete", "nba-phase2-raw-complete", "nba-phase3-analytics-complete"] {
            let dead = b.bus.backlog(&hoopflow::runtime::infra::dlq_subscription(t)).await.unwrap();
            assert_eq!(dead, 0, "nothing dead-lettered on {t}");
        }
    });
}
