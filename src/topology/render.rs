//! Text rendering of the topology for `hoopflow topology`: the DAG phase by phase (each processor with its inputs
//! and output), the topics between phases, the trackers with their stages, the Phase 4 level chain, and a closing
//! table of every topic with its publishers and subscriptions.
//!
//! Invariants: pure (no I/O); works on any [`Topology`], even an inconsistent one (names that resolve to nothing
//! are printed as they are); lines stay within [`WIDTH`] columns except where a single name is longer.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Dependency, DependencyCheck, ProcessorDecl, Route, StageDecl, SubscriptionDecl, Topology, TrackerDecl};

/// Target terminal width.
pub const WIDTH: usize = 100;

const PHASE_TITLES: [&str; 5] = ["scrapers", "raw", "analytics", "precompute", "predictions"];

/// Render the topology as readable text.
pub fn render_text(t: &Topology) -> String {
    let mut out = String::new();
    let dlq = t.topics.iter().filter(|x| x.dlq).count();
    let _ = writeln!(
        out,
        "{} v{}: {} processors · {} topics ({dlq} with a -dlq twin) · {} subscriptions · {} trackers",
        t.pipeline.name,
        t.pipeline.version,
        t.processors.len(),
        t.topics.len(),
        t.subscriptions.len(),
        t.trackers.len()
    );
    for phase in 1..=5u8 {
        render_phase(&mut out, t, phase);
    }
    render_topics(&mut out, t);
    out
}

fn header(out: &mut String, title: &str) {
    let fill = WIDTH.saturating_sub(title.chars().count() + 4);
    let _ = writeln!(out, "\n══ {title} {}", "═".repeat(fill));
}

fn render_phase(out: &mut String, t: &Topology, phase: u8) {
    let procs: Vec<&ProcessorDecl> = t.processors_in_phase(phase).collect();
    let title = PHASE_TITLES[usize::from(phase - 1)];
    match procs.len() {
        0 => header(out, &format!("Phase {phase} · {title}")),
        n if phase == 4 => {
            let levels = phase4_levels(t).len();
            header(out, &format!("Phase {phase} · {title} ({n} processors, {levels} levels)"));
        }
        n => header(out, &format!("Phase {phase} · {title} ({n} processors)")),
    }
    match phase {
        1 => {
            let _ = writeln!(out, "  scrapers write landing files and announce each run; raw processors pick them up");
            let topics: Vec<&str> =
                t.subscriptions.iter().filter(|s| s.route == Route::RawFile).map(|s| s.topic.as_str()).collect();
            for topic in dedup(topics) {
                announce(out, t, topic);
            }
        }
        2 => render_raw(out, t, &procs),
        4 => render_levels(out, t, &procs),
        5 => {
            procs.iter().for_each(|p| render_processor(out, p));
            let workers: Vec<String> = t
                .subscriptions
                .iter()
                .filter(|s| matches!(s.route, Route::PredictionRequest | Route::PredictionReady))
                .map(|s| format!("{} → {}", s.topic, sub_label(s)))
                .collect();
            if !workers.is_empty() {
                wrap(out, "  ⇄ workers: ", &workers);
            }
        }
        _ => procs.iter().for_each(|p| render_processor(out, p)),
    }
    if phase > 1 {
        for topic in dedup(procs.iter().map(|p| p.publishes.as_str()).collect()) {
            announce(out, t, topic);
        }
    }
    if let Some(tracker) = t.tracker(phase) {
        render_tracker(out, tracker);
    }
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(*x));
    v
}

/// `▶ topic → subscription (route)…`: who reads what a phase publishes.
fn announce(out: &mut String, t: &Topology, topic: &str) {
    let subs: Vec<String> = t.subscriptions.iter().filter(|s| s.topic == topic).map(sub_label).collect();
    let first = format!("  ▶ {topic} → ");
    if subs.is_empty() {
        let _ = writeln!(out, "{first}(no subscription)");
    } else {
        wrap(out, &first, &subs);
    }
}

