//! Semantic checks of the processors: names, phases, outputs, routing prefixes, triggers, levels, dependencies
//! (each must be produced by an earlier or same-phase processor, in an earlier Phase 4 level for same-day reads)
//! and the acyclicity of the processor dependency graph.
//!
//! Invariants: every issue is collected; cycles are found iteratively (no recursion) and each reported once.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::checks::{did_you_mean, table_problem, Ctx};
use crate::topology::{DependencyCheck, ProcessorDecl, Topology};

pub(super) fn check_processors(c: &mut Ctx, t: &Topology) {
    c.duplicates("processor", "processor name", t.processors.iter().map(|p| p.name.as_str()));
    let mut classes: HashMap<&str, usize> = HashMap::new();
    let mut prefixes: HashMap<&str, usize> = HashMap::new();
    let topics: HashSet<&str> = t.topics.iter().map(|x| x.name.as_str()).collect();
    let phase2_outputs: HashSet<&str> = t
        .processors_in_phase(2)
        .flat_map(|p| std::iter::once(&p.output).chain(&p.extra_outputs))
        .map(String::as_str)
        .collect();
    for (i, p) in t.processors.iter().enumerate() {
        if let Some(&f) = classes.get(p.class.as_str()) {
            let msg = format!("duplicate class `{}`{}", p.class, c.line("processor", f));
            c.entry("processor", i, ".class", msg);
        } else {
            classes.insert(&p.class, i);
        }
        if !(1..=5).contains(&p.phase) {
            c.entry("processor", i, ".phase", format!("phase {} is outside 1..=5", p.phase));
        }
        if !c.known(&topics, &p.publishes) {
            let msg = format!("unknown topic `{}`{}", p.publishes, did_you_mean(&p.publishes, &topics));
            c.entry("processor", i, ".publishes", msg);
        }
        if let Some(problem) = table_problem(&p.output) {
            c.entry("processor", i, ".output", problem);
        }
        for (j, extra) in p.extra_outputs.iter().enumerate() {
            if let Some(problem) = table_problem(extra) {
                c.entry("processor", i, &format!(".extra_outputs[{j}]"), problem);
            }
        }
        match (p.phase, p.path_prefix.as_deref()) {
            (2, None) => c.entry("processor", i, "", "a phase 2 processor needs `path_prefix`".into()),
            (2, Some(pre)) if pre.trim().is_empty() => {
                c.entry("processor", i, ".path_prefix", "`path_prefix` must not be empty".into());
            }
            (2, Some(pre)) => {
                if let Some(&f) = prefixes.get(pre) {
                    let msg =
                        format!("path_prefix `{pre}` is also routed to another processor{}", c.line("processor", f));
                    c.entry("processor", i, ".path_prefix", msg);
                } else {
                    prefixes.insert(pre, i);
                }
            }
            (_, Some(_)) => {
                c.entry("processor", i, ".path_prefix", "only phase 2 processors have `path_prefix`".into())
            }
            (_, None) => {}
        }
        // Phase 3 processors are triggered by Phase 2 tables (seed decision 1); Phase 5 processors (grading) by
        // the tables of earlier phases they wait for. Nobody else is triggered by a table.
        if p.phase != 3 && p.phase != 5 && !p.triggers_on.is_empty() {
            c.entry("processor", i, ".triggers_on", "only phase 3 and phase 5 processors have `triggers_on`".into());
        }
        for (j, table) in p.triggers_on.iter().enumerate() {
            let earlier = t.processors.iter().any(|q| {
                q.phase <= p.phase
                    && q.phase >= 3
                    && q.name != p.name
                    && (q.output == *table || q.extra_outputs.contains(table))
            });
            let ok = if p.phase == 5 { earlier } else { phase2_outputs.contains(table.as_str()) };
            if !ok && !c.index.was_dropped(table) {
                let msg = if p.phase == 5 {
                    format!("`{table}` is not an output of a phase 3 or 4 processor, nor of another phase 5 one")
                } else {
                    format!(
                        "`{table}` is not an output of any phase 2 processor{}",
                        did_you_mean(table, &phase2_outputs)
                    )
                };
                c.entry("processor", i, &format!(".triggers_on[{j}]"), msg);
            }
        }
        match (p.phase, p.level) {
            (4, None) => c.entry("processor", i, "", "a phase 4 processor needs a cascade `level` (1..=3)".into()),
            (4, Some(l)) if !(1..=3).contains(&l) => {
                c.entry("processor", i, ".level", format!("level {l} is outside 1..=3"));
            }
            (4, Some(_)) | (_, None) => {}
            (_, Some(_)) => c.entry("processor", i, ".level", "only phase 4 processors have a `level`".into()),
        }
        for (key, value) in
            [("pool_size", p.pool_size.map(|v| v as u64)), ("max_attempts", p.max_attempts.map(u64::from))]
        {
            if value == Some(0) {
                c.entry("processor", i, &format!(".{key}"), "must be at least 1".into());
            }
        }
        if t.defaults.heartbeat_s >= t.lease_s(p) && p.lease_s.is_some() {
            let msg = format!("lease {}s must be longer than the {}s heartbeat", t.lease_s(p), t.defaults.heartbeat_s);
            c.entry("processor", i, ".lease_s", msg);
        }
    }
}

