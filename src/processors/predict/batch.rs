//! The fan-out of a prediction batch as pure logic: which players of a slate get a prediction request, with
//! which line, and why the others are excluded (spec §4.2, coverage of DESIGN §4).
//!
//! Invariants:
//! - every scheduled player (`upcoming_player_game_context`) gets exactly one [`Decision`]: a request, or an
//!   exclusion with a reason — so coverage can explain every player with a line;
//! - the line is the real one when a book quotes it: per book the latest pre-game main line; the base line is
//!   the preferred book's ([`lines::DEFAULT_PREFERENCE`], else the first book by name), with its prices, and
//!   the consensus (median over books) is recorded beside it; otherwise an estimated line from recent scoring,
//!   marked `ESTIMATED_AVG` (predictions against it say `NO_LINE`);
//! - player histories and the training samples come only from games before the slate date.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{lines, PastGame};
use crate::domain::{Row, RowExt, SlateDate};

/// Fewest average minutes over the last 7 days for a request (spec §4.2).
pub const MIN_MINUTES: f64 = 15.0;
/// Lowest feature quality the worker accepts (spec §4.3).
pub const MIN_QUALITY: f64 = 70.0;

/// A book's line for a player: (book, line, over price, under price) in American odds.
pub type BookLine = (String, f64, Option<i64>, Option<i64>);

/// The line a request is predicted against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChoice {
    pub has_prop_line: bool,
    pub base_line: Option<f64>,
    pub line_source: String,
    pub bookmaker: Option<String>,
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
    pub consensus_line: Option<f64>,
    pub books: usize,
    pub estimated_line_value: Option<f64>,
    pub estimation_method: Option<String>,
}

/// One player's prediction request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayerRequest {
    pub player_lookup: String,
    pub game_id: String,
    pub team_abbr: String,
    pub opponent_team_abbr: String,
    pub is_home: bool,
    pub days_rest: Option<i64>,
    pub line: LineChoice,
    pub features: [f64; 25],
    pub feature_quality_score: f64,
}

/// What the coordinator decided for a scheduled player.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Request(Box<PlayerRequest>),
    Excluded { player_lookup: String, game_id: String, has_prop_line: bool, reason: String },
}

/// Per player, each book's latest pre-game main line.
pub fn book_lines(props: &[Row]) -> BTreeMap<String, Vec<BookLine>> {
    let mut latest: BTreeMap<(String, String), (String, BookLine)> = BTreeMap::new();
    for r in props {
        if r.bool_of("is_pregame") != Some(true) || r.bool_of("is_main_line") != Some(true) {
            continue;
        }
        let (Some(p), Some(b), Some(ts), Some(line)) =
            (r.str_of("player_lookup"), r.str_of("bookmaker"), r.str_of("snapshot_timestamp"), r.f64_of("points_line"))
        else {
            continue;
        };
        let entry = (b.to_string(), line, r.i64_of("over_price_american"), r.i64_of("under_price_american"));
        let k = (p.to_string(), b.to_string());
        if latest.get(&k).is_none_or(|(t, _)| ts > t.as_str()) {
            latest.insert(k, (ts.to_string(), entry));
        }
    }
    let mut out: BTreeMap<String, Vec<BookLine>> = BTreeMap::new();
    for ((p, _), (_, l)) in latest {
        out.entry(p).or_default().push(l);
    }
    out
}

