//! Semantic checks of the completion trackers: one per phase, fed by a tracker subscription, with stages whose
//! quorums name processors of the tracked phase that publish where the tracker listens, and whose triggers name
//! existing topics and processors that a `phase_trigger` subscription will start.
//!
//! Invariants: every issue is collected; names of dropped entries are not reported again.

use std::collections::{HashMap, HashSet};

use super::checks::{did_you_mean, Ctx};
use crate::topology::{ProcessorDecl, Route, Topology};

pub(super) fn check_trackers(c: &mut Ctx, t: &Topology) {
    let processors: HashMap<&str, &ProcessorDecl> = t.processors.iter().map(|p| (p.name.as_str(), p)).collect();
    let names: HashSet<&str> = processors.keys().copied().collect();
    let topics: HashSet<&str> = t.topics.iter().map(|x| x.name.as_str()).collect();
    let mut phases: HashMap<u8, usize> = HashMap::new();
    let mut collections: HashMap<&str, usize> = HashMap::new();
    for (i, tr) in t.trackers.iter().enumerate() {
        if let Some(&f) = phases.get(&tr.phase) {
            c.entry(
                "tracker",
                i,
                ".phase",
                format!("a tracker for phase {} already exists{}", tr.phase, c.line("tracker", f)),
            );
        } else {
            phases.insert(tr.phase, i);
        }
        if let Some(&f) = collections.get(tr.collection.as_str()) {
            let msg = format!("collection `{}` is already used{}", tr.collection, c.line("tracker", f));
            c.entry("tracker", i, ".collection", msg);
        } else {
            collections.insert(&tr.collection, i);
        }
        if !(1..=5).contains(&tr.phase) {
            c.entry("tracker", i, ".phase", format!("phase {} is outside 1..=5", tr.phase));
        }
        let feeds: HashSet<&str> = t
            .subscriptions
            .iter()
            .filter(|s| s.route == Route::Tracker && s.tracker_phase == Some(tr.phase))
            .map(|s| s.topic.as_str())
            .collect();
        if feeds.is_empty() {
            let msg = format!(
                "no subscription routes completions here (`route = \"tracker\"`, `tracker_phase = {}`)",
                tr.phase
            );
            c.entry("tracker", i, "", msg);
        }
        if tr.stages.is_empty() {
            c.entry("tracker", i, "", "a tracker needs at least one `[[tracker.stage]]`".into());
        }
        let mut stage_names: HashMap<&str, usize> = HashMap::new();
        for (k, st) in tr.stages.iter().enumerate() {
            let at = format!(".stage[{k}]");
            if stage_names.insert(&st.name, k).is_some() {
                c.entry("tracker", i, &format!("{at}.name"), format!("duplicate stage name `{}`", st.name));
            }
            if st.required.is_empty() {
                c.entry("tracker", i, &format!("{at}.required"), "a stage must require at least one processor".into());
            }
            let members = |c: &mut Ctx, key: &str, list: &[String]| {
                for (j, name) in list.iter().enumerate() {
                    let path = format!("{at}.{key}[{j}]");
                    match processors.get(name.as_str()) {
                        Some(p) if p.phase != tr.phase => {
                            let msg = format!(
                                "`{name}` is a phase {} processor; this tracker counts phase {}",
                                p.phase, tr.phase
                            );
                            c.entry("tracker", i, &path, msg);
                        }
                        Some(p) if !feeds.is_empty() && !feeds.contains(p.publishes.as_str()) => {
                            let msg = format!(
                                "`{name}` publishes to `{}`, which no tracker subscription of phase {} reads",
                                p.publishes, tr.phase
                            );
                            c.entry("tracker", i, &path, msg);
                        }
                        Some(_) => {}
                        None if c.index.was_dropped(name) => {}
                        None => c.entry(
                            "tracker",
                            i,
                            &path,
                            format!("unknown processor `{name}`{}", did_you_mean(name, &names)),
                        ),
                    }
                }
            };
            members(c, "required", &st.required);
            members(c, "optional", &st.optional);
            for (j, name) in st.optional.iter().enumerate() {
                if st.required.contains(name) {
                    c.entry(
                        "tracker",
                        i,
                        &format!("{at}.optional[{j}]"),
                        format!("`{name}` is both required and optional"),
                    );
                }
            }
            for (mode, q) in &st.modes {
                members(c, &format!("modes.{mode}.required"), q.required.as_deref().unwrap_or_default());
                members(c, &format!("modes.{mode}.optional"), q.optional.as_deref().unwrap_or_default());
                if q.deadline_minutes == Some(0) {
                    c.entry("tracker", i, &format!("{at}.modes.{mode}.deadline_minutes"), "must be at least 1".into());
                }
            }
            if st.deadline_minutes == 0 {
                c.entry(
                    "tracker",
                    i,
                    &format!("{at}.deadline_minutes"),
                    "must be at least 1 (a stage never waits unbounded, nor not at all)".into(),
                );
            }
            if st.fires_topics.is_empty() {
                c.entry("tracker", i, &format!("{at}.fires_topics"), "a stage must fire at least one topic".into());
            }
            for (j, topic) in st.fires_topics.iter().enumerate() {
                if !c.known(&topics, topic) {
                    let msg = format!("unknown topic `{topic}`{}", did_you_mean(topic, &topics));
                    c.entry("tracker", i, &format!("{at}.fires_topics[{j}]"), msg);
                }
            }
            for (j, name) in st.fires_processors.iter().enumerate() {
                let path = format!("{at}.fires_processors[{j}]");
                match processors.get(name.as_str()) {
                    Some(p) if p.phase != tr.phase && p.phase != tr.phase + 1 => {
                        let msg = format!(
                            "`{name}` is a phase {} processor; a phase {} tracker starts phase {} or {} work",
                            p.phase,
                            tr.phase,
                            tr.phase,
                            tr.phase + 1
                        );
                        c.entry("tracker", i, &path, msg);
                    }
                    Some(_) => {}
                    None if c.index.was_dropped(name) => {}
                    None => c.entry(
                        "tracker",
                        i,
                        &path,
                        format!("unknown processor `{name}`{}", did_you_mean(name, &names)),
                    ),
                }
            }
            let triggers =
                t.subscriptions.iter().any(|s| s.route == Route::PhaseTrigger && st.fires_topics.contains(&s.topic));
            if !st.fires_processors.is_empty() && !triggers {
                let msg = "no `phase_trigger` subscription reads any of `fires_topics`, so these processors would never start";
                c.entry("tracker", i, &format!("{at}.fires_processors"), msg.into());
            }
        }
    }
}
