//! Loading on one thread and on several gives the same model, bit for bit: on several threads
//! a file's products are tessellated in parts side by side and the files of a set load at once,
//! and neither may change an element, a mesh, a failure or a warning, nor their order.

use plumbline_ifc::{load_file, load_set, LoadOptions};
use plumbline_model::{MeshScope, Model};
use plumbline_testkit::{ifc_dir, ifc_file, sample_model};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Real models of the corpus with what makes their geometry hard: openings cut from walls and
/// slabs, mapped items shared by many occurrences, IFC2X3, IFC4 and IFC4X3, a rotated and
/// georeferenced site, breps, tessellations, a bridge's sweeps, MEP systems.
const REAL: &[&str] = &[
    "web-ifc/Office_A_20110811.ifc",
    "web-ifc/AC20-FZK-Haus.ifc",
    "yousheng/Ifc2x3_Duplex_Architecture.ifc",
    "yousheng/Ifc2s3_Duplex_Electrical.ifc",
    "yousheng/Ifc4_SampleHouse.ifc",
    "bimserver-testfiles/AC11-Institute-Var-2-IFC.ifc",
    "bimserver-testfiles/Allplan-Smiley-West.ifc",
    "bim2sim/hvac_heating.ifc",
    "ifc-lite/infra-bridge.ifc",
    "xbim-geometry/advanced_brep_8.ifc",
    "bsi-ifc43-samples/tessellation-with-pixel-texture.ifc",
    "xbim-essentials/LargeTriangulatedCoordinates.ifc",
];

/// Everything a model holds but its load time, the meshes as their exact bits and the exact
/// solids as their debug text (every digit of every number).
fn fingerprint(m: &Model) -> (String, Vec<Option<MeshBits>>, Vec<String>) {
    let mut copy = m.clone();
    copy.load_secs = 0.0;
    let text = serde_json::to_string(&copy).expect("serialises");
    let solids = m.elements.iter().map(|e| format!("{:?}", e.solid)).collect();
    (text, m.elements.iter().map(|e| e.mesh.as_ref().map(MeshBits::of)).collect(), solids)
}

/// A mesh as bit patterns, so that `-0.0` and `0.0` (or two NaNs) are told apart.
#[derive(Debug, PartialEq, Eq)]
struct MeshBits {
    origin: [u64; 3],
    vertices: Vec<[u32; 3]>,
    triangles: Vec<[u32; 3]>,
}

impl MeshBits {
    fn of(mesh: &plumbline_model::Mesh) -> MeshBits {
        MeshBits {
            origin: mesh.origin_m.map(f64::to_bits),
            vertices: mesh.vertices.iter().map(|v| v.map(f32::to_bits)).collect(),
            triangles: mesh.triangles.clone(),
        }
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

/// `path` loaded on a pool of `threads`: the model, or the error's text.
fn load_on(threads: usize, path: &Path, options: &LoadOptions) -> Result<Model, String> {
    pool(threads).install(|| load_file(path, options)).map_err(|e| e.to_string())
}

/// Loads `path` on one thread and on `threads`, and checks that the two are the same, element
/// by element and mesh by mesh. Returns how many elements have a mesh.
fn same_on_more_threads(path: &Path, threads: usize, options: &LoadOptions) -> usize {
    let one = load_on(1, path, options);
    let more = load_on(threads, path, options);
    let (one, more) = match (one, more) {
        (Ok(one), Ok(more)) => (one, more),
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "{}", path.display());
            return 0;
        }
        // How long a load takes depends on the machine, not on the model: a file near the time
        // limit proves nothing either way.
        (a, b) if [&a, &b].iter().any(|r| r.as_ref().is_err_and(|e| e.contains("time limit"))) => {
            println!("NOTICE: {}: stopped by the time limit on one side; not compared", path.display());
            return 0;
        }
        (a, b) => panic!("{}: one thread: {:?}; {threads}: {:?}", path.display(), a.err(), b.err()),
    };
    let (text_one, meshes_one, solids_one) = fingerprint(&one);
    let (text_more, meshes_more, solids_more) = fingerprint(&more);
    assert!(solids_one == solids_more, "{}: the exact solids differ on {threads} threads", path.display());
    assert_eq!(one.elements.len(), more.elements.len(), "{}", path.display());
    for (i, (a, b)) in meshes_one.iter().zip(&meshes_more).enumerate() {
        let e = &one.elements[i];
        assert!(
            a == b,
            "{}: {} {} has another mesh on {threads} threads",
            path.display(),
            e.class,
            e.global_id
        );
    }
    // Elements, their order, properties, failures, warnings, relations: all the same.
    assert!(text_one == text_more, "{}: the models differ beyond their meshes", path.display());
    meshes_one.iter().filter(|m| m.is_some()).count()
}

#[test]
fn generated_models_load_the_same_on_one_thread_and_on_several() {
    for name in ["datacenter-hall.ifc", "datacenter-hall-zh.ifc", "bank-branch.ifc", "bank-branch-zh.ifc"] {
        let path = sample_model(name);
        for threads in [2, 3, 8] {
            assert!(same_on_more_threads(&path, threads, &LoadOptions::default()) > 0, "{name}");
            // With exact solids too, as clash runs and the viewer load.
            let solids = LoadOptions { exact_solids: true, ..Default::default() };
            assert!(same_on_more_threads(&path, threads, &solids) > 0, "{name} with solids");
        }
    }
}

