//! Locating the real corpus for the tests of this crate.

use std::path::PathBuf;

/// A file of the corpus (`PLUMBLINE_CORPUS`, default `../shared/ifc` beside the repository), or
/// `None` with a printed notice when it is absent, so that the test skips.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("PLUMBLINE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ifc"));
    let p = dir.join(rel);
    if p.is_file() {
        Some(p)
    } else {
        println!("NOTICE: {} not found (set PLUMBLINE_CORPUS); skipped", p.display());
        None
    }
}
