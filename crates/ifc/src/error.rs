use std::path::PathBuf;
use std::time::Duration;

/// Why a whole file could not be loaded. Problems with single elements are never a `LoadError`:
/// they are reported in [`plumbline_model::Model::failures`] and the rest of the model loads.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {reason}")]
    NotIfc { path: PathBuf, line: usize, reason: String },
    #[error(
        "{path}: line {line}: unsupported schema '{schema}' in FILE_SCHEMA (supported: IFC2X3, IFC4, IFC4X1, IFC4X2, IFC4X3 and their addenda; IFC2X is read as IFC2X3)"
    )]
    UnsupportedSchema { path: PathBuf, line: usize, schema: String },
    #[error("{path}: not a usable .ifczip archive: {reason}")]
    Zip { path: PathBuf, reason: String },
    #[error(
        "{path}: loading took longer than the time limit of {limit:?} and was stopped (raise it with --time-limit-secs)"
    )]
    TimedOut { path: PathBuf, limit: Duration },
    #[error(
        "{path}: line {line}: a record runs for more than {limit} bytes without ';' (no real IFC record is that long: a damaged or hostile file?); refusing it rather than running out of memory"
    )]
    RecordTooLong { path: PathBuf, line: usize, limit: u64 },
    #[error("{path}: the model declares its length unit as {entity} with an unusable factor (zero, negative or not finite)")]
    BadUnit { path: PathBuf, entity: String },
    #[error("{path}: internal error in the IFC tessellator (please report it with the file): {message}")]
    Internal { path: PathBuf, message: String },
}

impl LoadError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::NotIfc { path, .. }
            | LoadError::UnsupportedSchema { path, .. }
            | LoadError::Zip { path, .. }
            | LoadError::TimedOut { path, .. }
            | LoadError::BadUnit { path, .. }
            | LoadError::RecordTooLong { path, .. }
            | LoadError::Internal { path, .. } => path,
        }
    }
}
