//! The `--plot` figure of `hoopflow report`: rolling 7-day MAE by date for each system and baseline, as a
//! hand-written SVG (no plotting dependency).
//!
//! Invariants: the value at date D is the MAE over the series' player-games dated D−6..=D (the same player-games
//! as the report: baselines over all scored player-games, a system over those it graded); a date appears only
//! when the series has a player-game that day; a line is broken where two points are more than 7 days apart
//! (the off-season). The SVG is a deterministic function of the series; names are XML-escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::report::{match_systems, BoxScore, Graded, BASELINES};
use crate::domain::SlateDate;

/// One named line of the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(SlateDate, f64)>,
}

/// Rolling `window`-day MAE of (date, absolute error) pairs.
pub fn rolling_mae(errors: impl IntoIterator<Item = (SlateDate, f64)>, window: i64) -> Vec<(SlateDate, f64)> {
    let mut by_day: BTreeMap<SlateDate, (f64, usize)> = BTreeMap::new();
    for (d, e) in errors {
        let s = by_day.entry(d).or_default();
        s.0 += e.abs();
        s.1 += 1;
    }
    by_day
        .keys()
        .map(|&d| {
            let (s, n) = by_day.range(d.add_days(1 - window)..=d).fold((0.0, 0), |(s, n), (_, v)| (s + v.0, n + v.1));
            (d, s / n as f64)
        })
        .collect()
}

/// The baselines' and systems' rolling 7-day MAE series (baselines first, then systems by id).
pub fn series(boxes: &[BoxScore], graded: &[Graded], range: Option<(SlateDate, SlateDate)>) -> Vec<Series> {
    let seasons = super::report::player_games(boxes, range);
    let mut base: [Vec<(SlateDate, f64)>; 3] = Default::default();
    let mut systems: BTreeMap<String, Vec<(SlateDate, f64)>> = BTreeMap::new();
    for (label, games) in &seasons {
        for g in games {
            for (k, b) in base.iter_mut().enumerate() {
                b.push((g.date, g.baselines[k] - g.actual));
            }
        }
        for (system, (m, _)) in match_systems(games, graded, label) {
            systems.entry(system).or_default().extend(m.iter().map(|(_, g)| (g.date, g.predicted - g.actual)));
        }
    }
    let mut out: Vec<Series> = BASELINES
        .iter()
        .zip(base)
        .map(|(n, e)| Series { name: format!("baseline {n}"), points: rolling_mae(e, 7) })
        .collect();
    out.extend(systems.into_iter().map(|(name, e)| Series { name, points: rolling_mae(e, 7) }));
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const COLORS: [&str; 8] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// The SVG of `series` (an empty figure with a note when there is nothing to draw).
pub fn svg(series: &[Series], title: &str) -> String {
    let (w, h, l, r, t, b) = (960.0, 480.0, 60.0, 200.0, 40.0, 50.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(s, r#"<text x="{l}" y="24" font-size="15">{}</text>"#, escape(title));
    let all: Vec<&(SlateDate, f64)> = series.iter().flat_map(|x| &x.points).collect();
    let (Some(first), Some(last)) = (all.iter().map(|p| p.0).min(), all.iter().map(|p| p.0).max()) else {
        let _ = writeln!(s, r#"<text x="{l}" y="{}">no player-games to plot</text></svg>"#, h / 2.0);
        return s;
    };
    let top = all.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1.0);
    let ymax = (top * 1.1).ceil();
    let days = ((last.date() - first.date()).num_days().max(1)) as f64;
    let (pw, ph) = (w - l - r, h - t - b);
    let x = |d: SlateDate| l + (d.date() - first.date()).num_days() as f64 / days * pw;
    let y = |v: f64| t + ph - v / ymax * ph;
    let _ = writeln!(s, r##"<rect x="{l}" y="{t}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>"##);
    for i in 0..=5 {
        let v = ymax * i as f64 / 5.0;
        let _ = writeln!(
            s,
            r##"<line x1="{l}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#eee"/><text x="{}" y="{:.1}" text-anchor="end">{v:.1}</text>"##,
            l + pw,
            l - 6.0,
            y(v) + 4.0,
            yy = y(v)
        );
    }
    for i in 0..=5 {
        let d = first.add_days((days * i as f64 / 5.0).round() as i64);
        let _ = writeln!(s, r#"<text x="{:.1}" y="{}" text-anchor="middle">{d}</text>"#, x(d), t + ph + 18.0);
    }
    let _ = writeln!(
        s,
        r#"<text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">7-day MAE (points)</text>"#,
        t + ph / 2.0,
        t + ph / 2.0
    );
    for (k, se) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let dash = if se.name.starts_with("baseline ") { r#" stroke-dasharray="5,3""# } else { "" };
        let mut segments: Vec<Vec<String>> = Vec::new();
        let mut prev: Option<SlateDate> = None;
        for &(d, v) in &se.points {
            if prev.is_none_or(|p| (d.date() - p.date()).num_days() > 7) {
                segments.push(Vec::new());
            }
            if let Some(seg) = segments.last_mut() {
                seg.push(format!("{:.1},{:.1}", x(d), y(v)));
            }
            prev = Some(d);
        }
        for seg in segments {
            let _ = writeln!(
                s,
                r#"<polyline fill="none" stroke="{color}" stroke-width="1.5"{dash} points="{}"/>"#,
                seg.join(" ")
            );
        }
        let ly = t + 14.0 + 18.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<line x1="{}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
            w - r + 12.0,
            w - r + 36.0,
            w - r + 42.0,
            ly + 4.0,
            escape(&se.name)
        );
    }
    s.push_str("</svg>\n");
    s
}
