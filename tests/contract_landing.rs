//! Runs the `Landing` contract suite against the directory adapter, plus embedded-only checks: persistence
//! of objects and generations across reopen, hidden sidecars, file/prefix conflicts and stale temp files.

#[path = "contract/landing_suite.rs"]
mod landing_suite;

use std::sync::Arc;

use hoopflow::backends::embedded::landing::DirLanding;
use hoopflow::backends::{Landing, PortError};

/// A landing in a fresh temp dir; the dir lives as long as the returned guard.
fn landing() -> (Arc<dyn Landing>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let l = DirLanding::open(dir.path(), "hoopflow-test-landing").expect("landing");
    (Arc::new(l), dir)
}

macro_rules! contract {
    ($($check:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $check() {
            let (l, _dir) = landing();
            landing_suite::$check(l).await;
        }
    )*};
}

contract!(
    put_then_get_round_trips,
    generation_increases_on_every_overwrite,
    concurrent_puts_get_distinct_generations,
    get_missing_is_not_found,
    list_returns_sorted_relative_paths,
    invalid_paths_are_refused,
    bucket_is_named,
);

#[tokio::test]
async fn objects_and_generations_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let g2 = {
        let l = DirLanding::open(dir.path(), "b").unwrap();
        l.put("x/a.json", b"1").await.unwrap();
        l.put("x/a.json", b"2").await.unwrap()
    };
    let l = DirLanding::open(dir.path(), "b").unwrap();
    let o = l.get("x/a.json").await.unwrap();
    assert_eq!((o.generation, o.data.as_slice()), (g2, &b"2"[..]));
    assert!(l.put("x/a.json", b"3").await.unwrap() > g2, "generations keep increasing after reopen");
    assert_eq!(l.list("").await.unwrap(), ["x/a.json"], "sidecars and temp files stay hidden");
    assert_eq!(l.bucket(), "b");
}

#[tokio::test]
async fn objects_land_as_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    let l = DirLanding::open(dir.path(), "b").unwrap();
    l.put("nbacom/2025-01-15/box.json", b"{}").await.unwrap();
    assert_eq!(std::fs::read(dir.path().join("nbacom/2025-01-15/box.json")).unwrap(), b"{}");
    // A file dropped in by hand is an object with generation 1; the next put moves it on.
    std::fs::write(dir.path().join("nbacom/manual.json"), b"m").unwrap();
    let o = l.get("nbacom/manual.json").await.unwrap();
    assert_eq!((o.generation, o.data.as_slice()), (1, &b"m"[..]));
    assert_eq!(l.put("nbacom/manual.json", b"n").await.unwrap(), 2);
    assert_eq!(l.list("nbacom/").await.unwrap(), ["nbacom/2025-01-15/box.json", "nbacom/manual.json"]);
}

#[tokio::test]
async fn an_object_cannot_also_be_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let l = DirLanding::open(dir.path(), "b").unwrap();
    l.put("a/b", b"1").await.unwrap();
    assert!(matches!(l.put("a", b"2").await, Err(PortError::Invalid(_))), "a is a prefix of a/b");
    assert!(matches!(l.put("a/b/c", b"3").await, Err(PortError::Invalid(_))), "a/b is an object");
    assert!(matches!(l.put("a/b/c/d", b"4").await, Err(PortError::Invalid(_))));
    assert_eq!(l.list("").await.unwrap(), ["a/b"]);
    assert_eq!(l.get("a/b").await.unwrap().data, b"1");
}

#[tokio::test]
async fn reserved_directory_is_refused_and_stale_temp_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let l = DirLanding::open(dir.path(), "b").unwrap();
        assert!(matches!(l.put(".hoopflow/gen/x", b"1").await, Err(PortError::Invalid(_))));
        assert!(matches!(l.get(".hoopflow/tmp").await, Err(PortError::Invalid(_))));
    }
    let stale = dir.path().join(".hoopflow/tmp/999-0-dead");
    std::fs::write(&stale, b"half a payload").unwrap();
    let l = DirLanding::open(dir.path(), "b").unwrap();
    assert!(!stale.exists(), "open must remove temp files left by a killed process");
    assert!(l.list("").await.unwrap().is_empty());
}
