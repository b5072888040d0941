//! Phase 1 HTTP scrapers against a local HTTP/1.1 server (tokio, in this file) serving the real captures
//! (`../shared/fixtures/nba`): the right bytes land at the right path, are announced on the Phase 1 topic
//! and parse in the raw processor their path routes to; retries on 429 (Retry-After) and 5xx; not yet
//! published is not an error; other 4xx are final; timeouts are typed; the per-host limiter spaces requests
//! and leaves other hosts alone; a missing key makes no request; multi-step runs (schedule → games, Odds
//! events → odds, ESPN scoreboard → pages, cursor pages, per team) share one correlation id; the
//! `hoopflow scrape` command end to end.

mod shared;

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

use hoopflow::backends::embedded::open_home;
use hoopflow::backends::{Backends, SubscriptionSpec, SystemClock};
use hoopflow::domain::SlateDate;
use hoopflow::processors::{builtin_registry, ProcessorInput, TableWrite};
use hoopflow::scrapers::catalog::HOSTS;
use hoopflow::scrapers::{
    BaseUrls, Credentials, Fetcher, HttpConfig, Request, ScrapeError, ScrapeRequest, ScrapeSummary, Scraper,
};
use hoopflow::sources::{Announcer, PHASE1_TOPIC};

// ── the local server ─────────────────────────────────────────────────────────────────────────────────────────

#[derive(Clone, Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Resp {
    fn ok(body: Vec<u8>) -> Self {
        Resp { status: 200, headers: Vec::new(), body, delay: Duration::ZERO }
    }
    fn status(status: u16) -> Self {
        Resp { status, ..Resp::ok(Vec::new()) }
    }
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

#[derive(Clone, Debug)]
struct Hit {
    target: String,
    at: Instant,
    headers: BTreeMap<String, String>,
}

/// Routes are prefixes of the request target (path and query), longest first; a route answers its scripted
/// responses in order and repeats the last one. Unrouted targets get 404.
type Routes = Arc<Mutex<Vec<(String, VecDeque<Resp>)>>>;

#[derive(Clone, Default)]
struct Server {
    addr: Option<SocketAddr>,
    routes: Routes,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Server {
    async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s = Server { addr: Some(listener.local_addr().unwrap()), ..Default::default() };
        let (routes, hits) = (s.routes.clone(), s.hits.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, routes.clone(), hits.clone()));
            }
        });
        s
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr.unwrap())
    }

    fn route(&self, prefix: &str, script: Vec<Resp>) {
        let mut r = self.routes.lock().unwrap();
        r.retain(|(p, _)| p != prefix);
        r.push((prefix.to_string(), script.into()));
        r.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }

    fn hits(&self, prefix: &str) -> Vec<Hit> {
        self.hits.lock().unwrap().iter().filter(|h| h.target.starts_with(prefix)).cloned().collect()
    }

    fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().len()
    }
}

async fn serve(mut sock: tokio::net::TcpStream, routes: Routes, hits: Arc<Mutex<Vec<Hit>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let target = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    hits.lock().unwrap().push(Hit { target: target.clone(), at, headers });
    let resp = {
        let mut r = routes.lock().unwrap();
        match r.iter_mut().find(|(p, _)| target.starts_with(p.as_str())) {
            Some((_, q)) if q.len() > 1 => q.pop_front().unwrap(),
            Some((_, q)) => q.front().cloned().unwrap_or(Resp::status(404)),
            None => Resp::status(404),
        }
    };
    tokio::time::sleep(resp.delay).await;
    let mut out = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", resp.status, resp.body.len());
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = sock.write_all(out.as_bytes()).await;
    let _ = sock.write_all(&resp.body).await;
    let _ = sock.shutdown().await;
}

// ── harness ──────────────────────────────────────────────────────────────────────────────────────────────────

const SUB: &str = "test-phase1";

fn fast_http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_millis(300),
        max_retries: 3,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
        default_interval: Duration::ZERO,
        intervals: BTreeMap::new(),
        user_agent: "hoopflow-test".into(),
    }
}

struct Env {
    _dir: tempfile::TempDir,
    b: Backends,
    server: Server,
    scraper: Scraper,
}

async fn env_with(http: HttpConfig, creds: Credentials) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let b = open_home(dir.path(), Arc::new(SystemClock)).unwrap();
    b.bus.ensure_topic(PHASE1_TOPIC).await.unwrap();
    b.bus.ensure_subscription(&SubscriptionSpec::new(SUB, PHASE1_TOPIC)).await.unwrap();
    let server = Server::start().await;
    let bases = HOSTS.iter().fold(BaseUrls::defaults(), |acc, (h, ..)| acc.with(h, &server.url()));
    let announcer = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let scraper = Scraper::new(Arc::new(Fetcher::new(http).unwrap()), announcer, bases, creds);
    Env { _dir: dir, b, server, scraper }
}

fn keys() -> Credentials {
    Credentials::none().with("BALLDONTLIE_API_KEY", "bdl-key").with("ODDS_API_KEY", "odds-secret")
}

async fn env() -> Env {
    env_with(fast_http(), keys()).await
}

fn date(s: &str) -> SlateDate {
    s.parse().unwrap()
}

async fn run(e: &Env, name: &str, d: &str) -> ScrapeSummary {
    e.scraper.run(&ScrapeRequest::new(name, date(d))).await.unwrap()
}

/// Every Phase 1 message published so far (acked).
async fn phase1_messages(b: &Backends) -> Vec<Value> {
    let got = b.bus.pull(SUB, 100, Duration::from_millis(50)).await.unwrap();
    let ids: Vec<String> = got.iter().map(|m| m.ack_id.clone()).collect();
    b.bus.ack(SUB, &ids).await.unwrap();
    got.iter().map(|m| serde_json::from_slice(&m.data).unwrap()).collect()
}

