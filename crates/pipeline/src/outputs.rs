//! Writing a run's reports: JSON, CSV, XLSX, HTML (with a snapshot per clash) and BCF (with a
//! snapshot per group). All of them are first written under temporary names beside their
//! targets ([`stage_reports`]) and only put in place together once every one was written
//! ([`StagedReports::commit`]): an interrupted or failed run never leaves half a report where
//! the previous one was, and a run that records its history commits the history between the
//! two steps, so a run whose reports failed records nothing.

use crate::error::PipelineError;
use crate::observe::Observer;
use crate::plan::{is_stdout, Outputs};
use plumbline_bcf::UtcDateTime;
use plumbline_model::ModelSet;
use plumbline_review::{ClashRecord, Group, Note, Report, ReviewNotes};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// PNG pictures by clash or group id.
type Pictures = BTreeMap<String, Vec<u8>>;

/// Snapshot sizes: BCF 3.0 allows at most 1500 px on the long side; HTML pictures stay small so
/// that a report with hundreds of clashes opens quickly.
const BCF_SNAPSHOT_PX: (u32, u32) = (800, 600);
const HTML_SNAPSHOT_PX: (u32, u32) = (480, 360);

/// Writes every report `outputs` asks for, from `report` and the loaded `set` (for snapshots).
pub fn write_reports(
    outputs: &Outputs,
    set: &ModelSet,
    report: &Report,
    observer: &mut dyn Observer,
) -> Result<(), PipelineError> {
    stage_reports(outputs, set, report, &BTreeMap::new(), observer)?.commit()
}

/// Report files written under temporary names beside their targets. [`StagedReports::commit`]
/// puts them in place; dropped without a commit (an error, a failed history), they are removed
/// and the previous reports stay as they were.
#[derive(Debug, Default)]
#[must_use = "staged reports are removed unless committed"]
pub struct StagedReports {
    /// (temporary file, target), in the order written.
    files: Vec<(PathBuf, PathBuf)>,
    /// The report asked for on stdout (`-`), written at the commit.
    stdout: Option<Vec<u8>>,
}

impl StagedReports {
    /// Writes `bytes` to a temporary file beside `path`; an error names `path`.
    fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<(), PipelineError> {
        if is_stdout(path) {
            self.stdout = Some(bytes.to_vec());
            return Ok(());
        }
        let tmp = temporary_name(path);
        std::fs::write(&tmp, bytes)
            .map_err(|e| PipelineError::Write { path: path.to_path_buf(), message: e.to_string() })?;
        self.files.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// The reports that will be written, by their target paths.
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(_, path)| path.as_path())
    }

    /// Moves every staged file onto its target (a rename within one folder).
    pub fn commit(mut self) -> Result<(), PipelineError> {
        for (tmp, path) in std::mem::take(&mut self.files) {
            std::fs::rename(&tmp, &path).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                PipelineError::Write { path: path.clone(), message: e.to_string() }
            })?;
        }
        if let Some(bytes) = self.stdout.take() {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).and_then(|()| out.flush()).map_err(|e| PipelineError::Write {
                path: PathBuf::from("-"),
                message: format!("writing to stdout: {e}"),
            })?;
        }
        Ok(())
    }
}

impl Drop for StagedReports {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            // Ours, and unwanted now; a file already gone is fine.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A hidden name beside `path` that no other report of the run shares (`r.json` and `r.csv`
/// must not collide).
fn temporary_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-plumbline"))
}