fn sub_label(s: &SubscriptionDecl) -> String {
    let mut what = match (s.route, s.tracker_phase) {
        (Route::Tracker, Some(p)) => format!("tracker, phase {p}"),
        _ => serde_route(s.route).to_string(),
    };
    if let Some(ack) = s.ack_deadline_s {
        let _ = write!(what, ", ack {ack} s");
    }
    format!("{} ({what})", s.name)
}

fn serde_route(r: Route) -> &'static str {
    match r {
        Route::RawFile => "raw_file",
        Route::TableReady => "table_ready",
        Route::Tracker => "tracker",
        Route::PhaseTrigger => "phase_trigger",
        Route::PredictionsTrigger => "predictions_trigger",
        Route::PredictionRequest => "prediction_request",
        Route::PredictionReady => "prediction_ready",
        Route::Monitor => "monitor",
    }
}

/// Phase 2 as a routing table: landing prefix → processor → output.
fn render_raw(out: &mut String, t: &Topology, procs: &[&ProcessorDecl]) {
    let mut rows: Vec<&ProcessorDecl> = procs.to_vec();
    rows.sort_by(|a, b| a.path_prefix.cmp(&b.path_prefix));
    let w_prefix = rows.iter().map(|p| p.path_prefix.as_deref().unwrap_or("?").len()).max().unwrap_or(0);
    let w_name = rows.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let _ = writeln!(out, "  {:w_prefix$}  {:w_name$}   output", "landing path prefix", "processor");
    for p in rows {
        let prefix = p.path_prefix.as_deref().unwrap_or("?");
        let off = if p.enabled { "" } else { "  (disabled)" };
        let _ = writeln!(out, "  {prefix:w_prefix$}  {:w_name$} → {}{off}", p.name, p.output);
        for extra in &p.extra_outputs {
            let _ = writeln!(out, "  {:w_prefix$}  {:w_name$} + {extra}", "", "");
        }
    }
    let _ = writeln!(out, "  (longest matching prefix wins; {} raw tables)", raw_tables(t));
}

fn raw_tables(t: &Topology) -> usize {
    t.processors_in_phase(2).map(|p| 1 + p.extra_outputs.len()).sum()
}

/// One processor: `name → output`, then one line per input, then its triggers.
fn render_processor(out: &mut String, p: &ProcessorDecl) {
    let off = if p.enabled { "" } else { "  (disabled)" };
    let _ = writeln!(out, "  {} → {}{off}", p.name, p.output);
    for extra in &p.extra_outputs {
        let _ = writeln!(out, "      + {extra}");
    }
    let w = p.dependencies.iter().map(|d| d.table.len()).max().unwrap_or(0);
    for d in &p.dependencies {
        let _ = writeln!(out, "      ← {:w$}  {}", d.table, dependency_note(d));
    }
    if !p.triggers_on.is_empty() {
        let tables: Vec<String> = p.triggers_on.iter().map(|x| bare(x).to_string()).collect();
        wrap(out, "      triggered by ", &tables);
    }
}

fn dependency_note(d: &Dependency) -> String {
    let mut note = match (d.check, d.window_days) {
        (DependencyCheck::DateMatch, _) => "same date".to_string(),
        (DependencyCheck::Lookback, Some(n)) => format!("{n}-day lookback"),
        (DependencyCheck::Lookback, None) => "lookback".to_string(),
        (DependencyCheck::Exists, _) => "any rows".to_string(),
    };
    if d.min_rows > 1 {
        let _ = write!(note, ", ≥ {} rows", d.min_rows);
    }
    if !d.critical {
        note.push_str(" (optional)");
    }
    note
}

fn bare(table: &str) -> &str {
    table.split_once('.').map(|(_, t)| t).unwrap_or(table)
}

/// Short form of a processor name: the initials of its words, short words kept whole
/// (`team_defense_zone_analysis` → `TDZA`, `ml_feature_store` → `MLFS`).
pub fn abbreviation(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| if w.len() <= 2 { w.to_uppercase() } else { w[..1].to_uppercase() })
        .collect()
}

