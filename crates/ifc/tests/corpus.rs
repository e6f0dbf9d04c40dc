//! Loads every model of the real corpus (`ifc/` of the shared folder, or `PLUMBLINE_CORPUS`; see
//! `plumbline-testkit`): no panic, no hang, a snapshot of per-file counts so that a regression or
//! an ifc-lite upgrade shows up as a diff, and geometric fidelity against IfcOpenShell's
//! per-element bounding boxes (`reference/ifcopenshell` of the shared folder).
//!
//! Skipped, with a printed notice, where the corpus is absent.

use plumbline_ifc::{load_file, role_of_class, LoadOptions};
use plumbline_model::{Model, Role};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Fidelity bar from the foundation issue: share of the physical elements IfcOpenShell meshes
/// that we mesh with a world AABB within 1 cm on every side.
const FIDELITY_BAR: f64 = 0.995;
const AABB_TOLERANCE_M: f64 = 0.01;

struct RefRow {
    class: String,
    aabb: [f64; 6],
}

fn reference_rows(reference: &Path, rel: &str) -> Option<HashMap<String, RefRow>> {
    let path = reference.join("ifcopenshell").join(format!("{rel}.tsv"));
    let text = std::fs::read_to_string(path).ok()?;
    let mut rows = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 {
            continue;
        }
        let nums: Vec<f64> = f[4..10].iter().filter_map(|v| v.parse().ok()).collect();
        if nums.len() == 6 {
            let aabb = [nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]];
            rows.insert(f[0].to_string(), RefRow { class: f[1].to_string(), aabb });
        }
    }
    Some(rows)
}

#[derive(Default)]
struct Fidelity {
    compared: usize,
    matched: usize,
    unmeshed: Vec<String>,
    off: Vec<String>,
}

fn compare(model: &Model, rel: &str, refs: &HashMap<String, RefRow>, fid: &mut Fidelity) {
    let ours: HashMap<&str, _> = model.elements.iter().map(|e| (e.global_id.as_str(), e)).collect();
    let mut ids: Vec<&String> = refs.keys().collect();
    ids.sort();
    for id in ids {
        let r = &refs[id];
        // Only physical elements count: IfcOpenShell also lists spaces, openings, sites,
        // alignment referents and structural analysis members, which are not elements.
        if role_of_class(&model.schema, &r.class) != Some(Role::Physical) {
            continue;
        }
        fid.compared += 1;
        let Some(bb) = ours.get(id.as_str()).and_then(|e| e.aabb()) else {
            fid.unmeshed.push(format!("{rel} {id} {}", r.class));
            continue;
        };
        let d = (0..3)
            .map(|i| (bb.min[i] - r.aabb[i]).abs().max((bb.max[i] - r.aabb[i + 3]).abs()))
            .fold(0.0, f64::max);
        if d <= AABB_TOLERANCE_M {
            fid.matched += 1;
        } else {
            fid.off.push(format!("{rel} {id} {} off by {d:.3} m", r.class));
        }
    }
}

#[test]
fn corpus_loads_matches_snapshot_and_ifcopenshell() {
    let Some(dir) = plumbline_testkit::ifc_dir() else { return };
    // The fidelity check below needs IfcOpenShell's answers from the shared folder's `reference/`.
    let reference = plumbline_testkit::reference_dir();
    let options = LoadOptions { time_limit: Duration::from_secs(30), ..Default::default() };
    let mut table =
        String::from("file | schema | entities | elements | meshed | failed | spaces | storeys\n");
    let mut fid = Fidelity::default();
    let mut errors = Vec::new();
    for path in plumbline_testkit::ifc_files(&dir) {
        let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
        match load_file(&path, &options) {
            Ok(model) => {
                let physical: Vec<_> = model.physical().collect();
                let meshed = physical.iter().filter(|(_, e)| e.mesh.is_some()).count();
                let spaces = model.elements.iter().filter(|e| e.role == Role::Space).count();
                let _ = writeln!(
                    table,
                    "{rel} | {} | {} | {} | {meshed} | {} | {spaces} | {}",
                    model.schema,
                    model.entity_count,
                    physical.len(),
                    model.failures.len(),
                    model.storeys.len()
                );
                if let Some(refs) = reference.as_deref().and_then(|r| reference_rows(r, &rel)) {
                    compare(&model, &rel, &refs, &mut fid);
                }
            }
            Err(e) => {
                // The message is part of the snapshot with the corpus path taken out.
                let msg = e.to_string().replace(&format!("{}/", dir.display()), "");
                let _ = writeln!(table, "{rel} | error: {msg}");
                errors.push(msg);
            }
        }
    }
    let share = fid.matched as f64 / fid.compared.max(1) as f64;
    println!(
        "fidelity: {}/{} physical elements meshed by IfcOpenShell are meshed with an AABB within {} m = {:.2}%",
        fid.matched,
        fid.compared,
        AABB_TOLERANCE_M,
        100.0 * share
    );
    println!("not meshed by us ({}):", fid.unmeshed.len());
    for line in &fid.unmeshed {
        println!("  {line}");
    }
    println!("AABB off by more than the tolerance ({}):", fid.off.len());
    for line in &fid.off {
        println!("  {line}");
    }
    println!("files that could not be loaded ({}):", errors.len());
    for e in &errors {
        println!("  {e}");
    }
    insta::assert_snapshot!("corpus_counts", table);
    assert!(fid.compared > 5000, "too few reference elements compared: {}", fid.compared);
    assert!(
        share >= FIDELITY_BAR,
        "fidelity {:.3}% is below the {:.1}% bar",
        100.0 * share,
        100.0 * FIDELITY_BAR
    );
}
