//! The `hoopflow` command line (clap). Every command works on the embedded backends under `--home`
//! (env `HOOPFLOW_HOME`, default `./.hoopflow`). Long commands draw a progress bar on a terminal and print
//! plain lines otherwise.

pub mod bench;
pub mod bench_pipeline;
pub mod bench_season;
pub mod coverage;
pub mod dlq;
pub mod home;
pub mod names;
pub mod report;
pub mod run;
pub mod status;
pub mod table_digest;
pub mod table_hash;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::SlateDate;

#[derive(Debug, Parser)]
#[command(name = "hoopflow", version, about = "NBA player-points prop pipeline as a supervised actor system")]
pub struct Cli {
    /// Where the embedded backends keep their state.
    #[arg(long, global = true, env = "HOOPFLOW_HOME", default_value = ".hoopflow")]
    pub home: PathBuf,
    /// The topology (defaults to config/pipeline.toml, else the copy built into the binary).
    #[arg(long, global = true, env = "HOOPFLOW_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log filter (e.g. `info`, `hoopflow=debug`); env `RUST_LOG` wins.
    #[arg(long, global = true, default_value = "warn")]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a few slate dates end to end on the embedded backends and show what happened.
    Demo {
        /// Real data directory (`../shared/data/nba` layout); default: the built-in season simulator.
        #[arg(long)]
        data: Option<PathBuf>,
        /// How many slate dates to run.
        #[arg(long, default_value_t = 3)]
        dates: u32,
    },
    /// Run one slate date through the event path.
    Run {
        #[arg(long)]
        date: SlateDate,
        #[arg(long)]
        data: Option<PathBuf>,
        /// Re-run processors that already succeeded for the date.
        #[arg(long)]
        force: bool,
    },
    /// Run a date range in backfill mode (downstream triggers suppressed beyond --through-phase).
    Backfill {
        #[arg(long)]
        from: SlateDate,
        #[arg(long)]
        to: SlateDate,
        /// Last phase to run (2 = raw only).
        #[arg(long, default_value_t = 2)]
        through_phase: u8,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value = "manual backfill")]
        reason: String,
    },
    /// Land a whole real-data directory (`../shared/data/nba` layout) through the event path, as a backfill
    /// over every date it covers.
    Import {
        dir: PathBuf,
        /// Last phase to run (2 = raw only).
        #[arg(long, default_value_t = 2)]
        through_phase: u8,
    },
    /// Resolve every source's player names against NBA.com's players; show and update the unresolved queue.
    Names {
        #[arg(long)]
        json: bool,
    },
    /// The phase × processor grid of a date (with `--date`), and every data table's rows and content hash.
    Status {
        #[arg(long)]
        date: Option<SlateDate>,
        /// Hash only partitions from this date (with `--to`; default: whole tables).
        #[arg(long, requires = "to")]
        from: Option<SlateDate>,
        #[arg(long, requires = "from")]
        to: Option<SlateDate>,
        #[arg(long)]
        json: bool,
    },
    /// Prediction accuracy per season: each system's MAE/RMSE/bias against last-5 / last-10 / season-average
    /// baselines on the same player-games, and against the consensus line (hit rate, profit, coverage).
    Report {
        /// Read the warehouse of this pipeline home instead of `--home`.
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Score only player-games from this date (with `--to`); histories still start with the season.
        #[arg(long, requires = "to")]
        from: Option<SlateDate>,
        #[arg(long, requires = "from")]
        to: Option<SlateDate>,
        /// Write an SVG of the rolling 7-day MAE by date per system and baseline.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Every scheduled player of a slate: predicted, or excluded with the reason.
    Coverage {
        #[arg(long)]
        date: SlateDate,
        #[arg(long)]
        json: bool,
    },
    /// Every run of a correlation id, from the scraper run to the last phase.
    Trace {
        correlation_id: String,
        #[arg(long)]
        json: bool,
    },
    /// The declared pipeline as text.
    Topology,
    /// Dead-lettered messages.
    Dlq {
        #[command(subcommand)]
        action: DlqAction,
    },
    /// Read-only SQL on the embedded warehouse (datasets attach as schemas: `nba_raw.table`); CSV out.
    Query { sql: String },
    /// Run one HTTP scraper for a date and land what it fetches (`scrape list` prints the catalogue).
    Scrape {
        /// Scraper name (e.g. `nbac_player_boxscore`, `oddsa_player_props`) or `list`.
        name: String,
        /// Slate date (required except for `list`).
        #[arg(long)]
        date: Option<SlateDate>,
        /// Injury report hour (America/New_York, 0-23); default 17.
        #[arg(long)]
        hour: Option<u32>,
        /// Injury report minute (0, 15, 30, 45; the 15-minute reports since 2025-12-22).
        #[arg(long)]
        minute: Option<u32>,
    },
    /// Run a benchmark and print its figures (`bus`, `tracker`, `raw`, `season`).
    Bench {
        /// `bus`, `tracker`, `raw` (Phases 1–2 over the 2024-25 season) or `season` (a whole-season backfill
        /// through `--through-phase`, printed as a table).
        name: String,
        /// Real data directory for the pipeline benchmarks (default: the simulator).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Simulated seasons for `raw` without `--data` (a load test over several consecutive seasons).
        #[arg(long, default_value_t = 1)]
        seasons: u32,
        /// Messages (bus) or completions (tracker).
        #[arg(long)]
        n: Option<usize>,
        /// `season`: the regular season to run (`2024-25`, `2025-26`; default 2024-25 when the data has it).
        #[arg(long, conflicts_with_all = ["from", "to"])]
        season: Option<String>,
        /// `season`: first date (with `--to`) instead of a named season.
        #[arg(long, requires = "to")]
        from: Option<SlateDate>,
        #[arg(long, requires = "from")]
        to: Option<SlateDate>,
        /// `season`: last phase to run.
        #[arg(long, default_value_t = 4)]
        through_phase: u8,
        /// `season`: print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DlqAction {
    /// List dead letters with their reasons.
    List {
        #[arg(long)]
        topic: Option<String>,
    },
    /// Publish dead letters back to their source topic and remove them from the dead-letter queue.
    Replay {
        #[arg(long)]
        topic: Option<String>,
        /// Only this message id (default: all).
        #[arg(long)]
        id: Option<String>,
    },
}

/// Entry point of the binary.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log);
    let sys = actix::System::new();
    sys.block_on(async move { dispatch(cli).await })
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let topology = home::load_topology(cli.config.as_deref())?;
    match cli.command {
        Command::Topology => {
            print!("{}", crate::topology::render::render_text(&topology));
            Ok(())
        }
        Command::Query { sql } => status::query(&cli.home, &sql).await,
        Command::Status { date, from, to, json } => {
            let view = status::StatusView { date, range: from.zip(to), json };
            status::status(&cli.home, &topology, view).await
        }
        Command::Report { data, json, from, to, plot } => {
            let home_dir = data.unwrap_or_else(|| cli.home.clone());
            report::run(&home_dir, report::ReportArgs { range: from.zip(to), json, plot }).await
        }
        Command::Coverage { date, json } => coverage::coverage(&cli.home, date, json).await,
        Command::Trace { correlation_id, json } => status::trace(&cli.home, &correlation_id, json).await,
        Command::Dlq { action } => dlq::run(&cli.home, &topology, action).await,
        Command::Bench { name, n, data, seasons, season, from, to, through_phase, json } => match name.as_str() {
            "raw" => bench_pipeline::raw(&topology, data.as_deref(), seasons).await,
            "season" => {
                let args = bench_season::SeasonArgs { data, season, from, to, through_phase, json };
                bench_season::season(&topology, args).await
            }
            _ => bench::run(&name, n, &topology).await,
        },
        Command::Run { date, data, force } => {
            run::run_dates(&cli.home, &topology, run::Plan::single(date, data, force)).await
        }
        Command::Backfill { from, to, through_phase, data, reason } => {
            run::run_dates(&cli.home, &topology, run::Plan::backfill(from, to, through_phase, data, reason)).await
        }
        Command::Names { json } => names::names(&cli.home, json).await,
        Command::Import { dir, through_phase } => run::import(&cli.home, &topology, dir, through_phase).await,
        Command::Scrape { name, date, hour, minute } => {
            crate::scrapers::cli::scrape(&cli.home, &topology, &name, date, (hour, minute)).await
        }
        Command::Demo { data, dates } => run::demo(&cli.home, &topology, data, dates).await,
    }
}