/// The Phase 4 cascade chain, e.g. `TDZA ∥ PSZA → PCF ∥ PDC → MLFS → Phase 5`.
pub fn level_chain(t: &Topology) -> String {
    let levels = phase4_levels(t);
    let mut parts: Vec<String> =
        levels.values().map(|ps| ps.iter().map(|p| abbreviation(&p.name)).collect::<Vec<_>>().join(" ∥ ")).collect();
    if t.processors_in_phase(5).next().is_some() {
        parts.push("Phase 5".into());
    }
    parts.join(" → ")
}

fn phase4_levels(t: &Topology) -> BTreeMap<u8, Vec<&ProcessorDecl>> {
    let mut levels: BTreeMap<u8, Vec<&ProcessorDecl>> = BTreeMap::new();
    for p in t.processors_in_phase(4) {
        levels.entry(p.level.unwrap_or(0)).or_default().push(p);
    }
    levels
}

fn render_levels(out: &mut String, t: &Topology, procs: &[&ProcessorDecl]) {
    if procs.is_empty() {
        return;
    }
    let _ = writeln!(out, "  cascade: {}", level_chain(t));
    let legend: Vec<String> = procs.iter().map(|p| format!("{} = {}", abbreviation(&p.name), p.name)).collect();
    wrap(out, "           ", &legend);
    for (level, ps) in phase4_levels(t) {
        let label = if level == 0 { "no level".to_string() } else { format!("level {level}") };
        let _ = writeln!(out, "  ── {label}");
        ps.iter().for_each(|p| render_processor(out, p));
    }
}

fn render_tracker(out: &mut String, tr: &TrackerDecl) {
    let _ = writeln!(out, "\n  ◆ tracker, phase {} (state: {}/<date>)", tr.phase, tr.collection);
    for st in &tr.stages {
        render_stage(out, st);
    }
}

fn render_stage(out: &mut String, st: &StageDecl) {
    let _ = writeln!(out, "    stage {} · deadline {} min, then fires as degraded", st.name, st.deadline_minutes);
    wrap(out, "      required  ", &st.required);
    if !st.optional.is_empty() {
        wrap(out, "      optional  ", &st.optional);
    }
    for (mode, q) in &st.modes {
        let mut parts = Vec::new();
        if let Some(r) = &q.required {
            parts.push(format!("required {}", list_or_none(r)));
        }
        if let Some(o) = &q.optional {
            parts.push(format!("optional {}", list_or_none(o)));
        }
        if let Some(d) = q.deadline_minutes {
            parts.push(format!("deadline {d} min"));
        }
        wrap(out, &format!("      {mode}: "), &parts);
    }
    let mut fires = with_commas(&st.fires_topics);
    if !st.fires_processors.is_empty() {
        if let Some(last) = fires.last_mut() {
            last.push_str(" →");
        }
        let starts: Vec<String> = st.fires_processors.iter().map(|p| format!("{p} ({})", abbreviation(p))).collect();
        fires.extend(with_commas(&starts));
    }
    wrap_pieces(out, "      fires     ", &fires);
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Every topic: who publishes it, who subscribes.
fn render_topics(out: &mut String, t: &Topology) {
    header(out, "Topics");
    let w = t.topics.iter().map(|x| x.name.len()).max().unwrap_or(0);
    for topic in &t.topics {
        let mut publishers: Vec<String> = Vec::new();
        let phases: Vec<String> = (1..=5u8)
            .filter(|n| t.processors_in_phase(*n).any(|p| p.publishes == topic.name))
            .map(|n| format!("phase {n} processors"))
            .collect();
        publishers.extend(phases);
        for tr in &t.trackers {
            for st in tr.stages.iter().filter(|s| s.fires_topics.contains(&topic.name)) {
                publishers.push(format!("tracker {}/{}", tr.phase, st.name));
            }
        }
        if publishers.is_empty() {
            publishers.push(external_publisher(t, &topic.name).into());
        }
        let dlq = if topic.dlq { " (+dlq)" } else { "" };
        wrap(out, &format!("  {:w$}{dlq:7}  from ", topic.name), &publishers);
        let subs: Vec<String> = t.subscriptions.iter().filter(|s| s.topic == topic.name).map(sub_label).collect();
        let pad = format!("  {:w$}{:7}  to   ", "", "");
        if subs.is_empty() {
            let _ = writeln!(out, "{pad}(no subscription)");
        } else {
            wrap(out, &pad, &subs);
        }
    }
}

/// Who publishes a topic no processor and no tracker publishes, judged by how it is read.
fn external_publisher(t: &Topology, topic: &str) -> &'static str {
    let route = t.subscriptions.iter().find(|s| s.topic == topic).map(|s| s.route);
    match route {
        Some(Route::RawFile) => "the scrapers (Phase 1)",
        Some(Route::PredictionRequest) => "the prediction coordinator (fan-out)",
        Some(Route::PredictionReady) => "the prediction workers (fan-in)",
        Some(Route::PhaseTrigger) => "operators and schedulers (manual trigger)",
        _ => "outside the pipeline",
    }
}

