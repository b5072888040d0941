//! The key schema of `config/pipeline.toml`, mirroring the serde model in `model.rs` field by field, and the
//! wording of structural issues.
//!
//! Invariant: every key the model accepts is listed here with its type and whether it is required; a test in
//! `load_tests.rs` serialises a full model and checks that the walk accepts every key it produces, so the two
//! cannot drift apart silently.

use super::tree::{Node, SNode};

/// The type a key must have.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ty {
    Str,
    /// A non-negative integer up to the bound (the width of the model's field).
    UInt(u64),
    /// An integer or a float.
    Float,
    Bool,
    /// A string out of a fixed set (a serde enum).
    Enum(&'static [&'static str]),
    StrList,
    Table(&'static [Field]),
    /// An array of tables (`[[x]]` or `x = [{…}, …]`).
    Tables(&'static [Field]),
    /// A table whose keys come from a fixed set and whose values are tables.
    Modes(&'static [&'static str], &'static [Field]),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    pub key: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn req(key: &'static str, ty: Ty) -> Field {
    Field { key, ty, required: true }
}

const fn opt(key: &'static str, ty: Ty) -> Field {
    Field { key, ty, required: false }
}

const U8: Ty = Ty::UInt(u8::MAX as u64);
const U32: Ty = Ty::UInt(u32::MAX as u64);
const U64: Ty = Ty::UInt(i64::MAX as u64);

pub(super) const ROUTES: &[&str] = &[
    "raw_file",
    "table_ready",
    "tracker",
    "phase_trigger",
    "predictions_trigger",
    "prediction_request",
    "prediction_ready",
    "monitor",
];
pub(super) const CHECKS: &[&str] = &["date_match", "lookback", "exists"];
pub(super) const MODES: &[&str] = &["daily", "same_day", "backfill"];

pub(super) const ROOT: &[Field] = &[
    req("pipeline", Ty::Table(PIPELINE)),
    opt("defaults", Ty::Table(DEFAULTS)),
    opt("topic", Ty::Tables(TOPIC)),
    opt("subscription", Ty::Tables(SUBSCRIPTION)),
    opt("processor", Ty::Tables(PROCESSOR)),
    opt("tracker", Ty::Tables(TRACKER)),
    opt("alerts", Ty::Table(ALERTS)),
];

const PIPELINE: &[Field] = &[req("name", Ty::Str), req("version", U32)];

const DEFAULTS: &[Field] = &[
    opt("ack_deadline_s", U64),
    opt("max_delivery_attempts", U32),
    opt("lease_s", U64),
    opt("heartbeat_s", U64),
    opt("max_attempts", U32),
    opt("retry_base_s", U64),
    opt("retry_max_s", U64),
    opt("pool_size", U64),
];

const TOPIC: &[Field] = &[req("name", Ty::Str), opt("dlq", Ty::Bool), opt("description", Ty::Str)];

const SUBSCRIPTION: &[Field] = &[
    req("name", Ty::Str),
    req("topic", Ty::Str),
    req("route", Ty::Enum(ROUTES)),
    opt("tracker_phase", U8),
    opt("ack_deadline_s", U64),
    opt("max_delivery_attempts", U32),
    opt("ordering", Ty::Bool),
    opt("max_outstanding", U64),
];

const DEPENDENCY: &[Field] = &[
    req("table", Ty::Str),
    req("check", Ty::Enum(CHECKS)),
    opt("window_days", U32),
    opt("min_rows", U64),
    opt("critical", Ty::Bool),
];

const PROCESSOR: &[Field] = &[
    req("name", Ty::Str),
    req("class", Ty::Str),
    req("phase", U8),
    req("output", Ty::Str),
    opt("extra_outputs", Ty::StrList),
    opt("path_prefix", Ty::Str),
    opt("dependencies", Ty::Tables(DEPENDENCY)),
    opt("triggers_on", Ty::StrList),
    opt("level", U8),
    req("publishes", Ty::Str),
    opt("pool_size", U64),
    opt("lease_s", U64),
    opt("max_attempts", U32),
    opt("enabled", Ty::Bool),
    opt("description", Ty::Str),
];

const TRACKER: &[Field] = &[req("phase", U8), req("collection", Ty::Str), req("stage", Ty::Tables(STAGE))];

const STAGE: &[Field] = &[
    req("name", Ty::Str),
    req("required", Ty::StrList),
    opt("optional", Ty::StrList),
    req("deadline_minutes", U64),
    req("fires_topics", Ty::StrList),
    opt("fires_processors", Ty::StrList),
    opt("modes", Ty::Modes(MODES, MODE)),
];

const MODE: &[Field] = &[opt("required", Ty::StrList), opt("optional", Ty::StrList), opt("deadline_minutes", U64)];

const ALERTS: &[Field] = &[
    opt("predictions_coverage_critical_pct", Ty::Float),
    opt("predictions_coverage_warning_pct", Ty::Float),
    opt("phase_failure_critical_pct", Ty::Float),
    opt("phase_failure_warning_pct", Ty::Float),
    opt("latency_critical_minutes", U64),
    opt("latency_warning_minutes", U64),
    opt("webhook_url", Ty::Str),
];

/// The model list a top-level array feeds (`processor` → `Topology::processors`), if `path` is one.
pub(super) fn top_level_kind(path: &str) -> Option<&'static str> {
    ["topic", "subscription", "processor", "tracker"].into_iter().find(|k| *k == path)
}

/// How an array entry is labelled in locations: by its `name`, else by its `phase`.
pub(super) fn label(entries: &[(String, SNode)]) -> Option<String> {
    let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| &v.node);
    match (get("name"), get("phase")) {
        (Some(Node::Str(s)), _) => Some(format!("name = {s:?}")),
        (_, Some(Node::Int(p))) => Some(format!("phase = {p}")),
        _ => None,
    }
}

/// Names, tables and topics a (broken) top-level entry declares or reads; references to them are not reported
/// as unknown, and a topic a broken subscription reads is not reported as unread.
pub(super) fn declared_names(entries: &[(String, SNode)]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in entries {
        match (key.as_str(), &value.node) {
            ("name" | "output" | "topic", Node::Str(s)) => out.push(s.clone()),
            ("extra_outputs", Node::Array(items)) => out.extend(items.iter().filter_map(|i| match &i.node {
                Node::Str(s) => Some(s.clone()),
                _ => None,
            })),
            _ => {}
        }
    }
    out
}

pub(super) fn unknown_key_message(key: &str, fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.key).collect();
    match closest(key, &names) {
        Some(s) => format!("unknown key `{key}` (did you mean `{s}`?)"),
        None => format!("unknown key `{key}`; {}", expected_list(&names)),
    }
}

pub(super) fn unknown_value_message(value: &str, names: &[&str]) -> String {
    match closest(value, names) {
        Some(s) => format!("unknown value `{value}` (did you mean `{s}`?)"),
        None => format!("unknown value `{value}`; {}", expected_list(names)),
    }
}

pub(super) fn expected_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    format!("expected one of {}", quoted.join(", "))
}

/// The candidate within a small edit distance of `word`, if any.
pub(super) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
