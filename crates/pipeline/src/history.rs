//! The last stage of a run: recording it in the clash history, which gives each clash its
//! status (new, active, reviewed, approved, resolved) and writes the statuses back into the
//! report.

use crate::error::PipelineError;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_store::{RunMeta, RunSummary, Store, Unchecked};
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

/// As [`record_run`], in a history the caller already holds open (the viewer keeps one).
pub fn record_in(
    store: &mut Store,
    report: &mut Report,
    rules_file: Option<&Path>,
    set: &ModelSet,
    started_utc: chrono::DateTime<chrono::Utc>,
) -> Result<RunSummary, PipelineError> {
    let meta = RunMeta {
        started_utc,
        models: report.models.clone(),
        config: rules_file.map(|c| c.display().to_string()),
    };
    Ok(store.record_partial_run(report, &meta, &Unchecked::of_set(set))?)
}
