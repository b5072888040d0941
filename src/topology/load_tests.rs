//! Tests of the strict topology loader: the shipped config, structural issues, semantic issues, locations.

use super::*;
use crate::topology::{DependencyCheck, ModeQuorum, Route};
use proptest::prelude::*;

const SHIPPED: &str = include_str!("../../config/pipeline.toml");

/// A small valid topology the tests mutate.
const BASE: &str = r#"
[pipeline]
name = "t"
version = 1

[[topic]]
name = "raw-done"

[[topic]]
name = "p3-done"

[[subscription]]
name = "raw"
topic = "raw-done"
route = "table_ready"

[[subscription]]
name = "p3"
topic = "p3-done"
route = "monitor"

[[processor]]
name = "raw_a"
class = "RawA"
phase = 2
output = "nba_raw.a"
path_prefix = "a/"
publishes = "raw-done"

[[processor]]
name = "an_b"
class = "AnB"
phase = 3
output = "nba_analytics.b"
dependencies = [{ table = "nba_raw.a", check = "date_match" }]
triggers_on = ["nba_raw.a"]
publishes = "p3-done"
"#;

fn line_of_text(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).expect("needle in text")
}

fn issues(text: &str) -> Vec<ConfigIssue> {
    match load_str(text, "t.toml") {
        Ok(_) => Vec::new(),
        Err(e) => e.issues,
    }
}

fn has(issues: &[ConfigIssue], line: usize, location: &str, message: &str) -> bool {
    issues.iter().any(|i| i.line == Some(line) && i.location.contains(location) && i.message.contains(message))
}

#[test]
fn shipped_config_loads_clean() {
    let t = match load_str(SHIPPED, "config/pipeline.toml") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let count = |n| t.processors_in_phase(n).count();
    assert_eq!((count(2), count(3), count(4), count(5)), (22, 5, 5, 2));
    assert_eq!(t.topics.len(), 11);
    assert!(t.topics.iter().all(|x| x.dlq));
    assert_eq!(t.subscriptions.len(), 13);
    assert_eq!(t.trackers.len(), 2);
    let level = |n: &str| t.processor(n).and_then(|p| p.level);
    assert_eq!(level("team_defense_zone_analysis"), Some(1));
    assert_eq!(level("player_shot_zone_analysis"), Some(1));
    assert_eq!(level("player_composite_factors"), Some(2));
    assert_eq!(level("player_daily_cache"), Some(2));
    assert_eq!(level("ml_feature_store"), Some(3));
    assert!(t.processor("nbac_injury_report").is_some());
    let p4 = t.tracker(4).expect("phase 4 tracker");
    let stages: Vec<&str> = p4.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["level1", "level2", "level3"]);
    assert_eq!(p4.stages[2].deadline_minutes, 30);
    let p3 = &t.tracker(3).expect("phase 3 tracker").stages[0];
    assert_eq!(p3.required.len(), 5);
    let same_day = &p3.modes["same_day"];
    assert_eq!(same_day.required.as_deref(), Some(&["upcoming_player_game_context".to_string()][..]));
    let workers = t.subscriptions.iter().find(|s| s.route == Route::PredictionRequest).expect("workers");
    assert_eq!(workers.ack_deadline_s, Some(300));
}

#[test]
fn base_loads_clean() {
    assert_eq!(issues(BASE), Vec::new());
}

#[test]
fn three_mistakes_are_all_reported_with_locations() {
    let text = BASE.replace("path_prefix = \"a/\"", "path_prefix = \"a/\"\npool_sise = 2")
        + r#"
[[subscription]]
name = "extra"
topic = "p3-dnoe"
route = "monitor"
[[processor]]
name = "c1"
class = "C1"
phase = 3
output = "nba_analytics.c1"
dependencies = [{ table = "nba_analytics.c2", check = "date_match" }]
publishes = "p3-done"

[[processor]]
name = "c2"
class = "C2"
phase = 3
output = "nba_analytics.c2"
dependencies = [{ table = "nba_analytics.c1", check = "date_match" }]
publishes = "p3-done"
"#;
    let found = issues(&text);
    assert_eq!(found.len(), 3, "{found:#?}");
    let l = line_of_text(&text, "pool_sise");
    assert!(has(&found, l, "processor[0] (name = \"raw_a\").pool_sise", "did you mean `pool_size`"), "{found:#?}");
    let l = line_of_text(&text, "p3-dnoe");
    assert!(has(&found, l, "subscription[2] (name = \"extra\").topic", "unknown topic `p3-dnoe`"), "{found:#?}");
    let l = line_of_text(&text, "table = \"nba_analytics.c2\"");
    assert!(has(&found, l, "processor[2] (name = \"c1\").dependencies[0]", "c1 → c2 → c1"), "{found:#?}");
    for issue in &found {
        assert!(issue.location.starts_with(&format!("t.toml:{}", issue.line.unwrap_or(0))), "{issue:?}");
    }
}

