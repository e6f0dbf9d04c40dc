//! What can go wrong with a portfolio as a whole (a broken portfolio file, shard files that do
//! not belong together). A site that fails is not an error of the batch: it is reported in the
//! portfolio with its reason, and the other sites run.

use std::path::PathBuf;

/// An error that stops a batch before any site runs, or a merge before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Portfolio { path: PathBuf, message: String },
    #[error("{0}")]
    Argument(String),
    #[error("{path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{dir}: {message}")]
    Merge { dir: PathBuf, message: String },
    #[error(transparent)]
    Report(#[from] plumbline_report::ReportError),
    #[error(transparent)]
    Pipeline(#[from] plumbline_pipeline::PipelineError),
}

impl BatchError {
    pub(crate) fn portfolio(path: &std::path::Path, message: impl Into<String>) -> BatchError {
        BatchError::Portfolio { path: path.to_path_buf(), message: message.into() }
    }
}
