//! JSON output, the same in every subcommand: `--json FILE` writes a file, `--json -` writes
//! on stdout; every document starts with `"schema_version"` (the version of its JSON Schema
//! under `docs/schemas/`), so that a script can tell which shape it reads.

use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The version of every JSON output's schema. Raised when a field changes meaning or goes
/// away; adding a field keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// Where `--json` sends the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonTarget {
    Stdout,
    File(PathBuf),
}

impl JsonTarget {
    /// `-` is stdout, anything else a file.
    pub fn from_arg(path: &Path) -> JsonTarget {
        if path.as_os_str() == "-" {
            JsonTarget::Stdout
        } else {
            JsonTarget::File(path.to_path_buf())
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self, JsonTarget::Stdout)
    }
}

/// Whether a `--json` value names stdout.
pub fn is_stdout(json: Option<&Path>) -> bool {
    json.is_some_and(|p| JsonTarget::from_arg(p).is_stdout())
}

/// A document with `"schema_version"` first and the value's own fields after it (serde's
/// `flatten` streams them in order, so nothing is re-sorted).
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    schema_version: u32,
    #[serde(flatten)]
    value: &'a T,
}

/// `value` as pretty JSON with `"schema_version"` first; `value` must serialise as an object.
pub fn versioned(value: &impl Serialize) -> anyhow::Result<String> {
    serde_json::to_string_pretty(&Versioned { schema_version: SCHEMA_VERSION, value })
        .context("serialising JSON")
}

/// Writes `value` (with its schema version) where `--json` said.
pub fn write(json: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let text = versioned(value)? + "\n";
    match JsonTarget::from_arg(json) {
        JsonTarget::Stdout => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("writing JSON to stdout")
        }
        JsonTarget::File(path) => {
            refuse_model_file(&path)?;
            plumbline_pipeline::write_atomically(&path, text.as_bytes()).map_err(anyhow::Error::from)
        }
    }
}

/// `--json` takes a value now; a model file named after it by old habit (`info --json m.ifc`)
/// must not be overwritten.
pub fn refuse_model_file(path: &Path) -> anyhow::Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    anyhow::ensure!(
        !matches!(ext.as_str(), "ifc" | "ifczip" | "ifcxml" | "xer" | "xml" | "toml" | "db"),
        "{}: refusing to write JSON over a .{ext} file: --json takes the output file (or - for stdout), e.g. --json out.json",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_start_with_their_schema_version() {
        #[derive(Serialize)]
        struct Doc {
            models: Vec<String>,
        }
        let text = versioned(&Doc { models: vec!["m.ifc".into()] }).expect("serialises");
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n  \"models\""), "{text}");
        assert!(versioned(&vec![1, 2]).is_err(), "a document is an object");
    }

    #[test]
    fn dash_is_stdout_and_model_files_are_refused() {
        assert!(JsonTarget::from_arg(Path::new("-")).is_stdout());
        assert!(!JsonTarget::from_arg(Path::new("r.json")).is_stdout());
        assert!(refuse_model_file(Path::new("hall.IFC")).is_err());
        assert!(refuse_model_file(Path::new("r.json")).is_ok());
    }
}
