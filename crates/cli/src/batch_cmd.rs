//! `plumbline batch`: every site of a portfolio file run and recorded, then the portfolio
//! report; `--shard I/N` for one worker of a Kubernetes Indexed Job or a Slurm array, and
//! `plumbline batch merge DIR` to combine the shards.

use crate::clash_cmd::{file_lang, parse_lang};
use crate::load_args::LoadArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use plumbline_batch::{
    budget, run_batch, selected, BatchObserver, BatchOptions, PortfolioFile, Shard, SiteReport, SiteSettings,
};
use plumbline_report::{Portfolio, SiteOutcome, SiteResult};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code when some site failed (the others ran and are in the portfolio).
pub const EXIT_SITE_FAILED: u8 = 5;

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:
  plumbline batch portfolio.toml --out reports --jobs 4
  plumbline batch portfolio.toml --shard 3/8 --out /data/out --db postgresql://plumbline@db/clashes
  plumbline batch merge /data/out

Exit codes: 0 every site ran; 2 the portfolio file is bad (nothing ran); 4 some site skipped part
of its input; 5 some site failed (its reason is in the portfolio; the others ran)."
)]
pub struct BatchArgs {
    #[command(subcommand)]
    command: Option<BatchCommand>,
    /// The portfolio file (TOML): the sites, each with models (files or globs), rules, and
    /// optionally a schedule, link files, a region and a history project.
    #[arg(required = true, value_name = "PORTFOLIO.toml")]
    portfolio: Option<PathBuf>,
    /// Sites run at once [default: the number of cores].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// The output folder: OUT/<site>/clashes.* per site, OUT/portfolio.{json,html,xlsx}, or
    /// OUT/shard-I.json with --shard.
    #[arg(long, default_value = "plumbline-batch", value_name = "DIR")]
    out: PathBuf,
    /// The clash history (SQLite file or postgresql:// URL) every site is recorded in, under
    /// its project [default: $PLUMBLINE_DB, else ./plumbline.db].
    #[arg(long, value_name = "LOCATION")]
    db: Option<PathBuf>,
    /// The memory the sites running at once may use together (6G, 512M); a site's need is
    /// estimated from its models' size [default: half the machine's or the container's memory].
    #[arg(long, value_name = "SIZE")]
    max_memory: Option<String>,
    /// Run only shard I of N (0 ≤ I < N; JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID), balanced by
    /// model size; writes OUT/shard-I.json for `plumbline batch merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// The reports each site writes: json, csv, html, xlsx, bcf (comma-separated).
    #[arg(long, default_value = "json,html,bcf", value_name = "LIST")]
    reports: String,
    /// The language of report labels: en, zh or both [default: the locale's Chinese, else both].
    #[arg(long, value_parser = parse_lang)]
    lang: Option<plumbline_pipeline::ReportLang>,
    /// The day the 4D triage counts "needed within" from [default: each schedule's data date].
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
    /// An id shared by every shard of one batch (a Kubernetes Job's uid, a Slurm array's job
    /// id), recorded in OUT/shard-I.json: `batch merge` refuses shards of different runs, so a
    /// shard left in OUT by an earlier batch is never merged into this one. Only with --shard.
    #[arg(long, value_name = "ID", requires = "shard", value_parser = parse_run_id)]
    run_id: Option<String>,
    /// Check the portfolio (site names, globs, shard) and list the sites this invocation would
    /// run, without loading a model or writing anything.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Subcommand)]
enum BatchCommand {
    /// Combine the shard-*.json files of a folder into portfolio.{json,html,xlsx}, the same as
    /// the unsharded run would have written.
    Merge {
        /// The folder the shards wrote to (their --out).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The language of report labels: en, zh or both.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<plumbline_pipeline::ReportLang>,
        /// Merge only if every shard carries this --run-id.
        #[arg(long, value_name = "ID", value_parser = parse_run_id)]
        run_id: Option<String>,
    },
}

pub fn run(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    if let Some(BatchCommand::Merge { dir, lang, run_id }) = &args.command {
        let (portfolio, merged_run) = plumbline_batch::merge(dir, file_lang(*lang), run_id.as_deref())?;
        if merged_run.is_none() {
            tracing::warn!(
                "the shards carry no --run-id, so a shard left in {} by an earlier run of this portfolio could not be told apart; give every shard of a batch the same --run-id",
                dir.display()
            );
        }
        tracing::info!(
            "merged {} sites into {}",
            portfolio.sites.len(),
            dir.join(plumbline_batch::PORTFOLIO_JSON).display()
        );
        print_summary(&portfolio);
        return Ok(exit_code(&portfolio.sites));
    }
    let path = args.portfolio.as_deref().context("give the portfolio file")?;
    let file = PortfolioFile::read(path)?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose().map_err(anyhow::Error::msg)?;
    let reports = SiteReport::parse_list(&args.reports).map_err(anyhow::Error::msg)?;
    let budget_bytes = match &args.max_memory {
        Some(text) => budget::parse_size(text).map_err(anyhow::Error::msg)?,
        None => budget::default_budget(),
    };
    let jobs =
        args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, usize::from), |j| j as usize);
    if args.dry_run {
        return dry_run(&file, shard, jobs, budget_bytes);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the output folder", args.out.display()))?;
    let lang = file_lang(args.lang);
    let history = plumbline_pipeline::history_location(args.db.as_deref());
    // The history is opened (created and migrated when new) once, before the sites run side by
    // side: sites opening a new SQLite file at the same moment could find another's tables
    // before its markers and refuse the file as foreign.
    plumbline_store::Store::open_location(&history.to_string_lossy())
        .with_context(|| format!("{}: cannot open the clash history", history.display()))?;
    let options = BatchOptions {
        jobs,
        budget_bytes,
        shard,
        settings: SiteSettings {
            out: args.out.clone(),
            history,
            reports,
            lang,
            today: args.today,
            needed_within_days: file.needed_within_days,
            load: args.load.options()?,
        },
    };
    let observer = Progress::new(selected(&file, shard).len());
    let sites = run_batch(&file, &options, &observer);
    observer.finish();
    let code = exit_code(&sites);
    match shard {
        Some(shard) => {
            let written =
                plumbline_batch::write_shard(&args.out, &file, shard, args.run_id.as_deref(), sites)?;
            tracing::info!(
                "shard {shard} written to {}; run `plumbline batch merge {}` when every shard is done",
                written.display(),
                args.out.display()
            );
        }
        None => {
            let portfolio = plumbline_batch::write_portfolio(
                &args.out,
                &file.name,
                file.needed_within_days,
                sites,
                lang,
            )?;
            print_summary(&portfolio);
            tracing::info!("portfolio: {}", args.out.join(plumbline_batch::PORTFOLIO_HTML).display());
        }
    }
    Ok(code)
}

