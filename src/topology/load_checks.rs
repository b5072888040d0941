//! Semantic checks of a structurally valid topology: the entry point and shared context, and the checks of topics,
//! subscriptions, defaults and alerts (processors and trackers have their own files).
//!
//! Invariants: every check runs and every issue is collected (nothing stops at the first); names of entries
//! dropped by the structural pass are treated as known so one mistake is reported once; no input panics.

use std::collections::{HashMap, HashSet};

use super::checks_processors::{check_cycles, check_dependencies, check_processors};
use super::checks_trackers::check_trackers;
use super::schema::closest;
use super::{ConfigIssue, Index};
use crate::topology::{ProcessorDecl, Route, SubscriptionDecl, Topology};

/// Datasets a table may live in (`dataset.table`).
pub(super) const DATASETS: &[&str] =
    &["nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference"];

/// Pub/Sub limits the GCP adapter must honour (the embedded bus honours the same).
const ACK_DEADLINE_RANGE: std::ops::RangeInclusive<u64> = 10..=600;
const DELIVERY_ATTEMPTS_RANGE: std::ops::RangeInclusive<u32> = 5..=100;

/// Run every semantic check.
pub(super) fn run(t: &Topology, origin: &str, index: &Index) -> Vec<ConfigIssue> {
    let mut c = Ctx { origin, index, issues: Vec::new() };
    let producers = producers(t);
    check_topics(&mut c, t);
    check_subscriptions(&mut c, t);
    check_defaults_and_alerts(&mut c, t);
    check_processors(&mut c, t);
    check_dependencies(&mut c, t, &producers);
    check_cycles(&mut c, t, &producers);
    check_trackers(&mut c, t);
    c.issues
}

pub(super) struct Ctx<'a> {
    pub origin: &'a str,
    pub index: &'a Index,
    pub issues: Vec<ConfigIssue>,
}

impl Ctx<'_> {
    pub fn at(&mut self, canonical: &str, message: String) {
        let (line, display) = self.index.resolve(canonical);
        let location = match line {
            Some(l) => format!("{}:{l} {display}", self.origin),
            None => format!("{} {display}", self.origin),
        };
        self.issues.push(ConfigIssue { location, message, line });
    }

    /// An issue on entry `i` of the model list `kind`, at the sub-path `rest` (e.g. `.publishes`).
    pub fn entry(&mut self, kind: &str, i: usize, rest: &str, message: String) {
        let canonical = format!("{}{rest}", self.index.entry(kind, i));
        self.at(&canonical, message);
    }

    pub fn line(&self, kind: &str, i: usize) -> String {
        match self.index.resolve(&self.index.entry(kind, i)).0 {
            Some(l) => format!(" (first declared at line {l})"),
            None => String::new(),
        }
    }

    pub fn known(&self, names: &HashSet<&str>, name: &str) -> bool {
        names.contains(name) || self.index.was_dropped(name)
    }

    /// Report every repeated name of a list.
    pub fn duplicates<'n>(&mut self, kind: &str, what: &str, names: impl Iterator<Item = &'n str>) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, name) in names.enumerate() {
            match first.get(name) {
                Some(&f) => {
                    let msg = format!("duplicate {what} `{name}`{}", self.line(kind, f));
                    self.entry(kind, i, ".name", msg);
                }
                None => {
                    first.insert(name, i);
                }
            }
        }
    }
}

pub(super) fn did_you_mean(name: &str, names: &HashSet<&str>) -> String {
    let candidates: Vec<&str> = names.iter().copied().collect();
    match closest(name, &candidates) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// Table → indices of the processors writing it (primary or extra output).
fn producers(t: &Topology) -> HashMap<&str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in t.processors.iter().enumerate() {
        for table in std::iter::once(&p.output).chain(&p.extra_outputs) {
            out.entry(table.as_str()).or_default().push(i);
        }
    }
    out
}

