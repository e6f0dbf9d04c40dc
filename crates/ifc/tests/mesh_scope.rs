//! Loading with a mesh scope, as a clash run does: only the elements the scope asks for are
//! tessellated, each exactly as a whole load tessellates it, and nothing else about the model
//! changes; the cache keeps scoped and whole entries apart.

use plumbline_cache::ModelCache;
use plumbline_ifc::{load_file, LoadOptions};
use plumbline_model::{ClassQuery, Element, MeshScope, Model, Role};
use plumbline_testkit::{ifc_file, sample_model};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

fn scoped_options(path: &Path, scope: MeshScope) -> LoadOptions {
    LoadOptions { mesh_scopes: HashMap::from([(path.to_path_buf(), scope)]), ..Default::default() }
}

/// The model without its meshes, solids, failures, scope and timing: what a scope must not
/// change.
fn without_geometry(m: &Model) -> String {
    let mut copy = m.clone();
    copy.load_secs = 0.0;
    copy.failures.clear();
    copy.mesh_scope = MeshScope::Everything;
    for e in &mut copy.elements {
        e.mesh = None;
        e.solid = None;
    }
    serde_json::to_string(&copy).expect("serialises")
}

/// Loads `path` whole and with a scope of `classes`; see [`check_scope_of`].
fn check_scope(path: &Path, classes: &[&str]) -> usize {
    let query = ClassQuery::new(classes);
    check_scope_of(path, MeshScope::classes(classes), false, |m, e| m.element_is(e, &query)).0
}

/// Loads `path` whole and with `scope` (both with exact solids or both without); checks that
/// every physical element the scope asks for (`asks`) has the whole load's mesh, bit for bit,
/// that the others have none and are not reported as failures, and that the rest of the model
/// is the same. Returns how many got a mesh, and how many of those have an exact solid.
///
/// An element with an exact solid is the exception: a scoped load does not tessellate it and
/// gives it its solid's stand-in mesh instead, so for such elements the check is that both
/// loads read the same solid (the rest of the model, solids included, must match anyway) and
/// that the scoped mesh is `solid.to_mesh()`.
fn check_scope_of(
    path: &Path,
    scope: MeshScope,
    exact_solids: bool,
    asks: impl Fn(&Model, &Element) -> bool,
) -> (usize, usize) {
    let whole = load_file(path, &LoadOptions { exact_solids, ..Default::default() }).expect("loads");
    let scoped = load_file(path, &LoadOptions { exact_solids, ..scoped_options(path, scope.clone()) })
        .expect("loads with a scope");
    assert_eq!(scoped.mesh_scope, scope);
    assert_eq!(whole.mesh_scope, MeshScope::Everything);
    assert_eq!(without_geometry(&scoped), without_geometry(&whole), "{}", path.display());
    let mut asked = BTreeSet::new();
    let (mut meshed, mut solid) = (0, 0);
    for (w, s) in whole.elements.iter().zip(&scoped.elements) {
        if s.role == Role::Physical && asks(&scoped, s) {
            asked.insert(s.global_id.clone());
            match &s.solid {
                Some(exact) => {
                    assert_eq!(s.solid, w.solid, "{} {} in {}", s.class, s.global_id, path.display());
                    assert_eq!(s.mesh.as_ref(), Some(&exact.to_mesh()), "{} {}", s.class, s.global_id);
                    solid += 1;
                }
                None => assert_eq!(s.mesh, w.mesh, "{} {} in {}", s.class, s.global_id, path.display()),
            }
            meshed += usize::from(s.mesh.is_some());
        } else {
            assert!(s.mesh.is_none(), "{} {} is outside the scope but has a mesh", s.class, s.global_id);
            // Nor a solid: the clash engine measures only elements with a mesh.
            assert!(s.solid.is_none(), "{} {} is outside the scope but has a solid", s.class, s.global_id);
        }
    }
    // Failures of elements outside the scope are not looked for; records that cannot be
    // decoded at all (named by their `#id`) are still reported.
    let expected: Vec<_> = whole
        .failures
        .iter()
        .filter(|f| asked.contains(&f.global_id) || f.global_id.starts_with('#'))
        .cloned()
        .collect();
    assert_eq!(scoped.failures, expected, "{}", path.display());
    (meshed, solid)
}