fn is_ts_file(name: &str, ext: &str) -> bool {
    let stem = name.strip_suffix(ext).unwrap_or("");
    let b = stem.as_bytes();
    stem.len() >= 15 && b[8] == b'_' && stem[..8].bytes().chain(stem[9..15].bytes()).all(|c| c.is_ascii_digit())
}

/// The real 2024-25 schedule cut to 15 January 2025 (its 11 games), gzip-compressed as the CDN serves it;
/// cut once per test binary (the whole season is 2.7 MB of JSON).
fn schedule_of_jan_15_gz() -> Option<Vec<u8>> {
    static CUT: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    CUT.get_or_init(|| {
        let gz = shared::fixture("nbac_schedule_api/raw_80cb1fd6.json.gz")?;
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut text).unwrap();
        let mut v: Value = serde_json::from_slice(&text).unwrap();
        let days = v["leagueSchedule"]["gameDates"].as_array().unwrap();
        let day: Vec<Value> =
            days.iter().filter(|d| d["gameDate"].as_str().unwrap().starts_with("01/15/2025")).cloned().collect();
        v["leagueSchedule"]["gameDates"] = Value::Array(day);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&serde_json::to_vec(&v).unwrap()).unwrap();
        Some(enc.finish().unwrap())
    })
    .clone()
}

/// Phase 2 on a landed object: the raw processor its path routes to (longest `path_prefix` of the shipped
/// topology) parses it; the rows it would write. `None` when that processor is not in this build.
async fn phase2_rows(e: &Env, path: &str) -> Option<usize> {
    let t = hoopflow::topology::load_str(hoopflow::cli::home::BUILTIN_TOPOLOGY, "pipeline.toml").unwrap();
    let decl = t
        .processors
        .iter()
        .filter(|p| p.path_prefix.as_deref().is_some_and(|pre| path.starts_with(pre)))
        .max_by_key(|p| p.path_prefix.as_ref().map_or(0, String::len))
        .unwrap_or_else(|| panic!("no raw processor routes {path}"));
    let p = builtin_registry().get(&decl.name)?;
    let object = e.b.landing.get(path).await.unwrap();
    let input = ProcessorInput { object: Some(object), ..Default::default() };
    let out = p.compute(&input).unwrap_or_else(|err| panic!("{} on {path}: {err}", decl.name));
    Some(
        out.writes
            .iter()
            .map(|w| match w {
                TableWrite::ReplacePartition { rows, .. }
                | TableWrite::ReplaceSlice { rows, .. }
                | TableWrite::Upsert { rows, .. } => rows.len(),
            })
            .sum(),
    )
}

/// Arrival times `at` (sorted) are spaced by `interval`: each gap, and the whole span, within a tolerance for
/// the arrival jitter of a loaded machine (the limiter spaces the sends; arrivals may lag by a few ms).
fn assert_paced(at: &[Instant], interval: Duration) {
    let tol = Duration::from_millis(30);
    assert!(at.len() >= 3, "{} requests", at.len());
    for w in at.windows(2) {
        assert!(
            w[1] - w[0] >= interval - tol,
            "gap {:?} < {interval:?} in {:?}",
            w[1] - w[0],
            at.iter().map(|t| *t - at[0]).collect::<Vec<_>>()
        );
    }
    let span = at[at.len() - 1] - at[0];
    assert!(span + tol >= interval * (at.len() as u32 - 1), "span {span:?} for {} requests", at.len());
}

// ── tests ────────────────────────────────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn leaguegamelog_is_fetched_with_browser_headers_landed_and_announced() {
    let Some(raw) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let e = env().await;
    e.server.route("/stats/leaguegamelog", vec![Resp::ok(raw.clone()).header("Content-Type", "application/json")]);
    let s = run(&e, "nbac_player_boxscore", "2025-03-15").await;
    assert!(s.errors.is_empty() && s.not_published.is_empty(), "{s:?}");
    assert_eq!(s.landed.len(), 1);
    let path = &s.landed[0].path;
    let file = path.strip_prefix("nba-com/player-boxscores/2025-03-15/").expect("landing path");
    assert!(is_ts_file(file, ".json"), "{path}");
    assert_eq!(e.b.landing.get(path).await.unwrap().data, raw, "the bytes as served");

    let hit = &e.server.hits("/stats/leaguegamelog")[0];
    assert!(hit.target.contains("DateFrom=2025-03-15") && hit.target.contains("PlayerOrTeam=P"), "{}", hit.target);
    assert!(hit.target.contains("Season=2024-25"), "{}", hit.target);
    assert_eq!(hit.headers.get("referer").map(String::as_str), Some("https://www.nba.com/"));
    assert_eq!(hit.headers.get("origin").map(String::as_str), Some("https://www.nba.com"));
    assert!(hit.headers.get("user-agent").is_some_and(|u| u.starts_with("Mozilla/5.0")));
    assert!(hit.headers.get("accept").is_some_and(|a| a.contains("application/json")));

    let msgs = phase1_messages(&e.b).await;
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m["metadata"]["gcs_path"], Value::String(format!("gs://nba-scraped-data/{path}")));
    assert_eq!(m["processor_name"], "nbac_player_boxscore");
    assert_eq!(m["correlation_id"], m["execution_id"], "a one-object run correlates on its execution id");
    assert_eq!(Some(m["execution_id"].as_str().unwrap().to_string()), s.correlation_id);
    assert_eq!(phase2_rows(&e, path).await, Some(157), "Phase 2 reads it: the 157 player-games of 2025-03-15");
}

