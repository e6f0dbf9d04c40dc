//! `plumbline status` and `plumbline history`: reading and annotating the clash history that
//! clash runs record with `--db`, an SQLite file or a PostgreSQL database a team shares
//! (`--db postgresql://user@host/db` or `PLUMBLINE_DB`).

use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use plumbline_store::{ReviewUpdate, RunSummary, Status, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// The history when neither `--db` nor `PLUMBLINE_DB` names one: a file in the current directory.
const DEFAULT_DB: &str = "plumbline.db";

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The clash: its number (`#12`, as reports show it) or its id (the `id` field of a clash in
    /// the `--json` report).
    id: String,
    /// Set the status: new, active, reviewed, approved or resolved ("resolved" marks it fixed).
    #[arg(long, value_parser = parse_status, requires = "by")]
    set: Option<Status>,
    /// Who makes the change (recorded in the history; needed with any change).
    #[arg(long)]
    by: Option<String>,
    /// Why: stored with the status change, or as a comment on its own without --set.
    #[arg(long, requires = "by")]
    comment: Option<String>,
    /// Assign the clash to a person ('' clears).
    #[arg(long, value_name = "NAME", requires = "by")]
    assign: Option<String>,
    /// Set its priority, e.g. High ('' clears).
    #[arg(long, value_name = "P", requires = "by")]
    priority: Option<String>,
    /// Set its due date, YYYY-MM-DD ('none' clears).
    #[arg(long, value_name = "DATE", requires = "by")]
    due: Option<String>,
    /// Set its labels (repeat for several; one '' clears them).
    #[arg(long = "label", value_name = "L", requires = "by")]
    labels: Vec<String>,
    /// The clash history: an SQLite file or a postgresql:// URL.
    #[arg(long, env = "PLUMBLINE_DB", default_value = DEFAULT_DB)]
    db: String,
    /// The project whose clash numbers `#N` names (needed when several projects have it).
    #[arg(long)]
    project: Option<String>,
    /// Write the clash, its status history and comments as one JSON document to this file, or
    /// to stdout with `-`.
    #[arg(long, value_name = "FILE|-")]
    json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The clash history: an SQLite file or a postgresql:// URL.
    #[arg(long, env = "PLUMBLINE_DB", default_value = DEFAULT_DB)]
    db: String,
    /// Only the runs of this project.
    #[arg(long)]
    project: Option<String>,
    /// Only the runs that started on or after this date (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    since: Option<NaiveDate>,
    /// Write the runs and the per-project trend as one JSON document to this file, or to stdout
    /// with `-`, instead of tables.
    #[arg(long, value_name = "FILE|-")]
    json: Option<std::path::PathBuf>,
}

fn parse_status(text: &str) -> Result<Status, String> {
    Status::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Status::ALL.iter().map(Status::as_str).collect();
        format!("unknown status '{text}'; use one of {}", names.join(", "))
    })
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2027-01-15"))
}

fn parse_due(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.trim().is_empty() || text.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    parse_date(text).map(Some)
}

/// `YYYY-MM-DD HH:MM UTC`: the precision people read a history at.
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time at the offset it was written at (`2026-11-02 17:00 +08:00`).
fn when_at(t: DateTime<chrono::FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M %:z").to_string()
}

impl StatusArgs {
    /// The review fields the flags change.
    fn review_update(&self) -> anyhow::Result<ReviewUpdate> {
        let labels = match self.labels.as_slice() {
            [] => None,
            [only] if only.trim().is_empty() => Some(Vec::new()),
            many => Some(many.to_vec()),
        };
        let due_date =
            self.due.as_deref().map(parse_due).transpose().map_err(|e| anyhow::anyhow!("--due: {e}"))?;
        Ok(ReviewUpdate {
            assigned_to: self.assign.clone(),
            priority: self.priority.clone(),
            due_date,
            labels,
        })
    }
}