#[test]
fn every_physical_element_is_meshed_and_those_with_exact_solids_are_not_tessellated() {
    // `*` in a clash run: every physical element, and no space, opening or virtual element.
    let check = |path: &Path| {
        let (meshed, solid) = check_scope_of(path, MeshScope::Physical, true, |_, _| true);
        let whole = load_file(path, &LoadOptions::default()).expect("loads");
        let physical = whole.elements.iter().filter(|e| e.role == Role::Physical && e.mesh.is_some());
        assert_eq!(meshed, physical.count(), "{}", path.display());
        (meshed, solid)
    };
    let (meshed, solid) = check(&sample_model("datacenter-hall.ifc"));
    assert!(solid * 2 > meshed, "{solid} of {meshed} elements have exact solids");
    if let Some(office) = ifc_file("web-ifc/Office_A_20110811.ifc") {
        // 803 elements, 413 of them with exact solids.
        let (meshed, solid) = check(&office);
        assert!(solid * 3 > meshed, "{solid} of {meshed} elements have exact solids");
    }
}

#[test]
fn a_scope_meshes_its_classes_and_their_subtypes_exactly_as_a_whole_load() {
    let hall = sample_model("datacenter-hall.ifc");
    // IfcFlowSegment is a supertype: pipes, ducts, cables and cable trays answer for it.
    let meshed = check_scope(&hall, &["IfcFlowSegment", "IfcFurniture"]);
    let whole = load_file(&hall, &LoadOptions::default()).expect("loads");
    let meshed_whole = whole.elements.iter().filter(|e| e.mesh.is_some()).count();
    assert!(meshed >= 28 + 24 + 17 + 10 + 33, "{meshed} meshed");
    assert!(meshed < meshed_whole, "the scope left out the other {} meshes", meshed_whole - meshed);
}

#[test]
fn an_empty_scope_meshes_nothing_and_reports_nothing_missing() {
    let hall = sample_model("bank-branch-zh.ifc");
    assert_eq!(check_scope(&hall, &[]), 0);
}

#[test]
fn real_walls_keep_their_openings_when_their_fillings_are_left_out() {
    // Office_A (IFC2X3): 487 walls cut by door and window openings; the doors and windows are
    // not tessellated, the walls come out the same.
    if let Some(office) = ifc_file("web-ifc/Office_A_20110811.ifc") {
        assert!(check_scope(&office, &["IfcWall", "IfcSlab", "IfcBeam"]) >= 487);
    }
}

#[test]
fn the_cache_serves_a_scope_from_its_own_entry_or_a_whole_one_never_the_reverse() {
    let path = sample_model("datacenter-hall.ifc");
    let whole = load_file(&path, &LoadOptions::default()).expect("loads");
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Arc::new(ModelCache::new(dir.path()));
    let entries = || std::fs::read_dir(dir.path()).expect("listing").count();
    let pipes = MeshScope::classes(["IfcPipeSegment"]);
    let with = |scope: MeshScope| LoadOptions { cache: Some(cache.clone()), ..scoped_options(&path, scope) };

    let first = load_file(&path, &with(pipes.clone())).expect("loads");
    let again = load_file(&path, &with(pipes.clone())).expect("comes back from the cache");
    assert_eq!((entries(), again.mesh_scope.clone()), (1, pipes.clone()));
    assert_eq!(serde_json::to_string(&again.elements).ok(), serde_json::to_string(&first.elements).ok());

    // Another scope is another entry; a whole load does not take a scoped one.
    let ducts = load_file(&path, &with(MeshScope::classes(["IfcDuctSegment"]))).expect("loads");
    assert_eq!(ducts.mesh_scope, MeshScope::classes(["IfcDuctSegment"]));
    let full = load_file(&path, &with(MeshScope::Everything)).expect("loads");
    assert_eq!(entries(), 3);
    assert_eq!(full.mesh_scope, MeshScope::Everything);
    assert_eq!(serde_json::to_string(&full.elements).ok(), serde_json::to_string(&whole.elements).ok());

    // Once the whole file is cached, any scope is served from it, with every mesh.
    let served = load_file(&path, &with(MeshScope::classes(["IfcFurniture"]))).expect("loads");
    assert_eq!(served.mesh_scope, MeshScope::Everything);
    assert_eq!(entries(), 3, "no new entry for a scope the whole entry serves");
    assert_eq!(cache.take_notes(), Vec::<String>::new());
}
