//! `plumbline status` and `plumbline history`: reading and annotating the clash history that
//! clash runs record with `--db`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use plumbline_store::{Status, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// The history file when `--db` is not given: in the current directory.
const DEFAULT_DB: &str = "plumbline.db";

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The clash id (the `id` field of a clash in the `--json` report).
    id: String,
    /// Set the status: new, active, reviewed, approved or resolved ("resolved" marks it fixed).
    #[arg(long, value_parser = parse_status, requires = "by")]
    set: Option<Status>,
    /// Who makes the change (recorded in the history; needed with --set and --comment).
    #[arg(long)]
    by: Option<String>,
    /// Why: stored with the status change, or as a comment on its own without --set.
    #[arg(long, requires = "by")]
    comment: Option<String>,
    /// The clash history database.
    #[arg(long, default_value = DEFAULT_DB)]
    db: PathBuf,
    /// Print the clash, its status history and comments as one JSON document.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The clash history database.
    #[arg(long, default_value = DEFAULT_DB)]
    db: PathBuf,
    /// Print the runs as one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_status(text: &str) -> Result<Status, String> {
    Status::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Status::ALL.iter().map(Status::as_str).collect();
        format!("unknown status '{text}'; use one of {}", names.join(", "))
    })
}

/// `YYYY-MM-DD HH:MM UTC`: the precision people read a history at.
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn run_status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(&args.db)?;
    let now = Utc::now();
    let by = args.by.as_deref().unwrap_or_default();
    match (args.set, args.comment.as_deref()) {
        (Some(status), comment) => {
            let change = store.set_status(&args.id, status, by, comment, now)?;
            let from = change.from.map_or("(none)", |s| s.as_str());
            println!(
                "{}: {from} -> {} (by {}, {})",
                change.clash_id,
                change.to,
                change.by,
                when(change.at_utc)
            );
        }
        (None, Some(text)) => {
            let comment = store.add_comment(&args.id, by, text, now)?;
            println!("{}: comment by {} added ({})", comment.clash_id, comment.by, when(comment.at_utc));
        }
        (None, None) => show(&store, args)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
struct ClashDocument {
    clash: plumbline_store::StoredClash,
    history: Vec<plumbline_store::StatusChange>,
    comments: Vec<plumbline_store::Comment>,
}

fn show(store: &Store, args: &StatusArgs) -> anyhow::Result<()> {
    let Some(clash) = store.clash(&args.id)? else {
        // The store's own message says where clash ids come from.
        return Err(
            plumbline_store::StoreError::UnknownClash { path: args.db.clone(), id: args.id.clone() }.into()
        );
    };
    let history = store.status_history(&args.id)?;
    let comments = store.comments(&args.id)?;
    if args.json {
        let doc = ClashDocument { clash, history, comments };
        println!("{}", serde_json::to_string_pretty(&doc).context("writing JSON")?);
        return Ok(());
    }
    let label = |e: &plumbline_store::StoredElement| match e.name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("{} '{}' ({})", e.class, n, e.global_id),
        _ => format!("{} {}", e.class, e.global_id),
    };
    println!(
        "{}  {} ({} since {}, by {})",
        clash.id,
        clash.status,
        clash.test,
        when(clash.status_utc),
        clash.status_by
    );
    println!("  a: {}", label(&clash.a));
    println!("  b: {}", label(&clash.b));
    println!("  seen in runs {} to {}", clash.first_seen_run, clash.last_seen_run);
    println!("history:");
    for h in &history {
        let from = h.from.map_or(String::new(), |s| format!("{s} -> "));
        let run = h.run_id.map_or(String::new(), |r| format!(" [run {r}]"));
        let comment = h.comment.as_deref().map_or(String::new(), |c| format!(": {c}"));
        println!("  {}  {from}{}  by {}{run}{comment}", when(h.at_utc), h.to, h.by);
    }
    if !comments.is_empty() {
        println!("comments:");
        for c in &comments {
            println!("  {}  {}: {}", when(c.at_utc), c.by, c.text);
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct HistoryDocument {
    db: String,
    runs: Vec<plumbline_store::RunSummary>,
}

pub fn run_history(args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing(&args.db)?;
    let runs = store.history()?;
    if args.json {
        let doc = HistoryDocument { db: args.db.display().to_string(), runs };
        println!("{}", serde_json::to_string_pretty(&doc).context("writing JSON")?);
        return Ok(ExitCode::SUCCESS);
    }
    if runs.is_empty() {
        println!("{}: no runs recorded yet", args.db.display());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>4}  {:<20}  {:>7}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  tests",
        "run", "started", "clashes", "new", "active", "reviewed", "approved", "resolved"
    );
    for r in &runs {
        println!(
            "{:>4}  {:<20}  {:>7}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  {}",
            r.run_id,
            when(r.started_utc),
            r.clashes,
            r.new,
            r.active,
            r.reviewed,
            r.approved,
            r.resolved,
            r.tests.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
