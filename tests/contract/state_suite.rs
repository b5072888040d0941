//! Contract suite for the `StateStore` port.
//!
//! Every check is a plain `pub async fn` over an `Arc<dyn StateStore>`, so the embedded SQLite adapter and
//! any other adapter (Firestore emulator) run the very same assertions. Each check works in its own,
//! uniquely named collection, so checks may run in parallel against one shared store. The concurrency checks
//! need a multi-threaded runtime to mean anything.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hoopflow::backends::{PortError, StateStore};
use serde_json::{json, Value};
use tokio::sync::Barrier;

/// Tasks racing in the concurrency checks.
pub const RACERS: usize = 50;

/// A collection name no other check (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("ct_{prefix}_{:x}_{seq}_{:08x}", std::process::id(), rand::random::<u32>())
}

fn ids(docs: &[(String, Value)]) -> Vec<&str> {
    docs.iter().map(|(id, _)| id.as_str()).collect()
}

pub async fn get_missing_is_none(s: Arc<dyn StateStore>) {
    let c = unique("get_missing");
    assert_eq!(s.get(&c, "nope").await.unwrap(), None);
}

pub async fn create_only_if_absent(s: Arc<dyn StateStore>) {
    let c = unique("create");
    assert!(s.create(&c, "d", &json!({"v": 1})).await.unwrap(), "first create must succeed");
    assert!(!s.create(&c, "d", &json!({"v": 2})).await.unwrap(), "second create must report existing");
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"v": 1})), "losing create must not write");
}

/// `RACERS` tasks create the same document at once: exactly one wins, and the stored doc is the winner's.
pub async fn create_race_has_one_winner(s: Arc<dyn StateStore>) {
    let c = unique("create_race");
    let barrier = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let (s, c, barrier) = (s.clone(), c.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                (i, s.create(&c, "marker", &json!({ "winner": i })).await.unwrap())
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        let (i, won) = t.await.unwrap();
        if won {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one create must win, got {winners:?}");
    assert_eq!(s.get(&c, "marker").await.unwrap(), Some(json!({ "winner": winners[0] })));
}

pub async fn set_replaces_whole_document(s: Arc<dyn StateStore>) {
    let c = unique("set");
    s.set(&c, "d", &json!({"a": 1, "b": {"c": [1, 2]}})).await.unwrap();
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"a": 1, "b": {"c": [1, 2]}})));
    s.set(&c, "d", &json!({"a": 3})).await.unwrap();
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"a": 3})), "set is a blind overwrite, not a merge");
    assert!(!s.create(&c, "d", &json!({})).await.unwrap());
}

pub async fn update_creates_and_returns_stored(s: Arc<dyn StateStore>) {
    let c = unique("update_new");
    let seen_absent = std::sync::atomic::AtomicBool::new(false);
    let out = s
        .update(&c, "d", &|cur: Option<&Value>| {
            seen_absent.store(cur.is_none(), Ordering::SeqCst);
            Some(json!({"n": 1}))
        })
        .await
        .unwrap();
    assert!(seen_absent.load(Ordering::SeqCst), "mutator must see an absent document as None");
    assert_eq!(out, Some(json!({"n": 1})));
    let out = s
        .update(&c, "d", &|cur: Option<&Value>| {
            let n = cur?.get("n")?.as_i64()?;
            Some(json!({"n": n + 1}))
        })
        .await
        .unwrap();
    assert_eq!(out, Some(json!({"n": 2})));
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"n": 2})));
}

pub async fn update_returning_none_writes_nothing(s: Arc<dyn StateStore>) {
    let c = unique("update_none");
    assert_eq!(s.update(&c, "absent", &|_: Option<&Value>| None).await.unwrap(), None);
    assert_eq!(s.get(&c, "absent").await.unwrap(), None, "a no-op update must not create the document");
    s.set(&c, "d", &json!({"keep": true})).await.unwrap();
    let out = s.update(&c, "d", &|_: Option<&Value>| None).await.unwrap();
    assert_eq!(out, Some(json!({"keep": true})), "a no-op update returns the stored document");
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"keep": true})));
}

