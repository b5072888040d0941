//! Unit tests of the embedded bus internals (the behaviour is covered by `tests/contract_bus.rs`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::ids::{validate_name, AckId};
use super::store::{after, millis};
use super::*;
use crate::backends::VirtualClock;

fn clock() -> Arc<VirtualClock> {
    Arc::new(VirtualClock::new(Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap()))
}

#[test]
fn ack_ids_round_trip_and_reject_garbage() {
    let s = AckId::encode(12, 3456, 7);
    assert_eq!(AckId::parse(&s).unwrap(), AckId { delivery: 12, msg: 3456, attempt: 7 });
    for bad in ["", "1-2", "1-2-3-4", "a-2-3", "1--3", "-1-2-3", "1-2-+3", "99999999999999999999-1-1", "1-2-3 "] {
        assert!(matches!(AckId::parse(bad), Err(PortError::Invalid(_))), "{bad:?} accepted");
    }
    let batch = vec![s.clone(), "nope".to_string()];
    assert!(AckId::parse_all(&batch).is_err());
}

#[test]
fn names_follow_the_pubsub_rule() {
    for ok in ["abc", "nba-phase2-raw-complete", "nba-phase2-raw-complete-dlq", "A.b~c+d%e_f"] {
        assert!(validate_name("topic", ok).is_ok(), "{ok} rejected");
    }
    let long = "a".repeat(256);
    for bad in ["", "ab", "1abc", "-abc", "goog-x", "GOOGle", "a b c", "abé", long.as_str()] {
        assert!(validate_name("topic", bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn durations_saturate_below_blocked() {
    assert_eq!(millis(Duration::from_millis(1500)), 1500);
    assert!(millis(Duration::MAX) > 0);
    assert!(after(i64::MAX - 10, Duration::from_secs(1)) < schema::BLOCKED);
    assert_eq!(after(1000, Duration::ZERO), 1000);
}

#[test]
fn a_newer_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.db");
    drop(EmbeddedBus::open(&path, clock()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", schema::SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    let err = EmbeddedBus::open(&path, clock()).unwrap_err();
    assert!(matches!(err, PortError::Storage(ref m) if m.contains("newer")), "{err}");
}

#[tokio::test]
async fn open_creates_missing_directories_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home").join("nested").join("bus.db");
    let bus = EmbeddedBus::open(&path, clock()).unwrap();
    bus.ensure_topic("topic-a").await.unwrap();
    let mode: String = bus.store.lock().conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = bus.store.lock().conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 1, "synchronous=NORMAL");
}

#[test]
fn no_delivery_statement_scans_or_sorts() {
    let bus = EmbeddedBus::in_memory(clock()).unwrap();
    let store = bus.store.lock();
    for (name, sql) in sql::ALL {
        let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for step in &plan {
            let scans_a_table = step.starts_with("SCAN ") && !step.contains("VIRTUAL TABLE");
            assert!(!scans_a_table && !step.contains("TEMP B-TREE"), "{name}: {step} in {plan:?}");
            // Batch statements must look each id up, not walk the subscription once per id.
            let batch_lookup_by_range = step.starts_with("SEARCH d ") && !step.contains("INTEGER PRIMARY KEY");
            assert!(!batch_lookup_by_range, "{name}: {step} in {plan:?}");
        }
        if *name == "ready" {
            assert!(plan.iter().any(|s| s.contains("COVERING INDEX deliveries_ready")), "{plan:?}");
        }
    }
}
