//! BCF (BIM Collaboration Format) for Plumbline.
//!
//! **Writing.** [`write()`] turns a clash [`Report`](plumbline_review::Report) into a BCF 2.1 or
//! 3.0 archive: one topic per clash group, whose GUID is the group's stable
//! [`guid`](plumbline_review::Group::guid), so that a re-export updates the topics a receiving
//! tool already holds instead of duplicating them. Each topic has one viewpoint that selects
//! both elements of every clash, colours the A elements red and the B elements green, leaves
//! the rest of the model visible, and looks at the group through the review camera
//! ([`frame_box`](plumbline_review::frame_box)); the caller supplies the `snapshot.png` of each
//! group. The output is byte-identical for the same report and options: the date is passed in,
//! never read from the clock, and every list is written in report order or sorted. Every XML
//! file written validates against the official buildingSMART schemas (a test runs `xmllint`).
//!
//! **Reading.** [`read()`] accepts BCF 2.0, 2.1 and 3.0 archives from other tools leniently: a
//! missing `bcf.version`, namespace prefixes, byte order marks, Windows path separators,
//! missing optional elements and free-form statuses (`Open`, `OPEN`, `Offen`, `Closed`, …,
//! mapped by [`map_status`]). A bare `markup.bcf` file is read as an archive of one topic.
//! Hostile archives are refused with an error that names the entry: absolute paths, `..`
//! components and drive letters, too many entries, and entries or archives that expand beyond
//! the [`Limits`] (sizes are counted while decompressing, never taken from the headers).
//! Malformed XML is an error naming the entry and the line. No input makes the reader panic.
//! [`clashes_of`] finds the clashes of a report that a topic read back is about: by topic GUID
//! for topics Plumbline wrote, by the selected element pair for topics from other tools.
//!
//! **Saved views.** [`write_views`] writes the viewer's saved views as topics of their own
//! (camera, selection, visibility, clipping planes and snapshot); reading them back is
//! [`read()`], whose viewpoints carry orthogonal cameras and clipping planes too.

mod matching;
mod read;
mod time;
mod topic_review;
mod viewpoint_io;
mod write;

pub use matching::clashes_of;
pub use read::{
    map_status, read, read_with_limits, BcfArchive, Comment, Component, Limits, Topic, Viewpoint,
};
pub use time::UtcDateTime;
pub use topic_review::numbered_comment;
pub use viewpoint_io::{
    write_views, ClippingPlane, OrthogonalCamera, ViewCamera, ViewExportOptions, ViewTopic, VIEW_TOPIC_TYPE,
};
pub use write::{write, write_with_notes, ExportOptions, COLOR_A, COLOR_B, STATUSES};

/// The BCF version an archive is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BcfVersion {
    /// BCF 2.1 (2018), the version most tools read.
    V2_1,
    /// BCF 3.0 (2021): `extensions.xml`, required topic type and status, lowercase GUIDs.
    V3_0,
}

impl BcfVersion {
    /// The `VersionId` written in `bcf.version`: `2.1` or `3.0`.
    pub fn id(&self) -> &'static str {
        match self {
            BcfVersion::V2_1 => "2.1",
            BcfVersion::V3_0 => "3.0",
        }
    }

    /// Parses `2.1`, `21`, `3.0`, `3` or `30`.
    pub fn parse(text: &str) -> Option<BcfVersion> {
        match text.trim() {
            "2.1" | "21" => Some(BcfVersion::V2_1),
            "3.0" | "3" | "30" => Some(BcfVersion::V3_0),
            _ => None,
        }
    }
}

impl std::fmt::Display for BcfVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Everything that can go wrong writing or reading BCF. Messages name the archive entry (the
/// path inside the zip) where there is one.
#[derive(Debug, thiserror::Error)]
pub enum BcfError {
    /// The bytes are neither a zip archive nor a BCF markup document.
    #[error("not a BCF archive: {0}")]
    NotBcf(String),
    /// The zip structure itself is broken (truncated, bad central directory, encrypted).
    #[error("unreadable zip archive: {}", zip_message(.0))]
    // Not `#[source]`: the message already carries the zip error's text, and a chain printer
    // (`anyhow`'s `{:#}`) would repeat it.
    Zip(zip::result::ZipError),
    /// One entry could not be decompressed.
    #[error("zip entry '{entry}': cannot read it: {source}")]
    Entry {
        entry: String,
        #[source]
        source: std::io::Error,
    },
    /// An entry name that could write outside the folder it is extracted to.
    #[error("zip entry '{entry}' is refused: {reason}")]
    UnsafeEntry { entry: String, reason: &'static str },
    /// More entries than [`Limits::max_entries`].
    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries { count: usize, limit: usize },
    /// One entry expands beyond [`Limits::max_entry_bytes`].
    #[error("zip entry '{entry}' expands beyond the limit of {limit} bytes (a zip bomb?)")]
    EntryTooLarge { entry: String, limit: u64 },
    /// The entries read expand beyond [`Limits::max_total_bytes`] together.
    #[error(
        "the archive expands beyond the limit of {limit} bytes in total, at entry '{entry}' (a zip bomb?)"
    )]
    ArchiveTooLarge { entry: String, limit: u64 },
    /// Malformed XML in one entry.
    #[error("zip entry '{entry}', line {line}: {message}")]
    Xml { entry: String, line: usize, message: String },
    /// A snapshot the caller supplied cannot go into the archive.
    #[error("snapshot of group '{group}': {reason}")]
    Snapshot { group: String, reason: String },
    /// Two groups of the report share a topic GUID.
    #[error("two groups have the topic GUID {0}; topic GUIDs must be unique")]
    DuplicateTopic(String),
    /// An export option that BCF cannot carry.
    #[error("invalid export option: {0}")]
    InvalidOption(String),
    /// Writing the zip failed.
    #[error("cannot write the BCF archive: {}", zip_message(.0))]
    Write(zip::result::ZipError),
    /// A bug: the reader panicked on this input. The panic is caught so that the caller gets an
    /// error instead of a crash.
    #[error("internal error while reading the BCF archive: {0}")]
    Internal(String),
}

/// A zip error's message, with the cause of an i/o error (the zip crate prints only "i/o error").
fn zip_message(e: &zip::result::ZipError) -> String {
    match e {
        zip::result::ZipError::Io(io) => format!("{e}: {io} (the file is truncated?)"),
        zip::result::ZipError::InvalidArchive(m) if m.contains("EOCD") => {
            format!("{e} (the file is truncated, or not a zip archive)")
        }
        other => other.to_string(),
    }
}

impl BcfError {
    pub(crate) fn xml(entry: &str, line: usize, message: impl Into<String>) -> BcfError {
        BcfError::Xml { entry: entry.to_string(), line, message: message.into() }
    }
}
