//! Phase 1 HTTP scrapers: fetch what the live sources publish for a slate date and land it through
//! [`crate::sources::Announcer::land`], exactly as the replay and the simulator do.
//!
//! Layers:
//! - [`http`]: one [`http::Fetcher`] per process, with a rate limiter per host, a request timeout and
//!   retries with exponential backoff and jitter on transient failures only;
//! - [`mod@catalog`]: the declared scrapers (URL templates, headers, credentials, landing path templates and
//!   each source's *not published yet* rule);
//! - [`runner`]: runs one scraper for a date (multi-step where the source needs it) and lands every object
//!   of the run under one correlation id;
//! - [`extract`] (discovery listings → items, the Basketball-Reference page → roster JSON), [`template`]
//!   (`{name}` URL and path templates) and [`cli`] (`hoopflow scrape`).
//!
//! Invariants:
//! - every failure of the layer is a typed [`ScrapeError`]; "not published yet" (an injury report for an
//!   hour not yet posted, a game log whose games have not finished, odds before the market opens) is its own
//!   variant, never confused with an error, and lands nothing;
//! - credentials never appear in errors, logs or landing paths (query-string keys are redacted);
//! - a scraper whose credential is missing fails with [`ScrapeError::MissingKey`] before any request.

pub mod catalog;
pub mod cli;
pub mod defs;
pub mod extract;
pub mod http;
pub mod runner;
pub mod template;

pub use catalog::{catalog, find, ScraperDef};
pub use http::{Fetcher, HttpConfig, Request};
pub use runner::{BaseUrls, Credentials, ScrapeRequest, ScrapeSummary, Scraper};

/// A successful response.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub status: u16,
}

/// The outcome of a failed fetch or scrape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScrapeError {
    /// The source answered, but the object does not exist yet (not an error: try again later).
    #[error("not published yet: {url}: {reason}")]
    NotPublishedYet { url: String, reason: String },
    /// A final HTTP error status (after retries, for the retryable ones).
    #[error("HTTP {status} from {url}")]
    Http { status: u16, url: String },
    /// Connect, TLS or transport failure (after retries).
    #[error("network error on {url}: {detail}")]
    Network { url: String, detail: String },
    /// The request timed out (after retries).
    #[error("timed out: {url}")]
    Timeout { url: String },
    /// A required credential is not configured; no request was made.
    #[error("missing credential: set {env}")]
    MissingKey { env: String },
    /// The source answered 2xx with something that is not what it publishes (wrong type, unparsable).
    #[error("invalid response from {url}: {detail}")]
    Invalid { url: String, detail: String },
    /// No scraper of that name in the catalogue.
    #[error("unknown scraper {0:?}")]
    UnknownScraper(String),
    /// The scraper is declared but cannot be run by this build (e.g. an account-only download).
    #[error("{scraper}: {detail}")]
    Unsupported { scraper: String, detail: String },
    /// Landing the object or publishing its message failed.
    #[error("landing failed: {0}")]
    Landing(String),
}

impl ScrapeError {
    /// Whether this outcome means "nothing there yet" rather than a failure.
    pub fn is_not_published(&self) -> bool {
        matches!(self, ScrapeError::NotPublishedYet { .. })
    }

    /// The HTTP status, for [`ScrapeError::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            ScrapeError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}
