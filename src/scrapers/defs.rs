//! The catalogue's table: one [`ScraperDef`] per scraper (types and rules in [`super::catalog`]).
//!
//! Invariant: checked by `catalog::tests`: names are unique, every host key is declared, every URL and
//! landing template fills from the run's and the plan's variables, and every landing path routes to a raw
//! processor of `config/pipeline.toml`.

use super::catalog::{Auth, Body, ListStep, NotYet, Paging, Plan, ScraperDef};
use super::extract;

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
        alternates: None,
    }
}

pub const CATALOG: &[ScraperDef] = &[
    ScraperDef {
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/player-boxscores/{date}/{ts}.json",
        // Games not finished yet: the log for the date is an empty rowSet. From April to June an empty
        // regular-season log may be a play-in or playoff date: those season types are tried next.
        not_yet: ROWSET_EMPTY,
        alternates: Some(extract::postseason_types),
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
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/player-list/{date}/{ts}.json",
        not_yet: ROWSET_EMPTY,
        ..def(
            "nbac_player_list",
            "NBA.com stats playerindex (the season's players)",
            "stats_nba",
            "/stats/playerindex?Historical=0&LeagueID=00&Season={season}",
        )
    },
    ScraperDef {
        headers: NBA_STATS_HEADERS,
        landing: "nba-com/player-movement/{date}/{ts}.json",
        not_yet: NotYet { statuses: &[], empty: &["/NBA_Player_Movement/rows"] },
        ..def(
            "nbac_player_movement",
            "NBA.com player movement (transactions, the whole history)",
            "stats_nba",
            "/js/data/playermovement/NBA_Player_Movement.json",
        )
    },
    ScraperDef {
        headers: NBA_CDN_HEADERS,
        landing: "nba-com/referee-assignments/{date}/{ts}.json",
        // Assignments are posted at 9 am ET on game day: before that the day's table is empty.
        not_yet: NotYet { statuses: &[], empty: &["/nba/Table/rows"] },
        ..def(
            "nbac_referee_assignments",
            "NBA official.nba.com referee assignments of the day",
            "official_nba",
            "/wp-json/api/v1/get-game-officials?&date={date}",
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
        landing: "espn/rosters/{date}/team_{team}/{ts}.json",
        plan: Plan::Teams,
        not_yet: NotYet { statuses: &[], empty: &["/team/athletes"] },
        ..def(
            "espn_team_roster",
            "ESPN site API team roster, per team",
            "espn_api",
            "/apis/site/v2/sports/basketball/nba/teams/{espn_team}?enable=roster",
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
