//! Schedule readers: MS Project XML (MSPDI), Primavera P6 XER and P6 XML, and CSV. IFC schedules
//! are read by `plumbline-ifc` (the only crate that parses IFC) into the same [`Schedule`].

mod csv;
mod mspdi;
mod mspdi_plan;
mod p6xml;
mod p6xml_plan;
mod xer;
mod xer_plan;
mod xer_table;

pub use self::csv::{read_csv, read_csv_text};
pub use mspdi::read_mspdi_text;
pub use p6xml::read_p6xml_text;
pub use xer::read_xer_text;

use crate::{Format, Schedule, ScheduleError};
use std::collections::HashMap;
use std::path::Path;

/// Reads a schedule file of any supported format, recognised by its content first and its
/// extension second: MSPDI (`.xml` with a `Project` root), P6 XML (`APIBusinessObjects` root),
/// XER (`ERMHDR` first line) or CSV. A binary `.mpp` is an error that says to export MSPDI XML.
pub fn read_schedule(path: &Path) -> Result<Schedule, ScheduleError> {
    let bytes = std::fs::read(path).map_err(|source| ScheduleError::Io { path: path.into(), source })?;
    read_schedule_bytes(path, &bytes)
}

/// As [`read_schedule`], from bytes already in memory; `path` names the file in messages.
pub fn read_schedule_bytes(path: &Path, bytes: &[u8]) -> Result<Schedule, ScheduleError> {
    if let Some(refused) = refuse_binary(path, bytes) {
        return Err(refused);
    }
    // Decoded before the format is recognised: a UTF-16 XER or CSV shows its header only
    // once decoded.
    let decoded = crate::text::decode(bytes);
    let mut schedule = match detect(path, &decoded.text) {
        Detected::Other(reason) => {
            return Err(ScheduleError::UnsupportedFormat { path: path.into(), reason })
        }
        Detected::Format(format) => match format {
            Format::Mspdi => read_mspdi_text(path, &decoded.text),
            Format::P6Xml => read_p6xml_text(path, &decoded.text),
            Format::Xer => read_xer_text(path, &decoded.text),
            _ => read_csv_text(path, &decoded.text),
        }?,
    };
    schedule.warnings.extend(decoded.note(path));
    Ok(schedule)
}

enum Detected {
    Format(Format),
    Other(String),
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Binary files that hold no schedule text: refused before any decoding.
fn refuse_binary(path: &Path, bytes: &[u8]) -> Option<ScheduleError> {
    let ext = extension(path);
    // OLE2 compound documents: binary .mpp (and .xls); Project's own format.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || ext == "mpp" || ext == "mpt" {
        return Some(ScheduleError::BinaryMpp { path: path.into() });
    }
    if bytes.starts_with(b"PK\x03\x04") || ext == "xlsx" || ext == "xls" {
        return Some(ScheduleError::UnsupportedFormat {
            path: path.into(),
            reason:
                "a spreadsheet: save it as CSV (id, name, start, finish, type, predecessors) and load that"
                    .into(),
        });
    }
    None
}

fn detect(path: &Path, text: &str) -> Detected {
    let ext = extension(path);
    let head = text.char_indices().nth(4096).map_or(text, |(end, _)| &text[..end]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("ERMHDR") {
        return Detected::Format(Format::Xer);
    }
    if head.starts_with('<') {
        return if head.contains("APIBusinessObjects") {
            Detected::Format(Format::P6Xml)
        } else if head.contains("<Project") || head.contains(":Project") {
            Detected::Format(Format::Mspdi)
        } else {
            Detected::Other(
                "an XML file that is neither MS Project XML (MSPDI, root <Project>) nor Primavera P6 XML (root <APIBusinessObjects>)".into(),
            )
        };
    }
    if head.starts_with("ISO-10303-21") || ext == "ifc" || ext == "ifczip" {
        return Detected::Other(
            "an IFC file: IFC schedules are read with the model (plumbline_ifc::schedule)".into(),
        );
    }
    if ext == "xer" {
        return Detected::Other("an .xer file that does not start with the ERMHDR header line".into());
    }
    Detected::Format(Format::Csv)
}

/// Task ids that users can write: the readable code (P6 activity id, CSV id) where it is unique
/// in the file, prefixed with the project where codes repeat across projects, and with the
/// internal number as a last resort. Entries are `(project, code, internal id)`.
pub(crate) fn unique_ids(entries: &[(String, String, String)]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (_, code, _) in entries {
        *seen.entry(code.as_str()).or_insert(0) += 1;
    }
    let first: Vec<String> = entries
        .iter()
        .map(|(project, code, internal)| {
            if code.is_empty() {
                internal.clone()
            } else if seen.get(code.as_str()).copied().unwrap_or(0) > 1 && !project.is_empty() {
                format!("{project}/{code}")
            } else {
                code.clone()
            }
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &first {
        *counts.entry(id.as_str()).or_insert(0) += 1;
    }
    first
        .iter()
        .zip(entries)
        .map(|(id, (_, _, internal))| {
            if counts.get(id.as_str()).copied().unwrap_or(0) > 1 {
                format!("{id}#{internal}")
            } else {
                id.clone()
            }
        })
        .collect()
}
