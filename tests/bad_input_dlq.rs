//! Bad input through the real actors: a truncated, mutated, empty or wrong-schema landing file is rejected by
//! its raw processor with a typed error, dead-lettered with a reason naming the file, recorded as
//! `failed_permanent`, and writes nothing — while good files of the same date load.

mod shared;

use hoopflow::cli::home;
use hoopflow::cli::run::{execute, Plan};
use hoopflow::domain::SlateDate;
use hoopflow::runtime::infra::dlq_subscription;
use hoopflow::sources::{LandItem, Source, SourceError};
use serde_json::Value;

/// A source that lands fixed objects on one date.
struct Fixed(SlateDate, Vec<LandItem>);

impl Source for Fixed {
    fn name(&self) -> &str {
        "fixed"
    }
    fn items(&self, date: SlateDate) -> Result<Vec<LandItem>, SourceError> {
        Ok(if date == self.0 { self.1.clone() } else { Vec::new() })
    }
    fn span(&self) -> Option<(SlateDate, SlateDate)> {
        Some((self.0, self.0))
    }
}

fn item(path: &str, data: Vec<u8>) -> LandItem {
    LandItem { scraper: "test".into(), path: path.into(), data }
}

#[actix::test]
async fn bad_files_are_dead_lettered_by_name_and_write_nothing() {
    let Some(good) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let odds = shared::fixture("_history/oddsa_player_props_his_raw_4fd911e4.json").unwrap();
    let date: SlateDate = "2025-03-15".parse().unwrap();
    let bad = [
        ("nba-com/player-boxscores/2025-03-15/20250316_010000.json", good[..good.len() / 3].to_vec()),
        ("nba-com/player-boxscores/2025-03-15/20250316_020000.json", Vec::new()),
        (
            "nba-com/player-boxscores/2025-03-15/20250316_030000.json",
            br#"{"resultSets": [{"headers": ["A"], "rowSet": [[1]]}]}"#.to_vec(),
        ),
        ("odds-api/player-props/2025-03-15/e1-MEMNOP/20250315_170000-snap-1700.json", {
            let mut v: Value = serde_json::from_slice(&odds).unwrap();
            v["data"]["bookmakers"][0]["markets"][0]["outcomes"][3]["point"] = Value::from("lots");
            serde_json::to_vec(&v).unwrap()
        }),
    ];
    let mut items: Vec<LandItem> = bad.iter().map(|(p, d)| item(p, d.clone())).collect();
    items.push(item("nba-com/player-boxscores/2025-03-15/20250316_080000.json", good.clone()));
    let home_dir = tempfile::tempdir().unwrap();
    let t = home::load_topology(None).unwrap();
    let plan = Plan::backfill(date, date, 2, None, "bad input test".into());
    execute(home_dir.path(), &t, &plan, &Fixed(date, items), false).await.unwrap();

    let b = home::open(home_dir.path()).unwrap();
    let dead = b.bus.peek(&dlq_subscription("nba-phase1-scrapers-complete"), 100).await.unwrap();
    assert_eq!(dead.len(), bad.len(), "one dead letter per bad file");
    for (path, _) in &bad {
        let d = dead
            .iter()
            .find(|m| String::from_utf8_lossy(&m.data).contains(path))
            .unwrap_or_else(|| panic!("no dead letter for {path}"));
        let reason = &d.attributes["dead_letter_reason"];
        assert!(reason.contains(path) && reason.contains("bad input"), "{reason}");
    }
    let q = |sql: &'static str| {
        let w = b.warehouse.clone();
        async move {
            let r = w.query(sql).await.unwrap();
            r.rows[0][0].as_i64().or_else(|| r.rows[0][0].as_str().and_then(|s| s.parse().ok())).unwrap()
        }
    };
    assert_eq!(q("SELECT COUNT(*) FROM nba_raw.nbac_player_boxscores").await, 157, "the good file loads, whole");
    assert_eq!(q("SELECT COUNT(*) FROM nba_raw.odds_api_player_points_props").await, 0, "no partial write");
    assert_eq!(
        q("SELECT COUNT(*) FROM nba_reference.processor_run_history WHERE status = 'failed_permanent'").await,
        bad.len() as i64
    );
    let hist = b
        .warehouse
        .query("SELECT error_message FROM nba_reference.processor_run_history WHERE status = 'failed_permanent'")
        .await;
    if let Ok(h) = hist {
        assert!(h.rows.iter().all(|r| r[0].as_str().is_some_and(|e| e.contains("bad input"))), "{:?}", h.rows);
    }
}