#[test]
fn a_larger_generated_hall_loads_the_same_on_one_thread_and_on_four() {
    // About 20,000 elements: every part holds thousands of products, several chunks each (four
    // threads drive two parts; two threads, one).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hall.ifc");
    let hall = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::for_elements(20_000, 1));
    std::fs::write(&path, hall.ifc).expect("written");
    assert!(same_on_more_threads(&path, 4, &LoadOptions::default()) > 15_000);
}

#[test]
fn real_models_load_the_same_on_one_thread_and_on_several() {
    let mut checked = 0;
    for rel in REAL {
        let Some(path) = ifc_file(rel) else { continue };
        for threads in [2, 4] {
            same_on_more_threads(&path, threads, &LoadOptions::default());
        }
        checked += 1;
    }
    println!("{checked} of {} real models checked", REAL.len());
}

#[test]
fn a_mesh_scope_loads_the_same_on_one_thread_and_on_several() {
    let mut paths = vec![sample_model("datacenter-hall.ifc")];
    paths.extend(ifc_file("web-ifc/Office_A_20110811.ifc"));
    for path in paths {
        let scope = MeshScope::classes(["IfcWall", "IfcSlab", "IfcFlowSegment", "IfcFurniture"]);
        let options =
            LoadOptions { mesh_scopes: HashMap::from([(path.clone(), scope)]), ..Default::default() };
        // Four threads: two parts.
        assert!(same_on_more_threads(&path, 4, &options) > 0, "{}", path.display());
        // A clash run's load: exact solids, their elements not tessellated.
        let options = LoadOptions { exact_solids: true, ..options };
        assert!(same_on_more_threads(&path, 4, &options) > 0, "{} with solids", path.display());
    }
}

#[test]
fn a_set_loads_its_files_side_by_side_in_the_order_given() {
    let mut paths: Vec<PathBuf> = ["datacenter-hall.ifc", "bank-branch.ifc", "bank-branch-zh.ifc"]
        .into_iter()
        .map(sample_model)
        .collect();
    // A file that cannot be read is an error in its place, and the others still load.
    paths.insert(1, PathBuf::from("no such file.ifc"));
    paths.extend(ifc_file("web-ifc/AC20-FZK-Haus.ifc"));
    let options = LoadOptions::default();
    let load = |threads: usize| {
        pool(threads).install(|| {
            let mut done = Vec::new();
            let (set, errors) = load_set(&paths, &options, |i, path| done.push((i, path.to_path_buf())));
            (set, errors, done)
        })
    };
    let (one, one_errors, one_done) = load(1);
    let (more, more_errors, more_done) = load(3);
    let expected: Vec<(usize, PathBuf)> = paths.iter().cloned().enumerate().collect();
    assert_eq!(one_done, expected, "once per file, in the order given");
    assert_eq!(more_done, expected, "once per file, in the order given");
    let errors = |e: &[plumbline_ifc::LoadError]| e.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(errors(&one_errors), errors(&more_errors));
    assert_eq!(one_errors.len(), 1);
    assert_eq!(one.models.len(), paths.len() - 1);
    let names = |s: &plumbline_model::ModelSet| s.models.iter().map(|m| m.path.clone()).collect::<Vec<_>>();
    assert_eq!(names(&one), names(&more));
    for (a, b) in one.models.iter().zip(&more.models) {
        assert!(fingerprint(a) == fingerprint(b), "{} differs when loaded side by side", a.path);
    }
}

#[test]
fn a_set_watched_through_its_progress_reports_every_file() {
    let paths: Vec<PathBuf> =
        ["bank-branch.ifc", "datacenter-hall.ifc"].into_iter().map(sample_model).collect();
    let progress = std::sync::Arc::new(plumbline_ifc::LoadProgress::default());
    let options = LoadOptions { progress: Some(progress.clone()), ..Default::default() };
    let (set, errors) = pool(2).install(|| load_set(&paths, &options, |_, _| {}));
    assert!(errors.is_empty());
    assert_eq!(set.models.len(), 2);
    assert!((0.0..=1.0).contains(&progress.fraction()));
    // One file ends at its whole: the products read as solids and those tessellated add up.
    for path in &paths {
        let one = std::sync::Arc::new(plumbline_ifc::LoadProgress::default());
        let options = LoadOptions { progress: Some(one.clone()), ..Default::default() };
        let model = pool(2).install(|| plumbline_ifc::load_file(path, &options)).expect("loads");
        assert!(model.elements.iter().any(|e| e.solid.is_some()));
        assert_eq!(one.fraction(), 1.0, "{}", path.display());
    }
}

/// Every file of the corpus, on one thread and on two (a few minutes; run by hand with
/// `cargo test -p plumbline-ifc --test parallel -- --ignored --nocapture`).
#[test]
#[ignore]
fn the_whole_corpus_loads_the_same_on_one_thread_and_on_two() {
    let Some(dir) = ifc_dir() else { return };
    let files = plumbline_testkit::ifc_files(&dir);
    // One corpus file never finishes tessellating; both loads stop it at the limit.
    let options = LoadOptions { time_limit: Duration::from_secs(60), ..Default::default() };
    let mut meshed = 0;
    for path in &files {
        meshed += same_on_more_threads(path, 2, &options);
    }
    println!("{} files, {meshed} meshes, the same on one thread and on two", files.len());
}