#[tokio::test]
async fn a_playoff_date_falls_back_from_the_empty_regular_season_log() {
    let Some(raw) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let mut empty: Value = serde_json::from_slice(&raw).unwrap();
    empty["resultSets"][0]["rowSet"] = Value::Array(Vec::new());
    let empty = serde_json::to_vec(&empty).unwrap();
    let e = env().await;
    let base = "/stats/leaguegamelog?Counter=1000&DateFrom=2025-05-10&DateTo=2025-05-10&Direction=DESC&LeagueID=00\
                &PlayerOrTeam=P&Season=2024-25&SeasonType=";
    e.server.route(base, vec![Resp::ok(empty.clone())]);
    e.server.route(&format!("{base}Playoffs"), vec![Resp::ok(raw.clone())]);
    let s = run(&e, "nbac_player_boxscore", "2025-05-10").await;
    assert_eq!((s.landed.len(), s.not_published.len(), s.errors.len()), (1, 0, 0), "{s:?}");
    let tried: Vec<String> = e.server.hits(base).iter().map(|h| h.target[base.len()..].to_string()).collect();
    assert_eq!(tried, ["Regular%20Season&Sorter=DATE", "PlayIn&Sorter=DATE", "Playoffs&Sorter=DATE"]);

    // In January an empty log is simply not published yet: one request.
    e.server.route("/stats/leaguegamelog", vec![Resp::ok(empty)]);
    let jan = run(&e, "nbac_player_boxscore", "2025-01-10").await;
    assert_eq!((jan.landed.len(), jan.not_published.len()), (0, 1));
    assert_eq!(e.server.hits("/stats/leaguegamelog").len(), 4);
}

#[tokio::test]
async fn retries_429_with_retry_after_and_5xx_then_succeeds() {
    let Some(raw) = shared::fixture("bdl_box_scores/raw_7a649e12.json") else { return };
    let e = env().await;
    e.server.route(
        "/v1/box_scores",
        vec![Resp::status(429).header("Retry-After", "1"), Resp::status(503), Resp::ok(raw.clone())],
    );
    let s = run(&e, "bdl_box_scores", "2024-01-15").await;
    assert!(s.errors.is_empty(), "{s:?}");
    let hits = e.server.hits("/v1/box_scores");
    assert_eq!(hits.len(), 3, "429, 503, then 200");
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(950), "Retry-After: 1 honoured");
    assert!(hits.iter().all(|h| h.headers.get("authorization").map(String::as_str) == Some("bdl-key")));
    assert!(hits[0].target.contains("date=2024-01-15"));
    let path = &s.landed[0].path;
    assert!(path.starts_with("ball-dont-lie/boxscores/2024-01-15/"), "{path}");
    assert_eq!(e.b.landing.get(path).await.unwrap().data, raw);
    assert_eq!(phase1_messages(&e.b).await.len(), 1);
    assert!(phase2_rows(&e, path).await.is_some_and(|n| n > 200), "11 games of player lines");
}

#[tokio::test]
async fn final_statuses_after_retries_or_at_once() {
    let e = env().await;
    e.server.route("/v1/standings", vec![Resp::status(500)]);
    e.server.route("/stats/scoreboardv2", vec![Resp::status(400)]);
    e.server.route("/v1/box_scores", vec![Resp::status(429).header("Retry-After", "3600")]);
    // (scraper, date, status, requests): 5xx is retried max_retries times; a 400 and a Retry-After beyond the
    // limit end at the first answer.
    for (name, d, status, requests, prefix) in [
        ("bdl_standings", "2025-01-15", 500, 4, "/v1/standings"),
        ("nbac_scoreboard_v2", "2024-01-15", 400, 1, "/stats/scoreboardv2"),
        ("bdl_box_scores", "2025-01-15", 429, 1, "/v1/box_scores"),
    ] {
        let s = run(&e, name, d).await;
        assert!(matches!(s.errors.as_slice(), [ScrapeError::Http { status: st, .. }] if *st == status), "{s:?}");
        assert_eq!(e.server.hits(prefix).len(), requests, "{name}");
        assert!(s.landed.is_empty() && s.not_published.is_empty());
    }
    assert!(phase1_messages(&e.b).await.is_empty());
}

#[tokio::test]
async fn injury_report_posted_lands_and_not_posted_is_not_published_yet() {
    let Some(pdf) = shared::fixture("nbac_injury_report/raw_f4391904.pdf") else { return };
    let e = env().await;
    e.server.route("/referee/injury/Injury-Report_2025-03-15_05PM.pdf", vec![Resp::ok(pdf.clone())]);
    e.server.route("/referee/injury/Injury-Report_2025-03-15_06PM.pdf", vec![Resp::status(404)]);
    e.server.route("/referee/injury/Injury-Report_2025-03-15_07PM.pdf", vec![Resp::status(403)]);

    let posted = run(&e, "nbac_injury_report", "2025-03-15").await; // default hour 17 = 05PM ET
    let path = &posted.landed[0].path;
    assert!(path.starts_with("nba-com/injury-report-data/2025-03-15/17/") && path.ends_with(".pdf"), "{path}");
    assert_eq!(e.b.landing.get(path).await.unwrap().data, pdf);
    assert!(phase2_rows(&e, path).await.is_some_and(|n| n > 0), "the injury report parser reads the PDF");

    for hour in [18, 19] {
        let mut req = ScrapeRequest::new("nbac_injury_report", date("2025-03-15"));
        req.hour = Some(hour);
        let s = e.scraper.run(&req).await.unwrap();
        assert!(s.errors.is_empty() && s.landed.is_empty(), "{s:?}");
        assert!(matches!(s.not_published.as_slice(), [ScrapeError::NotPublishedYet { .. }]), "{s:?}");
    }
    assert_eq!(e.server.hits("/referee/injury/Injury-Report_2025-03-15_06PM").len(), 1, "a 404 is not retried");

    // Since 2025-12-22 the reports are every 15 minutes: `Injury-Report_{date}_05_30PM.pdf`.
    e.server.route("/referee/injury/Injury-Report_2026-03-18_05_30PM.pdf", vec![Resp::ok(pdf.clone())]);
    let mut req = ScrapeRequest::new("nbac_injury_report", date("2026-03-18"));
    req.minute = Some(30);
    let quarter = e.scraper.run(&req).await.unwrap();
    assert!(quarter.landed[0].path.starts_with("nba-com/injury-report-data/2026-03-18/17/"), "{quarter:?}");
    assert_eq!(phase1_messages(&e.b).await.len(), 2, "only the posted reports are announced");
}

