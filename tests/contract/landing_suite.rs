//! Contract suite for the `Landing` port.
//!
//! Every check is a plain `pub async fn` over an `Arc<dyn Landing>`, so the directory adapter and any other
//! adapter (GCS emulator) run the very same assertions. Each check writes under its own, uniquely named top
//! prefix, so checks may run in parallel against one shared bucket.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hoopflow::backends::{Landing, PortError};
use tokio::sync::Barrier;

/// A top-level prefix no other check (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("ct-{prefix}-{:x}-{seq}-{:08x}", std::process::id(), rand::random::<u32>())
}

pub async fn put_then_get_round_trips(l: Arc<dyn Landing>) {
    let root = unique("roundtrip");
    let json_path = format!("{root}/nbacom/boxscore/2025-01-15/0022400555.json");
    let bin_path = format!("{root}/raw.bin");
    let empty_path = format!("{root}/empty");
    let binary: Vec<u8> = (0..=255u8).chain([0, 0xff, 0xfe]).collect();
    let g = l.put(&json_path, br#"{"ok":true}"#).await.unwrap();
    assert!(g > 0, "generations are positive, got {g}");
    l.put(&bin_path, &binary).await.unwrap();
    l.put(&empty_path, b"").await.unwrap();
    let o = l.get(&json_path).await.unwrap();
    assert_eq!((o.path.as_str(), o.generation, o.data.as_slice()), (json_path.as_str(), g, &br#"{"ok":true}"#[..]));
    assert_eq!(l.get(&bin_path).await.unwrap().data, binary, "bytes must round-trip unchanged");
    assert!(l.get(&empty_path).await.unwrap().data.is_empty());
}

pub async fn generation_increases_on_every_overwrite(l: Arc<dyn Landing>) {
    let path = format!("{}/scraper/latest.json", unique("gen"));
    let mut last = 0;
    for i in 0..5 {
        let g = l.put(&path, format!("v{i}").as_bytes()).await.unwrap();
        assert!(g > last, "generation must strictly increase: {g} after {last}");
        let o = l.get(&path).await.unwrap();
        assert_eq!((o.generation, o.data), (g, format!("v{i}").into_bytes()), "get returns the current object");
        last = g;
    }
    let other = format!("{}/other.json", unique("gen_other"));
    let g = l.put(&other, b"x").await.unwrap();
    assert_eq!(l.get(&other).await.unwrap().generation, g);
    assert_eq!(l.get(&path).await.unwrap().generation, last, "another path's put must not move this one");
}

/// Concurrent overwrites of one path: every put gets its own generation and the last one wins.
pub async fn concurrent_puts_get_distinct_generations(l: Arc<dyn Landing>) {
    const WRITERS: usize = 16;
    let path = format!("{}/contended.json", unique("race"));
    let barrier = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (l, path, barrier) = (l.clone(), path.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                (l.put(&path, format!("writer {i}").as_bytes()).await.unwrap(), i)
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    results.sort();
    let mut gens: Vec<i64> = results.iter().map(|(g, _)| *g).collect();
    gens.dedup();
    assert_eq!(gens.len(), WRITERS, "generations must be distinct: {results:?}");
    let (top, writer) = results[WRITERS - 1];
    let o = l.get(&path).await.unwrap();
    assert_eq!(o.generation, top, "the object carries the highest generation");
    assert_eq!(o.data, format!("writer {writer}").into_bytes(), "the data is that of the highest generation");
}

pub async fn get_missing_is_not_found(l: Arc<dyn Landing>) {
    let root = unique("missing");
    assert!(matches!(l.get(&format!("{root}/nothing.json")).await, Err(PortError::NotFound(_))));
    l.put(&format!("{root}/dir/file.json"), b"x").await.unwrap();
    assert!(matches!(l.get(&format!("{root}/dir")).await, Err(PortError::NotFound(_))), "a prefix is no object");
}

pub async fn list_returns_sorted_relative_paths(l: Arc<dyn Landing>) {
    let root = unique("list");
    let names = ["b/2.json", "a/1.json", "a/10.json", "a/2.json", "c.json", "a/deep/x/y.json"];
    for n in names {
        l.put(&format!("{root}/{n}"), n.as_bytes()).await.unwrap();
    }
    l.put(&format!("{root}/a/1.json"), b"again").await.unwrap();
    let full = |v: &[&str]| v.iter().map(|n| format!("{root}/{n}")).collect::<Vec<_>>();
    assert_eq!(
        l.list(&format!("{root}/")).await.unwrap(),
        full(&["a/1.json", "a/10.json", "a/2.json", "a/deep/x/y.json", "b/2.json", "c.json"]),
        "every object once, sorted, no sidecars"
    );
    assert_eq!(l.list(&root).await.unwrap().len(), 6, "a prefix need not end with '/'");
    assert_eq!(
        l.list(&format!("{root}/a/")).await.unwrap(),
        full(&["a/1.json", "a/10.json", "a/2.json", "a/deep/x/y.json"])
    );
    assert_eq!(
        l.list(&format!("{root}/a/1")).await.unwrap(),
        full(&["a/1.json", "a/10.json"]),
        "prefixes are plain string prefixes"
    );
    assert_eq!(l.list(&format!("{root}/a/deep/x/y.json")).await.unwrap(), full(&["a/deep/x/y.json"]));
    assert!(l.list(&format!("{root}/zz/")).await.unwrap().is_empty());
    assert!(l.list(&unique("list_none")).await.unwrap().is_empty());
    let everything = l.list("").await.unwrap();
    assert!(full(&names).iter().all(|p| everything.contains(p)), "the empty prefix lists the whole bucket");
    assert!(everything.iter().all(|p| !p.starts_with('/') && !p.split('/').any(|s| s.starts_with(".hoopflow"))));
}

pub async fn invalid_paths_are_refused(l: Arc<dyn Landing>) {
    let root = unique("invalid");
    let bad = [
        String::new(),
        "/etc/passwd".to_string(),
        "../escape.json".to_string(),
        format!("{root}/../../escape.json"),
        format!("{root}//double.json"),
        format!("{root}/trailing/"),
        format!("./{root}/dot.json"),
        format!("{root}/./dot.json"),
        format!("{root}/back\\slash.json"),
    ];
    for p in &bad {
        assert!(matches!(l.put(p, b"x").await, Err(PortError::Invalid(_))), "put must refuse {p:?}");
        assert!(matches!(l.get(p).await, Err(PortError::Invalid(_))), "get must refuse {p:?}");
    }
    for p in ["../", "/abs", "a//b", "a/../b"] {
        assert!(matches!(l.list(p).await, Err(PortError::Invalid(_))), "list must refuse {p:?}");
    }
    assert!(l.list(&format!("{root}/")).await.unwrap().is_empty(), "refused puts must write nothing");
}

pub async fn bucket_is_named(l: Arc<dyn Landing>) {
    let b = l.bucket();
    assert!(!b.is_empty() && !b.contains('/'), "bucket name {b:?} must be a plain name");
}