/// The line of a player: the preferred book's, else an estimate from his recent scoring.
pub fn choose_line(books: Option<&Vec<BookLine>>, ctx: &Row) -> LineChoice {
    if let Some(books) = books.filter(|b| !b.is_empty()) {
        let pairs: Vec<(String, f64)> = books.iter().map(|b| (b.0.clone(), b.1)).collect();
        let consensus = lines::consensus(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
        if let Some((book, line)) = lines::preferred(&pairs, &lines::DEFAULT_PREFERENCE) {
            let quote = books.iter().find(|b| b.0 == book);
            return LineChoice {
                has_prop_line: true,
                base_line: Some(line),
                line_source: "ACTUAL_PROP".into(),
                bookmaker: Some(book),
                over_price: quote.and_then(|q| q.2),
                under_price: quote.and_then(|q| q.3),
                consensus_line: consensus,
                books: books.len(),
                estimated_line_value: None,
                estimation_method: None,
            };
        }
    }
    let est = lines::estimated(ctx.f64_of("points_avg_last_5"), ctx.f64_of("points_avg_last_10"));
    LineChoice {
        has_prop_line: false,
        base_line: None,
        line_source: "ESTIMATED_AVG".into(),
        bookmaker: None,
        over_price: None,
        under_price: None,
        consensus_line: None,
        books: 0,
        estimated_line_value: est.map(|e| e.0),
        estimation_method: est.map(|e| e.1.to_string()),
    }
}

/// The features of a feature-store row (`None` if missing or not 25 numbers).
pub fn features_of(row: &Row) -> Option<Vec<f64>> {
    let a = row.get("features")?;
    let a = match a {
        serde_json::Value::String(s) => serde_json::from_str::<serde_json::Value>(s).ok()?,
        v => v.clone(),
    };
    let v: Vec<f64> = a.as_array()?.iter().map(|x| x.as_f64()).collect::<Option<Vec<_>>>()?;
    (v.len() == 25).then_some(v)
}

/// Decide every scheduled player of the date.
pub fn select(contexts: &[Row], features: &[Row], props: &[Row]) -> Vec<Decision> {
    let fs: BTreeMap<&str, &Row> = features.iter().filter_map(|r| Some((r.str_of("player_lookup")?, r))).collect();
    let books = book_lines(props);
    let mut out = Vec::new();
    for c in contexts {
        let (Some(p), Some(game), Some(team), Some(opp)) =
            (c.str_of("player_lookup"), c.str_of("game_id"), c.str_of("team_abbr"), c.str_of("opponent_team_abbr"))
        else {
            continue;
        };
        let line = choose_line(books.get(p), c);
        let exclude = |reason: &str| Decision::Excluded {
            player_lookup: p.to_string(),
            game_id: game.to_string(),
            has_prop_line: line.has_prop_line,
            reason: reason.to_string(),
        };
        let status = c.str_of("player_status").map(|s| s.to_ascii_lowercase());
        let f = fs.get(p);
        let quality = f.and_then(|r| r.f64_of("feature_quality_score")).unwrap_or(0.0);
        let decision = if matches!(status.as_deref(), Some("out") | Some("doubtful")) {
            exclude(&format!("injury_{}", status.unwrap_or_default()))
        } else if f.is_none() {
            exclude("no_features")
        } else if f.and_then(|r| r.str_of("data_source")) == Some("early_season") {
            exclude("early_season_bootstrap")
        } else if quality < MIN_QUALITY {
            exclude("low_feature_quality")
        } else if c.f64_of("avg_minutes_per_game_last_7").is_none() {
            exclude("no_games_last_7_days")
        } else if c.f64_of("avg_minutes_per_game_last_7").is_some_and(|m| m < MIN_MINUTES) {
            exclude("low_minutes")
        } else {
            match f.and_then(|r| features_of(r)).and_then(|v| <[f64; 25]>::try_from(v).ok()) {
                None => exclude("invalid_features"),
                Some(features) => Decision::Request(Box::new(PlayerRequest {
                    player_lookup: p.to_string(),
                    game_id: game.to_string(),
                    team_abbr: team.to_string(),
                    opponent_team_abbr: opp.to_string(),
                    is_home: c.bool_of("home_game").unwrap_or(false),
                    days_rest: c.i64_of("days_rest"),
                    line,
                    features,
                    feature_quality_score: quality,
                })),
            }
        };
        out.push(decision);
    }
    out
}

/// Each player's games before `date` this season, oldest first, from `player_game_summary` rows, with the
/// opponent's defensive rating in that game (`team_defense_game_summary`) and days of rest.
pub fn histories(pgs: &[Row], tdgs: &[Row], date: SlateDate) -> BTreeMap<String, Vec<PastGame>> {
    let ratings: BTreeMap<(&str, &str), f64> = tdgs
        .iter()
        .filter_map(|r| Some(((r.str_of("game_id")?, r.str_of("defending_team_abbr")?), r.f64_of("defensive_rating")?)))
        .collect();
    let mut out: BTreeMap<String, Vec<(SlateDate, String, PastGame)>> = BTreeMap::new();
    for r in pgs {
        let Some(d) = r.str_of("game_date").and_then(|s| s.parse::<SlateDate>().ok()) else { continue };
        let minutes = r.f64_of("minutes_played").unwrap_or(0.0);
        if d >= date || d.season_year() != date.season_year() || minutes <= 0.0 {
            continue;
        }
        let (Some(p), Some(g)) = (r.str_of("player_lookup"), r.str_of("game_id")) else { continue };
        let opp = r.str_of("opponent_team_abbr").unwrap_or_default();
        out.entry(p.to_string()).or_default().push((
            d,
            g.to_string(),
            PastGame {
                date: d,
                points: r.f64_of("points").unwrap_or(0.0),
                minutes,
                opponent_def_rating: ratings.get(&(g, opp)).copied(),
                days_rest: None,
                is_home: r.bool_of("home_game").unwrap_or(false),
            },
        ));
    }
    out.into_iter()
        .map(|(p, mut v)| {
            v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            let mut games: Vec<PastGame> = v.into_iter().map(|x| x.2).collect();
            for i in 1..games.len() {
                games[i].days_rest = Some((games[i].date.date() - games[i - 1].date.date()).num_days());
            }
            (p, games)
        })
        .collect()
}

/// Walk-forward training samples: each earlier feature-store vector with the points the player then scored.
pub fn training_samples(features: &[Row], pgs: &[Row], date: SlateDate) -> Vec<(SlateDate, [f64; 25], f64)> {
    let actual: BTreeMap<(&str, &str), f64> = pgs
        .iter()
        .filter_map(|r| Some(((r.str_of("game_date")?, r.str_of("player_lookup")?), r.f64_of("points")?)))
        .collect();
    let mut out = Vec::new();
    for r in features {
        let (Some(d), Some(p)) = (r.str_of("game_date"), r.str_of("player_lookup")) else { continue };
        let Ok(day) = d.parse::<SlateDate>() else { continue };
        if day >= date || r.str_of("data_source") == Some("early_season") {
            continue;
        }
        let (Some(v), Some(y)) = (features_of(r), actual.get(&(d, p))) else { continue };
        let Ok(a) = <[f64; 25]>::try_from(v) else { continue };
        out.push((day, a, *y));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.total_cmp(&b.2)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: serde_json::Value) -> Row {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn the_preferred_books_latest_line_is_the_base_and_the_rest_are_explained() {
        let props = [
            row(json!({"player_lookup": "a", "bookmaker": "fanduel", "snapshot_timestamp": "2025-01-15T17:00:00Z",
                "points_line": 20.5, "is_pregame": true, "is_main_line": true, "over_price_american": -115})),
            row(json!({"player_lookup": "a", "bookmaker": "draftkings", "snapshot_timestamp": "2025-01-15T17:00:00Z",
                "points_line": 21.5, "is_pregame": true, "is_main_line": true, "over_price_american": -110})),
            row(json!({"player_lookup": "a", "bookmaker": "draftkings", "snapshot_timestamp": "2025-01-15T22:00:00Z",
                "points_line": 22.5, "is_pregame": true, "is_main_line": true, "over_price_american": 105})),
            row(json!({"player_lookup": "a", "bookmaker": "draftkings", "snapshot_timestamp": "2025-01-16T01:00:00Z",
                "points_line": 30.5, "is_pregame": false, "is_main_line": true})),
        ];
        let ctx = |p: &str, status: Option<&str>, min: f64| {
            row(json!({"player_lookup": p, "game_id": "g", "team_abbr": "BOS", "opponent_team_abbr": "NYK",
                "home_game": true, "player_status": status, "avg_minutes_per_game_last_7": min,
                "points_avg_last_5": 12.3}))
        };
        let feat = |p: &str, q: f64| {
            row(json!({"player_lookup": p, "features": vec![1.0; 25], "feature_quality_score": q,
                "data_source": "phase4_partial"}))
        };
        let contexts = [ctx("a", None, 30.0), ctx("b", Some("OUT"), 30.0), ctx("c", None, 10.0), ctx("d", None, 30.0)];
        let features = [feat("a", 92.0), feat("b", 92.0), feat("c", 92.0), feat("d", 60.0)];
        let d = select(&contexts, &features, &props);
        let Decision::Request(a) = &d[0] else { panic!("{:?}", d[0]) };
        assert_eq!(a.line.base_line, Some(22.5));
        assert_eq!(a.line.bookmaker.as_deref(), Some("draftkings"));
        assert_eq!(a.line.over_price, Some(105));
        assert_eq!(a.line.consensus_line, Some(21.5));
        let reasons: Vec<String> = d[1..]
            .iter()
            .map(|x| match x {
                Decision::Excluded { reason, .. } => reason.clone(),
                _ => "request".into(),
            })
            .collect();
        assert_eq!(reasons, ["injury_out", "low_minutes", "low_feature_quality"]);
        let line = choose_line(None, &contexts[2]);
        assert_eq!((line.has_prop_line, line.estimated_line_value), (false, Some(12.5)));
    }
}
