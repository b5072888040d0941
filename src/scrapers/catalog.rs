//! The scraper catalogue: for every source a Phase 2 processor reads, where to fetch it, with which headers
//! and credential, where it lands, and when an answer means "not published yet".
//!
//! URLs are templates relative to a *host key*'s base URL ([`HOSTS`]); a base is overridable (env
//! `HOOPFLOW_SCRAPE_BASE_<HOST>`, or a map given to the runner), which is how tests point a scraper at a
//! local server. Template variables: see [`super::template::Vars::for_run`], plus the per-item variables
//! a discovery step yields (`game_id`, `teams`, `event_id`, `espn_game_id`, `team`, ...).
//!
//! Invariants:
//! - every landing template starts with the `path_prefix` of the raw processor that reads it
//!   (`config/pipeline.toml`), so every announced object routes (an unrouted one would be dead-lettered),
//!   and follows the original layout (spec §1.3): `…/{date}/{ts}.json` with the run's `{ts}`
//!   (`YYYYMMDD_HHMMSS`), a history snapshot's own time, or the per-team `{season}/{TEAM}.json`;
//! - what lands is the source's response as served (the processors parse raw responses, as the ESPN page
//!   parser does), except where a `transform` is declared (the Basketball-Reference page becomes the roster
//!   JSON its processor reads); the injury report and gamebook PDFs land as `.pdf` under their processors'
//!   prefixes (`nba-com/injury-report-data/`, `nba-com/gamebooks-data/`), whose processors are not in this
//!   build yet (Phase 2 skips such files) and are to read the PDF by its `%PDF` magic;
//! - a not-yet-published rule is part of each definition ([`NotYet`]): given statuses (e.g. 403/404 for a
//!   PDF not posted yet) and/or JSON arrays that are empty until the data exists.

use serde_json::Value;

use super::http::HttpConfig;
use super::template::Vars;
use super::ScrapeError;
use crate::domain::SlateDate;

/// host key → (default base URL, requests per second).
pub const HOSTS: &[(&str, &str, f64)] = &[
    ("stats_nba", "https://stats.nba.com", 0.7),
    ("cdn_nba", "https://cdn.nba.com", 4.0),
    ("ak_static_nba", "https://ak-static.cms.nba.com", 1.0),
    ("statsdmz_nba", "https://statsdmz.nba.com", 1.0),
    ("balldontlie", "https://api.balldontlie.io", 1.0),
    ("odds_api", "https://api.the-odds-api.com", 2.0),
    ("official_nba", "https://official.nba.com", 1.0),
    ("espn_api", "https://site.api.espn.com", 2.0),
    ("espn_web", "https://www.espn.com", 1.0),
    ("bettingpros", "https://api.bettingpros.com", 1.0),
    ("basketball_reference", "https://www.basketball-reference.com", 0.3),
    ("bigdataball", "https://www.bigdataball.com", 0.5),
];

/// The fetcher settings with every host's rate from [`HOSTS`].
pub fn default_http_config() -> HttpConfig {
    HOSTS.iter().fold(HttpConfig::default(), |c, (host, _, rps)| c.with_rps(host, *rps))
}

/// How a scraper authenticates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Auth {
    None,
    /// A header whose value is the env variable's; `required` = fail with `MissingKey` when unset.
    Header {
        name: &'static str,
        env: &'static str,
        required: bool,
    },
    /// A query parameter (redacted in errors).
    Query {
        param: &'static str,
        env: &'static str,
    },
    /// An account download this build cannot perform; `MissingKey` when unset, `Unsupported` otherwise.
    Account {
        env: &'static str,
    },
}

/// What a successful answer must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Body {
    Json,
    Pdf,
    Html,
}

/// When an answer means "not published yet".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotYet {
    /// Statuses meaning the object is not posted yet.
    pub statuses: &'static [u16],
    /// JSON pointers to arrays that are empty until the data exists; the first pointer that resolves decides.
    pub empty: &'static [&'static str],
}

impl NotYet {
    pub const NEVER: NotYet = NotYet { statuses: &[], empty: &[] };

    /// Why `err` means "not published yet", if it does.
    pub fn on_error(&self, err: &ScrapeError) -> Option<String> {
        let s = err.status()?;
        self.statuses.contains(&s).then(|| format!("HTTP {s}: not posted yet"))
    }

    /// Why this JSON means "not published yet", if it does.
    pub fn on_json(&self, v: &Value) -> Option<String> {
        let (ptr, arr) = self.empty.iter().find_map(|p| v.pointer(p).map(|x| (p, x)))?;
        arr.as_array().is_some_and(Vec::is_empty).then(|| format!("{ptr} is empty"))
    }
}

