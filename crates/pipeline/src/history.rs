//! The last stage of a run: recording it in the clash history, which gives each clash its
//! status (new, active, reviewed, approved, resolved) and writes the statuses back into the
//! report. Every run hands the history its models' elements as a `Revision` (GlobalId, class +
//! name + geometry fingerprint, state), so a re-export with regenerated GlobalIds keeps every
//! clash, a clash whose element was deleted is `element-removed`, and one whose element changed
//! since its review is flagged. The history is an SQLite file or a `postgresql://` URL.

use crate::error::PipelineError;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_store::{Revision, RunMeta, RunSummary, Store, Unchecked};
use std::path::Path;

/// Records `report` as a run in the history at `path` (created when missing) and sets its
/// clashes' statuses. Clashes whose elements `set` skipped, or whose file was cut short, are
/// kept open rather than resolved: their absence proves nothing.
pub fn record_run(
    path: &Path,
    report: &mut Report,
    rules_file: Option<&Path>,
    set: &ModelSet,
    started_utc: chrono::DateTime<chrono::Utc>,
) -> Result<RunSummary, PipelineError> {
    let mut store = Store::open(path)?;
    record_in(&mut store, report, rules_file, set, started_utc)
}

/// As [`record_run`], with `before_commit` run inside the history's transaction on the report
/// with its statuses and numbers: the run is recorded only when it succeeds (a clash run
/// stages its report files there, so a run whose reports failed records nothing).
/// `project` names the project the run is recorded in (its clash numbers count per project);
/// `None` takes the history's default (the rule file's or the models' name).
pub fn record_run_then<T>(
    path: &Path,
    project: Option<&str>,
    report: &mut Report,
    rules_file: Option<&Path>,
    set: &ModelSet,
    started_utc: chrono::DateTime<chrono::Utc>,
    before_commit: impl FnOnce(&Report) -> Result<T, PipelineError>,
) -> Result<(RunSummary, T), PipelineError> {
    let mut store = Store::open(path)?;
    store.set_project(project);
    let meta = run_meta(report, rules_file, started_utc);
    let revision = Revision::of_set(set);
    store.record_revision_run_then(report, &meta, &Unchecked::of_set(set), Some(&revision), before_commit)
}

pub(crate) fn run_meta(
    report: &Report,
    rules_file: Option<&Path>,
    started_utc: chrono::DateTime<chrono::Utc>,
) -> RunMeta {
    RunMeta {
        started_utc,
        models: report.models.clone(),
        config: rules_file.map(|c| c.display().to_string()),
    }
}

/// As [`record_run`], in a history the caller already holds open (the viewer keeps one).
pub fn record_in(
    store: &mut Store,
    report: &mut Report,
    rules_file: Option<&Path>,
    set: &ModelSet,
    started_utc: chrono::DateTime<chrono::Utc>,
) -> Result<RunSummary, PipelineError> {
    let meta = run_meta(report, rules_file, started_utc);
    let revision = Revision::of_set(set);
    let (summary, ()) =
        store.record_revision_run_then(report, &meta, &Unchecked::of_set(set), Some(&revision), |_| {
            Ok::<(), PipelineError>(())
        })?;
    Ok(summary)
}