pub fn run_status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing_location(&args.db)?;
    store.set_project(args.project.as_deref());
    // A number can be one project's while its id is in several: the clash found is named by
    // its project from here on.
    let (project, id) = store.resolve_clash(&args.id)?;
    store.set_project(Some(&project));
    let now = Utc::now();
    let by = args.by.as_deref().unwrap_or_default();
    let update = args.review_update()?;
    let mut changed = false;
    if let Some(status) = args.set {
        let change = store.set_status(&id, status, by, args.comment.as_deref(), now)?;
        let from = change.from.map_or("(none)", |s| s.as_str());
        println!("{}: {from} -> {} (by {}, {})", change.clash_id, change.to, change.by, when(change.at_utc));
        changed = true;
    } else if let Some(text) = args.comment.as_deref() {
        let comment = store.add_comment(&id, by, text, now)?;
        println!("{}: comment by {} added ({})", comment.clash_id, comment.by, when_at(comment.at));
        changed = true;
    }
    if !update.is_empty() {
        let review = store.set_review(&id, &update, by, now)?;
        println!("{id}: {}", describe_review(&review));
        changed = true;
    }
    if !changed {
        show(&store, &id, args.json.as_deref())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_review(r: &plumbline_store::Review) -> String {
    format!(
        "assigned to {}, priority {}, due {}, labels {}",
        r.assigned_to.as_deref().unwrap_or("nobody"),
        r.priority.as_deref().unwrap_or("none"),
        r.due_date.map_or_else(|| "none".to_string(), |d| d.to_string()),
        if r.labels.is_empty() { "none".to_string() } else { r.labels.join(", ") }
    )
}

#[derive(Debug, Serialize)]
struct ClashDocument {
    clash: plumbline_store::StoredClash,
    history: Vec<plumbline_store::StatusChange>,
    comments: Vec<plumbline_store::Comment>,
}

fn show(store: &Store, id: &str, json: Option<&std::path::Path>) -> anyhow::Result<()> {
    let Some(clash) = store.clash(id)? else {
        // The store's own message says where clash ids come from.
        return Err(plumbline_store::StoreError::UnknownClash {
            path: store.path().to_path_buf(),
            id: id.to_string(),
        }
        .into());
    };
    let history = store.status_history(id)?;
    let comments = store.comments(id)?;
    if let Some(json) = json {
        return crate::json_out::write(json, &ClashDocument { clash, history, comments });
    }
    let label = |e: &plumbline_store::StoredElement| match e.name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("{} '{}' ({})", e.class, n, e.global_id),
        _ => format!("{} {}", e.class, e.global_id),
    };
    let number = clash.number.map_or(String::new(), |n| format!("#{n} "));
    let why = clash.resolution.map_or(String::new(), |r| format!(" ({})", r.as_str()));
    println!(
        "{number}{}  {}{why} ({} since {}, by {})",
        clash.id,
        clash.status,
        clash.test,
        when(clash.status_utc),
        clash.status_by
    );
    println!("  project: {}", clash.project);
    println!("  a: {}", label(&clash.a));
    println!("  b: {}", label(&clash.b));
    println!("  seen in runs {} to {}", clash.first_seen_run, clash.last_seen_run);
    if clash.changed {
        println!("  changed: an element changed since the last decision; look again");
    }
    if clash.review != plumbline_store::Review::default() {
        println!("  review: {}", describe_review(&clash.review));
    }
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
            println!("  {}  {}: {}", when_at(c.at), c.by, c.text);
        }
    }
    Ok(())
}

/// A project's trend over the runs shown: what its runs found new, resolved and lost to
/// removed elements, and what is open now.
#[derive(Debug, Default, Serialize, PartialEq)]
struct ProjectTrend {
    runs: usize,
    new: usize,
    resolved: usize,
    element_removed: usize,
    open: usize,
}

#[derive(Debug, Serialize)]
struct HistoryDocument {
    db: String,
    runs: Vec<RunSummary>,
    projects: BTreeMap<String, ProjectTrend>,
}

pub fn run_history(args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_existing_location(&args.db)?;
    let since = args.since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let runs = store.trend(args.project.as_deref(), since)?;
    let mut projects: BTreeMap<String, ProjectTrend> = BTreeMap::new();
    for r in &runs {
        let p = projects.entry(r.project.clone()).or_default();
        p.runs += 1;
        p.new += r.new;
        p.resolved += r.resolved;
        p.element_removed += r.element_removed;
    }
    for c in store.all_clashes()?.iter().filter(|c| c.status != Status::Resolved) {
        if let Some(p) = projects.get_mut(&c.project) {
            p.open += 1;
        }
    }
    let shown = store.path().display().to_string();
    if let Some(json) = &args.json {
        crate::json_out::write(json, &HistoryDocument { db: shown, runs, projects })?;
        return Ok(ExitCode::SUCCESS);
    }
    if runs.is_empty() {
        println!("{shown}: no runs recorded yet");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>4}  {:<20}  {:<12}  {:>7}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  tests",
        "run",
        "started",
        "project",
        "clashes",
        "new",
        "active",
        "reviewed",
        "approved",
        "resolved",
        "removed"
    );
    for r in &runs {
        println!(
            "{:>4}  {:<20}  {:<12}  {:>7}  {:>5}  {:>6}  {:>8}  {:>8}  {:>8}  {:>7}  {}",
            r.run_id,
            when(r.started_utc),
            r.project,
            r.clashes,
            r.new,
            r.active,
            r.reviewed,
            r.approved,
            r.resolved,
            r.element_removed,
            r.tests.join(", ")
        );
    }
    println!();
    println!(
        "{:<12}  {:>4}  {:>5}  {:>8}  {:>7}  {:>5}",
        "project", "runs", "new", "resolved", "removed", "open"
    );
    for (name, p) in &projects {
        println!(
            "{name:<12}  {:>4}  {:>5}  {:>8}  {:>7}  {:>5}",
            p.runs, p.new, p.resolved, p.element_removed, p.open
        );
    }
    Ok(ExitCode::SUCCESS)
}
