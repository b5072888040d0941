//! The HTTP fetcher: `reqwest` with a rate limiter per host, a request timeout and retries.
//!
//! Invariants:
//! - one limiter per host key (the catalogue's logical host, else the URL's `host:port`); a limiter hands out
//!   send slots at least `min_interval` apart, reserved under a lock, so concurrent callers are spaced too;
//!   every attempt (retries included) takes a slot; hosts never wait on each other;
//! - retried: connect/transport errors, timeouts, 429 and 5xx, up to `max_retries` times, after
//!   `max(Retry-After, backoff)` where backoff is exponential (`backoff_base · 2^attempt`, capped at
//!   `backoff_max`) with jitter in `[½, 1]` of it; a `Retry-After` longer than `max_retry_after` ends the
//!   retries at once; any other 4xx is final at the first answer;
//! - a `Retry-After` pauses the whole host (up to `max_retry_after`): no request to it, from any caller,
//!   is sent before the pause ends;
//! - errors name the URL with credentials redacted (`apiKey=***`), and never carry reqwest's own URL text;
//! - the limiter and the backoff use tokio's monotonic clock: they pace real I/O, which is not pipeline logic
//!   (pipeline logic reads time only through the `Clock` port).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rand::Rng;
use tokio::time::Instant;

use super::{Fetched, ScrapeError};

/// The longest interval a limiter enforces (a configured rate below one request an hour is taken as this).
pub const MAX_INTERVAL: Duration = Duration::from_secs(3600);

/// Fetcher settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Longest `Retry-After` honoured; a longer one is final.
    pub max_retry_after: Duration,
    /// Minimum interval between requests to a host without its own entry in `intervals`.
    pub default_interval: Duration,
    /// Host key → minimum interval between two requests to it.
    pub intervals: BTreeMap<String, Duration>,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            default_interval: Duration::from_millis(250),
            intervals: BTreeMap::new(),
            user_agent: concat!("hoopflow/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl HttpConfig {
    /// Space requests to `host` at least `interval` apart (capped at [`MAX_INTERVAL`]).
    pub fn with_interval(mut self, host: &str, interval: Duration) -> Self {
        self.intervals.insert(host.to_string(), interval.min(MAX_INTERVAL));
        self
    }

    /// At most `rps` requests per second to `host` (a non-positive or NaN rate means no limit).
    pub fn with_rps(self, host: &str, rps: f64) -> Self {
        let interval =
            if rps > 0.0 { Duration::try_from_secs_f64(1.0 / rps).unwrap_or(MAX_INTERVAL) } else { Duration::ZERO };
        self.with_interval(host, interval)
    }

    /// The interval for `host`.
    pub fn interval(&self, host: &str) -> Duration {
        self.intervals.get(host).copied().unwrap_or(self.default_interval)
    }
}

/// One GET request.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub url: String,
    /// The limiter key; empty = the URL's `host:port`.
    pub host: String,
    pub headers: Vec<(String, String)>,
    /// Query parameters whose values are secrets (redacted in errors).
    pub secret_params: Vec<String>,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Request { url: url.into(), ..Default::default() }
    }

    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }

    /// The URL as it may be shown.
    pub fn shown_url(&self) -> String {
        redact(&self.url, &self.secret_params)
    }

    fn limiter_key(&self) -> String {
        if !self.host.is_empty() {
            return self.host.clone();
        }
        reqwest::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0))))
            .unwrap_or_default()
    }
}

/// `url` with the values of `params` replaced by `***`.
pub fn redact(url: &str, params: &[String]) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_string() };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if params.iter().any(|p| p == k) => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Send slots for one host.
struct HostLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl HostLimiter {
    async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock();
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval.min(MAX_INTERVAL));
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// The host asked for a pause (`Retry-After`): no slot before `now + pause` for anyone.
    fn defer(&self, pause: Duration) {
        let until = Instant::now() + pause.min(MAX_INTERVAL);
        let mut next = self.next.lock();
        *next = Some(next.map_or(until, |n| n.max(until)));
    }
}

/// What one attempt ended with.
enum Attempt {
    Done(Fetched),
    Final(ScrapeError),
    Transient(ScrapeError, Option<Duration>),
}

/// The shared HTTP client.
pub struct Fetcher {
    client: reqwest::Client,
    config: HttpConfig,
    limiters: Mutex<HashMap<String, Arc<HostLimiter>>>,
}