/// Why `table` is not a valid `dataset.table` name, if it is not.
pub(super) fn table_problem(table: &str) -> Option<String> {
    let Some((dataset, name)) = table.split_once('.') else {
        return Some(format!("`{table}` is not `dataset.table`"));
    };
    if name.is_empty() || name.contains('.') {
        return Some(format!("`{table}` is not `dataset.table`"));
    }
    if !name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
        return Some(format!("table name `{name}` may only use `a-z`, `0-9` and `_`"));
    }
    if !DATASETS.contains(&dataset) {
        let hint = closest(dataset, DATASETS).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
        return Some(format!("unknown dataset `{dataset}`{hint}; known: {}", DATASETS.join(", ")));
    }
    None
}

fn check_topics(c: &mut Ctx, t: &Topology) {
    c.duplicates("topic", "topic name", t.topics.iter().map(|x| x.name.as_str()));
    let names: HashSet<&str> = t.topics.iter().map(|x| x.name.as_str()).collect();
    for (i, topic) in t.topics.iter().enumerate() {
        if topic.name.trim().is_empty() {
            c.entry("topic", i, ".name", "a topic name must not be empty".into());
            continue;
        }
        if topic.dlq && names.contains(format!("{}-dlq", topic.name).as_str()) {
            let msg = format!(
                "`{}-dlq` is declared as a topic but is also the dead-letter twin of `{}`",
                topic.name, topic.name
            );
            c.entry("topic", i, ".dlq", msg);
        }
        if !t.subscriptions.iter().any(|s| s.topic == topic.name) && !c.index.was_dropped(&topic.name) {
            let msg = format!("topic `{}` has no subscription (a topic nobody reads is drift)", topic.name);
            c.entry("topic", i, "", msg);
        }
    }
}

/// The processors a subscription can start (their leases bound its ack deadline from below).
fn processors_fed<'t>(t: &'t Topology, s: &SubscriptionDecl) -> Vec<&'t ProcessorDecl> {
    let in_phase = |n: u8| t.processors.iter().filter(move |p| p.phase == n);
    match s.route {
        Route::RawFile => in_phase(2).collect(),
        Route::TableReady => in_phase(3).filter(|p| !p.triggers_on.is_empty()).collect(),
        Route::PredictionsTrigger | Route::PredictionRequest => in_phase(5).collect(),
        Route::PhaseTrigger => {
            let named: HashSet<&str> = t
                .trackers
                .iter()
                .flat_map(|tr| &tr.stages)
                .filter(|st| st.fires_topics.contains(&s.topic))
                .flat_map(|st| st.fires_processors.iter().map(String::as_str))
                .collect();
            // A trigger no stage fires is a manual one: it may name any processor.
            t.processors.iter().filter(|p| named.is_empty() || named.contains(p.name.as_str())).collect()
        }
        Route::Tracker | Route::PredictionReady | Route::Monitor => Vec::new(),
    }
}

