//! Running a catalogued scraper for a slate date: resolve the credential, fetch (a discovery listing first
//! where the source needs one: the schedule's games, the Odds API events, ESPN's games), check each answer
//! against the source's *not published yet* rule, and land every object with [`Announcer::land`].
//!
//! Invariants:
//! - a missing required credential (or an account-only source) fails before any request;
//! - all objects of one run share one correlation id: the execution id of the first landed object (unless
//!   the caller's [`LandMode::correlation_id`] sets it);
//! - one item failing (error or not published yet) does not stop the others; the summary says what happened
//!   to each; only a landing/publish failure (the Phase 1 contract itself) ends the run with an error;
//! - nothing is landed for a not-published answer, an empty body or a body of the wrong type;
//! - values read from a listing (game, event ids) or a page (cursors) never shape a URL or a landing path
//!   beyond a plain id: a listed id outside `[A-Za-z0-9_:-]` skips its item (`Invalid`), a cursor is
//!   percent-encoded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::catalog::{self, Auth, Body, ListStep, Paging, Plan, ScraperDef};
use super::http::{Fetcher, Request};
use super::template::Vars;
use super::{extract, ScrapeError};
use crate::domain::SlateDate;
use crate::sources::{Announcer, LandMode};

/// Base URL per host key: the catalogue's defaults, overridden by env `HOOPFLOW_SCRAPE_BASE_<HOST>`
/// (`from_env`) or explicitly (`with`).
#[derive(Debug, Clone, Default)]
pub struct BaseUrls(BTreeMap<String, String>);

impl BaseUrls {
    /// The catalogue's defaults only.
    pub fn defaults() -> Self {
        BaseUrls(catalog::HOSTS.iter().map(|(h, b, _)| (h.to_string(), b.to_string())).collect())
    }

    /// The defaults, overridden by `HOOPFLOW_SCRAPE_BASE_<HOST>` (host key upper-cased, e.g. `STATS_NBA`).
    pub fn from_env() -> Self {
        let mut b = Self::defaults();
        for (host, ..) in catalog::HOSTS {
            if let Ok(v) = std::env::var(format!("HOOPFLOW_SCRAPE_BASE_{}", host.to_ascii_uppercase())) {
                b = b.with(host, &v);
            }
        }
        b
    }

    pub fn with(mut self, host: &str, base: &str) -> Self {
        self.0.insert(host.to_string(), base.trim_end_matches('/').to_string());
        self
    }

    pub fn base(&self, host: &str) -> Option<&str> {
        self.0.get(host).map(String::as_str)
    }
}

/// Credential values by env variable name: explicit values first, then (if enabled) the process env.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    values: BTreeMap<String, String>,
    use_env: bool,
}

impl Credentials {
    pub fn from_env() -> Self {
        Credentials { values: BTreeMap::new(), use_env: true }
    }

    /// No credentials at all (tests).
    pub fn none() -> Self {
        Credentials::default()
    }

    pub fn with(mut self, env: &str, value: &str) -> Self {
        self.values.insert(env.to_string(), value.to_string());
        self
    }