#[test]
fn display_lists_every_issue_on_its_own_line() {
    let text =
        BASE.replace("version = 1", "version = 1\ncolour = 1").replace("route = \"monitor\"", "route = \"moniter\"");
    let err = load_str(&text, "t.toml").expect_err("two issues");
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(shown.lines().next().unwrap_or_default().contains("2 issue(s)"));
    assert!(shown.contains("unknown key `colour`"), "{shown}");
    assert!(shown.contains("unknown value `moniter` (did you mean `monitor`?)"), "{shown}");
}

#[test]
fn syntax_error_has_a_line() {
    let text = BASE.replace("name = \"an_b\"", "name = \"an_b");
    let found = issues(&text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(line_of_text(&text, "name = \"an_b")));
    assert!(found[0].message.contains("syntax"));
}

#[test]
fn duplicate_names_are_reported() {
    let text = BASE.to_string()
        + r#"
[[topic]]
name = "raw-done"

[[subscription]]
name = "raw"
topic = "raw-done"
route = "monitor"

[[processor]]
name = "an_b"
class = "AnB2"
phase = 3
output = "nba_analytics.b2"
publishes = "p3-done"

[[tracker]]
phase = 3
collection = "phase3_completion"

[[tracker.stage]]
name = "s"
required = ["an_b"]
deadline_minutes = 10
fires_topics = ["p3-done"]

[[tracker.stage]]
name = "s"
required = ["an_b"]
deadline_minutes = 10
fires_topics = ["p3-done"]
"#;
    let found = issues(&text);
    let dup = |what: &str| found.iter().filter(|i| i.message.contains(what)).count();
    assert_eq!(dup("duplicate topic name `raw-done` (first declared at line 6)"), 1, "{found:#?}");
    assert_eq!(dup("duplicate subscription name `raw`"), 1, "{found:#?}");
    assert_eq!(dup("duplicate processor name `an_b`"), 1, "{found:#?}");
    assert_eq!(dup("duplicate stage name `s`"), 1, "{found:#?}");
    // The tracker has no subscription feeding it: reported too.
    assert_eq!(dup("no subscription routes completions here"), 1, "{found:#?}");
}

#[test]
fn structural_issues_are_collected_together() {
    let text = BASE
        .replace("version = 1", "version = \"one\"")
        .replace("phase = 3\n", "phase = -3\n")
        .replace("check = \"date_match\"", "check = \"same_day\"")
        .replace("route = \"table_ready\"", "route = 7")
        .replace("triggers_on = [\"nba_raw.a\"]", "triggers_on = [\"nba_raw.a\", 5]")
        + "\n[defaults]\nlease_s = 1979-05-27T07:32:00Z\n";
    let found = issues(&text);
    let msgs: Vec<&str> = found.iter().map(|i| i.message.as_str()).collect();
    assert!(
        has(
            &found,
            line_of_text(&text, "\"one\""),
            "pipeline.version",
            "expected a non-negative integer, found a string"
        ),
        "{msgs:#?}"
    );
    assert!(has(&found, line_of_text(&text, "phase = -3"), "(name = \"an_b\").phase", "out of range"), "{msgs:#?}");
    assert!(
        has(&found, line_of_text(&text, "same_day"), "dependencies[0].check", "unknown value `same_day`"),
        "{msgs:#?}"
    );
    assert!(has(&found, line_of_text(&text, "route = 7"), "(name = \"raw\").route", "expected a string"), "{msgs:#?}");
    assert!(
        has(&found, line_of_text(&text, ", 5]"), "triggers_on[1]", "expected a string, found an integer"),
        "{msgs:#?}"
    );
    assert!(has(&found, line_of_text(&text, "1979"), "defaults.lease_s", "found a datetime"), "{msgs:#?}");
    assert_eq!(found.len(), 6, "{msgs:#?}");
    let single = issues("[pipeline]\nname = \"t\"\nversion = 1\n[processor]\nname = \"x\"\n");
    assert_eq!(single.len(), 1, "{single:#?}");
    assert!(single[0].message.contains("write `[[processor]]`, not `[processor]`"), "{single:#?}");
}

#[test]
fn broken_entries_are_dropped_without_follow_on_issues() {
    // `an_b` lacks `publishes`: reported once; the subscription of its topic and its table stay "known".
    let text = BASE.replace("publishes = \"p3-done\"", "")
        + r#"
[[processor]]
name = "an_c"
class = "AnC"
phase = 3
output = "nba_analytics.c"
dependencies = [{ table = "nba_analytics.b", check = "date_match" }]
publishes = "p3-done"
"#;
    let found = issues(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("missing required key `publishes`"));
    assert_eq!(found[0].line, Some(line_of_text(&text, "[[processor]]") + 8));
}