/// Writes every report `outputs` asks for under temporary names; see [`StagedReports`].
pub fn stage_reports(
    outputs: &Outputs,
    set: &ModelSet,
    report: &Report,
    notes: &BTreeMap<String, ReviewNotes>,
    observer: &mut dyn Observer,
) -> Result<StagedReports, PipelineError> {
    let mut staged = StagedReports::default();
    if let Some(path) = &outputs.json {
        staged.stage(path, (report.to_json() + "\n").as_bytes())?;
    }
    if let Some(path) = &outputs.csv {
        staged.stage(path, plumbline_report::csv(report, outputs.lang).as_bytes())?;
    }
    if let Some(path) = &outputs.xlsx {
        let bytes = plumbline_report::xlsx(report, outputs.lang).map_err(|e| PipelineError::Write {
            path: path.clone(),
            message: format!("writing XLSX: {e}"),
        })?;
        staged.stage(path, &bytes)?;
    }
    if let Some(path) = &outputs.html {
        let snapshots = clash_snapshots(set, report, outputs.max_snapshots, observer);
        staged.stage(path, plumbline_report::html(report, &snapshots, outputs.lang).as_bytes())?;
    }
    if let Some(path) = &outputs.bcf {
        let author = outputs.author.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(default_author);
        let pictures = group_snapshots(set, report, observer);
        let options = plumbline_bcf::ExportOptions {
            version: outputs.bcf_version,
            author: &author,
            date_utc: report_time()?,
            snapshots: &|g| pictures.get(&g.id).cloned(),
        };
        let bytes = plumbline_bcf::write_with_notes(report, &options, notes)
            .map_err(|e| PipelineError::Write { path: path.clone(), message: format!("writing BCF: {e}") })?;
        staged.stage(path, &bytes)?;
    }
    Ok(staged)
}

/// Who wrote a review or an export when nobody said: the login name (`USER` on Unix,
/// `USERNAME` on Windows), else "plumbline".
pub fn default_author() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|a| a.trim().to_string())
        .find(|a| !a.is_empty())
        .unwrap_or_else(|| "plumbline".to_string())
}

/// The time written into reports: `SOURCE_DATE_EPOCH` when set (reproducible builds and
/// tests), else now.
pub fn report_time() -> Result<UtcDateTime, PipelineError> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            PipelineError::Argument(format!("SOURCE_DATE_EPOCH '{v}' is not a number of seconds"))
        })?,
        Err(_) => chrono::Utc::now().timestamp(),
    };
    UtcDateTime::from_unix_seconds(secs)
        .ok_or_else(|| PipelineError::Argument(format!("time {secs} is out of range")))
}

/// Writes a file through a temporary name beside it; an error names the file asked for.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PipelineError> {
    let failed =
        |e: std::io::Error| PipelineError::Write { path: path.to_path_buf(), message: e.to_string() };
    let tmp = temporary_name(path);
    std::fs::write(&tmp, bytes).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        // The temporary file is ours: leave nothing behind.
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// The snapshot of each clash (up to `max` of them, in report order), rendered in parallel.
fn clash_snapshots(
    set: &ModelSet,
    report: &Report,
    max: usize,
    observer: &mut dyn Observer,
) -> plumbline_report::Snapshots {
    let clashes: Vec<&ClashRecord> = report.clashes().take(max).collect();
    let (w, h) = HTML_SNAPSHOT_PX;
    let (snapshots, failures) = {
        let tick = observer.stage("snapshots", clashes.len());
        let results: Vec<(&ClashRecord, Result<Vec<u8>, String>)> = clashes
            .par_iter()
            .map(|c| {
                let png = plumbline_snapshot::render_clash_png(set, c, w, h).map_err(|e| e.to_string());
                tick.inc();
                (*c, png)
            })
            .collect();
        split(results.into_iter().map(|(c, png)| (c.id.clone(), png)))
    };
    for (id, e) in failures {
        observer.warning(&format!("no snapshot for clash {id}: {e}"));
    }
    snapshots
}

