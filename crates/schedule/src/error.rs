//! Why a schedule, a link table or an analysis could not be produced.

use std::path::PathBuf;

/// Every message names the file and, where there is one, the line (or CSV row) and the field.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{path}: cannot read the file: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: this is a binary Microsoft Project file (.mpp), which cannot be read directly: export MSPDI XML from MS Project (File > Save As > XML Format) and load the .xml"
    )]
    BinaryMpp { path: PathBuf },
    #[error("{path}: {reason}")]
    UnsupportedFormat { path: PathBuf, reason: String },
    /// The file's structure is broken (XML not well formed, an XER row before its field list).
    #[error("{path}: line {line}: {reason}")]
    Syntax { path: PathBuf, line: usize, reason: String },
    /// One value could not be understood.
    #[error("{path}: line {line}: field '{field}': {reason}")]
    Field { path: PathBuf, line: usize, field: String, reason: String },
    /// A field every record needs is missing.
    #[error("{path}: line {line}: missing field '{field}'")]
    MissingField { path: PathBuf, line: usize, field: String },
    /// An activity's data cannot be scheduled as given (unknown calendar, a calendar without
    /// working time, a negative duration, constraints that contradict each other, a lag that
    /// runs past the dates the calendars cover).
    #[error("{path}: line {line}: activity '{activity}': {reason}")]
    Activity { path: String, line: usize, activity: String, reason: String },
    #[error(
        "the dependencies form a cycle, so no critical path exists: {}",
        tasks.join(" -> ")
    )]
    Cycle {
        /// Task ids around the cycle, the first repeated at the end.
        tasks: Vec<String>,
    },
}

impl ScheduleError {
    pub(crate) fn field(path: &std::path::Path, line: usize, field: &str, reason: impl Into<String>) -> Self {
        ScheduleError::Field { path: path.into(), line, field: field.into(), reason: reason.into() }
    }

    /// Malformed XML, at the line where the reader stopped.
    pub(crate) fn xml(path: &std::path::Path, e: &plumbline_xml::XmlError) -> Self {
        ScheduleError::syntax(path, e.line(), e.to_string())
    }

    pub(crate) fn syntax(path: &std::path::Path, line: usize, reason: impl Into<String>) -> Self {
        ScheduleError::Syntax { path: path.into(), line, reason: reason.into() }
    }
}
