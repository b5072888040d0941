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

use super::extract;
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

const BROWSER_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

/// NBA.com stats rejects requests without browser-like headers (it hangs rather than answering).
pub const NBA_STATS_HEADERS: &[(&str, &str)] = &[
    ("User-Agent", BROWSER_UA),
    ("Referer", "https://www.nba.com/"),
    ("Origin", "https://www.nba.com"),
    ("Accept", "application/json, text/plain, */*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("x-nba-stats-origin", "stats"),
    ("x-nba-stats-token", "true"),
];
const NBA_CDN_HEADERS: &[(&str, &str)] = &[
    ("User-Agent", BROWSER_UA),
    ("Referer", "https://www.nba.com/"),
    ("Origin", "https://www.nba.com"),
    ("Accept", "*/*"),
];
const JSON_HEADERS: &[(&str, &str)] = &[("Accept", "application/json")];
const PAGE_HEADERS: &[(&str, &str)] =
    &[("User-Agent", BROWSER_UA), ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")];
const PDF_HEADERS: &[(&str, &str)] = &[("User-Agent", BROWSER_UA), ("Accept", "application/pdf,*/*")];

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
    /// One request per team (`{team}` = NBA tricode, `{br_team}` = Basketball-Reference's).
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
}

const ROWSET_EMPTY: NotYet = NotYet { statuses: &[], empty: &["/resultSets/0/rowSet"] };
const BDL_EMPTY: NotYet = NotYet { statuses: &[], empty: &["/data"] };
const PDF_NOT_POSTED: NotYet = NotYet { statuses: &[403, 404], empty: &[] };

const NBA_SCHEDULE_URL: &str = "/static/json/staticData/scheduleLeagueV2.json";
const NBA_GAMES: ListStep = ListStep {
    host: "cdn_nba",
    url: NBA_SCHEDULE_URL,
    headers: NBA_CDN_HEADERS,
    extract: extract::nba_schedule_games,
    not_yet: NotYet::NEVER,
};
const BDL_AUTH: Auth = Auth::Header { name: "Authorization", env: "BALLDONTLIE_API_KEY", required: true };
const ODDS_AUTH: Auth = Auth::Query { param: "apiKey", env: "ODDS_API_KEY" };

const fn def(name: &'static str, source: &'static str, host: &'static str, url: &'static str) -> ScraperDef {
    ScraperDef {
        name,
        source,
        host,
        url,
        headers: JSON_HEADERS,
        auth: Auth::None,
        landing: "",
        body: Body::Json,
        not_yet: NotYet::NEVER,
        plan: Plan::Single,
        paging: Paging::None,
        transform: None,
    }
}

const CATALOG: &[ScraperDef] = &[
    ScraperDef {
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/player-boxscores/{date}/{ts}.json",
        // Games not finished yet: the log for the date is an empty rowSet.
        not_yet: ROWSET_EMPTY,
        ..def(
            "nbac_player_boxscore",
            "NBA.com stats leaguegamelog (players)",
            "stats_nba",
            "/stats/leaguegamelog?Counter=1000&DateFrom={date}&DateTo={date}&Direction=DESC&LeagueID=00\
             &PlayerOrTeam=P&Season={season}&SeasonType={season_type}&Sorter=DATE",
        )
    },
    ScraperDef {
        headers: NBA_CDN_HEADERS,
        landing: "nba-com/schedule/{season}/{ts}.json",
        not_yet: NotYet { statuses: &[], empty: &["/leagueSchedule/gameDates"] },
        ..def("nbac_schedule_api", "NBA.com CDN scheduleLeagueV2 (current season)", "cdn_nba", NBA_SCHEDULE_URL)
    },
    ScraperDef {
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/scoreboard-v2/{date}/{ts}.json",
        not_yet: ROWSET_EMPTY,
        ..def(
            "nbac_scoreboard_v2",
            "NBA.com stats scoreboardV2",
            "stats_nba",
            "/stats/scoreboardv2?DayOffset=0&GameDate={date}&LeagueID=00",
        )
    },
    ScraperDef {
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/team-boxscore/{date}/{game_id}/{ts}.json",
        not_yet: ROWSET_EMPTY,
        plan: Plan::List(NBA_GAMES),
        ..def(
            "nbac_team_boxscore",
            "NBA.com stats boxscoretraditionalv2, per game of the schedule",
            "stats_nba",
            "/stats/boxscoretraditionalv2?EndPeriod=0&EndRange=0&GameID={game_id}&RangeType=0&StartPeriod=0\
             &StartRange=0",
        )
    },
    ScraperDef {
        headers: NBA_CDN_HEADERS,
        landing: "nba-com/play-by-play/{date}/game_{game_id}/{ts}.json",
        // The CDN answers 403 (sometimes 404) for a game that has not started.
        not_yet: NotYet { statuses: &[403, 404], empty: &["/game/actions"] },
        plan: Plan::List(NBA_GAMES),
        ..def(
            "nbac_play_by_play",
            "NBA.com CDN live play-by-play, per game of the schedule",
            "cdn_nba",
            "/static/json/liveData/playbyplay/playbyplay_{game_id}.json",
        )
    },
    ScraperDef {
        headers: PDF_HEADERS,
        landing: "nba-com/injury-report-data/{date}/{hour24}/{ts}.pdf",
        body: Body::Pdf,
        // A report not posted yet is 403 (S3 behind Akamai) or 404. File time token: `05PM` (hourly) through
        // 2025-12-21, `05_30PM` (every 15 minutes) since 2025-12-22.
        not_yet: PDF_NOT_POSTED,
        ..def(
            "nbac_injury_report",
            "NBA.com official injury report PDF (hourly)",
            "ak_static_nba",
            "/referee/injury/Injury-Report_{date}_{report_time}.pdf",
        )
    },
    ScraperDef {
        headers: PDF_HEADERS,
        landing: "nba-com/gamebooks-data/{date}/{date_compact}-{teams}/{ts}.pdf",
        body: Body::Pdf,
        not_yet: PDF_NOT_POSTED,
        plan: Plan::List(NBA_GAMES),
        ..def(
            "nbac_gamebook_pdf",
            "NBA.com gamebook PDF, per game of the schedule",
            "statsdmz_nba",
            "/pdfs/{date_compact}/{date_compact}_{teams}.pdf",
        )
    },
    ScraperDef {
        auth: BDL_AUTH,
        landing: "ball-dont-lie/boxscores/{date}/{ts}.json",
        // Games scheduled later that day (or none finished): `{"data": []}`.
        not_yet: BDL_EMPTY,
        ..def("bdl_box_scores", "balldontlie box scores", "balldontlie", "/v1/box_scores?date={date}")
    },
    ScraperDef {
        auth: BDL_AUTH,
        landing: "ball-dont-lie/injuries/{date}/{ts}.json",
        paging: Paging::Cursor { max_pages: 10 },
        ..def("bdl_injuries", "balldontlie player injuries", "balldontlie", "/v1/player_injuries?per_page=100")
    },
    ScraperDef {
        auth: BDL_AUTH,
        landing: "ball-dont-lie/active-players/{date}/{ts}.json",
        paging: Paging::Cursor { max_pages: 20 },
        ..def("bdl_active_players", "balldontlie active players", "balldontlie", "/v1/players/active?per_page=100")
    },
    ScraperDef {
        auth: BDL_AUTH,
        landing: "ball-dont-lie/standings/{season}/{date}/{ts}.json",
        not_yet: BDL_EMPTY,
        ..def("bdl_standings", "balldontlie standings", "balldontlie", "/v1/standings?season={season_year}")
    },
    ScraperDef {
        auth: ODDS_AUTH,
        landing: "odds-api/player-props/{date}/{event_id}-{teams}/{ts}-snap-{snap}.json",
        // Before the market opens: 404/422 for the event, or no bookmakers yet.
        not_yet: NotYet { statuses: &[404, 422], empty: &["/bookmakers", "/data/bookmakers"] },
        plan: Plan::List(ListStep {
            host: "odds_api",
            url: "/v4/sports/basketball_nba/events?commenceTimeFrom={et_start_utc}&commenceTimeTo={et_end_utc}",
            headers: JSON_HEADERS,
            extract: extract::odds_events,
            not_yet: NotYet::NEVER,
        }),
        ..def(
            "oddsa_player_props",
            "The Odds API events, then each event's player_points odds",
            "odds_api",
            "/v4/sports/basketball_nba/events/{event_id}/odds?regions=us&markets=player_points&oddsFormat=american",
        )
    },
    ScraperDef {
        auth: ODDS_AUTH,
        landing: "odds-api/player-props-history/{date}/{event_id}-{teams}/{snapshot_ts}-snap-{snapshot_snap}.json",
        not_yet: NotYet { statuses: &[404, 422], empty: &["/data/bookmakers", "/bookmakers"] },
        plan: Plan::List(ListStep {
            host: "odds_api",
            url: "/v4/historical/sports/basketball_nba/events?date={snapshot_iso}&commenceTimeFrom={et_start_utc}\
                  &commenceTimeTo={et_end_utc}",
            headers: JSON_HEADERS,
            extract: extract::odds_events,
            not_yet: NotYet::NEVER,
        }),
        ..def(
            "oddsa_player_props_his",
            "The Odds API historical events, then each event's player_points odds at one snapshot (backfills)",
            "odds_api",
            "/v4/historical/sports/basketball_nba/events/{event_id}/odds?date={snapshot_iso}&regions=us\
             &markets=player_points&oddsFormat=american",
        )
    },
    ScraperDef {
        auth: ODDS_AUTH,
        landing: "odds-api/game-lines/{date}/{ts}.json",
        // One call for the date's events; `[]` until the books post lines.
        not_yet: NotYet { statuses: &[], empty: &["", "/data"] },
        ..def(
            "oddsa_game_lines",
            "The Odds API game lines (h2h, spreads, totals; decimal prices) for the date's events",
            "odds_api",
            "/v4/sports/basketball_nba/odds?regions=us&markets=h2h,spreads,totals&oddsFormat=decimal\
             &commenceTimeFrom={et_start_utc}&commenceTimeTo={et_end_utc}",
        )
    },
    ScraperDef {
        landing: "espn/scoreboard/{date}/{ts}.json",
        not_yet: NotYet { statuses: &[], empty: &["/events"] },
        ..def(
            "espn_scoreboard_api",
            "ESPN scoreboard API",
            "espn_api",
            "/apis/site/v2/sports/basketball/nba/scoreboard?dates={date_compact}",
        )
    },
    ScraperDef {
        headers: PAGE_HEADERS,
        landing: "espn/boxscores/{date}/game_{espn_game_id}/{ts}.json",
        body: Body::Html,
        not_yet: NotYet { statuses: &[404], empty: &[] },
        plan: Plan::List(ListStep {
            host: "espn_api",
            url: "/apis/site/v2/sports/basketball/nba/scoreboard?dates={date_compact}",
            headers: JSON_HEADERS,
            extract: extract::espn_events,
            not_yet: NotYet::NEVER,
        }),
        ..def(
            "espn_game_boxscore",
            "ESPN box-score page, per game of the ESPN scoreboard",
            "espn_web",
            "/nba/boxscore/_/gameId/{espn_game_id}",
        )
    },
    ScraperDef {
        auth: Auth::Header { name: "x-api-key", env: "BETTINGPROS_API_KEY", required: false },
        landing: "bettingpros/player-props/points/{date}/{ts}.json",
        not_yet: NotYet { statuses: &[], empty: &["/offers"] },
        plan: Plan::List(ListStep {
            host: "bettingpros",
            url: "/v3/events?sport=NBA&date={date}",
            headers: JSON_HEADERS,
            extract: extract::bettingpros_events,
            not_yet: NotYet { statuses: &[], empty: &["/events"] },
        }),
        ..def(
            "bp_player_props",
            "BettingPros points offers (market 156) for the date's events",
            "bettingpros",
            "/v3/offers?sport=NBA&market_id=156&event_id={bp_event_ids}&location=ALL&limit=250",
        )
    },
    ScraperDef {
        headers: PAGE_HEADERS,
        landing: "basketball-ref/season-rosters/{season}/{team}.json",
        body: Body::Html,
        plan: Plan::Teams,
        transform: Some(extract::br_roster_json),
        ..def(
            "br_season_roster",
            "Basketball-Reference season roster page, per team",
            "basketball_reference",
            "/teams/{br_team}/{season_end}.html",
        )
    },
    ScraperDef {
        auth: Auth::Account { env: "BIGDATABALL_CREDENTIALS" },
        landing: "big-data-ball/{season}/{date}/game_{game_id}/{file}.csv",
        ..def("bigdataball_pbp", "BigDataBall enhanced play-by-play (account download)", "bigdataball", "/")
    },
];

/// Every declared scraper.
pub fn catalog() -> &'static [ScraperDef] {
    CATALOG
}

/// The scraper named `name`.
pub fn find(name: &str) -> Option<&'static ScraperDef> {
    CATALOG.iter().find(|d| d.name == name)
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
            assert!(path.contains(&v.0["date"]) || path.contains(&v.0["season"]), "{}: {path} has no date", d.name);
        }
    }
}
