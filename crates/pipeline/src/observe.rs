//! How a run tells its caller what it is doing: the CLI draws progress bars and prints lines,
//! the viewer shows its loading stages, tests listen to nothing. Every method has a default
//! that does nothing, so a caller implements only what it shows.

use plumbline_ifc::LoadOptions;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_store::RunSummary;
use std::path::{Path, PathBuf};

/// A counter of finished steps, shared by the worker threads of one stage.
pub trait Tick: Sync {
    /// One more step is done.
    fn inc(&self) {}
}

/// A tick that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Tick for Silent {}

/// Listens to a run's stages.
pub trait Observer: Send {
    /// Models are about to load; `options` may be given a progress counter
    /// (`LoadOptions::progress`).
    fn loading(&mut self, _paths: &[PathBuf], _options: &mut LoadOptions) {}
    /// File `index` of the list is loaded (or failed).
    fn file_loaded(&mut self, _index: usize) {}
    /// Every file is loaded; `set` holds what each skipped (warnings, failed elements).
    fn loaded(&mut self, _set: &ModelSet) {}
    /// Something the user should know that does not stop the run.
    fn warning(&mut self, _text: &str) {}
    /// The tests ran.
    fn clashes_found(&mut self, _report: &Report) {}
    /// The clashes were triaged by the 4D schedule.
    fn triaged(&mut self, _summary: &crate::triage::TriageSummary) {}
    /// The run is finished: every report is in place and, when it had a history, the run is
    /// recorded there (the report carries the history's statuses and clash numbers).
    fn reports_ready(&mut self, _report: &Report, _history: Option<(&Path, &RunSummary)>) {}
    /// A stage of `len` steps starts (`what`: "snapshots", "BCF snapshots"); the tick counts
    /// its steps and is dropped when the stage ends.
    fn stage(&self, _what: &str, _len: usize) -> Box<dyn Tick + '_> {
        Box::new(Silent)
    }
}

/// An observer that shows nothing (tests, embedded use).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Observer for Quiet {}