fn check_subscriptions(c: &mut Ctx, t: &Topology) {
    c.duplicates("subscription", "subscription name", t.subscriptions.iter().map(|s| s.name.as_str()));
    let topics: HashSet<String> = t.all_topic_names().into_iter().collect();
    let topic_refs: HashSet<&str> = topics.iter().map(String::as_str).collect();
    for (i, s) in t.subscriptions.iter().enumerate() {
        if !c.known(&topic_refs, &s.topic) {
            let msg = format!("unknown topic `{}`{}", s.topic, did_you_mean(&s.topic, &topic_refs));
            c.entry("subscription", i, ".topic", msg);
        }
        match (s.route, s.tracker_phase) {
            (Route::Tracker, None) => {
                c.entry("subscription", i, ".route", "route `tracker` needs `tracker_phase`".into());
            }
            (Route::Tracker, Some(p)) if t.tracker(p).is_none() => {
                c.entry("subscription", i, ".tracker_phase", format!("no tracker is declared for phase {p}"));
            }
            (Route::Tracker, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                let msg = "`tracker_phase` only applies to `route = \"tracker\"`".to_string();
                c.entry("subscription", i, ".tracker_phase", msg);
            }
        }
        if let Some(a) = s.ack_deadline_s.filter(|a| !ACK_DEADLINE_RANGE.contains(a)) {
            c.entry("subscription", i, ".ack_deadline_s", format!("{a}s is outside the Pub/Sub range 10..=600"));
        }
        if let Some(m) = s.max_delivery_attempts.filter(|m| !DELIVERY_ATTEMPTS_RANGE.contains(m)) {
            let msg = format!("{m} is outside the Pub/Sub dead-letter range 5..=100");
            c.entry("subscription", i, ".max_delivery_attempts", msg);
        }
        let ack = s.ack_deadline_s.unwrap_or(t.defaults.ack_deadline_s);
        let short: Vec<String> = processors_fed(t, s)
            .into_iter()
            .filter(|p| t.lease_s(p) > ack)
            .map(|p| format!("{} ({}s)", p.name, t.lease_s(p)))
            .collect();
        if !short.is_empty() {
            let from = if s.ack_deadline_s.is_some() { "" } else { " (from [defaults])" };
            let msg = format!("ack deadline {ack}s{from} is shorter than the lease of {}", short.join(", "));
            c.entry("subscription", i, ".ack_deadline_s", msg);
        }
    }
}

fn check_defaults_and_alerts(c: &mut Ctx, t: &Topology) {
    let d = &t.defaults;
    if !ACK_DEADLINE_RANGE.contains(&d.ack_deadline_s) {
        c.at("defaults.ack_deadline_s", format!("{}s is outside the Pub/Sub range 10..=600", d.ack_deadline_s));
    }
    if !DELIVERY_ATTEMPTS_RANGE.contains(&d.max_delivery_attempts) {
        let msg = format!("{} is outside the Pub/Sub dead-letter range 5..=100", d.max_delivery_attempts);
        c.at("defaults.max_delivery_attempts", msg);
    }
    if d.heartbeat_s == 0 || d.heartbeat_s >= d.lease_s {
        let msg = format!("heartbeat every {}s must be more frequent than the {}s lease", d.heartbeat_s, d.lease_s);
        c.at("defaults.heartbeat_s", msg);
    }
    if d.retry_base_s > d.retry_max_s {
        c.at("defaults.retry_base_s", format!("retry_base_s {} exceeds retry_max_s {}", d.retry_base_s, d.retry_max_s));
    }
    for (key, value) in [("max_attempts", d.max_attempts as u64), ("pool_size", d.pool_size as u64)] {
        if value == 0 {
            c.at(&format!("defaults.{key}"), "must be at least 1".into());
        }
    }
    let a = &t.alerts;
    let pcts = [
        ("predictions_coverage_critical_pct", a.predictions_coverage_critical_pct),
        ("predictions_coverage_warning_pct", a.predictions_coverage_warning_pct),
        ("phase_failure_critical_pct", a.phase_failure_critical_pct),
        ("phase_failure_warning_pct", a.phase_failure_warning_pct),
    ];
    for (key, v) in pcts {
        if !(0.0..=100.0).contains(&v) {
            c.at(&format!("alerts.{key}"), format!("{v} is not a percentage (0..=100)"));
        }
    }
    if a.predictions_coverage_warning_pct < a.predictions_coverage_critical_pct {
        let msg = "coverage warning threshold must not be below the critical one (warn first)".to_string();
        c.at("alerts.predictions_coverage_warning_pct", msg);
    }
    if a.phase_failure_warning_pct > a.phase_failure_critical_pct {
        c.at("alerts.phase_failure_warning_pct", "failure warning threshold exceeds the critical one".into());
    }
    if a.latency_warning_minutes > a.latency_critical_minutes {
        c.at("alerts.latency_warning_minutes", "latency warning threshold exceeds the critical one".into());
    }
    if let Some(url) = a.webhook_url.as_deref() {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            c.at("alerts.webhook_url", format!("`{url}` is not an http(s) URL"));
        }
    }
}