/// The sites this invocation would run, one line each, each checked as far as can be without
/// loading a model (files found, rules read); nothing is run or written. Exit code 5 when a
/// site would fail.
/// A run id: printable, without spaces, at most 128 characters. An empty one is refused: it is
/// what a deployment gives when the variable meant to carry the Job's id is unset.
fn parse_run_id(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(
            "the run id is empty (is the variable that should carry the Job's or array's id set?)".into()
        );
    }
    if text.len() > 128 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("'{text}' is not a run id: use at most 128 characters without spaces"));
    }
    Ok(text.to_string())
}

fn dry_run(
    file: &PortfolioFile,
    shard: Option<Shard>,
    jobs: usize,
    budget_bytes: u64,
) -> anyhow::Result<ExitCode> {
    let mine = selected(file, shard);
    let bytes: u64 = mine.iter().map(|&i| file.sites[i].model_bytes).sum();
    let which = shard.map_or_else(|| "all sites".to_string(), |s| format!("shard {s}"));
    println!(
        "{}: {which}: {} of {} sites, {} of models; {jobs} at once within {}",
        file.path.display(),
        mine.len(),
        file.sites.len(),
        mib(bytes),
        mib(budget_bytes)
    );
    let mut failing = 0;
    for i in mine {
        let s = &file.sites[i];
        let problem = s.check();
        failing += usize::from(problem.is_some());
        let problem = problem.map(|p| format!("  (will fail: {p})")).unwrap_or_default();
        println!(
            "  {}  {}  {} model(s), {}{problem}",
            s.name,
            s.region.as_deref().unwrap_or("-"),
            s.models.len(),
            mib(s.model_bytes)
        );
    }
    Ok(if failing > 0 { ExitCode::from(EXIT_SITE_FAILED) } else { ExitCode::SUCCESS })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// Failed sites first (5), then incomplete ones (4), else success.
fn exit_code(sites: &[SiteResult]) -> ExitCode {
    if sites.iter().any(|s| s.outcome == SiteOutcome::Failed) {
        ExitCode::from(EXIT_SITE_FAILED)
    } else if sites.iter().any(|s| s.outcome == SiteOutcome::Incomplete) {
        ExitCode::from(crate::EXIT_INCOMPLETE)
    } else {
        ExitCode::SUCCESS
    }
}

/// The programme in a few lines on stdout: totals and the worst sites.
fn print_summary(p: &Portfolio) {
    if crate::term::quiet() {
        return;
    }
    let t = &p.totals;
    println!(
        "{}: {} sites ({} ok, {} incomplete, {} failed); {} open clashes, {} new, {} resolved; {} needed within {} days",
        p.name, t.sites, t.ok - t.incomplete, t.incomplete, t.failed, t.open, t.new, t.resolved, t.needed_soon, p.needed_within_days
    );
    for s in p.sites.iter().take(10) {
        println!("  {}", site_line(s));
    }
    if p.sites.len() > 10 {
        println!("  … {} more in portfolio.html", p.sites.len() - 10);
    }
}

fn site_line(s: &SiteResult) -> String {
    match s.outcome {
        SiteOutcome::Failed => format!("{}: FAILED: {}", s.name, s.error.as_deref().unwrap_or("")),
        _ => {
            let incomplete = if s.outcome == SiteOutcome::Incomplete {
                " (incomplete: a model skipped part of its input)"
            } else {
                ""
            };
            format!(
                "{}: {} open ({} new, {} resolved), {} needed soon{incomplete}",
                s.name, s.clashes.open, s.clashes.new, s.clashes.resolved, s.needed_soon
            )
        }
    }
}

/// One bar for the batch and a line per finished site (on stderr, above the bar). The
/// warnings of the sites' runs are gathered and said once each at the end with the sites they
/// concern ("no 4D schedule" would otherwise repeat for hundreds of branches); `-v` prints each
/// as it comes.
struct Progress {
    bar: indicatif::ProgressBar,
    warnings: std::sync::Mutex<std::collections::BTreeMap<String, Vec<String>>>,
}

impl Progress {
    fn new(len: usize) -> Progress {
        let bar = if crate::term::quiet() {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(len as u64)
        };
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} sites {pos}/{len} {wide_bar} {elapsed}<{eta}")
        {
            bar.set_style(style);
        }
        Progress { bar, warnings: Default::default() }
    }

    /// Each distinct warning once, with how many sites had it and the first few of them.
    fn finish(&self) {
        self.bar.finish_and_clear();
        const NAMED: usize = 5;
        let warnings = self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (text, sites) in warnings.iter() {
            let mut names = sites.clone();
            names.sort();
            let more = names.len().saturating_sub(NAMED);
            names.truncate(NAMED);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            tracing::warn!("{} site(s) ({}{more}): {text}", sites.len(), names.join(", "));
        }
    }
}

impl BatchObserver for Progress {
    fn site_done(&self, result: &SiteResult, warnings: &[String], elapsed: Duration) {
        let line = format!("{} ({:.1} s)", site_line(result), elapsed.as_secs_f64());
        self.bar.suspend(|| {
            match result.outcome {
                SiteOutcome::Failed => tracing::error!("{line}"),
                SiteOutcome::Incomplete => tracing::warn!("{line}"),
                SiteOutcome::Ok => tracing::info!("{line}"),
            }
            for w in warnings {
                tracing::debug!("{}: {w}", result.name);
            }
        });
        let mut gathered = self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for w in warnings {
            gathered.entry(w.clone()).or_default().push(result.name.clone());
        }
        self.bar.inc(1);
    }
}