impl Fetcher {
    pub fn new(config: HttpConfig) -> Result<Self, ScrapeError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| ScrapeError::Network { url: String::new(), detail: chain(&e) })?;
        Ok(Fetcher { client, config, limiters: Mutex::new(HashMap::new()) })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    fn limiter(&self, key: &str) -> Arc<HostLimiter> {
        self.limiters
            .lock()
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(HostLimiter { interval: self.config.interval(key), next: Mutex::new(None) }))
            .clone()
    }

    /// GET `req`, retrying transient failures; a 2xx answer is `Fetched`, anything else a typed error.
    pub async fn fetch(&self, req: &Request) -> Result<Fetched, ScrapeError> {
        let limiter = self.limiter(&req.limiter_key());
        let shown = req.shown_url();
        let mut attempt = 0u32;
        loop {
            limiter.acquire().await;
            let (err, retry_after) = match self.attempt(req, &shown).await {
                Attempt::Done(f) => return Ok(f),
                Attempt::Final(e) => return Err(e),
                Attempt::Transient(e, ra) => (e, ra),
            };
            if let Some(ra) = retry_after {
                limiter.defer(ra.min(self.config.max_retry_after));
            }
            if attempt >= self.config.max_retries {
                return Err(err);
            }
            if retry_after.is_some_and(|ra| ra > self.config.max_retry_after) {
                tracing::warn!(url = %shown, ?retry_after, "Retry-After beyond the limit: giving up");
                return Err(err);
            }
            let delay = retry_after.unwrap_or_default().max(self.backoff(attempt));
            tracing::debug!(url = %shown, attempt, ?delay, error = %err, "transient failure, retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Exponential backoff with jitter in [½, 1] of the capped exponential delay.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.config.backoff_base.saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX));
        let capped = exp.min(self.config.backoff_max);
        let factor: f64 = rand::thread_rng().gen_range(0.5..=1.0);
        capped.mul_f64(factor)
    }

    async fn attempt(&self, req: &Request, shown: &str) -> Attempt {
        let mut rb = self.client.get(&req.url);
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            // A request that cannot be built (bad URL, a header value with a line break) fails the same way
            // every time: final.
            Err(e) if e.is_builder() => return Attempt::Final(transport_error(&e, shown)),
            Err(e) => return Attempt::Transient(transport_error(&e, shown), None),
        };
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            let content_type =
                resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            return match resp.bytes().await {
                Ok(b) => Attempt::Done(Fetched { bytes: b.to_vec(), content_type, status }),
                Err(e) => Attempt::Transient(transport_error(&e, shown), None),
            };
        }
        let err = ScrapeError::Http { status, url: shown.to_string() };
        if status == 429 || resp.status().is_server_error() {
            let ra = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            Attempt::Transient(err, ra)
        } else {
            Attempt::Final(err)
        }
    }
}

fn transport_error(e: &reqwest::Error, shown: &str) -> ScrapeError {
    if e.is_timeout() {
        ScrapeError::Timeout { url: shown.to_string() }
    } else {
        ScrapeError::Network { url: shown.to_string(), detail: chain(e) }
    }
}

/// The error and its causes, without reqwest's URL (which may hold a key).
fn chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    let head = if e.is_connect() { "connect error".to_string() } else { "request error".to_string() };
    if parts.is_empty() {
        head
    } else {
        format!("{head}: {}", parts.join(": "))
    }
}

/// `Retry-After` as delta-seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted() {
        let u = "https://h/v4/events?apiKey=SECRET&regions=us";
        assert_eq!(redact(u, &["apiKey".into()]), "https://h/v4/events?apiKey=***&regions=us");
        assert_eq!(redact("https://h/x", &["apiKey".into()]), "https://h/x");
    }

    #[tokio::test]
    async fn an_unbuildable_request_is_final_without_retries() {
        let f =
            Fetcher::new(HttpConfig { backoff_base: Duration::from_secs(60), ..Default::default() }).expect("client");
        let bad_header = Request::get("http://127.0.0.1:9/x").header("Authorization", "a\nb");
        let r = tokio::time::timeout(Duration::from_secs(5), f.fetch(&bad_header)).await.expect("no retry wait");
        assert!(matches!(r, Err(ScrapeError::Network { .. })), "{r:?}");
        let r = tokio::time::timeout(Duration::from_secs(5), f.fetch(&Request::get("not a url"))).await.expect("final");
        assert!(r.is_err());
    }

    #[test]
    fn rates_never_panic() {
        let c = HttpConfig::default().with_rps("a", 1e-320).with_rps("b", f64::NAN).with_rps("c", 4.0);
        assert_eq!((c.interval("a"), c.interval("b")), (MAX_INTERVAL, Duration::ZERO));
        assert_eq!(c.interval("c"), Duration::from_millis(250));
        assert_eq!(c.interval("unknown"), c.default_interval);
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let f = Fetcher::new(HttpConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            ..Default::default()
        })
        .expect("client");
        for _ in 0..20 {
            let b0 = f.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100), "{b0:?}");
            let b5 = f.backoff(5);
            assert!(b5 >= Duration::from_millis(175) && b5 <= Duration::from_millis(350), "{b5:?}");
            assert!(f.backoff(40) <= Duration::from_millis(350));
        }
    }
}