    pub fn get(&self, env: &str) -> Option<String> {
        let v = self.values.get(env).cloned().or_else(|| self.use_env.then(|| std::env::var(env).ok()).flatten());
        v.filter(|s| !s.trim().is_empty())
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct ScrapeRequest {
    pub scraper: String,
    pub date: SlateDate,
    /// The report hour (America/New_York, 0–23) for the injury report; default 17.
    pub hour: Option<u32>,
    /// The report minute (0, 15, 30, 45) for the 15-minute injury reports (since 2025-12-22).
    pub minute: Option<u32>,
    /// The snapshot asked of history endpoints; default 17:00 UTC of the date.
    pub snapshot: Option<chrono::DateTime<chrono::Utc>>,
    /// NBA.com `SeasonType` (URL-encoded), default `Regular%20Season`.
    pub season_type: Option<String>,
    pub how: LandMode,
}

impl ScrapeRequest {
    pub fn new(scraper: &str, date: SlateDate) -> Self {
        ScrapeRequest {
            scraper: scraper.to_string(),
            date,
            hour: None,
            minute: None,
            snapshot: None,
            season_type: None,
            how: LandMode::default(),
        }
    }
}

/// One landed object.
#[derive(Debug, Clone, PartialEq)]
pub struct Landed {
    pub path: String,
    pub bytes: usize,
    pub execution_id: String,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct ScrapeSummary {
    pub scraper: String,
    pub correlation_id: Option<String>,
    pub landed: Vec<Landed>,
    pub not_published: Vec<ScrapeError>,
    pub errors: Vec<ScrapeError>,
}

impl ScrapeSummary {
    fn record(&mut self, e: ScrapeError) {
        if e.is_not_published() {
            self.not_published.push(e);
        } else {
            self.errors.push(e);
        }
    }
}

/// The resolved credential of a run.
#[derive(Debug, Clone, Default)]
struct Key {
    header: Option<(String, String)>,
    query: Option<(String, String)>,
}

/// Runs catalogued scrapers.
#[derive(Clone)]
pub struct Scraper {
    pub fetcher: Arc<Fetcher>,
    pub announcer: Announcer,
    pub bases: BaseUrls,
    pub credentials: Credentials,
}

impl Scraper {
    pub fn new(fetcher: Arc<Fetcher>, announcer: Announcer, bases: BaseUrls, credentials: Credentials) -> Self {
        Scraper { fetcher, announcer, bases, credentials }
    }

    fn key(&self, def: &ScraperDef) -> Result<Key, ScrapeError> {
        let missing = |env: &str| ScrapeError::MissingKey { env: env.to_string() };
        Ok(match def.auth {
            Auth::None => Key::default(),
            Auth::Header { name, env, required } => match self.credentials.get(env) {
                Some(v) => Key { header: Some((name.to_string(), v)), query: None },
                None if required => return Err(missing(env)),
                None => Key::default(),
            },
            Auth::Query { param, env } => {
                let v = self.credentials.get(env).ok_or_else(|| missing(env))?;
                Key { header: None, query: Some((param.to_string(), v)) }
            }
            Auth::Account { env } => {
                self.credentials.get(env).ok_or_else(|| missing(env))?;
                return Err(ScrapeError::Unsupported {
                    scraper: def.name.to_string(),
                    detail: "account downloads (Google Drive) are not implemented; land the CSVs with the replay"
                        .into(),
                });
            }
        })
    }

    fn request(
        &self,
        scraper: &str,
        host: &str,
        template: &str,
        headers: &[(&str, &str)],
        vars: &Vars,
        key: Option<&Key>,
    ) -> Result<Request, ScrapeError> {
        let unsupported = |detail: String| ScrapeError::Unsupported { scraper: scraper.to_string(), detail };
        let base = self.bases.base(host).ok_or_else(|| unsupported(format!("no base URL for host {host}")))?;
        let mut url = format!("{base}{}", vars.fill(template).map_err(unsupported)?);
        let mut req = Request::get(String::new()).host(host);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(k) = key {
            if let Some((name, v)) = &k.header {
                req = req.header(name.clone(), v.clone());
            }
            if let Some((param, v)) = &k.query {
                let sep = if url.contains('?') { '&' } else { '?' };
                url = format!("{url}{sep}{param}={}", encode(v));
                req.secret_params.push(param.clone());
            }
        }
        req.url = url;
        Ok(req)
    }

    /// Run `req`: a summary of what landed, what is not published yet and what failed.
    pub async fn run(&self, req: &ScrapeRequest) -> Result<ScrapeSummary, ScrapeError> {
        let def = catalog::find(&req.scraper).ok_or_else(|| ScrapeError::UnknownScraper(req.scraper.clone()))?;
        let key = self.key(def)?;
        let mut vars = Vars::for_run(req.date, self.announcer.clock.now());
        vars.set_report_time(req.date, req.hour.unwrap_or(17), req.minute);
        if let Some(t) = req.snapshot {
            vars.set_snapshot(t);
        }
        if let Some(st) = &req.season_type {
            vars.set("season_type", st.replace(' ', "%20"));
        }
        let mut summary = ScrapeSummary { scraper: def.name.to_string(), ..Default::default() };
        let mut how = req.how.clone();
        let items = match def.plan {
            Plan::Single => vec![Vars::default()],
            Plan::Teams => extract::teams(),
            Plan::List(step) => match self.list(def, &step, &vars, &key, req.date).await {
                Ok(items) => items,
                Err(e) => {
                    summary.record(e);
                    return Ok(summary);
                }
            },
        };
        for item in items {
            // Item values come from a listing (untrusted) and go into URLs and landing paths.
            if let Some((k, bad)) = item.0.iter().find(|(_, x)| !is_safe_id(x)) {
                summary.errors.push(ScrapeError::Invalid {
                    url: def.name.to_string(),
                    detail: format!("listed {k} {bad:?} is not a plain id; item skipped"),
                });
                continue;
            }
            let v = vars.with(&item);
            let before = (summary.landed.len(), summary.not_published.len(), summary.errors.len());
            self.fetch_and_land(def, &v, &key, req.date, &mut how, &mut summary).await?;
            for alt in def.alternates.map(|f| f(req.date)).unwrap_or_default() {
                // Only an item that is "not published yet" (nothing landed, no error) tries the next variant;
                // its not-yet record is superseded by the variant's outcome.
                let now = (summary.landed.len(), summary.not_published.len(), summary.errors.len());
                if now != (before.0, before.1 + 1, before.2) {
                    break;
                }
                summary.not_published.truncate(before.1);
                self.fetch_and_land(def, &v.with(&alt), &key, req.date, &mut how, &mut summary).await?;
            }
        }
        summary.correlation_id = how.correlation_id;
        tracing::info!(
            scraper = def.name,
            landed = summary.landed.len(),
            not_published = summary.not_published.len(),
            errors = summary.errors.len(),
            "scrape done"
        );
        Ok(summary)
    }

    /// The discovery listing's items for the date; an empty listing is "not published yet".
    async fn list(
        &self,
        def: &ScraperDef,
        step: &ListStep,
        vars: &Vars,
        key: &Key,
        date: SlateDate,
    ) -> Result<Vec<Vars>, ScrapeError> {
        let key = (step.host == def.host).then_some(key);
        let req = self.request(def.name, step.host, step.url, step.headers, vars, key)?;
        let url = req.shown_url();
        let fetched = self.fetcher.fetch(&req).await.map_err(|e| match step.not_yet.on_error(&e) {
            Some(reason) => ScrapeError::NotPublishedYet { url: url.clone(), reason },
            None => e,
        })?;
        let v = parse_json(&fetched.bytes, &url)?;
        if let Some(reason) = step.not_yet.on_json(&v) {
            return Err(ScrapeError::NotPublishedYet { url, reason });
        }
        let items = (step.extract)(&v, date);
        if items.is_empty() {
            return Err(ScrapeError::NotPublishedYet { url, reason: format!("no items for {date}") });
        }
        Ok(items)
    }

    /// Fetch one item (every page of it) and land it.
    async fn fetch_and_land(
        &self,
        def: &ScraperDef,
        vars: &Vars,
        key: &Key,
        date: SlateDate,
        how: &mut LandMode,
        summary: &mut ScrapeSummary,
    ) -> Result<(), ScrapeError> {
        let base_path = match vars.fill(def.landing) {
            Ok(p) => p,
            Err(detail) => {
                summary.errors.push(ScrapeError::Unsupported { scraper: def.name.to_string(), detail });
                return Ok(());
            }
        };
        let mut page = 1u32;
        let mut cursor: Option<String> = None;
        loop {
            let mut v = vars.clone();
            let mut template = def.url.to_string();
            if let Some(c) = &cursor {
                template.push_str(if template.contains('?') { "&cursor={cursor}" } else { "?cursor={cursor}" });
                v.set("cursor", encode(c));
            }
            let req = match self.request(def.name, def.host, &template, def.headers, &v, Some(key)) {
                Ok(r) => r,
                Err(e) => {
                    summary.record(e);
                    return Ok(());
                }
            };
            let url = req.shown_url();
            let fetched = match self.fetcher.fetch(&req).await {
                Ok(f) => f,
                Err(e) => {
                    summary.record(match def.not_yet.on_error(&e) {
                        Some(reason) => ScrapeError::NotPublishedYet { url, reason },
                        None => e,
                    });
                    return Ok(());
                }
            };
            let json = match check_body(def, &fetched.bytes, &url) {
                Ok(j) => j,
                Err(e) => {
                    summary.record(e);
                    return Ok(());
                }
            };
            if let Some(reason) = json.as_ref().and_then(|j| def.not_yet.on_json(j)) {
                if page == 1 {
                    summary.record(ScrapeError::NotPublishedYet { url, reason });
                }
                return Ok(());
            }
            let data = match def.transform {
                Some(t) => match t(&fetched.bytes, &v) {
                    Ok(d) => d,
                    Err(detail) => {
                        summary.record(ScrapeError::Invalid { url, detail });
                        return Ok(());
                    }
                },
                None => fetched.bytes,
            };
            let path = if page == 1 { base_path.clone() } else { page_path(&base_path, page) };
            let m = self
                .announcer
                .land(def.name, &path, &data, date, how)
                .await
                .map_err(|e| ScrapeError::Landing(format!("{path}: {e}")))?;
            if how.correlation_id.is_none() {
                how.correlation_id = Some(m.correlation_id.clone());
            }
            summary.landed.push(Landed { path, bytes: data.len(), execution_id: m.execution_id.clone() });
            let next = json.as_ref().and_then(|j| j.pointer("/meta/next_cursor")).and_then(|c| match c {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            });
            match (def.paging, next) {
                (Paging::Cursor { max_pages }, Some(c)) if page < max_pages => {
                    cursor = Some(c);
                    page += 1;
                }
                (Paging::Cursor { max_pages }, Some(_)) => {
                    tracing::warn!(scraper = def.name, max_pages, "page limit reached; the rest is not fetched");
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }
}

/// The body must be what the source publishes: JSON, a PDF (`%PDF`), or a non-empty page.
fn check_body(def: &ScraperDef, bytes: &[u8], url: &str) -> Result<Option<Value>, ScrapeError> {
    let invalid = |detail: &str| ScrapeError::Invalid { url: url.to_string(), detail: detail.to_string() };
    match def.body {
        Body::Json => parse_json(bytes, url).map(Some),
        Body::Pdf if bytes.starts_with(b"%PDF") => Ok(None),
        Body::Pdf => Err(invalid("not a PDF (no %PDF header)")),
        Body::Html if bytes.iter().all(u8::is_ascii_whitespace) => Err(invalid("empty page")),
        Body::Html => Ok(None),
    }
}

fn parse_json(bytes: &[u8], url: &str) -> Result<Value, ScrapeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ScrapeError::Invalid { url: url.to_string(), detail: "empty body".into() });
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ScrapeError::Invalid { url: url.to_string(), detail: format!("not valid JSON: {e}") })
}

/// `a/b/ts.json` → `a/b/ts_p2.json`.
fn page_path(path: &str, page: u32) -> String {
    let file_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[file_start..].find('.') {
        Some(dot) => format!("{}_p{page}{}", &path[..file_start + dot], &path[file_start + dot..]),
        None => format!("{path}_p{page}"),
    }
}

/// A listed id safe in a URL path and a landing path: non-empty ASCII letters, digits, `-`, `_`, `:`.
fn is_safe_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 512 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
}

/// Percent-encoding of a query value (unreserved characters kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_and_encoding() {
        assert_eq!(page_path("a/2025-01-15/20250115_120000.json", 2), "a/2025-01-15/20250115_120000_p2.json");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn listed_ids_must_be_plain() {
        assert!(is_safe_id("0022400561") && is_safe_id("20879:20880") && is_safe_id("cd0b-c7_d0"));
        for bad in ["", "../x", "a/b", "a b", "a?b=c", "a&b", "a.b"] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn credentials_prefer_explicit_values_and_ignore_blank() {
        let c = Credentials::none().with("K", "v").with("B", " ");
        assert_eq!(c.get("K").as_deref(), Some("v"));
        assert_eq!(c.get("B"), None);
        assert_eq!(c.get("PATH"), None, "the process env is not read unless asked");
    }
}
