//! The model cache seen from the loader: a model read back from the cache is the model the
//! loader makes, on our generated models and on real files; a hit really skips the loader; a
//! changed file misses.

use plumbline_cache::{CacheKey, ModelCache};
use plumbline_ifc::{load_file, LoadOptions, LOADER_REVISION};
use plumbline_model::{Mesh, Model};
use plumbline_testkit::{ifc_file, sample_model};
use std::path::Path;
use std::sync::Arc;

/// Everything a model holds but its path and load time.
fn fingerprint(m: &Model) -> (String, Vec<Option<Mesh>>) {
    let mut copy = m.clone();
    copy.path.clear();
    copy.load_secs = 0.0;
    (serde_json::to_string(&copy).expect("serialises"), m.elements.iter().map(|e| e.mesh.clone()).collect())
}

fn cached_options(dir: &Path) -> LoadOptions {
    LoadOptions { cache: Some(Arc::new(ModelCache::new(dir))), ..Default::default() }
}

fn same_through_the_cache(path: &Path) {
    let fresh = load_file(path, &LoadOptions::default()).expect("loads");
    let dir = tempfile::tempdir().expect("temp dir");
    let options = cached_options(dir.path());
    let first = load_file(path, &options).expect("loads and is cached");
    let second = load_file(path, &options).expect("comes back from the cache");
    let cache = options.cache.as_ref().expect("cache");
    assert_eq!(cache.take_notes(), Vec::<String>::new());
    assert_eq!(std::fs::read_dir(dir.path()).expect("listing").count(), 1, "one entry per file");
    assert_eq!(fingerprint(&first), fingerprint(&fresh), "{}", path.display());
    assert_eq!(fingerprint(&second), fingerprint(&fresh), "{}", path.display());
    assert_eq!(second.path, path.display().to_string());
}

#[test]
fn generated_models_come_back_from_the_cache_unchanged() {
    // The Chinese branch: names written with \X2\ escapes, repaired on loading.
    for name in ["bank-branch-zh.ifc", "datacenter-hall.ifc"] {
        same_through_the_cache(&sample_model(name));
    }
}

#[test]
fn real_models_come_back_from_the_cache_unchanged() {
    for rel in ["web-ifc/Office_A_20110811.ifc", "web-ifc/AC20-FZK-Haus.ifc"] {
        if let Some(path) = ifc_file(rel) {
            same_through_the_cache(&path);
        }
    }
}

#[test]
fn a_hit_skips_the_loader_and_a_changed_file_misses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = sample_model("bank-branch.ifc");
    let bytes = std::fs::read(&source).expect("sample");
    let copy = dir.path().join("renamed copy.ifc");
    std::fs::write(&copy, &bytes).expect("copy");
    // An entry planted under the file's key, with one element renamed: only a load that reads
    // the cache can return that name.
    let cache = ModelCache::new(dir.path().join("cache"));
    let mut planted = load_file(&source, &LoadOptions::default()).expect("loads");
    planted.elements[0].name = Some("planted in the cache".into());
    // Loads read exact solids by default, and their entries are keyed apart from those without.
    cache.put(&CacheKey::of(&bytes, LOADER_REVISION).with_solids(), LOADER_REVISION, &planted);
    let options = LoadOptions { cache: Some(Arc::new(cache)), ..Default::default() };
    let hit = load_file(&copy, &options).expect("a hit");
    assert_eq!(hit.elements[0].name.as_deref(), Some("planted in the cache"));
    assert_eq!(hit.path, copy.display().to_string(), "a hit takes the path it was asked for");

    // The same file with one more comment line is another file.
    let mut changed = bytes.clone();
    changed.extend_from_slice(b"\n/* edited */\n");
    std::fs::write(&copy, &changed).expect("edit");
    let miss = load_file(&copy, &options).expect("loads");
    assert_ne!(miss.elements[0].name.as_deref(), Some("planted in the cache"));
}