/// The snapshot of each group, from the camera its BCF viewpoint uses.
fn group_snapshots(
    set: &ModelSet,
    report: &Report,
    observer: &mut dyn Observer,
) -> BTreeMap<String, Vec<u8>> {
    let groups: Vec<(&Group, plumbline_snapshot::Highlight)> = report
        .tests
        .iter()
        .flat_map(|t| {
            t.groups.iter().map(move |g| {
                let mut hl =
                    plumbline_snapshot::Highlight { a: Vec::new(), b: Vec::new(), focus: Some(g.aabb) };
                for c in t.clashes.iter().filter(|c| c.group == g.id) {
                    hl.a.push(c.a.global_id.clone());
                    hl.b.push(c.b.global_id.clone());
                }
                (g, hl)
            })
        })
        .collect();
    let (w, h) = BCF_SNAPSHOT_PX;
    let (snapshots, failures) = {
        let tick = observer.stage("BCF snapshots", groups.len());
        let results: Vec<(String, Result<Vec<u8>, String>)> = groups
            .par_iter()
            .map(|(g, hl)| {
                let camera = plumbline_review::frame_box(&g.aabb);
                let png = plumbline_snapshot::render(set, &camera, hl, w, h)
                    .and_then(|img| img.to_png())
                    .map_err(|e| e.to_string());
                tick.inc();
                (g.id.clone(), png)
            })
            .collect();
        split(results.into_iter())
    };
    for (id, e) in failures {
        observer.warning(&format!("no snapshot for group {id}: {e}"));
    }
    snapshots
}

/// Pictures by id, and the ids that have none with the reason.
fn split(
    results: impl Iterator<Item = (String, Result<Vec<u8>, String>)>,
) -> (Pictures, Vec<(String, String)>) {
    let mut pictures = BTreeMap::new();
    let mut failures = Vec::new();
    for (id, png) in results {
        match png {
            Ok(png) => {
                pictures.insert(id, png);
            }
            Err(e) => failures.push((id, e)),
        }
    }
    (pictures, failures)
}

/// A person's status decision as a BCF comment says it (`Status new -> reviewed: moved in
/// rev C`); the BCF import compares with the same words so that it never adds its own export's
/// decisions back as comments.
pub fn status_change_note(change: &plumbline_store::StatusChange) -> String {
    let from = change.from.map(|s| s.as_str()).unwrap_or("");
    let mut text = format!("Status {from} -> {}", change.to.as_str());
    if let Some(comment) = change.comment.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        text.push_str(": ");
        text.push_str(comment);
    }
    text
}

/// What reviewers recorded in the history on the clashes of `report` (review fields, comments,
/// people's status decisions with their comments), by clash id, for the BCF export. Read before
/// the run is recorded: a run changes statuses but never this. A history that does not exist
/// yet has none. The clashes are those of the project the run records into (`project`, else
/// the history's default for a run with `rules_file`, see `record_run_then`): sites copied from
/// one template have clashes with the same ids, and another site's notes are not this one's.
pub fn review_notes(
    history: &Path,
    project: Option<&str>,
    rules_file: Option<&Path>,
    report: &Report,
    started_utc: chrono::DateTime<chrono::Utc>,
) -> Result<BTreeMap<String, ReviewNotes>, PipelineError> {
    if !history.exists() {
        return Ok(BTreeMap::new());
    }
    let mut store = plumbline_store::Store::open_existing(history)?;
    store.set_project(project);
    let project = store.project_for(&crate::history::run_meta(report, rules_file, started_utc))?;
    store.set_project(Some(&project));
    let mut notes = BTreeMap::new();
    for c in report.clashes() {
        let Some(stored) = store.clash(&c.id)? else { continue };
        let r = &stored.review;
        let mut n = ReviewNotes {
            assigned_to: r.assigned_to.clone(),
            priority: r.priority.clone(),
            due_date: r.due_date.map(|d| d.format("%Y-%m-%d").to_string()),
            labels: r.labels.clone(),
            comments: Vec::new(),
        };
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut entries: Vec<(chrono::DateTime<chrono::Utc>, Note)> = store
            .comments(&c.id)?
            .into_iter()
            .map(|m| {
                let date = m.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                (m.at_utc, Note { author: m.by, date, text: m.text })
            })
            .collect();
        // People's decisions (a run's automatic changes are the topic's status, not a comment).
        for change in store.status_history(&c.id)?.into_iter().filter(|s| s.run_id.is_none()) {
            let text = status_change_note(&change);
            entries.push((change.at_utc, Note { author: change.by, date: stamp(change.at_utc), text }));
        }
        entries.sort_by_key(|(at, _)| *at);
        n.comments = entries.into_iter().map(|(_, note)| note).collect();
        if !n.is_empty() {
            notes.insert(c.id.clone(), n);
        }
    }
    Ok(notes)
}
