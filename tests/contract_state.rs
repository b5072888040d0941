//! Runs the `StateStore` contract suite against the embedded SQLite adapter, plus embedded-only checks
//! (persistence across reopen, WAL on disk).

#[path = "contract/state_suite.rs"]
mod state_suite;

use std::sync::Arc;

use hoopflow::backends::embedded::state::EmbeddedState;
use hoopflow::backends::StateStore;
use serde_json::{json, Value};

fn store() -> Arc<dyn StateStore> {
    Arc::new(EmbeddedState::in_memory().expect("in-memory state store"))
}

macro_rules! contract {
    ($($check:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $check() {
            state_suite::$check(store()).await;
        }
    )*};
}

contract!(
    get_missing_is_none,
    create_only_if_absent,
    create_race_has_one_winner,
    set_replaces_whole_document,
    update_creates_and_returns_stored,
    update_returning_none_writes_nothing,
    concurrent_updates_lose_nothing,
    delete_removes,
    list_filters_by_prefix_in_id_order,
    find_eq_matches_exact_values,
    collections_are_isolated,
    rejects_invalid_documents_and_names,
);

/// The races again, on a file database (WAL) shared by the whole suite.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_hold_on_a_file_database() {
    let dir = tempfile::tempdir().unwrap();
    let s: Arc<dyn StateStore> = Arc::new(EmbeddedState::open(dir.path().join("state.db")).unwrap());
    state_suite::create_race_has_one_winner(s.clone()).await;
    state_suite::concurrent_updates_lose_nothing(s).await;
}

#[tokio::test]
async fn documents_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let s = EmbeddedState::open(&path).unwrap();
        s.set("runs", "r1", &json!({"state": "succeeded", "n": 3})).await.unwrap();
        assert!(s.create("markers", "2025-01-15", &json!({"by": "p1"})).await.unwrap());
        s.update("runs", "r2", &|_: Option<&Value>| Some(json!({"state": "running"}))).await.unwrap();
    }
    let s = EmbeddedState::open(&path).unwrap();
    assert_eq!(s.get("runs", "r1").await.unwrap(), Some(json!({"state": "succeeded", "n": 3})));
    assert_eq!(s.get("runs", "r2").await.unwrap(), Some(json!({"state": "running"})));
    assert!(!s.create("markers", "2025-01-15", &json!({"by": "p2"})).await.unwrap(), "marker must persist");
    assert_eq!(s.list("runs", "r").await.unwrap().len(), 2);
}

#[tokio::test]
async fn file_database_runs_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let s = EmbeddedState::open(&path).unwrap();
    s.set("c", "d", &json!({})).await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode.to_ascii_lowercase(), "wal");
}

#[tokio::test]
async fn in_memory_stores_are_private() {
    let (a, b) = (EmbeddedState::in_memory().unwrap(), EmbeddedState::in_memory().unwrap());
    a.set("c", "d", &json!({"x": 1})).await.unwrap();
    assert_eq!(b.get("c", "d").await.unwrap(), None);
}