fn with_commas(items: &[String]) -> Vec<String> {
    let n = items.len();
    items.iter().enumerate().map(|(i, x)| if i + 1 < n { format!("{x},") } else { x.clone() }).collect()
}

/// Write `first` followed by `items` joined with `, `, wrapping at [`WIDTH`] under the first item.
fn wrap(out: &mut String, first: &str, items: &[String]) {
    wrap_pieces(out, first, &with_commas(items));
}

/// Write `first` followed by `pieces` joined with spaces, wrapping at [`WIDTH`] under the first piece.
fn wrap_pieces(out: &mut String, first: &str, pieces: &[String]) {
    let indent = first.chars().count();
    let mut line = first.to_string();
    let mut len = indent;
    for piece in pieces {
        let piece_len = piece.chars().count();
        if len > indent && len + 1 + piece_len > WIDTH {
            let _ = writeln!(out, "{}", line.trim_end());
            line = " ".repeat(indent);
            len = indent;
        }
        if len > indent {
            line.push(' ');
            len += 1;
        }
        line.push_str(piece);
        len += piece_len;
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::load_str;

    fn shipped() -> Topology {
        load_str(include_str!("../../config/pipeline.toml"), "config/pipeline.toml").expect("shipped config loads")
    }

    #[test]
    fn mentions_every_processor_topic_and_the_level_chain() {
        let t = shipped();
        let text = render_text(&t);
        for p in &t.processors {
            assert!(text.contains(&p.name), "{} missing from\n{text}", p.name);
        }
        for topic in &t.topics {
            assert!(text.contains(&topic.name), "{} missing", topic.name);
        }
        assert_eq!(level_chain(&t), "TDZA ∥ PSZA → PCF ∥ PDC → MLFS → Phase 5");
        assert!(text.contains("cascade: TDZA ∥ PSZA → PCF ∥ PDC → MLFS → Phase 5"), "{text}");
        assert!(text.contains("stage level3 · deadline 30 min"), "{text}");
        assert!(text.contains("same_day: required upcoming_player_game_context, deadline 30 min"), "{text}");
        for phase in ["Phase 1 · scrapers", "Phase 2 · raw (22", "Phase 3 · analytics (5", "Phase 4", "Phase 5"] {
            assert!(text.contains(phase), "{phase} missing");
        }
    }

    #[test]
    fn fits_a_100_column_terminal() {
        let text = render_text(&shipped());
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "{} columns: {line}", line.chars().count());
        }
    }

    #[test]
    fn abbreviations() {
        assert_eq!(abbreviation("team_defense_zone_analysis"), "TDZA");
        assert_eq!(abbreviation("ml_feature_store"), "MLFS");
        assert_eq!(abbreviation("player_daily_cache"), "PDC");
    }

    #[test]
    fn renders_an_empty_topology() {
        let t: Topology = toml::from_str("[pipeline]\nname = \"x\"\nversion = 1\n").expect("minimal");
        let text = render_text(&t);
        assert!(text.contains("0 processors"));
        assert!(text.contains("Phase 4 · precompute"));
    }
}