#[test]
fn semantic_reference_checks() {
    let text = BASE
        .replace("path_prefix = \"a/\"\n", "")
        .replace("triggers_on = [\"nba_raw.a\"]", "triggers_on = [\"nba_raw.zz\"]\nlevel = 2")
        .replace("output = \"nba_analytics.b\"", "output = \"analytics.b\"\nextra_outputs = [\"nba_raw.x.y\"]")
        .replace("publishes = \"p3-done\"", "publishes = \"p4-done\"")
        + r#"
[[subscription]]
name = "t"
topic = "raw-done"
route = "tracker"

[[subscription]]
name = "t4"
topic = "raw-done"
route = "tracker"
tracker_phase = 4
"#;
    let found = issues(&text);
    let expect = [
        ("processor[0] (name = \"raw_a\")", "needs `path_prefix`"),
        ("triggers_on[0]", "`nba_raw.zz` is not an output of any phase 2 processor"),
        ("(name = \"an_b\").level", "only phase 4 processors have a `level`"),
        ("(name = \"an_b\").output", "unknown dataset `analytics`"),
        ("extra_outputs[0]", "is not `dataset.table`"),
        ("(name = \"an_b\").publishes", "unknown topic `p4-done` (did you mean `p3-done`?)"),
        ("(name = \"t\").route", "needs `tracker_phase`"),
        ("(name = \"t4\").tracker_phase", "no tracker is declared for phase 4"),
    ];
    for (location, message) in expect {
        assert!(
            found.iter().any(|i| i.location.contains(location) && i.message.contains(message)),
            "missing {location}: {message} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn unknown_dependency_tables_and_later_phase_producers() {
    let text = BASE.replace(
        "dependencies = [{ table = \"nba_raw.a\", check = \"date_match\" }]",
        "dependencies = [{ table = \"nba_raw.q\", check = \"date_match\" }, { table = \"nba_raw.a\", check = \"lookback\" }]",
    ) + r#"
[[processor]]
name = "raw_late"
class = "RawLate"
phase = 2
output = "nba_raw.late"
path_prefix = "a/"
dependencies = [{ table = "nba_analytics.b", check = "date_match" }, { table = "nba_raw.late", check = "exists" }]
publishes = "raw-done"
"#;
    let found = issues(&text);
    let has_msg = |m: &str| found.iter().any(|i| i.message.contains(m));
    assert!(has_msg("no processor produces `nba_raw.q`"), "{found:#?}");
    assert!(has_msg("a lookback needs `window_days`"), "{found:#?}");
    assert!(has_msg("path_prefix `a/` is also routed to another processor"), "{found:#?}");
    assert!(has_msg("produced only later in the pipeline, by an_b (phase 3)"), "{found:#?}");
    assert!(has_msg("reads its own output `nba_raw.late` for the same date"), "{found:#?}");
    // raw_late → an_b → raw_a is not a cycle; raw_late ↔ an_b is not either (an_b does not read nba_raw.late).
    assert!(!has_msg("dependency cycle"), "{found:#?}");
}

#[test]
fn phase4_levels_follow_same_day_dependencies() {
    let text = SHIPPED.replace("level = 2   # not 1", "level = 1   # not 1");
    let found = issues(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].location.contains("(name = \"player_daily_cache\").dependencies[3].table"));
    assert!(found[0].message.contains("player_shot_zone_analysis (level 1)"));
    assert!(found[0].message.contains("move this processor to level 2"));
}

#[test]
fn ack_deadline_must_cover_leases_and_topics_need_subscribers() {
    let text = SHIPPED
        .replace("ack_deadline_s = 300\n", "ack_deadline_s = 120\n")
        .replace(
            "[[subscription]]\nname = \"pipeline-monitor-phase5\"",
            "[[subscription]]\nname = \"pipeline-monitor-phase5\"\nmax_delivery_attempts = 2",
        )
        .replace(
            "name = \"pipeline-monitor-phase4\"\ntopic = \"nba-phase4-precompute-complete\"",
            "name = \"pipeline-monitor-phase4\"\ntopic = \"nba-phase5-predictions-complete\"",
        );
    let found = issues(&text);
    let has_msg = |m: &str| found.iter().any(|i| i.message.contains(m));
    assert!(has_msg("ack deadline 120s is shorter than the lease of prediction_coordinator (300s)"), "{found:#?}");
    assert!(has_msg("topic `nba-phase4-precompute-complete` has no subscription"), "{found:#?}");
    assert!(has_msg("2 is outside the Pub/Sub dead-letter range 5..=100"), "{found:#?}");
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn tracker_stage_members_are_checked() {
    let text = SHIPPED
        .replace(
            "required = [\"team_defense_zone_analysis\", \"player_shot_zone_analysis\"]",
            "required = [\"team_defense_zone_analysis\", \"player_game_summary\", \"tdza\"]",
        )
        .replace(
            "fires_processors = [\"ml_feature_store\"]",
            "fires_processors = [\"ml_feature_store\", \"player_game_summary\"]",
        )
        .replace(
            "fires_topics = [\"nba-phase4-precompute-complete\", \"nba-predictions-trigger\"]",
            "fires_topics = [\"nba-phase4-precompute-complete\", \"nba-predictions-trigger\", \"nowhere\"]",
        );
    let found = issues(&text);
    let has_msg = |m: &str| found.iter().any(|i| i.message.contains(m));
    assert!(has_msg("`player_game_summary` is a phase 3 processor; this tracker counts phase 4"), "{found:#?}");
    assert!(has_msg("unknown processor `tdza`"), "{found:#?}");
    assert!(
        has_msg("`player_game_summary` is a phase 3 processor; a phase 4 tracker starts phase 4 or 5 work"),
        "{found:#?}"
    );
    assert!(has_msg("unknown topic `nowhere`"), "{found:#?}");
    assert_eq!(found.len(), 4, "{found:#?}");
}

/// The schema in `load_schema.rs` and the serde model accept exactly the same keys.
#[test]
fn schema_matches_the_model() {
    let mut t = load_str(SHIPPED, "shipped").expect("shipped config");
    let p = &mut t.processors[0];
    (p.pool_size, p.lease_s, p.max_attempts) = (Some(2), Some(300), Some(3));
    p.dependencies = vec![crate::topology::Dependency {
        table: "nba_raw.nbac_schedule".into(),
        check: crate::topology::DependencyCheck::Lookback,
        window_days: Some(3),
        min_rows: 1,
        critical: false,
    }];
    let s = &mut t.subscriptions[0];
    (s.max_delivery_attempts, s.ordering, s.max_outstanding, s.ack_deadline_s) = (Some(5), true, Some(10), Some(600));
    let stage = &mut t.trackers[0].stages[0];
    stage.optional = vec!["upcoming_team_game_context".into()];
    stage.required.retain(|r| r != "upcoming_team_game_context");
    let full = ModeQuorum { required: Some(vec![]), optional: Some(vec![]), deadline_minutes: Some(5) };
    stage.modes.insert("backfill".into(), full);
    t.alerts.webhook_url = Some("https://hooks.example.com/x".into());
    let text = toml::to_string(&t).expect("serialise");
    match load_str(&text, "roundtrip") {
        Ok(back) => assert_eq!(back, t),
        Err(e) => panic!("{e}\n{text}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Deleting any line, or splicing in junk, never panics the loader.
    #[test]
    fn mangled_configs_never_panic(cut in 0usize..600, junk in "[\\[\\]{}=\"a-z0-9_., \n#-]{0,40}") {
        let lines: Vec<&str> = SHIPPED.lines().collect();
        let at = cut % lines.len();
        let mut mangled: Vec<&str> = lines.clone();
        mangled.remove(at);
        let _ = load_str(&mangled.join("\n"), "m");
        let mut spliced = lines;
        spliced.insert(at, &junk);
        let _ = load_str(&spliced.join("\n"), "m");
    }
}

#[test]
fn a_table_is_read_twice_only_as_date_and_lookback_and_grading_waits_on_earlier_outputs() {
    let shipped = load_str(SHIPPED, "config/pipeline.toml").unwrap();
    let coord = shipped.processor("prediction_coordinator").unwrap();
    let mlfs: Vec<_> = coord
        .dependencies
        .iter()
        .filter(|d| d.table == "nba_predictions.ml_feature_store_v2")
        .map(|d| d.check)
        .collect();
    assert_eq!(mlfs, [DependencyCheck::DateMatch, DependencyCheck::Lookback]);
    let twice = SHIPPED.replace(
        r#"{ table = "nba_predictions.ml_feature_store_v2", check = "lookback", window_days = 60, critical = false },"#,
        r#"{ table = "nba_predictions.ml_feature_store_v2", check = "date_match", critical = false },"#,
    );
    assert!(issues(&twice).iter().any(|i| i.message.contains("is listed twice")));
    let raw_trigger = SHIPPED.replace(
        r#"triggers_on = ["nba_predictions.player_prop_predictions", "nba_analytics.player_game_summary"]"#,
        r#"triggers_on = ["nba_raw.nbac_player_boxscores"]"#,
    );
    assert!(issues(&raw_trigger).iter().any(|i| i.message.contains("is not an output of a phase 3 or 4 processor")));
}