/// `RACERS` tasks each add their own key to one document through `update`: no update is lost.
pub async fn concurrent_updates_lose_nothing(s: Arc<dyn StateStore>) {
    let c = unique("update_race");
    let barrier = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let (s, c, barrier) = (s.clone(), c.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let key = format!("p{i:02}");
                let out = s
                    .update(&c, "date", &|cur: Option<&Value>| {
                        let mut doc = cur.cloned().unwrap_or_else(|| json!({}));
                        doc.as_object_mut()?.insert(key.clone(), json!(i));
                        Some(doc)
                    })
                    .await
                    .unwrap();
                let out = out.expect("update returns the stored document");
                assert_eq!(out.get(&key), Some(&json!(i)), "returned doc must contain this task's key");
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let doc = s.get(&c, "date").await.unwrap().expect("document exists");
    let obj = doc.as_object().expect("object");
    assert_eq!(obj.len(), RACERS, "every concurrent update must survive: {doc}");
    for i in 0..RACERS {
        assert_eq!(obj.get(&format!("p{i:02}")), Some(&json!(i)));
    }
}

pub async fn delete_removes(s: Arc<dyn StateStore>) {
    let c = unique("delete");
    s.set(&c, "d", &json!({"x": 1})).await.unwrap();
    s.set(&c, "other", &json!({"x": 2})).await.unwrap();
    s.delete(&c, "d").await.unwrap();
    assert_eq!(s.get(&c, "d").await.unwrap(), None);
    assert_eq!(s.get(&c, "other").await.unwrap(), Some(json!({"x": 2})), "delete touches one document");
    s.delete(&c, "d").await.unwrap();
    assert!(s.create(&c, "d", &json!({"x": 3})).await.unwrap(), "create after delete must succeed");
}

pub async fn list_filters_by_prefix_in_id_order(s: Arc<dyn StateStore>) {
    let c = unique("list");
    let other = unique("list_other");
    for id in ["b2", "a1", "b10", "c", "b1", "ba"] {
        s.set(&c, id, &json!({ "id": id })).await.unwrap();
    }
    s.set(&other, "b0", &json!({})).await.unwrap();
    let all = s.list(&c, "").await.unwrap();
    assert_eq!(ids(&all), ["a1", "b1", "b10", "b2", "ba", "c"]);
    assert!(all.iter().all(|(id, doc)| doc["id"] == json!(id)), "documents must match their ids");
    assert_eq!(ids(&s.list(&c, "b").await.unwrap()), ["b1", "b10", "b2", "ba"]);
    assert_eq!(ids(&s.list(&c, "b1").await.unwrap()), ["b1", "b10"]);
    assert!(s.list(&c, "bb").await.unwrap().is_empty());
    assert!(s.list(&unique("list_empty"), "").await.unwrap().is_empty());
}

pub async fn find_eq_matches_exact_values(s: Arc<dyn StateStore>) {
    let c = unique("find");
    let docs = [
        ("d1", json!({"status": "done", "n": 1, "flag": true, "tags": ["x", "y"]})),
        ("d2", json!({"status": "done", "n": 2, "flag": false, "nested": {"status": "todo"}})),
        ("d3", json!({"status": "todo", "n": 3, "flag": 1, "tags": ["y", "x"]})),
        ("d4", json!({"status": null, "n": 1.5})),
        ("d5", json!({"other": "done"})),
    ];
    for (id, doc) in &docs {
        s.set(&c, id, doc).await.unwrap();
    }
    let find = |field: &'static str, v: Value| {
        let (s, c) = (s.clone(), c.clone());
        async move { s.find_eq(&c, field, &v).await.unwrap().into_iter().map(|(id, _)| id).collect::<Vec<_>>() }
    };
    assert_eq!(find("status", json!("done")).await, ["d1", "d2"]);
    assert_eq!(find("status", json!("todo")).await, ["d3"], "nested fields must not match top-level queries");
    assert_eq!(find("flag", json!(true)).await, ["d1"], "a bool must not match the number 1");
    assert_eq!(find("flag", json!(1)).await, ["d3"]);
    assert_eq!(find("n", json!(1)).await, ["d1"]);
    assert_eq!(find("n", json!(1.5)).await, ["d4"]);
    assert_eq!(find("status", Value::Null).await, ["d4"], "null must match only explicit nulls");
    assert_eq!(find("tags", json!(["x", "y"])).await, ["d1"]);
    assert!(find("status", json!("gone")).await.is_empty());
    let found = s.find_eq(&c, "status", &json!("done")).await.unwrap();
    assert_eq!(found[0].1, docs[0].1, "find_eq returns whole documents");
}

pub async fn collections_are_isolated(s: Arc<dyn StateStore>) {
    let (a, b) = (unique("iso_a"), unique("iso_b"));
    s.set(&a, "same", &json!({"in": "a"})).await.unwrap();
    assert!(s.create(&b, "same", &json!({"in": "b"})).await.unwrap());
    assert_eq!(s.get(&a, "same").await.unwrap(), Some(json!({"in": "a"})));
    assert_eq!(s.get(&b, "same").await.unwrap(), Some(json!({"in": "b"})));
}

pub async fn rejects_invalid_documents_and_names(s: Arc<dyn StateStore>) {
    let c = unique("invalid");
    let invalid = |r: Result<(), PortError>, what: &str| {
        assert!(matches!(r, Err(PortError::Invalid(_))), "{what}: expected Invalid, got {r:?}");
    };
    invalid(s.set(&c, "d", &json!(5)).await, "non-object set");
    invalid(s.create(&c, "d", &json!([1])).await.map(|_| ()), "non-object create");
    invalid(s.set(&c, "a/b", &json!({})).await, "id with '/'");
    invalid(s.set(&c, "", &json!({})).await, "empty id");
    invalid(s.set("", "d", &json!({})).await, "empty collection");
    s.set(&c, "d", &json!({"ok": true})).await.unwrap();
    let r = s.update(&c, "d", &|_: Option<&Value>| Some(json!("scalar"))).await;
    invalid(r.map(|_| ()), "update to a non-object");
    assert_eq!(s.get(&c, "d").await.unwrap(), Some(json!({"ok": true})), "refused update must not write");
}
