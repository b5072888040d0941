//! `hoopflow scrape NAME --date D`: run one catalogued scraper against the live sources and land what it
//! fetches in the pipeline home, announced on the Phase 1 topic (a later `run` or the running pipeline
//! picks the messages up). `hoopflow scrape list` prints the catalogue.
//!
//! Settings from the environment: `HOOPFLOW_SCRAPE_BASE_<HOST>` (base URL), `HOOPFLOW_SCRAPE_RPS_<HOST>`
//! (requests per second), `HOOPFLOW_SCRAPE_TIMEOUT_SECS`, `HOOPFLOW_SCRAPE_RETRIES`, and each scraper's
//! credential variable (`BALLDONTLIE_API_KEY`, `ODDS_API_KEY`, ...).
//!
//! Invariant: the bus topics and subscriptions of the topology exist before anything is published, so no
//! Phase 1 message is dropped for want of a subscription. The exit status is an error only when a fetch
//! or landing failed; "not published yet" is reported and succeeds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::catalog::{self, Auth, Plan};
use super::http::{Fetcher, HttpConfig};
use super::runner::{BaseUrls, Credentials, ScrapeRequest, Scraper};
use crate::domain::SlateDate;
use crate::sources::Announcer;
use crate::topology::Topology;

/// The catalogue's host rates, overridden from the environment.
pub fn http_config_from_env() -> HttpConfig {
    let num = |k: &str| std::env::var(k).ok().and_then(|v| v.trim().parse::<f64>().ok());
    let mut c = catalog::default_http_config();
    for (host, ..) in catalog::HOSTS {
        if let Some(rps) = num(&format!("HOOPFLOW_SCRAPE_RPS_{}", host.to_ascii_uppercase())) {
            c = c.with_rps(host, rps);
        }
    }
    if let Some(t) = num("HOOPFLOW_SCRAPE_TIMEOUT_SECS").filter(|s| *s > 0.0) {
        c.timeout = Duration::try_from_secs_f64(t).unwrap_or(c.timeout).min(Duration::from_secs(600));
    }
    if let Some(n) = num("HOOPFLOW_SCRAPE_RETRIES").filter(|n| *n >= 0.0) {
        c.max_retries = (n as u32).min(10);
    }
    c
}

/// The catalogue as text.
pub fn render_catalog() -> String {
    let mut out = String::new();
    for d in catalog::catalog() {
        let key = match d.auth {
            Auth::None => String::new(),
            Auth::Header { env, required, .. } => format!("  key: {env}{}", if required { "" } else { " (optional)" }),
            Auth::Query { env, .. } | Auth::Account { env } => format!("  key: {env}"),
        };
        let plan = match d.plan {
            Plan::Single => "",
            Plan::List(_) => " (per listed item)",
            Plan::Teams => " (per team)",
        };
        out.push_str(&format!("{:<22} {}{plan}\n{:<22} → {}{key}\n", d.name, d.source, "", d.landing));
    }
    out
}

/// Run `name` for `date` (the injury report at `hour:minute` ET) on the home's embedded backends and print
/// what happened.
pub async fn scrape(
    home: &Path,
    t: &Topology,
    name: &str,
    date: Option<SlateDate>,
    (hour, minute): (Option<u32>, Option<u32>),
) -> anyhow::Result<()> {
    if name == "list" {
        print!("{}", render_catalog());
        return Ok(());
    }
    let date = date.ok_or_else(|| anyhow::anyhow!("--date is required"))?;
    if catalog::find(name).is_none() {
        anyhow::bail!("unknown scraper {name:?}; `hoopflow scrape list` shows the catalogue");
    }
    let b = crate::cli::home::open(home)?;
    let registry = crate::processors::builtin_registry();
    let (effective, _) = crate::runtime::effective_topology(t, &registry);
    crate::runtime::infra::apply(&b, &effective, &registry).await?;
    let fetcher = Fetcher::new(http_config_from_env())?;
    let announcer = Announcer::new(b.landing.clone(), b.bus.clone(), b.clock.clone());
    let scraper = Scraper::new(Arc::new(fetcher), announcer, BaseUrls::from_env(), Credentials::from_env());
    let mut req = ScrapeRequest::new(name, date);
    req.hour = hour;
    req.minute = minute;
    let s = scraper.run(&req).await?;
    for l in &s.landed {
        println!("landed      {} ({} bytes)", l.path, l.bytes);
    }
    for e in &s.not_published {
        println!("not yet     {e}");
    }
    for e in &s.errors {
        println!("error       {e}");
    }
    println!(
        "{name} {date}: {} landed, {} not published yet, {} errors{}",
        s.landed.len(),
        s.not_published.len(),
        s.errors.len(),
        s.correlation_id.as_deref().map(|c| format!(" (correlation {c})")).unwrap_or_default()
    );
    if s.errors.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} of the fetches failed", s.errors.len())
    }
}
