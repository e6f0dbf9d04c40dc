//! `plumbline`: the command-line shell over the Plumbline crates. Parsing arguments, printing and
//! exit codes live here; everything else is in the library crates.

mod batch_cmd;
mod bcf_cmd;
mod clash_cmd;
mod diff_cmd;
mod gen;
mod info;
mod json_out;
mod load_args;
mod load_bar;
mod schedule_cmd;
mod status_cmd;
mod term;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: with rayon's threads allocating meshes side by
/// side, glibc's per-thread arenas left the resident size 40 % above the live heap (measured
/// with heaptrack on a 100k-element model).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for bad input: an unreadable file, an unknown class name, a bad argument.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Exit code when the command finished but skipped part of its input (elements whose geometry
/// could not be built, a truncated file): its results may be incomplete. Lower in precedence
/// than [`EXIT_BAD_INPUT`] and `--fail-on new`'s exit code 3.
pub const EXIT_INCOMPLETE: u8 = 4;

/// Prints a model's file-level warnings on stderr; returns whether there were any.
pub fn print_warnings(model: &plumbline_model::Model) -> bool {
    for warning in &model.warnings {
        eprintln!("warning: {}: {warning}", model.path);
    }
    !model.warnings.is_empty()
}

/// Prints, on stderr, what each loaded model skipped: file-level warnings and the elements
/// whose geometry failed (all of them with `verbose`, else the first few). Returns whether
/// anything was skipped.
pub fn report_skipped<'m>(
    models: impl IntoIterator<Item = &'m plumbline_model::Model>,
    verbose: bool,
) -> bool {
    const SHOWN: usize = 5;
    let mut any = false;
    for model in models {
        any |= print_warnings(model);
        let Some(summary) = model.skipped_summary() else { continue };
        any = true;
        eprintln!("warning: {}: {summary}:", model.path);
        let shown = if verbose { model.failures.len() } else { SHOWN };
        for f in model.failures.iter().take(shown) {
            eprintln!("  {} {}: {}", f.class, f.global_id, f.reason);
        }
        if model.failures.len() > shown {
            eprintln!("  … and {} more (`plumbline info` lists them all)", model.failures.len() - shown);
        }
    }
    any
}

/// The exit codes, as `--help` and the README list them.
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  bad input: an unreadable or broken file, a bad argument, a history that cannot be written
     (nothing is recorded and no report is replaced)
  3  the gate failed: `clash --fail-on new|open` found new (or open) clashes
  4  finished, but part of the input was skipped (elements without geometry, a truncated
     file): results may be incomplete
  5  `batch`: some site failed (its reason is in the portfolio); the other sites ran";

#[derive(Debug, Parser)]
#[command(
    name = "plumbline",
    version,
    about = "BIM model checking: IFC loading, clash detection and 4D",
    after_help = "Examples:
  plumbline clash hall.ifc mep.ifc --config assets/rules/datacenter.toml --html report.html
  plumbline clash hall.ifc --a IfcCableCarrierSegment --b IfcDuctSegment --json -
  plumbline status '#12' --set reviewed --comment 'moved in rev C'
  plumbline schedule --schedule plan.xer --cpm

Run `plumbline help COMMAND` for a command's options, `plumbline man` for the manual.",
    after_long_help = EXIT_CODES
)]
struct Cli {
    /// Say less: only warnings and errors, no progress bars or summaries.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Say more (-v debug detail, -vv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Colour: auto (a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = term::ColorChoice::Auto, value_name = "WHEN")]
    color: term::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load IFC models and print what they hold: schema, elements, geometry, classes, storeys.
    Info(info::InfoArgs),
    /// Run one clash test (hard, clearance or duplicate) between two selections of elements.
    Clash(Box<clash_cmd::ClashArgs>),
    /// 4D: a schedule's tasks, links and critical path, and the state of the site at a date.
    Schedule(schedule_cmd::ScheduleArgs),
    /// Generate sample models (data hall, bank branch) with known clashes and a 4D schedule.
    #[command(subcommand)]
    Gen(gen::GenCommand),
    /// Show a clash's status, history and comments from the clash history, or set its status.
    Status(status_cmd::StatusArgs),
    /// BCF: import statuses and comments from another tool's review into the clash history.
    #[command(subcommand)]
    Bcf(bcf_cmd::BcfCommand),
    /// List the clash runs recorded in the history, with counts of new, active and resolved clashes.
    History(status_cmd::HistoryArgs),
    /// Run every site of a portfolio (hundreds of branches, data halls) and write the portfolio
    /// report; `--shard I/N` runs one slice on Kubernetes or Slurm, `batch merge` combines them.
    Batch(Box<batch_cmd::BatchArgs>),
    /// Compare two revisions of a model: added, removed and changed elements (GlobalIds
    /// regenerated by an exporter are matched by class, name and geometry fingerprint).
    Diff(diff_cmd::DiffArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout, or write one page per command into a folder.
    Man {
        /// Write plumbline.1 and plumbline-COMMAND.1 pages into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    term::init(cli.quiet, cli.verbose, cli.color);
    let result = match cli.command {
        Command::Info(args) => info::run(&args),
        Command::Clash(args) => clash_cmd::run(&args),
        Command::Schedule(args) => schedule_cmd::run(&args),
        Command::Gen(cmd) => gen::run(&cmd),
        Command::Status(args) => status_cmd::run_status(&args),
        Command::History(args) => status_cmd::run_history(&args),
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Batch(args) => batch_cmd::run(&args),
        Command::Bcf(cmd) => bcf_cmd::run(&cmd),
        Command::Completions { shell } => completions(shell),
        Command::Man { out } => man(out.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}{}", term::error_prefix(), term::error_text(&e));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    clap_complete::generate(shell, &mut Cli::command(), "plumbline", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// The manual: the main page on stdout, or every command's page into `out`.
fn man(out: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let cmd = Cli::command();
    match out {
        None => {
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout()).context("writing the manual page")?;
        }
        Some(dir) => {
            anyhow::ensure!(dir.is_dir(), "{}: --out must be an existing folder", dir.display());
            let mut pages = vec![("plumbline".to_string(), cmd.clone())];
            for sub in cmd.get_subcommands() {
                pages.push((
                    format!("plumbline-{}", sub.get_name()),
                    sub.clone().name(format!("plumbline-{}", sub.get_name())),
                ));
            }
            for (name, page) in pages {
                let mut bytes = Vec::new();
                clap_mangen::Man::new(page).render(&mut bytes).context("rendering a manual page")?;
                let path = dir.join(format!("{name}.1"));
                plumbline_pipeline::write_atomically(&path, &bytes)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `plumbline info … | head` closes stdout early; Rust's `println!` then panics. A closed pipe is
/// the reader's choice, not an error: exit quietly instead of printing a panic.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