#[tokio::test]
async fn empty_results_are_not_published_yet_and_empty_bodies_invalid() {
    let (Some(raw), Some(empty_bdl)) = (
        shared::fixture("nbac_player_boxscore/raw_2ad17718.json"),
        shared::fixture("bdl_box_scores/raw_d62cc934.json"),
    ) else {
        return;
    };
    let mut log: Value = serde_json::from_slice(&raw).unwrap();
    log["resultSets"][0]["rowSet"] = Value::Array(Vec::new());
    let e = env().await;
    e.server.route("/stats/leaguegamelog", vec![Resp::ok(serde_json::to_vec(&log).unwrap())]);
    e.server.route("/v1/box_scores", vec![Resp::ok(empty_bdl)]);
    e.server.route("/apis/site/v2/sports/basketball/nba/scoreboard", vec![Resp::ok(Vec::new())]);
    e.server.route("/referee/injury/", vec![Resp::ok(b"<html>maintenance</html>".to_vec())]);

    for name in ["nbac_player_boxscore", "bdl_box_scores"] {
        let s = run(&e, name, "2025-03-15").await;
        assert!(s.landed.is_empty() && s.errors.is_empty(), "{name}: {s:?}");
        assert!(matches!(s.not_published.as_slice(), [ScrapeError::NotPublishedYet { .. }]), "{name}: {s:?}");
    }
    for name in ["espn_scoreboard_api", "nbac_injury_report"] {
        let s = run(&e, name, "2025-03-15").await;
        assert!(matches!(s.errors.as_slice(), [ScrapeError::Invalid { .. }]), "{name}: {s:?}");
    }
    assert!(phase1_messages(&e.b).await.is_empty(), "nothing landed, nothing announced");
}

#[tokio::test]
async fn a_slow_answer_is_a_typed_timeout_after_retries() {
    let e = env_with(HttpConfig { max_retries: 1, ..fast_http() }, keys()).await;
    e.server.route("/v1/standings", vec![Resp::ok(b"{\"data\":[]}".to_vec()).delay(Duration::from_millis(1500))]);
    let t0 = Instant::now();
    let s = run(&e, "bdl_standings", "2025-01-15").await;
    assert!(matches!(s.errors.as_slice(), [ScrapeError::Timeout { .. }]), "{s:?}");
    assert_eq!(e.server.hits("/v1/standings").len(), 2, "timeouts are transient: retried once");
    assert!(t0.elapsed() < Duration::from_millis(1400), "the client gave up at its timeout");
}