/// A discovery step: a JSON listing whose items each become one fetch of the main URL.
#[derive(Debug, Clone, Copy)]
pub struct ListStep {
    pub host: &'static str,
    pub url: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
    /// Items of the listing for the date, as template variables.
    pub extract: fn(&Value, SlateDate) -> Vec<Vars>,
    pub not_yet: NotYet,
}

/// How a run turns into requests.
#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// One request.
    Single,
    /// A listing, then one request per item.
    List(ListStep),
    /// One request per team (`{team}` = NBA tricode, `{br_team}` = Basketball-Reference's code, `{espn_team}`
    /// = ESPN's team id).
    Teams,
}

/// Pagination of a listing endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paging {
    None,
    /// balldontlie: `meta.next_cursor` → `&cursor=N`; each page lands as its own object (`{ts}_p{n}`).
    Cursor {
        max_pages: u32,
    },
}

/// Turns a fetched body into the landed object (e.g. an HTML page into the JSON the processor reads).
pub type Transform = fn(&[u8], &Vars) -> Result<Vec<u8>, String>;

/// One scraper.
#[derive(Debug, Clone, Copy)]
pub struct ScraperDef {
    /// The scraper name (Phase 1 `processor_name`).
    pub name: &'static str,
    pub source: &'static str,
    pub host: &'static str,
    pub url: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
    pub auth: Auth,
    pub landing: &'static str,
    pub body: Body,
    pub not_yet: NotYet,
    pub plan: Plan,
    pub paging: Paging,
    pub transform: Option<Transform>,
    /// Variables to try in turn when an answer is "not published yet" (e.g. the NBA.com `SeasonType` of a
    /// play-in or playoff date, whose regular-season log is empty for good).
    pub alternates: Option<fn(SlateDate) -> Vec<Vars>>,
}

/// Every declared scraper (the table is in [`super::defs`]).
pub fn catalog() -> &'static [ScraperDef] {
    super::defs::CATALOG
}

/// The scraper named `name`.
pub fn find(name: &str) -> Option<&'static ScraperDef> {
    catalog().iter().find(|d| d.name == name)
}

/// The default base URL of a host key.
pub fn default_base(host: &str) -> Option<&'static str> {
    HOSTS.iter().find(|(h, ..)| *h == host).map(|(_, b, _)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_vars() -> Vars {
        let d: SlateDate = "2025-01-15".parse().expect("date");
        let mut v = Vars::for_run(d, chrono::Utc::now());
        for (k, x) in [
            ("game_id", "0022400561"),
            ("teams", "LALPHI"),
            ("event_id", "abc"),
            ("espn_game_id", "401"),
            ("bp_event_ids", "1:2"),
            ("team", "LAL"),
            ("br_team", "LAL"),
            ("espn_team", "13"),
            ("file", "pbp"),
        ] {
            v.set(k, x);
        }
        v
    }

    #[test]
    fn every_landing_path_is_routed_to_its_raw_processor() {
        let t = crate::topology::load_str(crate::cli::home::BUILTIN_TOPOLOGY, "pipeline.toml").expect("topology");
        let prefixes: Vec<String> = t.processors.iter().filter_map(|p| p.path_prefix.clone()).collect();
        let v = item_vars();
        let mut names = std::collections::BTreeSet::new();
        let mut landed = Vec::new();
        for d in catalog() {
            assert!(names.insert(d.name), "{} declared twice", d.name);
            assert!(default_base(d.host).is_some(), "{}: unknown host {}", d.name, d.host);
            let path = v.fill(d.landing).unwrap_or_else(|e| panic!("{}: {e}", d.name));
            let url = v.fill(d.url).unwrap_or_else(|e| panic!("{}: {e}", d.name));
            assert!(url.starts_with('/'), "{}: {url}", d.name);
            if let Plan::List(step) = d.plan {
                v.fill(step.url).unwrap_or_else(|e| panic!("{}: {e}", d.name));
                assert!(default_base(step.host).is_some());
            }
            assert!(prefixes.iter().any(|p| path.starts_with(p.as_str())), "{}: {path} is not routed", d.name);
            landed.push(path.clone());
            assert!(path.contains(&v.0["date"]) || path.contains(&v.0["season"]), "{}: {path} has no date", d.name);
        }
        for pre in &prefixes {
            assert!(landed.iter().any(|p| p.starts_with(pre.as_str())), "no scraper feeds {pre}");
        }
    }
}
