//! Where the test inputs are: the files committed in this repository, and the shared corpora
//! beside it (real IFC models, schedules, BCF archives, other tools' reference answers).
//!
//! The shared folder is `PLUMBLINE_SHARED`, by default `../shared` beside the workspace root;
//! its subfolders are `ifc/`, `schedules/`, `bcf/` and `reference/`. `PLUMBLINE_CORPUS` still
//! names the IFC folder on its own, because the project brief documents it. A shared input that
//! is absent is `None` with a printed notice, so that the test using it skips instead of failing
//! on machines without the corpus.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Names the shared folder (default: `../shared` beside the workspace root).
pub const SHARED_VAR: &str = "PLUMBLINE_SHARED";
/// Names the IFC corpus folder (default: `ifc/` in the shared folder).
pub const CORPUS_VAR: &str = "PLUMBLINE_CORPUS";

/// The workspace root (the folder of the top `Cargo.toml`), found from this crate's manifest.
pub fn workspace_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/testkit sits two folders below the root; the `..` form is only a fallback for a
    // manifest path without parents, which cargo never gives.
    here.parent().and_then(Path::parent).map_or_else(|| here.join("../.."), Path::to_path_buf)
}

/// A path inside the repository, e.g. `tests/bad_inputs` or `fuzz/regressions/ifc_load`.
/// Committed inputs are always there, so this is not an `Option`.
pub fn workspace_path(rel: &str) -> PathBuf {
    workspace_dir().join(rel)
}

/// A committed sample model of `sample_models/`, e.g. `bank-branch.ifc`.
pub fn sample_model(name: &str) -> PathBuf {
    workspace_path("sample_models").join(name)
}

/// An environment variable's value, with an empty one counting as unset.
fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The shared folder whether or not it exists.
fn shared_root() -> PathBuf {
    var(SHARED_VAR).map(PathBuf::from).unwrap_or_else(|| {
        let root = workspace_dir();
        root.parent().map_or_else(|| root.join("../shared"), |p| p.join("shared"))
    })
}

/// The IFC folder whether or not it exists.
fn ifc_root() -> PathBuf {
    var(CORPUS_VAR).map(PathBuf::from).unwrap_or_else(|| shared_root().join("ifc"))
}

/// How to point the tests at a missing input, for the notice.
const SET_SHARED: &str = "set PLUMBLINE_SHARED to the shared folder";
const SET_CORPUS: &str = "set PLUMBLINE_SHARED to the shared folder or PLUMBLINE_CORPUS to the IFC corpus";

/// `path` if it exists as a folder (`want_dir`) or a file, else `None` after a notice.
fn present(path: PathBuf, want_dir: bool, hint: &str) -> Option<PathBuf> {
    if (want_dir && path.is_dir()) || (!want_dir && path.is_file()) {
        Some(path)
    } else {
        println!("NOTICE: {} not found ({hint}); skipped", path.display());
        None
    }
}

/// The shared folder, if present.
pub fn shared_dir() -> Option<PathBuf> {
    present(shared_root(), true, SET_SHARED)
}

/// The IFC corpus folder (`PLUMBLINE_CORPUS`, else `ifc/` in the shared folder), if present.
pub fn ifc_dir() -> Option<PathBuf> {
    present(ifc_root(), true, SET_CORPUS)
}

/// The schedule corpus folder (`schedules/` in the shared folder), if present.
pub fn schedules_dir() -> Option<PathBuf> {
    present(shared_root().join("schedules"), true, SET_SHARED)
}

/// The BCF corpus folder (`bcf/` in the shared folder), if present.
pub fn bcf_dir() -> Option<PathBuf> {
    present(shared_root().join("bcf"), true, SET_SHARED)
}

/// Other tools' answers on the corpus (`reference/` in the shared folder), if present.
pub fn reference_dir() -> Option<PathBuf> {
    present(shared_root().join("reference"), true, SET_SHARED)
}

/// Every `.ifc` and `.ifczip` file under `dir` (the corpus folder of [`ifc_dir`]), at any
/// depth, sorted.
pub fn ifc_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("ifc") || e.eq_ignore_ascii_case("ifczip"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A file of the IFC corpus, e.g. `bim-whale/SimpleWall.ifc`, if present.
pub fn ifc_file(rel: &str) -> Option<PathBuf> {
    present(ifc_root().join(rel), false, SET_CORPUS)
}

/// A file of the schedule corpus, e.g. `xer/bhatticoder_Hotel_Project.xer`, if present.
pub fn schedule_file(rel: &str) -> Option<PathBuf> {
    present(shared_root().join("schedules").join(rel), false, SET_SHARED)
}

/// A file of the BCF corpus, e.g. `2_1/schemas/markup.xsd`, if present.
pub fn bcf_file(rel: &str) -> Option<PathBuf> {
    present(shared_root().join("bcf").join(rel), false, SET_SHARED)
}

/// A file of the reference answers, e.g. `ifcclash/cases.tsv`, if present.
pub fn reference_file(rel: &str) -> Option<PathBuf> {
    present(shared_root().join("reference").join(rel), false, SET_SHARED)
}

/// A file named relative to the shared folder, as reference tables name their inputs (e.g.
/// `ifc/bim2sim/b03.ifc` or `reference/ifcclash/models/duplex.ifc`), if present. A path under
/// `ifc/` is looked up in the IFC folder, so that `PLUMBLINE_CORPUS` applies to it too.
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    match rel.strip_prefix("ifc/") {
        Some(in_corpus) => ifc_file(in_corpus),
        None => present(shared_root().join(rel), false, SET_SHARED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_root_holds_the_committed_inputs() {
        assert!(workspace_dir().join("Cargo.toml").is_file());
        assert!(workspace_path("crates/testkit/Cargo.toml").is_file());
        assert!(sample_model("bank-branch.ifc").is_file());
    }

    #[test]
    fn absent_inputs_are_none() {
        assert_eq!(ifc_file("no/such/model.ifc"), None);
        assert_eq!(schedule_file("no-such-schedule.xer"), None);
        assert_eq!(bcf_file("no-such.bcf"), None);
        assert_eq!(reference_file("no-such.tsv"), None);
        assert_eq!(shared_file("ifc/no/such/model.ifc"), None);
        assert_eq!(shared_file("no/such/file"), None);
    }

    #[test]
    fn present_inputs_are_found_where_the_shared_folder_is() {
        // Only where the shared folder is on this machine; elsewhere this has nothing to find.
        let Some(shared) = shared_dir() else { return };
        for (dir, name) in
            [(schedules_dir(), "schedules"), (bcf_dir(), "bcf"), (reference_dir(), "reference")]
        {
            if let Some(dir) = dir {
                assert_eq!(dir, shared.join(name));
            }
        }
        if var(CORPUS_VAR).is_none() {
            if let Some(dir) = ifc_dir() {
                assert_eq!(dir, shared.join("ifc"));
            }
        }
    }
}
