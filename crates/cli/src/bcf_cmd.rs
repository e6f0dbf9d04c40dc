//! `plumbline bcf import`: statuses and comments from BCF archives (ours re-imported after a
//! review in another tool, or another tool's own topics) into the clash history.

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::{Args, Subcommand};
use plumbline_store::Store;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum BcfCommand {
    /// Read a BCF 2.0/2.1/3.0 archive (or a bare markup.bcf) and update the statuses and
    /// comments of the clashes its topics match: by topic GUID (the clash group exported by
    /// Plumbline), else by the pair of elements a viewpoint selects.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The BCF archive.
    file: PathBuf,
    /// The clash history to update [default: $PLUMBLINE_DB, else plumbline.db in the current
    /// folder: where `plumbline clash` records].
    #[arg(long)]
    db: Option<PathBuf>,
    /// Who the changes are recorded as when a topic names no author.
    #[arg(long, default_value = "bcf-import")]
    by: String,
    /// Write the summary as JSON to this file, or to stdout with `-`.
    #[arg(long, value_name = "FILE|-")]
    json: Option<PathBuf>,
    /// The history project (site) the review is about. Needed only when the topics match
    /// clashes of several projects: sites copied from one template share GlobalIds, and a
    /// review of one site must not change another's.
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
struct ImportSummary {
    file: String,
    topics: usize,
    matched_topics: usize,
    clashes_matched: usize,
    statuses_changed: usize,
    comments_added: usize,
    /// Clashes whose assignee, priority, due date or labels the import changed.
    reviews_changed: usize,
    /// Topics that match no clash of the history: GUID and title.
    unmatched: Vec<(String, String)>,
    warnings: Vec<String>,
}

pub fn run(cmd: &BcfCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BcfCommand::Import(args) => import(args),
    }
}

/// As [`parse_date`], keeping the offset written (UTC for a time without a zone).
fn parse_date_at(text: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().or_else(|| parse_date(text).map(|d| d.fixed_offset()))
}

/// An `xs:dateTime` as BCF tools write it: with an offset, with `Z`, or with no zone (read as
/// UTC).
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    DateTime::parse_from_rfc3339(t).map(|d| d.with_timezone(&Utc)).ok().or_else(|| {
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
            .map(|n| n.and_utc())
    })
}

fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}: cannot read", args.file.display()))?;
    let archive = plumbline_bcf::read(&bytes)
        .with_context(|| format!("{}: not a readable BCF archive", args.file.display()))?;
    let db = plumbline_pipeline::history_location(args.db.as_deref());
    let mut store = Store::open_existing(&db)?;
    if let Some(project) = args.project.as_deref() {
        let projects = store.projects()?;
        if !projects.contains_key(project.trim()) {
            let known: Vec<&str> = projects.keys().map(String::as_str).collect();
            anyhow::bail!(
                "{}: no project '{project}' in the history (its projects: {})",
                db.display(),
                known.join(", ")
            );
        }
        store.set_project(Some(project));
    }
    let now = Utc::now();
    let mut summary = ImportSummary {
        file: args.file.display().to_string(),
        topics: archive.topics.len(),
        warnings: archive.warnings.clone(),
        ..Default::default()
    };
    // Every topic is matched first and nothing is written until the matches are known to
    // belong to one project: a topic that matched clashes of two sites would otherwise change
    // both, or stop half-way with the earlier topics already saved.
    let mut matched: Vec<(&plumbline_bcf::Topic, Vec<plumbline_store::StoredClash>)> = Vec::new();
    for topic in &archive.topics {
        let mut clashes = store.clashes_in_group(&topic.guid)?;
        if clashes.is_empty() {
            // A topic from another tool: the clashes between any two elements its viewpoints
            // select or colour.
            let ids: BTreeSet<String> = topic.viewpoints.iter().flat_map(|v| v.component_ids()).collect();
            let ids: Vec<&String> = ids.iter().collect();
            let mut seen = BTreeSet::new();
            for (i, a) in ids.iter().enumerate() {
                for b in &ids[i + 1..] {
                    for c in store.clashes_between(a, b)? {
                        if seen.insert((c.project.clone(), c.id.clone())) {
                            clashes.push(c);
                        }
                    }
                }
            }
        }
        if clashes.is_empty() {
            summary.unmatched.push((topic.guid.clone(), topic.title.clone()));
            continue;
        }
        matched.push((topic, clashes));
    }
    let projects: BTreeSet<&str> =
        matched.iter().flat_map(|(_, clashes)| clashes.iter().map(|c| c.project.as_str())).collect();
    if projects.len() > 1 {
        let names: Vec<&str> = projects.into_iter().collect();
        anyhow::bail!(
            "{}: the topics match clashes of several projects ({}) in {}: their models share GlobalIds; nothing was imported; choose the project the review is about with --project",
            args.file.display(),
            names.join(", "),
            db.display()
        );
    }
    if let Some(project) = projects.first() {
        store.set_project(Some(project));
    }
    for (topic, clashes) in matched {
        summary.matched_topics += 1;
        summary.clashes_matched += clashes.len();
        let topic_by = topic
            .modified_author
            .clone()
            .or_else(|| topic.creation_author.clone())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| args.by.clone());
        let topic_at = topic.modified_date.as_deref().or(topic.creation_date.as_deref()).and_then(parse_date);
        for clash in &clashes {
            // A person's decision in another tool overrides what a run set automatically; between
            // two people's decisions the later one wins (a topic that does not say when counts
            // as later).
            if let Some(status) = topic.status {
                let automatic = clash.status_by == plumbline_store::RUN_AUTHOR;
                let newer = automatic || topic_at.is_none_or(|at| at > clash.status_utc);
                if status != clash.status && newer {
                    let note = format!(
                        "imported from BCF {} topic {} ('{}', status {})",
                        args.file.display(),
                        topic.guid,
                        topic.title,
                        topic.status_raw.as_deref().unwrap_or("")
                    );
                    store.set_status(&clash.id, status, &topic_by, Some(&note), topic_at.unwrap_or(now))?;
                    summary.statuses_changed += 1;
                }
            }
            let update = review_update(topic, &clash.test);
            if !update.is_empty() {
                let before = clash.review.clone();
                let after = store.set_review(&clash.id, &update, &topic_by, topic_at.unwrap_or(now))?;
                summary.reviews_changed += usize::from(after != before);
            }
            // What the history already says, as a BCF export writes it: comments, and people's
            // status decisions ("Status new -> reviewed: …").
            let mut known: BTreeSet<(String, String)> =
                store.comments(&clash.id)?.into_iter().map(|e| (e.by, e.text)).collect();
            for change in store.status_history(&clash.id)?.into_iter().filter(|c| c.run_id.is_none()) {
                let text = plumbline_pipeline::status_change_note(&change);
                known.insert((change.by, text));
            }
            for c in &topic.comments {
                // A topic of several clashes names each comment's clash (`#12: …`): it goes back
                // to that clash only.
                let (number, text) = plumbline_bcf::numbered_comment(c.text.trim());
                if number.is_some_and(|n| clash.number != Some(n)) {
                    continue;
                }
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let by = c.author.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| args.by.clone());
                // Re-importing the same archive (or our own export) must not repeat comments.
                if !known.insert((by.clone(), text.to_string())) {
                    continue;
                }
                // The comment keeps the offset its author wrote it at.
                let at = c.date.as_deref().and_then(parse_date_at).unwrap_or(now.fixed_offset());
                store.add_comment_at(&clash.id, &by, text, at)?;
                summary.comments_added += 1;
            }
        }
    }
    if let Some(json) = &args.json {
        crate::json_out::write(json, &summary)?;
    } else {
        println!(
            "{}: {} topics, {} matched ({} clashes): {} statuses changed, {} reviews changed, {} comments added (history {})",
            summary.file,
            summary.topics,
            summary.matched_topics,
            summary.clashes_matched,
            summary.statuses_changed,
            summary.reviews_changed,
            summary.comments_added,
            db.display()
        );
        for (guid, title) in &summary.unmatched {
            println!("  no matching clash: topic {guid} '{title}'");
        }
    }
    for w in &summary.warnings {
        tracing::warn!("{w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The review fields a topic sets: its assignee, priority, due date (the day of the
/// `xs:dateTime`) and labels less the test name, which every topic Plumbline writes carries.
/// Fields the topic leaves out are left alone.
fn review_update(topic: &plumbline_bcf::Topic, test_name: &str) -> plumbline_store::ReviewUpdate {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    let labels: Vec<String> = topic
        .labels
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && l != test_name.trim())
        .collect();
    plumbline_store::ReviewUpdate {
        assigned_to: text(&topic.assigned_to),
        priority: text(&topic.priority),
        due_date: topic
            .due_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim().get(..10)?, "%Y-%m-%d").ok())
            .map(Some),
        labels: (!labels.is_empty()).then_some(labels),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bcf_dates_parse_with_and_without_zones() {
        let p = |t: &str| super::parse_date(t).map(|d| d.to_rfc3339());
        assert_eq!(p("2026-11-27T10:00:00Z").as_deref(), Some("2026-11-27T10:00:00+00:00"));
        assert_eq!(p("2026-11-27T12:00:00+02:00").as_deref(), Some("2026-11-27T10:00:00+00:00"));
        assert_eq!(p("2026-11-27T10:00:00.123").as_deref(), Some("2026-11-27T10:00:00.123+00:00"));
        assert_eq!(p("yesterday"), None);
        // The importing keeps a comment's own offset for display.
        let at = |t: &str| super::parse_date_at(t).map(|d| d.to_rfc3339());
        assert_eq!(at("2026-11-27T17:00:00+08:00").as_deref(), Some("2026-11-27T17:00:00+08:00"));
        assert_eq!(at("2026-11-27T10:00:00").as_deref(), Some("2026-11-27T10:00:00+00:00"));
    }
}
