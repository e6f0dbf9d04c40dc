//! `plumbline`: the command-line shell over the Plumbline crates. Parsing arguments, printing and
//! exit codes live here; everything else is in the library crates.

mod bcf_cmd;
mod clash_cmd;
mod gen;
mod info;
mod load_args;
mod load_bar;
mod schedule_cmd;
mod status_cmd;

use clap::{Parser, Subcommand};
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

#[derive(Debug, Parser)]
#[command(name = "plumbline", version, about = "BIM model checking: IFC loading, clash detection and 4D")]
struct Cli {
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
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info(args) => info::run(&args),
        Command::Clash(args) => clash_cmd::run(&args),
        Command::Schedule(args) => schedule_cmd::run(&args),
        Command::Gen(cmd) => gen::run(&cmd),
        Command::Status(args) => status_cmd::run_status(&args),
        Command::History(args) => status_cmd::run_history(&args),
        Command::Bcf(cmd) => bcf_cmd::run(&cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
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