#[tokio::test]
async fn per_host_limiter_spaces_requests_and_leaves_other_hosts_alone() {
    let slow = Server::start().await;
    let fast = Server::start().await;
    for s in [&slow, &fast] {
        s.route("/", vec![Resp::ok(b"{}".to_vec())]);
    }
    let interval = Duration::from_millis(100);
    let slow_key = slow.addr.unwrap().to_string();
    let f = Arc::new(Fetcher::new(fast_http().with_interval(&slow_key, interval)).unwrap());
    let mut tasks = Vec::new();
    for i in 0..4 {
        for (s, tag) in [(&slow, "slow"), (&fast, "fast")] {
            let (f, url) = (f.clone(), format!("{}/{tag}/{i}", s.url()));
            tasks.push(tokio::spawn(async move { f.fetch(&Request::get(url)).await }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut at: Vec<Instant> = slow.hits("/slow").iter().map(|h| h.at).collect();
    at.sort();
    assert_eq!(at.len(), 4);
    assert_paced(&at, interval);
    let mut fast_at: Vec<Instant> = fast.hits("/fast").iter().map(|h| h.at).collect();
    fast_at.sort();
    assert_eq!(fast_at.len(), 4);
    assert!(fast_at[3] - fast_at[0] < interval, "the other host is not slowed: {:?}", fast_at[3] - fast_at[0]);
}

#[tokio::test]
async fn a_retry_after_pauses_the_host_for_every_caller() {
    let (paused, other) = (Server::start().await, Server::start().await);
    paused.route("/", vec![Resp::status(429).header("Retry-After", "1"), Resp::ok(b"{}".to_vec())]);
    other.route("/", vec![Resp::ok(b"{}".to_vec())]);
    let f = Fetcher::new(HttpConfig { max_retries: 0, ..fast_http() }).unwrap();
    let first = f.fetch(&Request::get(format!("{}/a", paused.url()))).await;
    assert!(matches!(first, Err(ScrapeError::Http { status: 429, .. })), "{first:?}");
    let t0 = Instant::now();
    f.fetch(&Request::get(format!("{}/x", other.url()))).await.unwrap();
    assert!(t0.elapsed() < Duration::from_millis(500), "another host is not paused");
    f.fetch(&Request::get(format!("{}/b", paused.url()))).await.unwrap();
    let hits = paused.hits("/");
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(950), "the next caller waited out the Retry-After");
}

#[tokio::test]
async fn missing_keys_fail_before_any_request() {
    let e = env_with(fast_http(), Credentials::none()).await;
    for (name, env) in [
        ("bdl_box_scores", "BALLDONTLIE_API_KEY"),
        ("oddsa_player_props", "ODDS_API_KEY"),
        ("bigdataball_pbp", "BIGDATABALL_CREDENTIALS"),
    ] {
        let r = e.scraper.run(&ScrapeRequest::new(name, date("2025-03-09"))).await;
        assert_eq!(r.err(), Some(ScrapeError::MissingKey { env: env.into() }), "{name}");
    }
    let with_account = env_with(fast_http(), Credentials::none().with("BIGDATABALL_CREDENTIALS", "x")).await;
    let r = with_account.scraper.run(&ScrapeRequest::new("bigdataball_pbp", date("2025-06-22"))).await;
    assert!(matches!(r, Err(ScrapeError::Unsupported { .. })), "{r:?}");
    assert_eq!(e.server.total_hits() + with_account.server.total_hits(), 0);
    assert!(matches!(
        e.scraper.run(&ScrapeRequest::new("nope", date("2025-03-09"))).await,
        Err(ScrapeError::UnknownScraper(_))
    ));
}

#[tokio::test]
async fn odds_events_then_each_event_under_one_correlation_id() {
    let (Some(events), Some(odds)) = (
        shared::fixture("oddsa_events_his/raw_aaf97612.json"),
        shared::fixture("_history/oddsa_player_props_his_raw_4fd911e4.json"),
    ) else {
        return;
    };
    let ev: Value = serde_json::from_slice(&events).unwrap();
    let second = ev["data"][1]["id"].as_str().unwrap().to_string();
    let e = env().await;
    e.server.route("/v4/sports/basketball_nba/events?", vec![Resp::ok(events)]);
    e.server.route("/v4/sports/basketball_nba/events/", vec![Resp::ok(odds.clone())]);
    e.server.route(&format!("/v4/sports/basketball_nba/events/{second}/odds"), vec![Resp::status(422)]);

    let s = run(&e, "oddsa_player_props", "2025-03-09").await;
    // Six events tip off on 9 March (ET); the second's market is not open yet.
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!((s.landed.len(), s.not_published.len()), (5, 1), "{s:?}");
    let listing = &e.server.hits("/v4/sports/basketball_nba/events?")[0].target;
    assert!(listing.contains("commenceTimeFrom=2025-03-09T05:00:00Z") && listing.contains("apiKey=odds-secret"));
    let first = &e.server.hits("/v4/sports/basketball_nba/events/")[0].target;
    assert!(
        first.contains("markets=player_points")
            && first.contains("regions=us")
            && first.contains("oddsFormat=american")
    );
    assert!(!format!("{s:?}").contains("odds-secret"), "the key is redacted from outcomes");

    let p = &s.landed[0].path;
    assert!(p.starts_with("odds-api/player-props/2025-03-09/242c77a8d5890e18bab91773ad32fcb5-MEMNOP/"), "{p}");
    assert!(p.contains("-snap-") && p.ends_with(".json"), "{p}");
    assert_eq!(e.b.landing.get(p).await.unwrap().data, odds);
    assert!(phase2_rows(&e, p).await.is_some_and(|n| n > 0), "the props parser reads the landed snapshot");
    let msgs = phase1_messages(&e.b).await;
    assert_eq!(msgs.len(), 5);
    let corr = s.correlation_id.clone().unwrap();
    assert!(msgs.iter().all(|m| m["correlation_id"] == Value::String(corr.clone())), "one correlation id");
    assert_eq!(msgs[0]["execution_id"], Value::String(corr), "the first object's execution id");

    // Game lines: one call for the date's events.
    let Some(lines) = shared::fixture("oddsa_game_lines_his/raw_b722994c.json") else { return };
    e.server.route("/v4/sports/basketball_nba/odds?", vec![Resp::ok(lines)]);
    let gl = run(&e, "oddsa_game_lines", "2024-01-24").await;
    assert!(gl.landed[0].path.starts_with("odds-api/game-lines/2024-01-24/"), "{gl:?}");
    assert!(e.server.hits("/v4/sports/basketball_nba/odds?")[0].target.contains("markets=h2h,spreads,totals"));
    assert!(phase2_rows(&e, &gl.landed[0].path).await.is_some_and(|n| n > 0), "the game-lines parser reads it");
    e.server.route("/v4/sports/basketball_nba/odds?", vec![Resp::ok(b"[]".to_vec())]);
    assert_eq!(run(&e, "oddsa_game_lines", "2024-01-24").await.not_published.len(), 1, "no lines posted yet");

    // The history endpoints (backfills): one snapshot, landed under `player-props-history/` at its own time.
    let (events, odds) = (e.server.hits("/v4/sports/basketball_nba/events?").len(), odds.clone());
    e.server.route("/v4/historical/sports/basketball_nba/events?", vec![Resp::ok(serde_json::to_vec(&ev).unwrap())]);
    e.server.route("/v4/historical/sports/basketball_nba/events/", vec![Resp::ok(odds)]);
    let h = run(&e, "oddsa_player_props_his", "2025-03-09").await;
    assert_eq!((h.landed.len(), events), (6, 1), "{h:?}");
    let hp = &h.landed[0].path;
    assert!(hp.starts_with("odds-api/player-props-history/2025-03-09/242c77a8d5890e18bab91773ad32fcb5-MEMNOP/"));
    assert!(hp.ends_with("/20250309_170000-snap-1700.json"), "{hp}");
    assert!(e.server.hits("/v4/historical/sports/basketball_nba/events/")[0]
        .target
        .contains("date=2025-03-09T17:00:00Z"));
    assert!(phase2_rows(&e, hp).await.is_some_and(|n| n > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_discovery_gzip_and_per_game_boxscores_paced_per_host() {
    let (Some(schedule_gz), Some(boxscore)) =
        (schedule_of_jan_15_gz(), shared::fixture("nbac_team_boxscore/raw_12f99055.json"))
    else {
        return;
    };
    // The catalogue's host keys carry the configured pace: NBA.com stats 80 ms apart here.
    let interval = Duration::from_millis(80);
    let e = env_with(fast_http().with_interval("stats_nba", interval), keys()).await;
    e.server.route(
        "/static/json/staticData/scheduleLeagueV2.json",
        vec![Resp::ok(schedule_gz).header("Content-Encoding", "gzip").header("Content-Type", "application/json")],
    );
    e.server.route("/stats/boxscoretraditionalv2", vec![Resp::ok(boxscore.clone())]);
    let s = run(&e, "nbac_team_boxscore", "2025-01-15").await;
    assert!(s.errors.is_empty() && s.not_published.is_empty(), "{s:?}");
    assert_eq!(s.landed.len(), 11, "the 11 games of 15 January 2025");
    assert!(s.landed.iter().any(|l| l.path.starts_with("nba-com/team-boxscore/2025-01-15/0022400561/")));
    let hits = e.server.hits("/stats/boxscoretraditionalv2");
    assert!(hits.iter().any(|h| h.target.contains("GameID=0022400561")));
    assert!(hits.iter().all(|h| h.headers.get("x-nba-stats-origin").map(String::as_str) == Some("stats")));
    assert_paced(&hits.iter().map(|h| h.at).collect::<Vec<_>>(), interval);
    assert_eq!(e.b.landing.get(&s.landed[0].path).await.unwrap().data, boxscore);
    let own = s.landed.iter().find(|l| l.path.contains("/0022400561/")).unwrap();
    assert!(phase2_rows(&e, &own.path).await.is_some_and(|n| n > 0), "the team box-score parser reads its game");
    assert_eq!(phase1_messages(&e.b).await.len(), 11);
}

#[tokio::test]
async fn cursor_pages_land_as_separate_objects() {
    let Some(raw) = shared::fixture("bdl_active_players/raw_ac3e7bd3.json") else { return };
    let mut last: Value = serde_json::from_slice(&raw).unwrap();
    last["meta"] = serde_json::json!({"per_page": 100});
    let last = serde_json::to_vec(&last).unwrap();
    let e = env().await;
    e.server.route("/v1/players/active", vec![Resp::ok(raw.clone())]);
    e.server.route("/v1/players/active?per_page=100&cursor=277", vec![Resp::ok(last.clone())]);
    let s = run(&e, "bdl_active_players", "2025-01-15").await;
    assert_eq!(s.landed.len(), 2, "{s:?}");
    assert!(s.landed[1].path.ends_with("_p2.json") && s.landed[1].path.starts_with("ball-dont-lie/active-players/"));
    assert_eq!(e.b.landing.get(&s.landed[1].path).await.unwrap().data, last);
    for l in &s.landed {
        assert_eq!(phase2_rows(&e, &l.path).await, Some(100), "{}: one page, 100 players", l.path);
    }
}

#[tokio::test]
async fn espn_scoreboard_then_each_game_page() {
    let (Some(board), Some(page_gz), Some(empty_board)) = (
        shared::fixture("espn_scoreboard_api/raw_92de7c9a.json"),
        shared::fixture("espn_game_boxscore/raw_6f34c64b.html.gz"),
        shared::fixture("espn_scoreboard_api/raw_20250214.json"),
    ) else {
        return;
    };
    let mut page = Vec::new();
    flate2::read::GzDecoder::new(page_gz.as_slice()).read_to_end(&mut page).unwrap();
    let e = env().await;
    e.server.route("/apis/site/v2/sports/basketball/nba/scoreboard?dates=20240115", vec![Resp::ok(board.clone())]);
    e.server.route("/apis/site/v2/sports/basketball/nba/scoreboard?dates=20250214", vec![Resp::ok(empty_board)]);
    // Only HOU@PHI's page is up; the other ten games answer 404 (not published yet).
    e.server.route(
        "/nba/boxscore/_/gameId/401585183",
        vec![Resp::ok(page_gz).header("Content-Encoding", "gzip").header("Content-Type", "text/html")],
    );

    let board_run = run(&e, "espn_scoreboard_api", "2024-01-15").await;
    let bp = &board_run.landed[0].path;
    assert!(bp.starts_with("espn/scoreboard/2024-01-15/"), "{bp}");
    assert_eq!(phase2_rows(&e, bp).await, Some(11));
    let off_day = run(&e, "espn_scoreboard_api", "2025-02-14").await;
    assert!(off_day.landed.is_empty() && off_day.not_published.len() == 1, "{off_day:?}");

    let s = run(&e, "espn_game_boxscore", "2024-01-15").await;
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!((s.landed.len(), s.not_published.len()), (1, 10), "{s:?}");
    let p = &s.landed[0].path;
    assert!(p.starts_with("espn/boxscores/2024-01-15/game_401585183/"), "{p}");
    assert_eq!(e.b.landing.get(p).await.unwrap().data, page, "the page, gzip transfer-decoded");
    assert!(phase2_rows(&e, p).await.is_some_and(|n| n > 20), "the ESPN box-score parser reads the page");
}

#[tokio::test]
async fn play_by_play_per_game_with_403_until_the_game_starts() {
    let (Some(schedule_gz), Some(pbp_gz)) =
        (schedule_of_jan_15_gz(), shared::fixture("nbac_play_by_play/raw_416e8d5c.json.gz"))
    else {
        return;
    };
    let e = env().await;
    e.server.route(
        "/static/json/staticData/scheduleLeagueV2.json",
        vec![Resp::ok(schedule_gz).header("Content-Encoding", "gzip")],
    );
    e.server.route("/static/json/liveData/playbyplay/", vec![Resp::status(403)]);
    e.server.route(
        "/static/json/liveData/playbyplay/playbyplay_0022400561.json",
        vec![Resp::ok(pbp_gz).header("Content-Encoding", "gzip")],
    );
    let s = run(&e, "nbac_play_by_play", "2025-01-15").await;
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!((s.landed.len(), s.not_published.len()), (1, 10), "{s:?}");
    assert!(s.landed[0].path.starts_with("nba-com/play-by-play/2025-01-15/game_0022400561/"), "{:?}", s.landed);
    let landed: Value = serde_json::from_slice(&e.b.landing.get(&s.landed[0].path).await.unwrap().data).unwrap();
    assert!(landed["game"]["actions"].as_array().is_some_and(|a| a.len() > 100), "the decoded play-by-play");
    assert_eq!(e.server.hits("/static/json/liveData/playbyplay/").len(), 11, "a 403 is not retried");
    assert!(phase2_rows(&e, &s.landed[0].path).await.is_some_and(|n| n > 100), "the play-by-play parser reads it");

    // The schedule itself, landed for its season.
    let sched = run(&e, "nbac_schedule_api", "2025-01-15").await;
    assert!(sched.landed[0].path.starts_with("nba-com/schedule/2024-25/"), "{sched:?}");
    assert!(phase2_rows(&e, &sched.landed[0].path).await.is_some_and(|n| n >= 11), "the schedule parser reads it");

    // Gamebook PDFs, per game of the same schedule: posted for NYK@PHI only.
    let Some(pdf) = shared::fixture("nbac_gamebook_pdf/raw_0173bcd1.pdf") else { return };
    e.server.route("/pdfs/20250115/20250115_NYKPHI.pdf", vec![Resp::ok(pdf.clone())]);
    let g = run(&e, "nbac_gamebook_pdf", "2025-01-15").await;
    assert_eq!((g.landed.len(), g.not_published.len(), g.errors.len()), (1, 10, 0), "{g:?}");
    assert!(g.landed[0].path.starts_with("nba-com/gamebooks-data/2025-01-15/20250115-NYKPHI/"), "{:?}", g.landed);
    assert_eq!(e.b.landing.get(&g.landed[0].path).await.unwrap().data, pdf);
}

#[tokio::test]
async fn bettingpros_events_then_one_offers_call_with_an_optional_key() {
    let Some(events) = shared::fixture("bp_events/raw_75470647.json") else { return };
    let offers = br#"{"offers": [{"offer_id": "1", "event_id": 20879, "market_id": 156, "selections": []}]}"#.to_vec();
    for key in [None, Some("bp-key")] {
        let creds = key.map_or_else(Credentials::none, |k| Credentials::none().with("BETTINGPROS_API_KEY", k));
        let e = env_with(fast_http(), creds).await;
        e.server.route("/v3/events", vec![Resp::ok(events.clone())]);
        e.server.route("/v3/offers", vec![Resp::ok(offers.clone())]);
        let s = run(&e, "bp_player_props", "2021-10-21").await;
        assert_eq!(s.landed.len(), 1, "{s:?}");
        assert!(s.landed[0].path.starts_with("bettingpros/player-props/points/2021-10-21/"), "{:?}", s.landed);
        let hit = &e.server.hits("/v3/offers")[0];
        assert!(
            hit.target.contains("market_id=156") && hit.target.contains("event_id=20879:20880:20881"),
            "{}",
            hit.target
        );
        assert_eq!(hit.headers.get("x-api-key").map(String::as_str), key, "the key header only when configured");
    }
}

#[tokio::test]
async fn season_rosters_per_team_become_the_roster_json_the_processor_reads() {
    let page = br#"<html><table class="sortable stats_table" id="roster"><tbody>
<tr ><th scope="row" data-stat="number" >23</th><td data-stat="player" csk="James,LeBron" ><a href="/players/j/jamesle01.html">LeBron James</a></td><td data-stat="pos" >F</td><td data-stat="height" >6-9</td><td data-stat="weight" >250</td><td data-stat="birth_date" >December 30, 1984</td><td data-stat="years_experience" >21</td><td data-stat="college" ></td></tr>
<tr ><th scope="row" data-stat="number" >3</th><td data-stat="player" ><a href="/players/d/davisan02.html">Anthony Davis</a></td><td data-stat="pos" >F-C</td><td data-stat="years_experience" >12</td><td data-stat="college" ><a href="/c">Kentucky</a></td></tr>
</tbody></table></html>"#;
    let e = env().await;
    e.server.route("/teams/", vec![Resp::ok(page.to_vec()).header("Content-Type", "text/html")]);
    let s = run(&e, "br_season_roster", "2025-01-15").await;
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!(s.landed.len(), 30, "one roster per team");
    assert!(e.server.hits("/teams/BRK/2025.html").len() == 1, "Basketball-Reference's own team codes");
    let lal = s.landed.iter().find(|l| l.path == "basketball-ref/season-rosters/2024-25/LAL.json").expect("LAL");
    let doc: Value = serde_json::from_slice(&e.b.landing.get(&lal.path).await.unwrap().data).unwrap();
    assert_eq!((doc["team_abbrev"].as_str(), doc["players"][1]["college"].as_str()), (Some("LAL"), Some("Kentucky")));
    assert_eq!(phase2_rows(&e, &lal.path).await, Some(2), "the roster processor reads the landed JSON");
    let msgs = phase1_messages(&e.b).await;
    assert_eq!(msgs.len(), 30);
    assert!(msgs.iter().all(|m| m["correlation_id"] == msgs[0]["execution_id"]), "one correlation id");

    e.server.route("/teams/", vec![Resp::ok(b"<html>no table</html>".to_vec())]);
    let s = run(&e, "br_season_roster", "2025-01-15").await;
    assert_eq!(s.errors.len(), 30);
    assert!(matches!(&s.errors[0], ScrapeError::Invalid { detail, .. } if detail.contains("roster")), "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scrape_command_lands_in_the_home_with_env_base_urls() {
    let Some(raw) = shared::fixture("nbac_player_boxscore/raw_2ad17718.json") else { return };
    let server = Server::start().await;
    server.route("/stats/leaguegamelog", vec![Resp::ok(raw.clone())]);
    let home = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_hoopflow"))
        .args(["--home", home.path().to_str().unwrap(), "scrape", "nbac_player_boxscore", "--date", "2025-03-15"])
        .env("HOOPFLOW_SCRAPE_BASE_STATS_NBA", server.url())
        .env("HOOPFLOW_SCRAPE_RPS_STATS_NBA", "100")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 landed"), "{stdout}");
    let b = open_home(home.path(), Arc::new(SystemClock)).unwrap();
    let paths = b.landing.list("nba-com/player-boxscores/2025-03-15/").await.unwrap();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert_eq!(b.landing.get(&paths[0]).await.unwrap().data, raw);
    assert_eq!(b.bus.backlog("phase2-raw-processors").await.unwrap(), 1, "announced to Phase 2's subscription");

    let missing = tokio::process::Command::new(env!("CARGO_BIN_EXE_hoopflow"))
        .args(["--home", home.path().to_str().unwrap(), "scrape", "bdl_box_scores", "--date", "2025-03-15"])
        .env_remove("BALLDONTLIE_API_KEY")
        .output()
        .await
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("BALLDONTLIE_API_KEY"));
}

#[tokio::test]
async fn player_list_movement_referees_and_espn_rosters_feed_their_processors() {
    let (Some(list), Some(moves_gz), Some(refs), Some(bos)) = (
        shared::fixture("nbac_player_list/raw_7af00b51.json"),
        shared::fixture("nbac_player_movement/raw_1ecdb80d.json.gz"),
        shared::fixture("nbac_referee_assignments/raw_718e62b3.json"),
        shared::fixture("espn_roster_api/raw_2.json"),
    ) else {
        return;
    };
    let e = env().await;
    e.server.route("/stats/playerindex", vec![Resp::ok(list)]);
    e.server.route("/js/data/playermovement/", vec![Resp::ok(moves_gz).header("Content-Encoding", "gzip")]);
    e.server.route("/wp-json/api/v1/get-game-officials?&date=2025-01-08", vec![Resp::ok(refs)]);
    e.server
        .route("/wp-json/api/v1/get-game-officials", vec![Resp::ok(br#"{"nba": {"Table": {"rows": []}}}"#.to_vec())]);
    e.server
        .route("/apis/site/v2/sports/basketball/nba/teams/", vec![Resp::ok(br#"{"team": {"athletes": []}}"#.to_vec())]);
    e.server.route("/apis/site/v2/sports/basketball/nba/teams/2?enable=roster", vec![Resp::ok(bos)]);

    for (name, d, prefix) in [
        ("nbac_player_list", "2025-11-01", "nba-com/player-list/2025-11-01/"),
        ("nbac_player_movement", "2025-11-01", "nba-com/player-movement/2025-11-01/"),
        ("nbac_referee_assignments", "2025-01-08", "nba-com/referee-assignments/2025-01-08/"),
    ] {
        let s = run(&e, name, d).await;
        assert!(s.errors.is_empty() && s.landed.len() == 1, "{name}: {s:?}");
        assert!(s.landed[0].path.starts_with(prefix), "{name}: {:?}", s.landed);
        if name != "nbac_player_movement" {
            // (the movement file is ten seasons of transactions: its parser is exercised by its own tests)
            assert!(phase2_rows(&e, &s.landed[0].path).await.is_some_and(|n| n > 0), "{name}: parsed");
        }
    }
    assert!(e.server.hits("/stats/playerindex")[0].target.contains("Season=2025-26"));
    let early = run(&e, "nbac_referee_assignments", "2025-01-09").await;
    assert_eq!((early.landed.len(), early.not_published.len()), (0, 1), "assignments not posted yet");

    let rosters = run(&e, "espn_team_roster", "2025-11-01").await;
    assert_eq!((rosters.landed.len(), rosters.not_published.len()), (1, 29), "{rosters:?}");
    let p = &rosters.landed[0].path;
    assert!(p.starts_with("espn/rosters/2025-11-01/team_BOS/"), "{p}");
    assert!(phase2_rows(&e, p).await.is_some_and(|n| n > 10), "the ESPN roster parser reads the API shape");
}

#[tokio::test]
async fn a_listed_id_that_is_not_plain_is_skipped_not_fetched() {
    let events = br#"[
        {"id": "good1", "commence_time": "2025-03-10T00:10:00Z", "home_team": "Milwaukee Bucks", "away_team": "Cleveland Cavaliers"},
        {"id": "../../escape", "commence_time": "2025-03-10T00:10:00Z", "home_team": "Utah Jazz", "away_team": "Denver Nuggets"}
    ]"#;
    let odds = br#"{"id": "good1", "bookmakers": [{"key": "fanduel", "markets": []}]}"#;
    let e = env().await;
    e.server.route("/v4/sports/basketball_nba/events?", vec![Resp::ok(events.to_vec())]);
    e.server.route("/v4/sports/basketball_nba/events/", vec![Resp::ok(odds.to_vec())]);
    let s = run(&e, "oddsa_player_props", "2025-03-09").await;
    assert_eq!(s.landed.len(), 1, "{s:?}");
    assert!(s.landed[0].path.starts_with("odds-api/player-props/2025-03-09/good1-CLEMIL/"));
    assert!(matches!(s.errors.as_slice(), [ScrapeError::Invalid { .. }]), "{s:?}");
    assert_eq!(e.server.hits("/v4/sports/basketball_nba/events/").len(), 1, "the bad id is never requested");
}