pub(super) fn check_dependencies(c: &mut Ctx, t: &Topology, producers: &HashMap<&str, Vec<usize>>) {
    let produced: HashSet<&str> = producers.keys().copied().collect();
    for (i, p) in t.processors.iter().enumerate() {
        let mut seen = HashSet::new();
        for (j, d) in p.dependencies.iter().enumerate() {
            let at = format!(".dependencies[{j}]");
            // A table may be read twice only as the date and a lookback (`<table>:lookback` in the input).
            if !seen.insert((d.table.as_str(), d.check == DependencyCheck::Lookback)) {
                c.entry("processor", i, &format!("{at}.table"), format!("`{}` is listed twice", d.table));
            }
            match (d.check, d.window_days) {
                (DependencyCheck::Lookback, None) => {
                    c.entry("processor", i, &format!("{at}.check"), "a lookback needs `window_days`".into());
                }
                (DependencyCheck::Lookback, Some(0)) => {
                    c.entry("processor", i, &format!("{at}.window_days"), "must be at least 1".into());
                }
                (DependencyCheck::Lookback, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    let msg = "`window_days` only applies to `check = \"lookback\"`".to_string();
                    c.entry("processor", i, &format!("{at}.window_days"), msg);
                }
            }
            if d.min_rows == 0 {
                c.entry("processor", i, &format!("{at}.min_rows"), "must be at least 1".into());
            }
            if let Some(problem) = table_problem(&d.table) {
                c.entry("processor", i, &format!("{at}.table"), problem);
                continue;
            }
            let Some(makers) = producers.get(d.table.as_str()) else {
                if !c.index.was_dropped(&d.table) {
                    let msg = format!("no processor produces `{}`{}", d.table, did_you_mean(&d.table, &produced));
                    c.entry("processor", i, &format!("{at}.table"), msg);
                }
                continue;
            };
            let by_self = makers.contains(&i);
            if by_self && d.check != DependencyCheck::Lookback {
                let msg = format!("reads its own output `{}` for the same date (only a lookback may)", d.table);
                c.entry("processor", i, &format!("{at}.check"), msg);
            }
            let others: Vec<&ProcessorDecl> = makers.iter().filter(|q| **q != i).map(|q| &t.processors[*q]).collect();
            if !by_self && others.iter().all(|q| q.phase > p.phase) {
                let names: Vec<String> = others.iter().map(|q| format!("{} (phase {})", q.name, q.phase)).collect();
                let msg = format!("`{}` is produced only later in the pipeline, by {}", d.table, names.join(", "));
                c.entry("processor", i, &format!("{at}.table"), msg);
            }
            if p.phase == 4 && d.check != DependencyCheck::Lookback {
                for q in others.iter().filter(|q| q.phase == 4) {
                    if let (Some(lp), Some(lq)) = (p.level, q.level) {
                        if lq >= lp {
                            let msg = format!(
                                "`{}` comes from {} (level {lq}), which does not finish before this level-{lp} \
                                 processor starts; move this processor to level {}",
                                d.table,
                                q.name,
                                lq + 1
                            );
                            c.entry("processor", i, &format!("{at}.table"), msg);
                        }
                    }
                }
            }
        }
    }
}

/// Report each cycle of processor → producers-of-its-dependencies once (iterative DFS, no recursion).
pub(super) fn check_cycles(c: &mut Ctx, t: &Topology, producers: &HashMap<&str, Vec<usize>>) {
    let n = t.processors.len();
    let adj: Vec<Vec<(usize, usize)>> = t
        .processors
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut edges: Vec<(usize, usize)> = Vec::new();
            for (j, d) in p.dependencies.iter().enumerate() {
                for q in producers.get(d.table.as_str()).into_iter().flatten().filter(|q| **q != i) {
                    if !edges.iter().any(|(x, _)| x == q) {
                        edges.push((*q, j));
                    }
                }
            }
            edges
        })
        .collect();
    let mut color = vec![0u8; n];
    let mut reported: HashSet<BTreeSet<usize>> = HashSet::new();
    for start in 0..n {
        if color[start] != 0 {
            continue;
        }
        color[start] = 1;
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&(v, k)) = stack.last() {
            let Some(&(w, _)) = adj[v].get(k) else {
                color[v] = 2;
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match color[w] {
                0 => {
                    color[w] = 1;
                    stack.push((w, 0));
                }
                1 => {
                    let pos = stack.iter().position(|(x, _)| *x == w).unwrap_or(0);
                    let cycle: Vec<usize> = stack[pos..].iter().map(|(x, _)| *x).collect();
                    if reported.insert(cycle.iter().copied().collect()) {
                        report_cycle(c, t, &adj, cycle);
                    }
                }
                _ => {}
            }
        }
    }
}

fn report_cycle(c: &mut Ctx, t: &Topology, adj: &[Vec<(usize, usize)>], mut cycle: Vec<usize>) {
    // Start at the earliest declared member so the report does not depend on the search order.
    let first = cycle.iter().enumerate().min_by_key(|(_, v)| **v).map(|(k, _)| k).unwrap_or(0);
    cycle.rotate_left(first);
    let (head, next) = (cycle[0], cycle.get(1).copied().unwrap_or(cycle[0]));
    let dep = adj[head].iter().find(|(q, _)| *q == next).map(|(_, j)| *j).unwrap_or(0);
    let mut names: Vec<&str> = cycle.iter().map(|v| t.processors[*v].name.as_str()).collect();
    names.push(&t.processors[head].name);
    let msg = format!("dependency cycle: {} (each reads a table the next one writes)", names.join(" → "));
    c.entry("processor", head, &format!(".dependencies[{dep}].table"), msg);
}
