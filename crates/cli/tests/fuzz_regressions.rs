//! Every input the fuzzers (fuzz/, cargo-fuzz) found a problem with, replayed through the same
//! library calls as its fuzz target: `fuzz/regressions/TARGET/*`. Each must come back as a
//! value or an error; a panic that escapes fails the test.

use std::path::{Path, PathBuf};
use std::time::Duration;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = plumbline_testkit::workspace_path("fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("read input"))).collect()
}

#[test]
fn ifc_load_regressions() {
    let options = plumbline_ifc::LoadOptions { time_limit: Duration::from_secs(60), ..Default::default() };
    for (path, bytes) in inputs("ifc_load") {
        let _ = plumbline_ifc::schedule::read_schedule_bytes(&path, &bytes);
        match plumbline_ifc::load_bytes(&path, bytes, &options) {
            Ok(model) => {
                for e in &model.elements {
                    if let Some(mesh) = &e.mesh {
                        assert!(mesh.vertices.iter().flatten().all(|c| c.is_finite()), "{}", path.display());
                    }
                }
            }
            // A panic inside ifc-lite (a debug assertion in its georeferencing, found by the
            // fuzzer) is contained by the loader and comes back as this error.
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn rules_toml_regressions() {
    for (path, bytes) in inputs("rules_toml") {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = plumbline_rules::RuleSet::parse(&path, text, &plumbline_ifc::canonical_class_name);
        }
    }
}

#[test]
fn schedule_read_regressions() {
    const NAMES: [&str; 5] = ["fuzz.xer", "fuzz.xml", "fuzz.csv", "fuzz.txt", "fuzz"];
    for (_, bytes) in inputs("schedule_read") {
        let Some((&pick, bytes)) = bytes.split_first() else { continue };
        let name = NAMES[usize::from(pick) % NAMES.len()];
        if let Ok(schedule) = plumbline_schedule::read_schedule_bytes(Path::new(name), bytes) {
            let _ = plumbline_schedule::critical_path(&schedule);
        }
    }
}

#[test]
fn bcf_import_regressions() {
    for (_, bytes) in inputs("bcf_import") {
        let _ = plumbline_bcf::read(&bytes);
    }
}
