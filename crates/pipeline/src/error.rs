//! What can stop a clash run, each naming the file (and the line or entity where known).

use std::path::PathBuf;

/// Why a clash run stopped. Causes are part of each message (not a separate error source),
/// so a binary that prints the whole chain says each cause once.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A value the user typed is not usable: which flag, and why.
    #[error("{0}")]
    Argument(String),
    /// The rule file cannot be read or is not valid.
    #[error(transparent)]
    Rules(#[from] plumbline_rules::RulesError),
    /// Some model files could not be loaded; the first one is in the message, all are listed.
    #[error("{} of {total} files could not be loaded (first: {})", errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
    Load { total: usize, errors: Vec<plumbline_ifc::LoadError> },
    /// An IFC work schedule cannot be read.
    #[error(transparent)]
    IfcSchedule(#[from] plumbline_ifc::schedule::ScheduleReadError),
    /// A schedule or link file cannot be read.
    #[error(transparent)]
    Schedule(#[from] plumbline_schedule::ScheduleError),
    /// The models hold no work schedule and none was given, where one is required.
    #[error("the models hold no IfcTask: give the schedule with --schedule FILE")]
    NoSchedule,
    /// The clash history cannot be opened or written.
    #[error(transparent)]
    Store(#[from] plumbline_store::StoreError),
    /// A report cannot be written where it was asked for.
    #[error("{path}: cannot write: {message}")]
    Write { path: PathBuf, message: String },
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
}

impl PipelineError {
    /// A bad argument, named by its flag: `--a 'IfcWal': unknown IFC class …`.
    pub(crate) fn argument(flag: &str, message: impl std::fmt::Display) -> PipelineError {
        PipelineError::Argument(format!("{flag} {message}"))
    }
}
